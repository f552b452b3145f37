package io.backlane.cli;

import io.backlane.kernel.Kernels;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import io.backlane.reference.GradientCheck;
import io.backlane.reference.ReferenceNetwork;
import io.backlane.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code backlane gradcheck}: checks backpropagation against finite differences on a random network
 * and batch, and the fast float engine against the double-precision reference.
 */
@Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {"Checks the gradient of a network: the reference engine's backpropagation (double precision)"
                + " against fourth-order central finite differences, at random parameters on a random batch, and"
                + " prints the worst relative error per layer. Exits 0 when the worst error is at most --tolerance,"
                + " 1 otherwise.",
                "Also prints the fast float engine's worst relative error per layer against the reference. Element by"
                        + " element, float rounding shows on components far smaller than the largest, so the float engine"
                        + " passes when its norm-wise error ||a - r|| / (||a|| + ||r||) is at most --float-tolerance.",
                "Finite differences cost 4 forward passes of the whole batch per parameter. A network of more than "
                        + GradcheckCommand.ALL_LIMIT + " parameters is checked on a random sample (seeded by --seed):"
                        + " from every layer " + GradcheckCommand.PER_LAYER + " weights and " + GradcheckCommand.PER_LAYER
                        + " biases (all of a layer's when it has fewer); --all checks every parameter. The command prints"
                        + " the cost before it starts and its progress as it goes."},
        footer = {"", "Examples:",
                "  backlane gradcheck",
                "  backlane gradcheck --inputs 10 --layers 16:relu,8:tanh --outputs 1 --l2 0.1",
                "  backlane gradcheck --inputs 3 --layers 5:sigmoid --outputs 2 --loss mse"})
final class GradcheckCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    NetworkOptions network;

    @Option(names = "--examples", paramLabel = "M", defaultValue = "5", description = "Examples in the random batch.")
    int examples;

    @Option(names = "--l2", paramLabel = "LAMBDA", defaultValue = "0", description = "L2 regularization strength.")
    double l2;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of the parameters and the batch.")
    long seed;

    @Option(names = "--tolerance", paramLabel = "T", defaultValue = "1e-4",
            description = "The largest accepted relative error of the reference against finite differences.")
    double tolerance;

    @Option(names = "--float-tolerance", paramLabel = "T", defaultValue = "1e-5",
            description = "The largest accepted norm-wise relative error of the float engine against the reference.")
    double floatTolerance;

    @Option(names = "--all", description = "Check every parameter, however large the network (see above).")
    boolean all;

    /** Networks with at most this many parameters are checked in full by default. */
    static final int ALL_LIMIT = 2000;
    /** Weights (and biases) sampled from each layer of a larger network. */
    static final int PER_LAYER = 100;
    /** Progress lines while differencing: one per tenth of the parameters. */
    private static final int PROGRESS_STEPS = 10;
    /** ... and at least one this often. */
    private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;

    @Override
    public Integer call() {
        if (examples < 1) {
            throw new UsageException("--examples must be >= 1, got " + examples);
        }
        if (!(l2 >= 0) || !Float.isFinite((float) l2)) { // the fast engine's check runs in float
            throw new UsageException("--l2 must be a number >= 0 within the float range, got " + l2);
        }
        if (!(tolerance >= 0) || !(floatTolerance >= 0)) {
            throw new UsageException("tolerances must be numbers >= 0");
        }
        Network net = network.network();
        PrintWriter out = main.spec.commandLine().getOut();
        out.printf(Locale.ROOT, "network   %s, %d parameters%n", net, net.parameterCount());
        out.printf(Locale.ROOT, "batch     %d random examples, l2 %s, seed %d%n", examples, l2, seed);
        out.flush();

        // Round the random problem to float first, so that both engines see exactly the same numbers.
        GradientCheck draw = GradientCheck.random(net, examples, l2, seed);
        float[] theta = toFloat(draw.parameters());
        float[] x = flatten(draw.x());
        float[] y = flatten(draw.y());
        GradientCheck check = new GradientCheck(net, ReferenceNetwork.toDouble(theta),
                ReferenceNetwork.toRows(x, examples, net.inputWidth()),
                ReferenceNetwork.toRows(y, examples, net.outputWidth()), l2);

        int[] indices = all || net.parameterCount() <= ALL_LIMIT
                ? java.util.stream.IntStream.range(0, net.parameterCount()).toArray()
                : GradientCheck.sample(net, PER_LAYER, seed);
        long macsPerPass = 0;
        for (int l = 1; l <= net.layerCount(); l++) {
            macsPerPass += (long) net.width(l - 1) * net.width(l) * examples;
        }
        long passes = 4L * indices.length;
        out.printf(Locale.ROOT, "checking  %s%s: %d forward passes of the reference, about %.1e multiply-adds%n",
                indices.length == net.parameterCount() ? "all " + indices.length + " parameters"
                        : "a random sample of " + indices.length + " of " + net.parameterCount() + " parameters",
                indices.length == net.parameterCount() ? "" : " (" + PER_LAYER + " weights and " + PER_LAYER
                        + " biases per layer; --all for every one)",
                passes, (double) passes * macsPerPass);
        out.flush();
        long start = System.nanoTime();
        long[] lastReport = {start};
        int total = indices.length;
        GradientCheck.Result reference = check.checkReference(indices, done -> {
            long now = System.nanoTime();
            // Every tenth of a long check, and at least every few seconds of a slow one.
            boolean tenth = total >= 100 * PROGRESS_STEPS
                    && (long) done * PROGRESS_STEPS / total != (long) (done - 1) * PROGRESS_STEPS / total;
            if (done < total && (tenth || now - lastReport[0] > PROGRESS_EVERY_NANOS)) {
                lastReport[0] = now;
                double seconds = (now - start) / 1e9;
                out.printf(Locale.ROOT, "  %d of %d parameters (%d%%), %s, about %s left%n", done, total, 100L * done / total,
                        Progress.duration(seconds), Progress.duration(seconds * (total - done) / done));
                out.flush();
            }
        });
        out.println("reference backpropagation (double) vs finite differences:");
        reference.lines().forEach(l -> out.println("  " + l));

        float[] gradient;
        try (Trainer trainer = Trainer.builder(new Parameters(net, theta)).batchSize(examples).l2((float) l2).build()) {
            trainer.computeGradient(x, 0, y, 0, examples);
            gradient = trainer.gradient().clone();
        }
        GradientCheck.Result fast = GradientCheck.compare(net, ReferenceNetwork.toDouble(gradient),
                check.analyticGradient());
        out.println("fast engine (float, " + Kernels.get().name() + " kernels) vs reference backpropagation:");
        fast.lines().forEach(l -> out.println("  " + l));

        boolean referencePasses = reference.passes(tolerance);
        boolean fastPasses = fast.vectorError() <= floatTolerance;
        out.printf(Locale.ROOT, "%s: reference worst %.2e %s tolerance %.1e; float engine vector %.2e %s float tolerance %.1e%n",
                referencePasses && fastPasses ? "PASS" : "FAIL", reference.worst(), referencePasses ? "<=" : ">", tolerance,
                fast.vectorError(), fastPasses ? "<=" : ">", floatTolerance);
        return referencePasses && fastPasses ? 0 : Main.DATA_ERROR;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static float[] flatten(double[][] rows) {
        int cols = rows[0].length;
        float[] f = new float[rows.length * cols];
        for (int e = 0; e < rows.length; e++) {
            for (int j = 0; j < cols; j++) {
                f[e * cols + j] = (float) rows[e][j];
            }
        }
        return f;
    }
}
