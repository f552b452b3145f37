package io.backlane.spark;

import io.backlane.data.BundledDatasets;
import io.backlane.data.Dataset;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.train.Examples;
import io.backlane.train.Optimizer;
import io.backlane.train.Trainer;
import io.backlane.train.TrainingResult;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mode 1, exact synchronous gradient descent on two partitions, is single-machine full-batch
 * training on the same rows: the same parameters within float rounding after every iteration's
 * update, and the same losses.
 */
class ExactModeTest {
    static final int ITERATIONS = 25;

    @Test
    void givesTheParametersOfSingleMachineFullBatchTraining() {
        SparkSession spark = LocalSpark.session();
        Dataset cancer = BundledDatasets.load("breast-cancer");
        org.apache.spark.sql.Dataset<Row> frame = TestFrames.of(spark, cancer);
        assertEquals(2, frame.rdd().getNumPartitions());
        BacklaneClassificationModel fitted = new BacklaneClassifier().setTrainingMode(BacklaneEstimator.EXACT)
                .setLayers("8:tanh,6:relu").setOptimizer("adam").setLearningRate(0.02).setL2(0.5)
                .setEpochs(ITERATIONS).setSeed(7).fit(frame);
        Model model = fitted.model();

        // The same network, initial parameters and scaled rows on one machine, full batch, in order.
        Network net = Network.builder(cancer.width()).dense(8, Activation.TANH).dense(6, Activation.RELU)
                .output(OutputHead.forClasses(cancer.classCount())).build();
        assertEquals(net, model.network());
        Parameters single = Parameters.initialize(net, 7);
        TrainingResult result;
        try (Trainer trainer = Trainer.builder(single).optimizer(Optimizer.adam(0.02f)).l2(0.5f)
                .batchSize(Trainer.FULL_BATCH).shuffle(false).epochs(ITERATIONS).build()) {
            result = trainer.fit(Examples.of(cancer.scaled(model.scaler()), net));
        }
        float[] expected = single.values();
        float[] actual = model.parameters().values();
        float worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / Math.max(1f, Math.abs(expected[i])));
        }
        assertTrue(worst < 1e-4f, "largest difference from single-machine training: " + worst);
        for (int e = 0; e < ITERATIONS; e++) {
            double single1 = result.history().get(e).trainLoss();
            double spark1 = fitted.history().get(e).trainLoss();
            assertEquals(single1, spark1, 1e-5 * single1, "loss of iteration " + (e + 1));
        }
        // and the training did something: the loss fell
        assertTrue(fitted.history().get(ITERATIONS - 1).trainLoss() < 0.8 * fitted.history().get(0).trainLoss());
    }

    @Test
    void resultsBeyondTheDriversLimitAreRefusedBeforeAnyJob() {
        // collect brings all partitions' gradients at once: 200 x 8 MB is over the default 1 GiB
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(LocalSpark.session().sparkContext());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DistributedTrainer.requireResultsFit(
                sc, "exact", 200, 8L * 1_000_000, "a gradient of 1000000 doubles"));
        assertTrue(e.getMessage().contains("all 200 partitions") && e.getMessage().contains("spark.driver.maxResultSize")
                && e.getMessage().contains("coalesce the DataFrame to fewer partitions"), e.getMessage());
        DistributedTrainer.requireResultsFit(sc, "exact", 2, 8L * 1_000, "a gradient of 1000 doubles");   // well within
    }

    @Test
    void aDivergingRunStopsNamingTheIterationWithFiniteParameters() {
        // a learning rate far too large: from the second iteration the loss explodes (or overflows)
        SparkSession spark = LocalSpark.session();
        org.apache.spark.sql.Dataset<Row> frame = TestFrames.of(spark, BundledDatasets.load("breast-cancer"));
        TrainingConfig config = new TrainingConfig("sgd", 1e8f, 5, 32, 0f, 7, 8);
        try (TrainingData data = TrainingData.prepare(frame, "features", "label", true, FeatureScaler.Kind.STANDARDIZE,
                false, 0, 7)) {
            Network net = Network.builder(data.width).dense(8, Activation.TANH).output(OutputHead.forClasses(2)).build();
            Parameters params = Parameters.initialize(net, 7);
            Throwable t = assertThrows(Exception.class, () -> DistributedTrainer.exact(
                    JavaSparkContext.fromSparkContext(spark.sparkContext()), data, params, config));
            StringBuilder messages = new StringBuilder();
            for (; t != null; t = t.getCause()) {
                messages.append(t).append(" | ");
            }
            assertTrue(messages.toString().contains("training diverged in exact mode at iteration "), messages.toString());
            assertTrue(params.isFinite(), "the parameters are those before the failing iteration");
        }
    }
}
