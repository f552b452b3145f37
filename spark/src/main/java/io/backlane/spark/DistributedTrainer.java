package io.backlane.spark;

import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import io.backlane.train.EpochStats;
import io.backlane.train.Evaluation;
import io.backlane.train.Examples;
import io.backlane.train.Optimizer;
import io.backlane.train.Trainer;
import io.backlane.train.TrainingResult;
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
 * {@code treeAggregate} would combine in the order tasks finish. The price: the driver holds one
 * result (P doubles, or P floats per state array) per partition at a time.
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
     */
    static TrainingResult exact(JavaSparkContext sc, TrainingData data, Parameters params, TrainingConfig config) {
        NetworkSpec spec = new NetworkSpec(params.network());
        Optimizer optimizer = config.buildOptimizer();
        int p = params.network().parameterCount();
        List<EpochStats> history = new ArrayList<>();
        long start = System.nanoTime();
        try (Trainer driver = Trainer.builder(params).optimizer(optimizer).l2(config.l2()).build()) {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                long epochStart = System.nanoTime();
                Broadcast<float[]> theta = sc.broadcast(params.values().clone());
                List<GradientPart> parts;
                try {
                    parts = data.blocks.map(b -> gradientPart(spec, theta.value(), b)).collect();
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
                double loss = driver.applyGradientSum(sum, lossSum, data.rows);
                history.add(epochDone(sc, data, params, epoch, config, 1, loss, start, epochStart));
            }
        }
        return new TrainingResult(history, history.size(), false);
    }

    /** One partition's gradient sum at the broadcast parameters (no L2 term: the driver adds it once). */
    private static GradientPart gradientPart(NetworkSpec spec, float[] theta, Block b) {
        Network net = spec.network();
        double[] sum = new double[net.parameterCount()];
        if (b.rows == 0) {
            return new GradientPart(sum, 0);
        }
        try (Trainer worker = Trainer.builder(new Parameters(net, theta)).batchSize(Math.min(b.rows, GRADIENT_CHUNK)).build()) {
            double lossSum = worker.addGradientSum(b.x, 0, b.y, 0, b.rows, sum);
            return new GradientPart(sum, lossSum);
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
        List<EpochStats> history = new ArrayList<>();
        long start = System.nanoTime();
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            long epochStart = System.nanoTime();
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
                lossSum += trainer.step(x, 0, y, 0, m) * m;
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
