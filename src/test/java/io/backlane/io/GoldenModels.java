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
import java.util.List;

/**
 * The golden model of format version 1 and its reference forward pass.
 *
 * <p>{@link #main} wrote {@code src/test/resources/io/backlane/io/golden-v1.bkln} and
 * {@code golden-v1-expected.csv} once, with the version-1 writer. Do not rerun it to "fix" a failing
 * golden test: the committed files are the record of what version 1 is. A new format version gets a
 * new golden file (golden-v2...) beside this one.
 */
final class GoldenModels {
    private GoldenModels() {
    }

    static final String FILE = "golden-v1.bkln";
    static final String EXPECTED_CSV = "golden-v1-expected.csv";

    static final float[] SHIFT = {5.843f, 3.057f, 3.758f, 1.199f};
    static final float[] SCALE = {1.2115f, 2.3056f, 0.5675f, 1.3140f};
    static final List<String> LABELS = List.of("setosa", "versicolor", "virginica");

    /** Inputs of the expected-output table: two setosa, a versicolor, two virginica. */
    static final float[][] INPUTS = {
            {5.1f, 3.5f, 1.4f, 0.2f},
            {4.9f, 3.0f, 1.4f, 0.2f},
            {7.0f, 3.2f, 4.7f, 1.4f},
            {6.3f, 3.3f, 6.0f, 2.5f},
            {5.8f, 2.7f, 5.1f, 1.9f},
    };

    /** 4-5-3: tanh hidden layer, softmax output, categorical cross-entropy; parameter i is (float) (sin(i) / 2). */
    static Network network() {
        return Network.builder(4).dense(5, Activation.TANH).dense(3, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
    }

    static Model model() {
        Network net = network();
        return new Model(new Parameters(net, TestModels.sinValues(net.parameterCount())),
                new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, SHIFT, SCALE), LABELS);
    }

    /**
     * A plain double-precision forward pass of a model whose hidden layers are tanh and whose output is
     * softmax: x' = (x − shift)·scale, h = tanh(W1·x' + b1), p = softmax(W2·h + b2). Written
     * independently of the library's kernels, so that it can judge them; StrictMath so that it gives
     * the same digits on every JVM.
     */
    static double[] forward(Model m, float[] x) {
        Network net = m.network();
        float[] shift = m.scaler().shift();
        float[] scale = m.scaler().scale();
        double[] a = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            a[j] = ((double) x[j] - shift[j]) * scale[j];
        }
        Parameters p = m.parameters();
        for (int l = 1; l <= net.layerCount(); l++) {
            double[] z = new double[net.width(l)];
            for (int i = 0; i < z.length; i++) {
                double s = p.bias(l, i);
                for (int j = 0; j < a.length; j++) {
                    s += (double) p.weight(l, i, j) * a[j];
                }
                z[i] = s;
            }
            Activation g = net.activation(l);
            if (g == Activation.TANH) {
                for (int i = 0; i < z.length; i++) {
                    z[i] = StrictMath.tanh(z[i]);
                }
            } else if (g == Activation.SOFTMAX) {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : z) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (int i = 0; i < z.length; i++) {
                    z[i] = StrictMath.exp(z[i] - max);
                    sum += z[i];
                }
                for (int i = 0; i < z.length; i++) {
                    z[i] /= sum;
                }
            } else {
                throw new IllegalArgumentException("reference pass supports tanh and softmax only, not " + g);
            }
            a = z;
        }
        return a;
    }

    /** Writes the golden files into the given resource directory (run once; see the class comment). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/io/backlane/io");
        Model model = model();
        ModelWriter.save(model, dir.resolve(FILE));
        StringBuilder csv = new StringBuilder()
                .append("# Expected outputs of golden-v1.bkln, computed when that file was written (format version 1).\n")
                .append("# Inputs are parsed as float32; outputs are a double-precision forward pass (scaler, tanh, softmax)\n")
                .append("# printed with Double.toString, which round-trips exactly. Compare a float32 predictor with a tolerance.\n")
                .append("x0,x1,x2,x3,").append(String.join(",", LABELS)).append('\n');
        for (float[] x : INPUTS) {
            for (float v : x) {
                csv.append(v).append(',');
            }
            double[] out = forward(model, x);
            for (int k = 0; k < out.length; k++) {
                csv.append(out[k]).append(k + 1 < out.length ? "," : "\n");
            }
        }
        Files.writeString(dir.resolve(EXPECTED_CSV), csv, StandardCharsets.UTF_8);
    }
}
