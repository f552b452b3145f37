package io.backlane.spark;

import io.backlane.data.BundledDatasets;
import io.backlane.data.Dataset;
import io.backlane.infer.Prediction;
import io.backlane.infer.Predictor;
import io.backlane.io.ModelReader;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Pipeline of a VectorAssembler and a BacklaneClassifier on plain numeric columns; its scores equal
 * the library's Predictor row by row; saved and loaded (as a pipeline and as a model), it predicts
 * the same, and its model.bkln is an ordinary backlane model file.
 */
class PipelineAndPersistenceTest {
    @Test
    void aPipelineWithAVectorAssemblerTrainsScoresSavesAndLoads(@TempDir Path dir) throws Exception {
        SparkSession spark = LocalSpark.session();
        Dataset cancer = BundledDatasets.load("breast-cancer");
        List<String> names = cancer.featureNames();
        StructType schema = new StructType();
        for (String name : names) {
            schema = schema.add(name, DataTypes.DoubleType, false);
        }
        schema = schema.add("label", DataTypes.DoubleType, false);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < cancer.rows(); i++) {
            Object[] values = new Object[names.size() + 1];
            for (int j = 0; j < names.size(); j++) {
                values[j] = (double) cancer.feature(i, j);
            }
            values[names.size()] = (double) cancer.classIndex(i);
            rows.add(RowFactory.create(values));
        }
        org.apache.spark.sql.Dataset<Row> frame = spark.createDataFrame(rows, schema);

