package io.backlane.spark;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input is refused with a message naming the column and the problem (a row's problem also names
 * the row and partition), or dropped with handleInvalid "skip".
 */
class BadInputTest {
    private static final StructType SCHEMA = new StructType()
            .add("x", DataTypes.createArrayType(DataTypes.DoubleType, true), true)
            .add("label", DataTypes.DoubleType, true);

    /** 40 good rows of two features, two classes, then the given rows. */
    private static org.apache.spark.sql.Dataset<Row> frame(Row... bad) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(RowFactory.create(Arrays.asList((double) i, (double) (i % 7)), (double) (i % 2)));
        }
        rows.addAll(Arrays.asList(bad));
        return LocalSpark.session().createDataFrame(rows, SCHEMA);
    }

    private static BacklaneClassifier classifier() {
        return new BacklaneClassifier().setFeaturesCol("x").setEpochs(2).setLayers("4:relu");
    }

    /** The message of what {@code fit} or an action throws, through Spark's wrapping. */
    private static String failure(Executable action) {
        Throwable t = assertThrows(Exception.class, action);
        StringBuilder messages = new StringBuilder();
        for (; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" | ");
        }
        return messages.toString();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "'" + part + "' not in: " + message);
        }
    }

    @Test
    void aRowWithAnotherFeatureCountNamesTheColumnRowAndCounts() {
        assertContains(failure(() -> classifier().fit(frame(RowFactory.create(Arrays.asList(1.0, 2.0, 3.0), 1.0)))),
                "features column 'x', row ", "has 3 values, expected 2 (from the first non-null row)", "handleInvalid");
    }

    @Test
    void nanFeaturesAndLabelsAndNullsAreNamed() {
        assertContains(failure(() -> classifier().fit(frame(RowFactory.create(Arrays.asList(1.0, Double.NaN), 1.0)))),
                "features column 'x'", "has NaN at index 1");
        assertContains(failure(() -> classifier().fit(frame(RowFactory.create(Arrays.asList(1.0, 2.0), Double.NaN)))),
                "label column 'label'", "is NaN");
        assertContains(failure(() -> classifier().fit(frame(RowFactory.create(null, 1.0)))), "features column 'x'", "is null");
        assertContains(failure(() -> classifier().fit(frame(RowFactory.create(Arrays.asList(1.0, 2.0), null)))),
                "label column 'label'", "is null");
    }

    @Test
    void aLabelThatIsNoClassIndexIsNamed() {
        assertContains(failure(() -> classifier().fit(frame(RowFactory.create(Arrays.asList(1.0, 2.0), 1.5)))),
                "label column 'label'", "label 1.5 is not a class index");
        assertContains(failure(() -> classifier().fit(frame(RowFactory.create(Arrays.asList(1.0, 2.0), -1.0)))),
                "label -1.0 is not a class index");
        // a large label would make a network of that many classes: beyond a model's, or more than the rows
        assertContains(failure(() -> classifier().fit(frame(RowFactory.create(Arrays.asList(1.0, 2.0), 2e9)))),
                "label column 'label'", "label 2000000000 is beyond the largest class index the classifier accepts, 65535");
        assertContains(failure(() -> classifier().fit(frame(RowFactory.create(Arrays.asList(1.0, 2.0), 1000.0)))),
                "label column 'label': the largest label, 1000, makes 1001 classes, more than the 41 rows");
        // a StringIndexer's metadata says how many classes there are: a label beyond them is unknown
        org.apache.spark.sql.Dataset<Row> indexed = frame(RowFactory.create(Arrays.asList(1.0, 2.0), 2.0))
                .withColumn("label", col("label"), NominalAttribute.defaultAttr().withValues("no", "yes").toMetadata());
        assertContains(failure(() -> classifier().fit(indexed)), "label column 'label'",
                "label 2 is not one of the 2 classes its metadata names");
    }

    @Test
    void dataOfOneClassIsRefusedWhateverItsLargestLabelSays() {
        // All 1.0 made "2 classes" by the largest label, and a fit predicting class 0, never seen, for most rows.
        assertContains(failure(() -> classifier().fit(frame().withColumn("label", lit(1.0)))),
                "label column 'label' holds only class 1.0 in its 40 rows", "at least 2 classes");
        org.apache.spark.sql.Dataset<Row> named = frame().withColumn("label", lit(0.0))
                .withColumn("label", col("label"), NominalAttribute.defaultAttr().withValues("no", "yes").toMetadata());
        assertContains(failure(() -> classifier().fit(named)), "holds only class 0.0");
    }

    @Test
    void aLossThatExplodesInAveragingModeIsRefusedAsInExactMode() {
        // Adam at lr 1e4 took the loss from 0.72 to 1e7 and reported a fitted model predicting one class.
        assertContains(failure(() -> classifier().setEpochs(5).setLearningRate(1e4).fit(frame())),
                "training diverged in averaging mode at epoch", "lower the learning rate");
    }

    @Test
    void aValidationLossThatIsNotFiniteIsAnErrorNotANaNInTheHistory() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(RowFactory.create(i == 0 ? Arrays.asList(3e38, -3e38) : Arrays.asList((double) i, (double) (i % 7)),
                    (double) (i % 2)));
        }
        org.apache.spark.sql.Dataset<Row> far = LocalSpark.session().createDataFrame(rows, SCHEMA);
        for (String mode : new String[] {"averaging", "exact"}) {
            assertContains(failure(() -> classifier().setScaling("none").setTrainingMode(mode).setValidationFraction(0.5)
                    .fit(far)), "the validation loss is");
        }
    }

    @Test
    void columnNamesWithADotAreColumnsNotStructFields() {
        // "f.x" passed the schema check, then Spark read it as field x of a struct f: UNRESOLVED_COLUMN.
        org.apache.spark.sql.Dataset<Row> dotted = frame().withColumnRenamed("x", "f.x").withColumnRenamed("label", "l.y");
        BacklaneClassificationModel model = new BacklaneClassifier().setFeaturesCol("f.x").setLabelCol("l.y")
                .setEpochs(2).setLayers("4:relu").fit(dotted);
        assertEquals(40, model.transform(dotted).count());
    }

    @Test
    void skipDropsInvalidRowsAndTrainsOnTheRest() {
        org.apache.spark.sql.Dataset<Row> data = frame(RowFactory.create(Arrays.asList(1.0, 2.0, 3.0), 1.0),
                RowFactory.create(Arrays.asList(1.0, Double.POSITIVE_INFINITY), 1.0),
                RowFactory.create(Arrays.asList(1.0, 2.0), Double.NaN));
        BacklaneClassificationModel model = classifier().setHandleInvalid("skip").fit(data);
        assertEquals("40", model.model().metadata().get("training_rows"));
        assertEquals(41, model.transform(data).count(), "scoring drops the two rows with bad features (it reads no label)");
    }

    @Test
    void anEmptyDataFrameOrOneWithoutValidRowsIsRefused() {
        SparkSession spark = LocalSpark.session();
        assertContains(failure(() -> classifier().fit(spark.createDataFrame(List.of(), SCHEMA))),
                "the DataFrame has no rows to train on", "features column 'x'");
        assertContains(failure(() -> classifier().setHandleInvalid("skip").fit(frame().where(col("label").gt(5))
                .union(frame(RowFactory.create(Arrays.asList(1.0, 2.0), Double.NaN)).where(col("label").isNaN())))),
                "no valid rows to train on", "1 invalid rows skipped");
        assertContains(failure(() -> classifier().fit(frame().where(col("label").equalTo(0)))),
                "label column 'label' has only class 0");
    }

    @Test
    void missingOrMistypedColumnsAreNamedBeforeAnyJob() {
        assertContains(failure(() -> classifier().setFeaturesCol("nope").fit(frame())),
                "features column 'nope' does not exist; the columns are x, label");
        assertContains(failure(() -> classifier().setFeaturesCol("label").fit(frame())),
                "features column 'label' has type double");
        assertContains(failure(() -> classifier().setLabelCol("x").fit(frame())),
                "label column 'x' has type array<double>; it must be numeric");
        assertContains(failure(() -> classifier().setPredictionCol("label").fit(frame())),
                "output column 'label' already exists");
        assertContains(failure(() -> classifier().setLayers("8:softmax")), "softmax is only used on the output layer");
        assertContains(failure(() -> classifier().setOptimizer("adagrad")), "optimizer");
    }

    @Test
    void scoringRefusesOrSkipsBadRows() {
        BacklaneClassificationModel model = classifier().fit(frame());
        org.apache.spark.sql.Dataset<Row> bad = frame(RowFactory.create(Arrays.asList(1.0, 2.0, 3.0), 1.0),
                RowFactory.create(Arrays.asList(Double.NaN, 2.0), 1.0));
        assertContains(failure(() -> model.transform(bad).collectAsList()), "features column 'x', row ",
                "has 3 values, expected 2 (the model's inputs)");
        assertEquals(40, model.setHandleInvalid("skip").transform(bad).count());
        assertContains(failure(() -> model.transform(bad.drop("x"))), "features column 'x' does not exist");
    }

    @Test
    void scoringRefusesOrSkipsRowsTheModelOverflowsOn() {
        // every weight and bias 1, ReLU: two features of 3e38 (finite floats) add up past the float range
        Network net = Network.builder(2).dense(4, Activation.RELU).output(OutputHead.forClasses(2)).build();
        float[] ones = new float[net.parameterCount()];
        Arrays.fill(ones, 1f);
        BacklaneClassificationModel model = new BacklaneClassificationModel(
                new Model(new Parameters(net, ones), FeatureScaler.identity(2), List.of("0", "1")));
        model.setFeaturesCol("x");
        org.apache.spark.sql.Dataset<Row> bad = frame(RowFactory.create(Arrays.asList(3e38, 3e38), 1.0));
        assertContains(failure(() -> model.transform(bad).collectAsList()), "features column 'x', row ",
                "the model's logit 0 is Infinity for finite features", "handleInvalid");
        assertEquals(40, model.setHandleInvalid("skip").transform(bad).count());
    }

    @Test
    void aModelRefusesTheOtherTask() {
        BacklaneClassificationModel model = classifier().fit(frame());
        assertContains(failure(() -> new BacklaneRegressionModel(model.model())), "use BacklaneClassificationModel");
    }
}
