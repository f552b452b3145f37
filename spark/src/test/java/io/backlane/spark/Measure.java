package io.backlane.spark;

import io.backlane.data.BundledDatasets;
import io.backlane.data.DataSplit;
import io.backlane.data.Dataset;
import io.backlane.data.IdxLoader;
import io.backlane.data.Preprocessing;
import io.backlane.data.ScaledSplit;
import io.backlane.infer.Predictor;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.train.EpochStats;
import io.backlane.train.Examples;
import io.backlane.train.Optimizer;
import io.backlane.train.Trainer;
import io.backlane.train.TrainingResult;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;

/**
 * The measurement behind spark/README.md's table (run it with {@code spark/measure.sh}, on an
 * otherwise idle machine): training time per epoch and test accuracy on digits and Fashion-MNIST
 * (when its IDX files are installed) for single-machine backlane, backlane on Spark in both modes
 * and Spark's own MultilayerPerceptronClassifier, each Spark run in local[1] and local[2].
 *
 * <p>The same network everywhere: sigmoid hidden layers (the only kind Spark's MLP has), a softmax
 * output, inputs standardized on the training rows. backlane trains with Adam (lr 0.003, batch 32;
 * the exact mode with Adam lr 0.01, one full-batch step per epoch); Spark's MLP with its default
 * L-BFGS, one iteration counted as its epoch. The Spark runs get the training rows in as many
 * partitions as cores. Times are wall-clock, per epoch, the first epoch included (Spark's per-job
 * overheads are part of what is measured); accuracy is on each dataset's test rows.
 *
 * <p>Arguments: epochs for digits and for Fashion-MNIST (default 20 and 5).
 */
public final class Measure {
    private Measure() {
    }

    public static void main(String[] args) throws Exception {
        int digitsEpochs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int fashionEpochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println("| data | trainer | where | epochs | time per epoch | test accuracy |");
        System.out.println("|---|---|---|---:|---:|---:|");
        DataSplit digits = Preprocessing.stratifiedSplit(BundledDatasets.load("digits"), 0, 0.25, 42);
        run("digits", digits, "32:sigmoid", digitsEpochs);
        if (Files.isDirectory(IdxLoader.FASHION_MNIST_DIR)) {
            IdxLoader.TrainTest fashion = IdxLoader.loadDirectory(IdxLoader.FASHION_MNIST_DIR);
            run("Fashion-MNIST", new DataSplit(fashion.train(), fashion.train().subset(new int[0]), fashion.test()),
                    "128:sigmoid", fashionEpochs);
        } else {
            System.out.println("| Fashion-MNIST | (not installed: sudo apt-get install dataset-fashion-mnist) | | | | |");
        }
    }

    private static void run(String name, DataSplit split, String layers, int epochs) {
        ScaledSplit scaled = split.scaled(FeatureScaler.Kind.STANDARDIZE);
        int hidden = Integer.parseInt(layers.substring(0, layers.indexOf(':')));
        int classes = split.train().classCount();

        // single machine
        Network net = Network.builder(split.train().width()).dense(hidden, Activation.SIGMOID)
                .output(OutputHead.forClasses(classes)).build();
        Parameters params = Parameters.initialize(net, 42);
        TrainingResult single;
        try (Trainer trainer = Trainer.builder(params).optimizer(Optimizer.adam(0.003f)).batchSize(32).epochs(epochs)
                .seed(42).build()) {
            single = trainer.fit(Examples.of(scaled.train(), net));
        }
        row(name, "backlane", "one machine, 1 thread", epochs, perEpoch(single.history()),
                accuracy(new Model(params, FeatureScaler.identity(net.inputWidth()), split.train().classLabels()), scaled.test()));

        for (int cores : new int[] {1, 2}) {
            String master = "local[" + cores + "]";
            SparkSession spark = SparkSession.builder().master(master).appName("backlane-measure")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                    .config("spark.default.parallelism", String.valueOf(cores)).getOrCreate();
            try {
                org.apache.spark.sql.Dataset<Row> train = TestFrames.of(spark, scaled.train()).repartition(cores).cache();
                org.apache.spark.sql.Dataset<Row> test = TestFrames.of(spark, scaled.test()).cache();
                train.count();
                test.count();
                BacklaneClassificationModel averaging = new BacklaneClassifier().setLayers(layers).setScaling("none")
                        .setOptimizer("adam").setLearningRate(0.003).setBatchSize(32).setLocalSteps(8).setEpochs(epochs)
                        .setSeed(42).fit(train);
                row(name, "backlane-spark, averaging (local SGD, 8 steps)", master, epochs, perEpoch(averaging.history()),
                        accuracy(averaging.transform(test)));
                BacklaneClassificationModel exact = new BacklaneClassifier().setLayers(layers).setScaling("none")
                        .setTrainingMode(BacklaneEstimator.EXACT).setOptimizer("adam").setLearningRate(0.01)
                        .setEpochs(epochs).setSeed(42).fit(train);
                row(name, "backlane-spark, exact (full-batch Adam)", master, epochs, perEpoch(exact.history()),
                        accuracy(exact.transform(test)));
                long start = System.nanoTime();
                MultilayerPerceptronClassificationModel mlp = new MultilayerPerceptronClassifier()
                        .setLayers(new int[] {net.inputWidth(), hidden, classes}).setMaxIter(epochs).setSeed(42).fit(train);
                double seconds = (System.nanoTime() - start) / 1e9;
                int iterations = Math.max(1, mlp.summary().totalIterations());
                row(name, "Spark MultilayerPerceptronClassifier (L-BFGS)", master, iterations, seconds / iterations,
                        accuracy(mlp.transform(test)));
            } finally {
                spark.stop();
            }
        }
    }

    /** Mean seconds per epoch from the elapsed times of a history. */
    private static double perEpoch(List<EpochStats> history) {
        return history.get(history.size() - 1).elapsedNanos() / 1e9 / history.size();
    }

    private static double accuracy(Model model, Dataset test) {
        Predictor predictor = Predictor.of(model);
        int correct = 0;
        for (int i = 0; i < test.rows(); i++) {
            correct += predictor.predictClass(test.features(i)) == test.classIndex(i) ? 1 : 0;
        }
        return (double) correct / test.rows();
    }

    private static double accuracy(org.apache.spark.sql.Dataset<Row> scored) {
        return (double) scored.where(col("prediction").equalTo(col("label"))).count() / scored.count();
    }

    private static void row(String data, String trainer, String where, int epochs, double seconds, double accuracy) {
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %d | %.3f s | %.2f%% |%n", data, trainer, where, epochs, seconds,
                100 * accuracy);
    }
}