        VectorAssembler assembler = new VectorAssembler().setInputCols(names.toArray(new String[0])).setOutputCol("features");
        BacklaneClassifier classifier = new BacklaneClassifier().setLayers("16:relu").setEpochs(15).setValidationFraction(0.2);
        PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {assembler, classifier}).fit(frame);
        BacklaneClassificationModel model = (BacklaneClassificationModel) pipeline.stages()[1];
        assertEquals(names, model.model().featureNames(), "the assembler's input columns name the features");
        assertTrue(model.history().get(14).validationAccuracy() > 0.9, "validation accuracy " + model.history());

        org.apache.spark.sql.Dataset<Row> scored = pipeline.transform(frame);
        assertEquals(List.of("rawPrediction", "probability", "prediction"),
                List.of(scored.columns()).subList(names.size() + 2, names.size() + 5));
        List<Row> out = scored.select("features", "rawPrediction", "probability", "prediction").collectAsList();
        assertEquals(cancer.rows(), out.size());
        Predictor predictor = Predictor.of(model.model());
        Prediction answer = new Prediction();
        long correct = 0;
        for (int i = 0; i < out.size(); i++) {
            Row r = out.get(i);
            predictor.predict(toFloats(r.getAs(0)), answer);
            Vector p = r.getAs(2);
            assertArrayEquals(new double[] {answer.probability(0), answer.probability(1)}, p.toArray(), 0.0, "row " + i);
            // rawPrediction: (-z, z) for the sigmoid unit's logit z, with p(class 1) = sigmoid(z)
            double[] raw = ((Vector) r.getAs(1)).toArray();
            assertEquals(-raw[0], raw[1], 0.0, "row " + i);
            assertEquals(answer.probability(1), 1 / (1 + Math.exp(-raw[1])), 1e-6, "row " + i);
            assertEquals(answer.classIndex(), r.getDouble(3), "row " + i);
            correct += answer.classIndex() == cancer.classIndex(i) ? 1 : 0;
        }
        assertTrue(correct > 0.95 * cancer.rows(), "training accuracy " + correct + "/" + cancer.rows());

        // save and load: the pipeline, and the model alone
        String pipelinePath = dir.resolve("pipeline").toString();
        pipeline.write().overwrite().save(pipelinePath);
        PipelineModel loadedPipeline = PipelineModel.load(pipelinePath);
        BacklaneClassificationModel loaded = assertInstanceOf(BacklaneClassificationModel.class, loadedPipeline.stages()[1]);
        assertEquals(model.uid(), loaded.uid());
        assertEquals(model.model().id(), loaded.model().id());
        assertEquals(scored.select("probability").collectAsList(),
                loadedPipeline.transform(frame).select("probability").collectAsList());

        String modelPath = dir.resolve("model").toString();
        model.setProbabilityCol("p").save(modelPath);
        BacklaneClassificationModel alone = BacklaneClassificationModel.load(modelPath);
        assertEquals("p", alone.getOrDefault(alone.probabilityCol()), "params are saved");
        Model file = ModelReader.load(dir.resolve("model").resolve(BacklaneModel.MODEL_FILE));
        assertEquals(model.model().id(), file.id(), "model.bkln is the library's model file");
        assertEquals(List.of("0", "1"), file.classLabels());

        // and the estimator itself round-trips its params
        String estimatorPath = dir.resolve("estimator").toString();
        classifier.save(estimatorPath);
        BacklaneClassifier again = BacklaneClassifier.load(estimatorPath);
        assertEquals(15, (int) (Integer) again.getOrDefault(again.epochs()));
        assertEquals("16:relu", again.getOrDefault(again.layers()));
    }

    @Test
    void rawPredictionKeepsTheLogitsWhereProbabilitiesSaturate() {
        // one input, three softmax classes, logits 100x, 50x, -100x: at x = 10 the probabilities are
        // 1, 0, 0 in float (their logarithms 0, -Infinity, -Infinity: tied), the logits 1000, 500, -1000
        Network net = Network.builder(1).output(OutputHead.forClasses(3)).build();
        Parameters params = new Parameters(net);
        float[] theta = params.values();
        int w = net.weightOffset(1);
        theta[w] = 100f;
        theta[w + 1] = 50f;
        theta[w + 2] = -100f;
        BacklaneClassificationModel model = new BacklaneClassificationModel(
                new Model(params, FeatureScaler.identity(1), List.of("a", "b", "c")));
        StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.DoubleType), false);
        Row r = model.setFeaturesCol("x").transform(LocalSpark.session().createDataFrame(
                List.of(RowFactory.create(List.of(10.0))), schema)).select("rawPrediction", "probability", "prediction")
                .first();
        assertArrayEquals(new double[] {1000, 500, -1000}, ((Vector) r.getAs(0)).toArray(), 0.0);
        double[] p = ((Vector) r.getAs(1)).toArray();
        assertTrue(p[0] == 1 && p[1] < 1e-30 && p[2] < 1e-30, java.util.Arrays.toString(p));
        assertEquals(0.0, r.getDouble(2));
    }

    static float[] toFloats(Vector v) {
        double[] d = v.toArray();
        float[] f = new float[d.length];
        for (int j = 0; j < d.length; j++) {
            f[j] = (float) d[j];
        }
        return f;
    }

    @Test
    void arrayColumnsOfDoublesOrFloatsAndRegression() {
        SparkSession spark = LocalSpark.session();
        // y = 3·a − 2·b + 1 on a grid, as array<double> and array<float> features
        List<Row> doubles = new ArrayList<>();
        List<Row> floats = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            double a = (i % 20) / 10.0 - 1;
            double b = (i / 20) / 10.0 - 1;
            double y = 3 * a - 2 * b + 1;
            doubles.add(RowFactory.create(List.of(a, b), y));
            floats.add(RowFactory.create(List.of((float) a, (float) b), y));
        }
        for (List<Row> rows : List.of(doubles, floats)) {
            StructType schema = new StructType()
                    .add("x", DataTypes.createArrayType(rows == doubles ? DataTypes.DoubleType : DataTypes.FloatType), false)
                    .add("y", DataTypes.DoubleType, false);
            org.apache.spark.sql.Dataset<Row> frame = spark.createDataFrame(rows, schema);
            BacklaneRegressionModel model = new BacklaneRegressor().setFeaturesCol("x").setLabelCol("y").setLayers("none")
                    .setOptimizer("sgd").setLearningRate(0.1).setTrainingMode(BacklaneEstimator.EXACT).setEpochs(200)
                    .fit(frame);
            List<Row> out = model.transform(frame).select("y", "prediction").collectAsList();
            for (Row r : out) {
                assertEquals(r.getDouble(0), r.getDouble(1), 1e-3, "a linear target, learned exactly");
            }
            assertEquals(schema.fieldNames().length + 1, model.transform(frame).columns().length, "prediction only");
        }
    }
}
