package io.backlane.spark;

import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import io.backlane.train.EpochStats;
import io.backlane.train.Evaluation;
import io.backlane.train.Examples;
import io.backlane.train.Optimizer;
import io.backlane.train.Trainer;
import io.backlane.train.TrainingDivergedException;
import io.backlane.train.TrainingResult;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Data-parallel training of backlane networks on Spark's own engine: each job broadcasts the
 * parameters, each partition's task runs backlane's trainer on its cached {@link Block}, and the
 * driver combines what the tasks return. Two modes (spark/README.md compares them):
 *
 * <ul>
 *   <li>{@link #exact}: synchronous full-batch gradient descent. Each iteration every partition adds
 *       the gradient of its rows ({@link Trainer#addGradientSum}); the driver adds the partitions'
 *       sums in partition order and makes the optimizer's update ({@link Trainer#applyGradientSum}).
 *       The same step as single-machine full-batch training, up to float rounding.</li>
 *   <li>{@link #averaging}: local SGD. Each round every partition takes a fixed number of mini-batch
 *       steps from the broadcast parameters and optimizer state; the driver averages parameters and
 *       state in partition order.</li>
 * </ul>
 *
 * <p>Why the partition order: {@code collect} returns one result per partition in partition order,
 * so the sums are always added in the same order and a given partitioning gives the same bits run
 * after run (with the scalar kernels; see spark/README.md for the vector kernels). A
 * {@code treeAggregate} would combine in the order tasks finish. The price: {@code collect} brings
 * every partition's result to the driver at once, partitions × P doubles in the exact mode
 * (partitions × P floats per array of parameters and optimizer state in the averaging mode). That
 * total must fit in the driver's memory and under {@code spark.driver.maxResultSize}: it is checked
 * before the first job ({@link #requireResultsFit}), and the remedy is fewer partitions.
 */
final class DistributedTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(DistributedTrainer.class);
    /** Rows per chunk of a partition's gradient: bounds an executor's buffers whatever its share of rows. */
    static final int GRADIENT_CHUNK = 1024;

    private DistributedTrainer() {
    }

    /**
     * Synchronous full-batch gradient descent: {@code config.epochs()} iterations, each one optimizer
     * update on the gradient of all training rows. Trains {@code params} in place.
     *
     * <p>The divergence guard of single-machine full-batch training ({@link Trainer#fit}): a
     * non-finite loss, gradient or update, or a loss over max({@value Trainer#DIVERGENCE_FACTOR} ×
     * the first iteration's, that + {@value Trainer#DIVERGENCE_MARGIN}), stops training with an
     * {@link ArithmeticException} that names the iteration, {@code params} left as they were before
     * it (on an executor's task the exception reaches the caller inside Spark's own).
     *
     * @throws IllegalArgumentException when the partitions' gradients together exceed
     *                                  {@code spark.driver.maxResultSize} ({@link #requireResultsFit})
     */
    static TrainingResult exact(JavaSparkContext sc, TrainingData data, Parameters params, TrainingConfig config) {
        NetworkSpec spec = new NetworkSpec(params.network());
        Optimizer optimizer = config.buildOptimizer();
        int p = params.network().parameterCount();
        requireResultsFit(sc, "exact", data.blocks.getNumPartitions(), (long) Double.BYTES * p,
                "a gradient of " + p + " doubles");
        List<EpochStats> history = new ArrayList<>();
        long start = System.nanoTime();
        double initialLoss = Double.NaN;
        try (Trainer driver = Trainer.builder(params).optimizer(optimizer).l2(config.l2()).build()) {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                long epochStart = System.nanoTime();
                int iteration = epoch;
                float[] before = params.values().clone();   // broadcast, and restored if this iteration diverges
                Broadcast<float[]> theta = sc.broadcast(before);
                List<GradientPart> parts;
                try {
                    parts = data.blocks.map(b -> gradientPart(spec, theta.value(), b, iteration)).collect();
                } finally {
                    theta.destroy();
                }
                double[] sum = new double[p];
                double lossSum = 0;
                for (GradientPart part : parts) {          // partition order
                    for (int i = 0; i < p; i++) {
                        sum[i] += part.gradientSum()[i];
                    }
                    lossSum += part.lossSum();
                }
                double loss;
                try {
                    loss = driver.applyGradientSum(sum, lossSum, data.rows);
                } catch (TrainingDivergedException e) {   // a NaN or infinite loss, gradient or update
                    System.arraycopy(before, 0, params.values(), 0, p);
                    throw diverged(iteration, "the update is not finite", e);
                }
                if (iteration == 1) {
                    initialLoss = loss;   // at the initial parameters: measured before the update
                }
                // as Trainer.fit checks an epoch of full-batch training: a finite loss can explode too
                double limit = Math.max(Trainer.DIVERGENCE_FACTOR * initialLoss, initialLoss + Trainer.DIVERGENCE_MARGIN);
                if (loss > limit) {
                    System.arraycopy(before, 0, params.values(), 0, p);
                    throw diverged(iteration, String.format(Locale.ROOT, "the loss %.4g is over max(%.0f x the initial"
                            + " loss %.4g, initial + %.0f)", loss, Trainer.DIVERGENCE_FACTOR, initialLoss,
                            Trainer.DIVERGENCE_MARGIN), null);
                }
                history.add(epochDone(sc, data, params, epoch, config, 1, loss, start, epochStart));
            }
        }
        return new TrainingResult(history, history.size(), false);
    }

    /**
     * Training diverged in the exact mode: an {@link ArithmeticException}, as the library's
     * {@link TrainingDivergedException} is (whose constructor is the library's own), naming the
     * iteration, with the library's exception, if any, as the cause.
     */
    private static ArithmeticException diverged(int iteration, String what, Throwable cause) {
        ArithmeticException e = new ArithmeticException("training diverged in exact mode at iteration " + iteration
                + ": " + what + "; lower the learning rate or standardize inputs (the parameters are left as they"
                + " were before iteration " + iteration + ")");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /**
     * One partition's gradient sum at the broadcast parameters (no L2 term: the driver adds it once).
     *
     * @throws ArithmeticException when the partition's loss or gradient is not finite, naming the
     *                             iteration and the partition
     */
    private static GradientPart gradientPart(NetworkSpec spec, float[] theta, Block b, int iteration) {
        Network net = spec.network();
        double[] sum = new double[net.parameterCount()];
        if (b.rows == 0) {
            return new GradientPart(sum, 0);
        }
        try (Trainer worker = Trainer.builder(new Parameters(net, theta)).batchSize(Math.min(b.rows, GRADIENT_CHUNK)).build()) {
            double lossSum = worker.addGradientSum(b.x, 0, b.y, 0, b.rows, sum);
            return new GradientPart(sum, lossSum);
        } catch (TrainingDivergedException e) {
            throw diverged(iteration, "the loss or gradient of partition " + TaskContext.getPartitionId()
                    + " is not finite" + (e.layer() > 0 ? " (first in layer " + e.layer() + ")" : ""), e);
        }
    }

    /**
     * Refuses, before the first job, training whose per-partition results cannot all reach the
     * driver: {@code collect} brings every partition's result at once, together at least
     * {@code partitions × bytesEach}, and a job whose results exceed
     * {@code spark.driver.maxResultSize} fails after its work is done. (0 there means no limit.)
     *
     * @throws IllegalArgumentException naming the sizes and the remedies
     */
    static void requireResultsFit(JavaSparkContext sc, String mode, long partitions, long bytesEach, String each) {
        long limit = sc.getConf().getSizeAsBytes("spark.driver.maxResultSize", "1g");
        double total = (double) partitions * bytesEach;   // a double: the product may pass Long.MAX_VALUE
        if (limit > 0 && total > limit) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s mode collects the results of all %d"
                    + " partitions on the driver at once, %s each: at least %.1f MiB, over spark.driver.maxResultSize"
                    + " (%.1f MiB); coalesce the DataFrame to fewer partitions, or raise spark.driver.maxResultSize"
                    + " (and the driver's memory)", mode, partitions, each, total / (1 << 20), limit / (double) (1 << 20)));
        }
    }

    /** What a partition returns in the exact mode. */
    private record GradientPart(double[] gradientSum, double lossSum) implements Serializable {
    }

    /**
     * Local SGD with periodic averaging. An epoch is as many local steps per partition as one pass over
     * an average partition takes (the rows over the non-empty partitions, over the batch size); every
     * {@code config.localSteps()} of them the parameters and the optimizer's state are averaged.
     * Each partition walks its rows in an order shuffled per pass from the seed, the partition and
     * the pass. Trains {@code params} in place.
     */
    static TrainingResult averaging(JavaSparkContext sc, TrainingData data, Parameters params, TrainingConfig config) {
        NetworkSpec spec = new NetworkSpec(params.network());
        List<Integer> partitionRows = data.blocks.map(b -> b.rows).collect();
        long nonEmpty = partitionRows.stream().filter(r -> r > 0).count();
        long perPartition = (data.rows + nonEmpty - 1) / nonEmpty;
        long stepsPerEpoch = Math.max(1, (perPartition + config.batchSize() - 1) / config.batchSize());
        int p = params.network().parameterCount();
        float[] state;
        long updates;
        try (Trainer t = Trainer.builder(params).optimizer(config.buildOptimizer()).build()) {
            state = t.optimizerState();       // zeros of the right length
            updates = t.optimizerUpdates();
        }
        requireResultsFit(sc, "averaging", nonEmpty, (long) Float.BYTES * (p + state.length),
                "parameters and optimizer state of " + (p + (long) state.length) + " floats");
        List<EpochStats> history = new ArrayList<>();
        long start = System.nanoTime();
        double firstLoss = Double.NaN;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            float[] before = params.values().clone();
            double lossSum = 0;
            long rowsSeen = 0;
            for (long done = 0; done < stepsPerEpoch; done += config.localSteps()) {
                int steps = (int) Math.min(config.localSteps(), stepsPerEpoch - done);
                long firstStep = (epoch - 1) * stepsPerEpoch + done;
                Broadcast<Snapshot> snapshot = sc.broadcast(new Snapshot(params.values().clone(), state, updates));
                List<LocalResult> results;
                try {
                    results = data.blocks.mapPartitionsWithIndex((partition, blocks) ->
                            localSteps(spec, config, snapshot.value(), blocks.next(), partition, firstStep, steps), true)
                            .collect();
                } finally {
                    snapshot.destroy();
                }
                double[] theta = new double[p];
                double[] averageState = new double[state.length];
                for (LocalResult r : results) {            // partition order
                    add(theta, r.theta());
                    add(averageState, r.state());
                    lossSum += r.lossSum();
                    rowsSeen += r.rows();
                    updates = r.updates();                 // the same for every partition: each took `steps` steps
                }
                average(theta, results.size(), params.values());
                state = new float[state.length];
                average(averageState, results.size(), state);
            }
            double loss = lossSum / rowsSeen;
            if (epoch == 1) {
                firstLoss = loss;
            }
            // as Trainer.fit checks an epoch: local steps can explode with a finite loss (lr 1e4 took 0.72 to 1e7)
            double limit = Math.max(Trainer.DIVERGENCE_FACTOR * firstLoss, firstLoss + Trainer.DIVERGENCE_MARGIN);
            if (!(loss <= limit)) {
                System.arraycopy(before, 0, params.values(), 0, p);
                throw new ArithmeticException(String.format(Locale.ROOT, "training diverged in averaging mode at epoch"
                        + " %d: the epoch's mean loss %.4g is over max(%.0f x the first epoch's %.4g, first + %.0f);"
                        + " lower the learning rate or standardize inputs (the parameters are left as they were before"
                        + " epoch %d)", epoch, loss, Trainer.DIVERGENCE_FACTOR, firstLoss, Trainer.DIVERGENCE_MARGIN,
                        epoch));
            }
            history.add(epochDone(sc, data, params, epoch, config, stepsPerEpoch, loss, start, epochStart));
        }
        return new TrainingResult(history, history.size(), false);
    }

    private static void add(double[] sum, float[] values) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += values[i];
        }
    }

    private static void average(double[] sum, int count, float[] into) {
        for (int i = 0; i < sum.length; i++) {
            into[i] = (float) (sum[i] / count);
        }
    }

    /** The parameters and optimizer state every partition starts a round from. */
    private record Snapshot(float[] theta, float[] state, long updates) implements Serializable {
    }

    /** What a partition returns in the averaging mode: where its local steps took it, and their summed loss. */
    private record LocalResult(float[] theta, float[] state, long updates, double lossSum, long rows)
            implements Serializable {
    }

    /** One partition's local steps {@code firstStep .. firstStep + steps - 1} from the snapshot. */
    private static Iterator<LocalResult> localSteps(NetworkSpec spec, TrainingConfig config, Snapshot from, Block b,
                                                    int partition, long firstStep, int steps) {
        if (b.rows == 0) {
            return Collections.emptyIterator();   // an empty partition has nothing to average in
        }
        Network net = spec.network();
        Parameters params = new Parameters(net, from.theta());
        int batch = Math.min(config.batchSize(), b.rows);
        int nIn = net.inputWidth();
        int nOut = net.outputWidth();
        float[] x = new float[batch * nIn];
        float[] y = new float[batch * nOut];
        int batchesPerPass = (b.rows + batch - 1) / batch;
        int[] order = null;
        long orderPass = -1;
        double lossSum = 0;
        long rows = 0;
        try (Trainer trainer = Trainer.builder(params).optimizer(config.buildOptimizer()).batchSize(batch)
                .l2(config.l2()).build()) {
            trainer.restoreOptimizerState(from.state(), from.updates());
            for (long s = firstStep; s < firstStep + steps; s++) {
                long pass = s / batchesPerPass;
                if (pass != orderPass) {
                    order = shuffled(b.rows, new SplittableRandom(mix(config.seed(), partition, pass)));
                    orderPass = pass;
                }
                int fromRow = (int) (s % batchesPerPass) * batch;
                int m = Math.min(batch, b.rows - fromRow);
                for (int i = 0; i < m; i++) {
                    int row = order[fromRow + i];
                    System.arraycopy(b.x, row * nIn, x, i * nIn, nIn);
                    System.arraycopy(b.y, row * nOut, y, i * nOut, nOut);
                }
                // L2 over the batch size even for a pass's last, shorter batch, as Trainer.fit scales it
                lossSum += trainer.step(x, 0, y, 0, m, batch) * m;
                rows += m;
            }
            return List.of(new LocalResult(params.values(), trainer.optimizerState(), trainer.optimizerUpdates(),
                    lossSum, rows)).iterator();
        }
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** A seed for (seed, partition, pass): distinct streams from one user seed. */
    private static long mix(long seed, int partition, long pass) {
        return seed ^ (partition + 1) * 0x9E3779B97F4A7C15L ^ (pass + 1) * 0xC2B2AE3D27D4EB4FL;
    }

    /** The epoch's statistics, with the validation loss and accuracy when there are validation rows; logged. */
    private static EpochStats epochDone(JavaSparkContext sc, TrainingData data, Parameters params, int epoch,
                                        TrainingConfig config, long steps, double trainLoss, long start, long epochStart) {
        double validationLoss = Double.NaN;
        double validationAccuracy = Double.NaN;
        if (data.validationRows > 0) {
            NetworkSpec spec = new NetworkSpec(params.network());
            Broadcast<float[]> theta = sc.broadcast(params.values().clone());
            List<double[]> parts;
            try {
                parts = data.blocks.map(b -> evaluate(spec, theta.value(), b)).collect();
            } finally {
                theta.destroy();
            }
            double lossSum = 0;
            double correct = 0;
            for (double[] part : parts) {
                lossSum += part[0];
                correct += part[1];
            }
            validationLoss = lossSum / data.validationRows;
            validationAccuracy = data.classes > 0 ? correct / data.validationRows : Double.NaN;
            if (!Double.isFinite(validationLoss)) { // as Trainer.fit: never a silent NaN in the history
                throw new ArithmeticException("the validation loss is " + validationLoss + " at epoch " + epoch
                        + ": validation rows overflow the network (features far outside the range of the training"
                        + " rows?)");
            }
        }
        long now = System.nanoTime();
        EpochStats stats = new EpochStats(epoch, config.epochs(), steps, trainLoss, Double.NaN, validationLoss,
                validationAccuracy, config.learningRate(), now - start, data.rows / ((now - epochStart) / 1e9));
        LOG.info(String.format(Locale.ROOT, "backlane: epoch %d/%d loss %.4f%s %.1fs", epoch, config.epochs(), trainLoss,
                Double.isNaN(validationLoss) ? "" : String.format(Locale.ROOT, " val_loss %.4f%s", validationLoss,
                        Double.isNaN(validationAccuracy) ? "" : String.format(Locale.ROOT, " val_acc %.2f%%",
                                100 * validationAccuracy)), (now - epochStart) / 1e9));
        return stats;
    }

    /** A partition's validation rows: {summed loss, correct predictions} at the broadcast parameters. */
    private static double[] evaluate(NetworkSpec spec, float[] theta, Block b) {
        if (b.validationRows == 0) {
            return new double[2];
        }
        Network net = spec.network();
        try (Trainer t = Trainer.builder(new Parameters(net, theta)).batchSize(Math.min(b.validationRows, GRADIENT_CHUNK))
                .build()) {
            Evaluation e = t.evaluate(new Examples(b.validationX, b.validationY, b.validationRows));
            double correct = Double.isNaN(e.accuracy()) ? 0 : Math.round(e.accuracy() * b.validationRows);
            return new double[] {e.loss() * b.validationRows, correct};
        }
    }
}
