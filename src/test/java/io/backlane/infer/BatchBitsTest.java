package io.backlane.infer;

import io.backlane.kernel.Kernels;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An example's outputs are the same bits whether it is predicted alone, in a batch of any size, or
 * at any position in one (once they differed by up to 1.5e-7: batches of more than 128 rows took the
 * packed GEMM, smaller ones tiled dot products, and the activations' vector body and scalar tail
 * rounded differently). Over the activations and heads, on batches larger than the predictor's
 * chunk of rows and than the GEMM's blocks.
 */
class BatchBitsTest {
    private static final int ROWS = 300;

    @Test
    void anExampleHasTheSameBitsAloneAndInEveryBatch() {
        SplittableRandom random = new SplittableRandom(41L);
        for (Model model : models()) {
            int nIn = model.network().inputWidth();
            int nOut = model.network().outputWidth();
            float[] x = new float[ROWS * nIn];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (random.nextGaussian() * 2);
            }
            Predictor predictor = Predictor.of(model);
            float[] all = new float[ROWS * nOut];
            predictor.predict(x, 0, all, 0, ROWS);

            float[] alone = new float[nOut];
            for (int r = 0; r < ROWS; r++) {
                predictor.predict(x, r * nIn, alone, 0, 1);
                assertBits(all, r * nOut, alone, 0, nOut, model + ": row " + r + " alone");
            }
            float[] part = new float[ROWS * nOut];
            for (int from = 0; from < ROWS; ) {
                int rows = Math.min(ROWS - from, 1 + random.nextInt(140));
                Arrays.fill(part, Float.NaN);
                predictor.predict(x, from * nIn, part, 0, rows);
                assertBits(all, from * nOut, part, 0, rows * nOut, model + ": rows " + from + ".." + (from + rows));
                from += rows;
            }
        }
    }

    private static List<Model> models() {
        Network tanhSoftmax = Network.builder(784).dense(64, Activation.TANH).dense(33, Activation.SIGMOID)
                .output(OutputHead.forClasses(10)).build();
        Network reluSigmoid = Network.builder(30).dense(16, Activation.RELU).output(OutputHead.forClasses(2)).build();
        Network leakyRegression = Network.builder(13).dense(40, Activation.LEAKY_RELU)
                .output(OutputHead.forOutputs(3, Loss.MEAN_SQUARED_ERROR)).build();
        float[] shift = new float[13], scale = new float[13], targetShift = {1e5f, -3f, 0f}, targetScale = {2e4f, 0.5f, 1f};
        Arrays.fill(shift, 0.25f);
        Arrays.fill(scale, 1.5f);
        return List.of(
                new Model(Parameters.initialize(tanhSoftmax, 1L), FeatureScaler.identity(784), List.of()),
                new Model(Parameters.initialize(reluSigmoid, 2L), FeatureScaler.identity(30), List.of("no", "yes")),
                new Model(Parameters.initialize(leakyRegression, 3L),
                        new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, shift, scale), List.of())
                        .withTargetScaler(new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, targetShift, targetScale)));
    }

    private static void assertBits(float[] expected, int eOff, float[] actual, int aOff, int n, String what) {
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(expected[eOff + i]), Float.floatToRawIntBits(actual[aOff + i]),
                    what + ", value " + i + " (" + Kernels.get().name() + ")");
        }
    }
}
