package io.backlane.spark;

import io.backlane.data.BundledDatasets;
import io.backlane.data.DataSplit;
import io.backlane.data.Dataset;
import io.backlane.data.Preprocessing;
import io.backlane.data.ScaledSplit;
import io.backlane.infer.Predictor;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.train.Examples;
import io.backlane.train.Optimizer;
import io.backlane.train.Trainer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mode 2, local SGD with averaging on two partitions, reaches the test accuracy of single-machine
 * mini-batch training on the bundled digits within one point, with the same network, optimizer,
 * batch size and epochs.
 */
class AveragingModeTest {
    static final int EPOCHS = 20;

    @Test
    void reachesTheSingleMachineAccuracyOnDigits() {
        SparkSession spark = LocalSpark.session();
        DataSplit split = Preprocessing.stratifiedSplit(BundledDatasets.load("digits"), 0, 0.25, 42);

        // one machine
        ScaledSplit scaled = split.scaled(FeatureScaler.Kind.STANDARDIZE);
        Network net = Network.builder(64).dense(32, Activation.RELU).output(OutputHead.forClasses(10)).build();
        Parameters params = Parameters.initialize(net, 42);
        try (Trainer trainer = Trainer.builder(params).optimizer(Optimizer.adam(0.003f)).batchSize(32).epochs(EPOCHS)
                .seed(42).build()) {
            trainer.fit(Examples.of(scaled.train(), net));
        }
        double single = accuracy(new Model(params, scaled.scaler(), split.train().classLabels()), split.test());

        // Spark, two partitions
        BacklaneClassificationModel model = new BacklaneClassifier().setLayers("32:relu").setOptimizer("adam")
                .setLearningRate(0.003).setBatchSize(32).setEpochs(EPOCHS).setLocalSteps(8).setSeed(42)
                .fit(TestFrames.of(spark, split.train()));
        assertEquals(EPOCHS, model.history().size());
        org.apache.spark.sql.Dataset<Row> scored = model.transform(TestFrames.of(spark, split.test()));
        double distributed = (double) scored.where(col("prediction").equalTo(col("label"))).count() / split.test().rows();
        // the model's own Predictor agrees with the transform's accuracy
        assertEquals(distributed, accuracy(model.model(), split.test()), 1e-12);
        // rawPrediction: the softmax's logits, finite, their softmax the probability column
        for (Row r : scored.select("rawPrediction", "probability").collectAsList()) {
            double[] raw = ((Vector) r.getAs(0)).toArray();
            double[] p = ((Vector) r.getAs(1)).toArray();
            double max = Arrays.stream(raw).max().orElseThrow();
            double sum = Arrays.stream(raw).map(z -> Math.exp(z - max)).sum();
            for (int c = 0; c < raw.length; c++) {
                assertTrue(Double.isFinite(raw[c]), Arrays.toString(raw));
                assertEquals(p[c], Math.exp(raw[c] - max) / sum, 1e-6, Arrays.toString(raw));
            }
        }

        System.out.printf("digits test accuracy: single machine %.2f%%, Spark local SGD %.2f%%%n", 100 * single,
                100 * distributed);
        assertTrue(single > 0.94, "single-machine accuracy " + single);
        assertTrue(distributed >= single - 0.01, "Spark " + distributed + " vs single machine " + single);
    }

    private static double accuracy(Model model, Dataset test) {
        Predictor predictor = Predictor.of(model);
        int correct = 0;
        for (int i = 0; i < test.rows(); i++) {
            if (predictor.predictClass(test.features(i)) == test.classIndex(i)) {
                correct++;
            }
        }
        return (double) correct / test.rows();
    }

    @Test
    void aPartitionWithoutRowsIsLeftOutOfTheAverage() {
        SparkSession spark = LocalSpark.session();
        Dataset cancer = BundledDatasets.load("breast-cancer");
        // three partitions, the last one empty
        org.apache.spark.sql.Dataset<Row> frame = TestFrames.of(spark, cancer).coalesce(1)
                .union(TestFrames.of(spark, cancer).limit(0)).repartition(3, col("label").geq(2));
        List<Integer> sizes = frame.toJavaRDD().glom().map(List::size).collect();
        assertTrue(sizes.contains(0), "partition sizes " + sizes);
        BacklaneClassificationModel model = new BacklaneClassifier().setEpochs(3).fit(frame);
        assertTrue(model.model().parameters().isFinite());
        assertTrue(model.history().get(2).trainLoss() < model.history().get(0).trainLoss());
    }
}
