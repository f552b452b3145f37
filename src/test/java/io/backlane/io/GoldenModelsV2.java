package io.backlane.io;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden models of format version 2 and their reference forward passes: a classifier (the
 * version-1 golden network, now with feature names and metadata) and a regression model with a
 * target scaler, so that every field version 2 adds holds a value that is not its default.
 *
 * <p>{@link #main} wrote {@code golden-v2.bkln}, {@code golden-v2-regression.bkln} and their
 * {@code -expected.csv} files in {@code src/test/resources/io/backlane/io} once, with the
 * version-2 writer. Do not rerun it to "fix" a failing golden test: the committed files are the
 * record of what version 2 is. A new format version gets new golden files beside these.
 */
final class GoldenModelsV2 {
    private GoldenModelsV2() {
    }

    static final String CLASSIFIER_FILE = "golden-v2.bkln";
    static final String CLASSIFIER_CSV = "golden-v2-expected.csv";
    static final String REGRESSION_FILE = "golden-v2-regression.bkln";
    static final String REGRESSION_CSV = "golden-v2-regression-expected.csv";

    /** Names with a space, a comma, a quote and a non-ASCII character: stored as UTF-8. */
    static final List<String> IRIS_NAMES = List.of("sepal length", "sepal,width", "petal \"length\"", "petal width (cm²)");

    /** The version-1 golden classifier with feature names and metadata. */
    static Model classifier() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("backlane_version", "golden");
        metadata.put("created", "2024-06-11T12:00:00Z");
        metadata.put("command", "train iris.csv --label species --save golden-v2.bkln");
        return GoldenModels.model().withFeatureNames(IRIS_NAMES).withMetadata(metadata);
    }

    static final List<String> HOUSE_NAMES = List.of("area", "rooms", "age");
    static final float[] HOUSE_SHIFT = {120f, 4f, 30f};
    static final float[] HOUSE_SCALE = {0.02f, 0.5f, 0.04f};
    /** Prices: standardized in training (mean 200,000, standard deviation 50,000), mapped back by the inverse. */
    static final float[] PRICE_SHIFT = {200_000f};
    static final float[] PRICE_SCALE = {2e-5f};

    static final float[][] HOUSE_INPUTS = {
            {80f, 3f, 10f},
            {120f, 4f, 30f},
            {200f, 6f, 5f},
            {55.5f, 2f, 70f},
    };

    /** 3-4-1: tanh hidden layer, identity output, mean squared error; parameter i is (float) (sin(i) / 2). */
    static Model regression() {
        Network net = Network.builder(3).dense(4, Activation.TANH).dense(1, Activation.IDENTITY)
                .loss(Loss.MEAN_SQUARED_ERROR).build();
        return new Model(new Parameters(net, TestModels.sinValues(net.parameterCount())),
                new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, HOUSE_SHIFT, HOUSE_SCALE), List.of())
                .withFeatureNames(HOUSE_NAMES)
                .withTargetScaler(new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, PRICE_SHIFT, PRICE_SCALE))
                .withMetadata(Map.of("description", "golden regression model of format version 2"));
    }

    /**
     * A plain double-precision forward pass of the regression model: x' = (x − shift)·scale,
     * h = tanh(W1·x' + b1), z = W2·h + b2, price = z / targetScale + targetShift.
     */
    static double regressionForward(Model m, float[] x) {
        Parameters p = m.parameters();
        float[] shift = m.scaler().shift();
        float[] scale = m.scaler().scale();
        double[] h = new double[m.network().width(1)];
        for (int i = 0; i < h.length; i++) {
            double s = p.bias(1, i);
            for (int j = 0; j < x.length; j++) {
                s += (double) p.weight(1, i, j) * (((double) x[j] - shift[j]) * scale[j]);
            }
            h[i] = StrictMath.tanh(s);
        }
        double z = p.bias(2, 0);
        for (int i = 0; i < h.length; i++) {
            z += (double) p.weight(2, 0, i) * h[i];
        }
        return z / m.targetScaler().scale()[0] + m.targetScaler().shift()[0];
    }

    /** Writes the golden files into the given resource directory (run once; see the class comment). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/io/backlane/io");
        Model classifier = classifier();
        ModelWriter.save(classifier, dir.resolve(CLASSIFIER_FILE));
        StringBuilder csv = new StringBuilder()
                .append("# Expected outputs of golden-v2.bkln, computed when that file was written (format version 2).\n")
                .append("# Inputs are parsed as float32; outputs are a double-precision forward pass (scaler, tanh, softmax)\n")
                .append("# printed with Double.toString, which round-trips exactly. Compare a float32 predictor with a tolerance.\n")
                .append("x0,x1,x2,x3,").append(String.join(",", GoldenModels.LABELS)).append('\n');
        for (float[] x : GoldenModels.INPUTS) {
            for (float v : x) {
                csv.append(v).append(',');
            }
            double[] out = GoldenModels.forward(classifier, x);
            for (int k = 0; k < out.length; k++) {
                csv.append(out[k]).append(k + 1 < out.length ? "," : "\n");
            }
        }
        Files.writeString(dir.resolve(CLASSIFIER_CSV), csv, StandardCharsets.UTF_8);

        Model regression = regression();
        ModelWriter.save(regression, dir.resolve(REGRESSION_FILE));
        csv = new StringBuilder()
                .append("# Expected outputs of golden-v2-regression.bkln, computed when that file was written (format version 2).\n")
                .append("# Inputs are parsed as float32; the price is a double-precision forward pass (scaler, tanh, identity,\n")
                .append("# then the inverse of the target scaler) printed with Double.toString. Compare with a tolerance.\n")
                .append("area,rooms,age,price\n");
        for (float[] x : HOUSE_INPUTS) {
            for (float v : x) {
                csv.append(v).append(',');
            }
            csv.append(regressionForward(regression, x)).append('\n');
        }
        Files.writeString(dir.resolve(REGRESSION_CSV), csv, StandardCharsets.UTF_8);
    }
}
