package io.backlane.reference;

import io.backlane.nn.Activation;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Gradient checking: central finite differences of the {@link ReferenceNetwork} cost J, in double
 * precision, compared element by element with an analytic gradient — the reference's own
 * backpropagation ({@link #checkReference()}) or any gradient supplied from outside, such as the
 * fast float engine's ({@link #check(float[])}).
 *
 * <h2>The difference quotient</h2>
 * The textbook central difference D(h) = (J(θ + h e_k) − J(θ − h e_k)) / 2h has a truncation error
 * ∝ h² and a rounding error ∝ ε·|J| / h (ε ≈ 1.1e-16); at its best step, h ≈ 1e-5, both are near
 * 1e-11 in absolute terms, which is a relative error of 1e-5 or worse for the many gradient
 * components of 1e-6 and below that small random networks have. This class therefore uses the
 * fourth-order central difference (4·D(h) − D(2h)) / 3 (Richardson extrapolation of two central
 * differences), whose truncation error is ∝ h⁴, with h_k = {@link #DEFAULT_STEP} · max(1, |θ_k|)
 * = 1e-3 · max(1, |θ_k|): both errors are then near 1e-13. Measured while writing this class, over
 * 10,800 random small networks of every activation and loss (the kind {@link #random} draws): worst
 * element-wise relative error (as below) 8.9e-7, worst {@link Result#vectorError()} 1.1e-8.
 *
 * <h2>The comparison</h2>
 * Element by element, the relative error |a − n| / max(|a| + |n|, floor), where a is the gradient
 * under test, n the numerical one, and floor = {@link #FLOOR_FRACTION} · max_k (|a_k| + |n_k|):
 * a component a million times smaller than the largest is compared at the scale of the largest
 * times 1e-6, because neither finite differences nor float arithmetic resolve it better (its
 * rounding noise, about 1e-13, would otherwise read as a relative error of 1e-4 on a component of
 * 1e-9). Exactly equal values (both 0 included) count as 0; NaN or infinity as infinity.
 * {@link Result#vectorError()} also gives the norm-wise ‖a − n‖ / (‖a‖ + ‖n‖). The numerical
 * gradient is computed once, on first use, and kept.
 *
 * <p>Slow on purpose: 4 · (number of parameters) full forward passes of the reference. Meant for
 * small networks and batches. For a large network, check a random sample of the parameters
 * ({@link #sample}, {@link #checkReference(int[], IntConsumer)}): 4 forward passes per sampled
 * parameter, with progress reported as it goes.
 *
 * <p>ReLU and leaky ReLU have a kink at z = 0, where a finite difference that crosses it is wrong.
 * {@link #randomBatch} therefore redraws any example that brings a ReLU-family pre-activation within
 * {@link #KINK_MARGIN} of 0; with data of your own, keep those |z| well above the change 2h of a
 * parameter times the size of the activations it multiplies.
 *
 * <pre>{@code
 * GradientCheck check = GradientCheck.random(network, 5, 0.1, 42L);
 * GradientCheck.Result result = check.checkReference();
 * System.out.println(result);            // layer 1: W 3.1e-9, b 2.0e-10 ...
 * if (!result.passes(1e-6)) { ... }
 * }</pre>
 */
public final class GradientCheck {
    /** The relative finite-difference step: h_k = DEFAULT_STEP · max(1, |θ_k|). */
    public static final double DEFAULT_STEP = 1e-3;
    /**
     * The denominator floor of the element-wise relative error, as a fraction of the largest
     * |a_k| + |n_k| of the gradient: values far below the gradient's scale are not compared as
     * noise over noise.
     */
    public static final double FLOOR_FRACTION = 1e-6;
    /** {@link #randomBatch} keeps every ReLU-family pre-activation at least this far from the kink at 0. */
    public static final double KINK_MARGIN = 0.05;

    private final Network network;
    private final double[] theta;
    private final double[][] x;
    private final double[][] y;
    private final double lambda;
    private final double step;
    private final ReferenceNetwork reference;
    private double[] numerical;   // computed on first use

    /**
     * A check of the cost of {@code network} with the given parameters on the batch (X, Y) with
     * regularization λ, using {@link #DEFAULT_STEP}.
     *
     * @param network    the architecture
     * @param parameters parameter values in the layout of {@link Parameters} (copied)
     * @param x          inputs, m × n[0], one row per example
     * @param y          targets, m × n[L]
     * @param lambda     λ ≥ 0
     */
    public GradientCheck(Network network, double[] parameters, double[][] x, double[][] y, double lambda) {
        this(network, parameters, x, y, lambda, DEFAULT_STEP);
    }

    /** As {@link #GradientCheck(Network, double[], double[][], double[][], double)}, with relative step {@code step}. */
    public GradientCheck(Network network, double[] parameters, double[][] x, double[][] y, double lambda, double step) {
        if (!(step > 0) || step > 0.1) {
            throw new IllegalArgumentException("step must be in (0, 0.1], got " + step);
        }
        this.reference = new ReferenceNetwork(network, parameters);
        this.network = network;
        this.theta = reference.parameters();
        this.x = deepCopy(x);
        this.y = deepCopy(y);
        this.lambda = lambda;
        this.step = step;
        reference.cost(this.x, this.y, lambda);   // validates shapes and λ now, not in the middle of the differences
    }

    /** A check at float parameters (each converted exactly to double). */
    public GradientCheck(Parameters parameters, double[][] x, double[][] y, double lambda) {
        this(requireParameters(parameters).network(), ReferenceNetwork.toDouble(parameters.values()), x, y, lambda);
    }

    /**
     * A check of {@code network} at random parameters ({@link #randomParameters}) on a random batch
     * of m examples ({@link #randomBatch}), all drawn from {@code seed}: what the {@code gradcheck}
     * command runs.
     */
    public static GradientCheck random(Network network, int m, double lambda, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] parameters = randomParameters(network, random.nextLong());
        Batch batch = randomBatch(network, parameters, m, random.nextLong());
        return new GradientCheck(network, parameters, batch.x(), batch.y(), lambda);
    }

    private static Parameters requireParameters(Parameters p) {
        if (p == null) {
            throw new IllegalArgumentException("parameters must not be null");
        }
        return p;
    }

    /** The network checked. */
    public Network network() {
        return network;
    }

    /** A copy of the parameter values at which the gradient is checked. */
    public double[] parameters() {
        return theta.clone();
    }

    /** The batch inputs X (a copy). */
    public double[][] x() {
        return deepCopy(x);
    }

    /** The batch targets Y (a copy). */
    public double[][] y() {
        return deepCopy(y);
    }

    /** λ. */
    public double lambda() {
        return lambda;
    }

    /** The reference network at these parameters. */
    public ReferenceNetwork reference() {
        return reference;
    }

    /** The reference's analytic gradient by backpropagation, {@link ReferenceNetwork#gradient}. */
    public double[] analyticGradient() {
        return reference.gradient(x, y, lambda);
    }

    /**
     * The finite-difference gradient: for every parameter k, with h = step · max(1, |θ_k|),
     * ∂J/∂θ_k ≈ [8(J(θ + h e_k) − J(θ − h e_k)) − (J(θ + 2h e_k) − J(θ − 2h e_k))] / 12h.
     * Returns a copy of the cached result.
     */
    public double[] numericalGradient() {
        if (numerical == null) {
            double[] grad = new double[theta.length];
            double[] shifted = theta.clone();
            for (int k = 0; k < theta.length; k++) {
                // D(h) = (J(θ+h) − J(θ−h)) / 2h = ∂J/∂θ_k + (h²/6)·∂³J/∂θ_k³ + O(h⁴). D(2h) has 4 times that
                // h² term, so (4·D(h) − D(2h)) / 3 cancels it (Richardson):
                // ∂J/∂θ_k ≈ [8(J(θ+h) − J(θ−h)) − (J(θ+2h) − J(θ−2h))] / 12h, error O(h⁴).
                grad[k] = difference(shifted, k);
            }
            numerical = grad;
        }
        return numerical.clone();
    }

    /**
     * The finite-difference gradient of the parameters in {@code indices} only (as in
     * {@link #numericalGradient()}); the other components are NaN. {@code progress}, when not null,
     * is told the count of parameters done after each one.
     */
    public double[] numericalGradient(int[] indices, IntConsumer progress) {
        checkIndices(indices);
        double[] grad = new double[theta.length];
        java.util.Arrays.fill(grad, Double.NaN);
        double[] shifted = theta.clone();
        for (int i = 0; i < indices.length; i++) {
            grad[indices[i]] = difference(shifted, indices[i]);
            if (progress != null) {
                progress.accept(i + 1);
            }
        }
        return grad;
    }

    private void checkIndices(int[] indices) {
        if (indices == null || indices.length == 0) {
            throw new IllegalArgumentException("indices must name at least one parameter");
        }
        for (int k : indices) {
            if (k < 0 || k >= theta.length) {
                throw new IllegalArgumentException("parameter index " + k + " is not in [0, " + theta.length + ")");
            }
        }
    }

    /** The fourth-order difference quotient for parameter k; restores {@code shifted[k]}. */
    private double difference(double[] shifted, int k) {
        double h = step * Math.max(1.0, Math.abs(theta[k]));
        double plus1 = costAt(shifted, k, theta[k] + h);
        double minus1 = costAt(shifted, k, theta[k] - h);
        double plus2 = costAt(shifted, k, theta[k] + 2 * h);
        double minus2 = costAt(shifted, k, theta[k] - 2 * h);
        shifted[k] = theta[k];
        return (8 * (plus1 - minus1) - (plus2 - minus2)) / (12 * h);
    }

    /**
     * A random sample of parameter indices, sorted: from every layer, {@code perLayer} of its
     * weights and {@code perLayer} of its biases drawn uniformly without replacement (all of them
     * when the layer has fewer), so that every layer's W and b are checked. Deterministic for a seed.
     */
    public static int[] sample(Network network, int perLayer, long seed) {
        if (network == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        if (perLayer < 1) {
            throw new IllegalArgumentException("perLayer must be >= 1, got " + perLayer);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> chosen = new ArrayList<>();
        for (int l = 1; l <= network.layerCount(); l++) {
            pick(network.weightOffset(l), network.weightCount(l), perLayer, random, chosen);
            pick(network.biasOffset(l), network.width(l), perLayer, random, chosen);
        }
        return chosen.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /** {@code count} distinct indices of [from, from + size) (Floyd's algorithm), or all of them. */
    private static void pick(int from, int size, int count, SplittableRandom random, List<Integer> into) {
        if (size <= count) {
            for (int k = 0; k < size; k++) {
                into.add(from + k);
            }
            return;
        }
        java.util.Set<Integer> set = new java.util.HashSet<>();
        for (int j = size - count; j < size; j++) {
            int t = random.nextInt(j + 1);
            set.add(set.contains(from + t) ? from + j : from + t);
        }
        into.addAll(set);
    }

    /**
     * Compares the reference's backpropagation with finite differences on the parameters in
     * {@code indices} only; {@code progress} as in {@link #numericalGradient(int[], IntConsumer)}.
     */
    public Result checkReference(int[] indices, IntConsumer progress) {
        double[] numeric = numericalGradient(indices, progress);
        return compare(network, analyticGradient(), numeric, indices);
    }

    /** J(θ) with θ_k replaced by {@code value}; leaves {@code value} in {@code shifted[k]}. */
    private double costAt(double[] shifted, int k, double value) {
        shifted[k] = value;
        return new ReferenceNetwork(network, shifted).cost(x, y, lambda);
    }

    /** Compares the reference's own backpropagation with the finite differences. */
    public Result checkReference() {
        return check(analyticGradient());
    }

    /** Compares a gradient computed elsewhere (in the parameter layout) with the finite differences. */
    public Result check(double[] gradient) {
        if (gradient == null || gradient.length != theta.length) {
            throw new IllegalArgumentException("gradient must have " + theta.length + " values for " + network
                    + ", got " + (gradient == null ? "null" : gradient.length));
        }
        return compare(network, gradient, numericalGradient());
    }

    /** Compares a float gradient (the fast engine's) with the finite differences. */
    public Result check(float[] gradient) {
        if (gradient == null) {
            throw new IllegalArgumentException("gradient must not be null");
        }
        return check(ReferenceNetwork.toDouble(gradient));
    }

    /**
     * Compares two gradients of {@code network}, layer by layer, W and b apart.
     *
     * @param analytic the gradient under test
     * @param numeric  the gradient taken as truth
     */
    public static Result compare(Network network, double[] analytic, double[] numeric) {
        return compare(network, analytic, numeric, null);
    }

    /** As {@link #compare(Network, double[], double[])}, over the parameters in {@code indices} (null: all). */
    private static Result compare(Network network, double[] analytic, double[] numeric, int[] indices) {
        if (analytic == null || numeric == null || analytic.length != network.parameterCount()
                || numeric.length != network.parameterCount()) {
            throw new IllegalArgumentException("both gradients must have " + network.parameterCount() + " values");
        }
        boolean[] compared = new boolean[analytic.length];
        if (indices == null) {
            java.util.Arrays.fill(compared, true);
        } else {
            for (int k : indices) {
                compared[k] = true;
            }
        }
        int count = indices == null ? analytic.length : (int) java.util.stream.IntStream.range(0, analytic.length)
                .filter(k -> compared[k]).count();
        double scale = 0;
        for (int k = 0; k < analytic.length; k++) {
            if (compared[k]) {
                scale = Math.max(scale, Math.abs(analytic[k]) + Math.abs(numeric[k]));
            }
        }
        double floor = Math.max(FLOOR_FRACTION * scale, Double.MIN_NORMAL);   // NaN when a component is NaN: see below
        if (Double.isNaN(floor) || Double.isInfinite(floor)) {
            floor = Double.MIN_NORMAL;                                        // a NaN or inf component reports inf anyway
        }
        List<LayerError> layers = new ArrayList<>();
        int worstIndex = -1;
        double worst = -1;
        for (int l = 1; l <= network.layerCount(); l++) {
            double w = 0;
            for (int k = network.weightOffset(l); k < network.weightOffset(l) + network.weightCount(l); k++) {
                if (!compared[k]) {
                    continue;
                }
                double e = relativeError(analytic[k], numeric[k], floor);
                w = Math.max(w, e);
                if (e > worst) {
                    worst = e;
                    worstIndex = k;
                }
            }
            double b = 0;
            for (int k = network.biasOffset(l); k < network.biasOffset(l) + network.width(l); k++) {
                if (!compared[k]) {
                    continue;
                }
                double e = relativeError(analytic[k], numeric[k], floor);
                b = Math.max(b, e);
                if (e > worst) {
                    worst = e;
                    worstIndex = k;
                }
            }
            layers.add(new LayerError(l, w, b));
        }
        double diff = 0;
        double normA = 0;
        double normN = 0;
        for (int k = 0; k < analytic.length; k++) {
            if (!compared[k]) {
                continue;
            }
            diff += (analytic[k] - numeric[k]) * (analytic[k] - numeric[k]);
            normA += analytic[k] * analytic[k];
            normN += numeric[k] * numeric[k];
        }
        double vectorError = diff == 0 ? 0.0
                : Math.sqrt(diff) / Math.max(Math.sqrt(normA) + Math.sqrt(normN), Double.MIN_NORMAL);   // ‖a − n‖ / (‖a‖ + ‖n‖)
        if (Double.isNaN(vectorError)) {
            vectorError = Double.POSITIVE_INFINITY;
        }
        return new Result(network, layers, worst, worstIndex, analytic[worstIndex], numeric[worstIndex], vectorError,
                count);
    }

    /**
     * |a − n| / max(|a| + |n|, floor); 0 when a == n (both 0 included); infinite when either is NaN
     * or infinite.
     */
    public static double relativeError(double a, double n, double floor) {
        if (!Double.isFinite(a) || !Double.isFinite(n)) {
            return Double.POSITIVE_INFINITY;
        }
        if (a == n) {
            return 0.0;
        }
        return Math.abs(a - n) / Math.max(Math.abs(a) + Math.abs(n), floor);
    }

    // ---------------------------------------------------------------------------------------------
    // Random problems

    /**
     * Random parameters for a check, from a seed: weights from the per-layer default initializer
     * ({@link Parameters#initialize(Network, long)}), biases uniform in [−0.5, 0.5] so that the bias
     * path is exercised. Weights are those float values converted to double.
     */
    public static double[] randomParameters(Network network, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] theta = ReferenceNetwork.toDouble(Parameters.initialize(network, random.nextLong()).values());
        for (int l = 1; l <= network.layerCount(); l++) {
            for (int i = 0; i < network.width(l); i++) {
                theta[network.biasOffset(l) + i] = random.nextDouble() - 0.5;
            }
        }
        return theta;
    }

    /**
     * A random batch of m examples for {@code network} at the given parameters, from a seed.
     * Inputs are standard normal; targets depend on the loss: one-hot rows for categorical
     * cross-entropy, 0 or 1 for binary cross-entropy, and for mean squared error values in the
     * output's range (uniform in [0, 1] for sigmoid, [−1, 1] for tanh, standard normal otherwise).
     *
     * <p>An example whose pass brings any ReLU or leaky-ReLU pre-activation within
     * {@link #KINK_MARGIN} of 0 is redrawn (up to 1000 times; after that the last draw is kept), so
     * that finite differences do not cross a kink.
     */
    public static Batch randomBatch(Network network, double[] parameters, int m, long seed) {
        if (m < 1) {
            throw new IllegalArgumentException("m must be >= 1, got " + m);
        }
        ReferenceNetwork reference = new ReferenceNetwork(network, parameters);
        SplittableRandom random = new SplittableRandom(seed);
        int inputs = network.inputWidth();
        int outputs = network.outputWidth();
        double[][] x = new double[m][];
        double[][] y = new double[m][outputs];
        for (int e = 0; e < m; e++) {
            for (int attempt = 0; attempt < 1000; attempt++) {
                x[e] = new double[inputs];
                for (int j = 0; j < inputs; j++) {
                    x[e][j] = random.nextGaussian();
                }
                if (awayFromKinks(network, reference.forward(new double[][] {x[e]}))) {
                    break;
                }
            }
            switch (network.loss()) {
                case CATEGORICAL_CROSS_ENTROPY -> y[e][random.nextInt(outputs)] = 1.0;
                case BINARY_CROSS_ENTROPY -> {
                    for (int i = 0; i < outputs; i++) {
                        y[e][i] = random.nextBoolean() ? 1.0 : 0.0;
                    }
                }
                case MEAN_SQUARED_ERROR -> {
                    Activation out = network.activation(network.layerCount());
                    for (int i = 0; i < outputs; i++) {
                        y[e][i] = switch (out) {
                            case SIGMOID -> random.nextDouble();
                            case TANH -> 2 * random.nextDouble() - 1;
                            default -> random.nextGaussian();
                        };
                    }
                }
            }
        }
        return new Batch(x, y);
    }

    private static boolean awayFromKinks(Network network, ForwardPass pass) {
        for (int l = 1; l <= network.layerCount(); l++) {
            Activation g = network.activation(l);
            if (g == Activation.RELU || g == Activation.LEAKY_RELU) {
                for (double z : pass.z(l)[0]) {
                    if (Math.abs(z) < KINK_MARGIN) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static double[][] deepCopy(double[][] rows) {
        if (rows == null) {
            throw new IllegalArgumentException("batch must not be null");
        }
        double[][] out = new double[rows.length][];
        for (int e = 0; e < rows.length; e++) {
            out[e] = rows[e] == null ? null : rows[e].clone();
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Results

    /**
     * A batch for a check: X (m × n[0]) and Y (m × n[L]), one row per example.
     *
     * @param x the inputs
     * @param y the targets
     */
    public record Batch(double[][] x, double[][] y) {
    }

    /**
     * The worst relative errors of one layer.
     *
     * @param layer   l, in 1..L
     * @param weights the worst relative error over the elements of dW[l]
     * @param biases  the worst relative error over the elements of db[l]
     */
    public record LayerError(int layer, double weights, double biases) {
        /** The worse of the two. */
        public double worst() {
            return Math.max(weights, biases);
        }

        /** For example {@code "layer 1: W 3.1e-9, b 2.0e-10"}. */
        @Override
        public String toString() {
            return "layer " + layer + ": W " + format(weights) + ", b " + format(biases);
        }
    }

    /**
     * The outcome of a check: per layer the worst relative error of dW and of db, the overall worst,
     * and where it occurred.
     */
    public static final class Result {
        private final Network network;
        private final List<LayerError> layers;
        private final double worst;
        private final int worstIndex;
        private final double worstAnalytic;
        private final double worstNumeric;
        private final double vectorError;
        private final int compared;

        Result(Network network, List<LayerError> layers, double worst, int worstIndex, double worstAnalytic,
               double worstNumeric, double vectorError, int compared) {
            this.compared = compared;
            this.network = network;
            this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
            this.worst = worst;
            this.worstIndex = worstIndex;
            this.worstAnalytic = worstAnalytic;
            this.worstNumeric = worstNumeric;
            this.vectorError = vectorError;
        }

        /** How many parameters were compared: all of them, or the size of a sample. */
        public int compared() {
            return compared;
        }

        /** One entry per layer, l = 1..L. */
        public List<LayerError> layers() {
            return layers;
        }

        /** The errors of layer l (1..L). */
        public LayerError layer(int l) {
            return layers.get(l - 1);
        }

        /** The largest relative error over all parameters. */
        public double worst() {
            return worst;
        }

        /** Index (in the parameter layout) of the parameter with the largest error. */
        public int worstIndex() {
            return worstIndex;
        }

        /** The parameter with the largest error, for example {@code "W[2](1,0)"} or {@code "b[1](3)"}. */
        public String worstParameter() {
            return describe(network, worstIndex);
        }

        /** The analytic value at {@link #worstIndex()}. */
        public double worstAnalytic() {
            return worstAnalytic;
        }

        /** The numerical value at {@link #worstIndex()}. */
        public double worstNumeric() {
            return worstNumeric;
        }

        /**
         * The norm-wise relative error ‖a − n‖₂ / (‖a‖₂ + ‖n‖₂) over the whole gradient (0 when equal):
         * insensitive to the rounding noise of components far smaller than the rest.
         */
        public double vectorError() {
            return vectorError;
        }

        /** Whether every element-wise relative error is at most {@code tolerance}. */
        public boolean passes(double tolerance) {
            return worst <= tolerance;
        }

        /**
         * Report lines for a command line: one per layer ({@code "layer 1: W 3.1e-9, b 2.0e-10"}), then
         * {@code "worst 3.1e-9 at W[1](0,2): analytic ..., numerical ..."}, then
         * {@code "vector 1.2e-11"} ({@link #vectorError()}).
         */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            for (LayerError layer : layers) {
                lines.add(layer.toString());
            }
            lines.add("worst " + format(worst) + " at " + worstParameter() + ": analytic "
                    + String.format(Locale.ROOT, "%.10g", worstAnalytic) + ", numerical "
                    + String.format(Locale.ROOT, "%.10g", worstNumeric));
            lines.add("vector " + format(vectorError));
            if (compared < network.parameterCount()) {
                lines.add("sampled " + compared + " of " + network.parameterCount() + " parameters");
            }
            return lines;
        }

        /** {@link #lines()} joined by newlines. */
        @Override
        public String toString() {
            return String.join("\n", lines());
        }
    }

    /** Names parameter k of {@code network}: {@code W[l](i,j)} or {@code b[l](i)}. */
    static String describe(Network network, int k) {
        for (int l = 1; l <= network.layerCount(); l++) {
            int w = network.weightOffset(l);
            if (k >= w && k < w + network.weightCount(l)) {
                int cols = network.width(l - 1);
                return "W[" + l + "](" + (k - w) / cols + "," + (k - w) % cols + ")";
            }
            int b = network.biasOffset(l);
            if (k >= b && k < b + network.width(l)) {
                return "b[" + l + "](" + (k - b) + ")";
            }
        }
        throw new IndexOutOfBoundsException("parameter " + k + " is not in [0, " + network.parameterCount() + ")");
    }

    /** Two significant digits, exponent without padding: {@code 3.1e-9}, {@code 0}, {@code inf}. */
    static String format(double v) {
        if (v == 0) {
            return "0";
        }
        if (Double.isInfinite(v)) {
            return "inf";
        }
        if (Double.isNaN(v)) {
            return "nan";
        }
        String s = String.format(Locale.ROOT, "%.1e", v);              // 3.1e-09
        return s.replaceFirst("e([+-])0*(\\d)", "e$1$2").replace("e+", "e");
    }
}
