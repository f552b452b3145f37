package io.backlane.infer;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

class PredictorTest {
    private static final Network NET = Network.builder(6).dense(9, Activation.TANH).dense(5, Activation.RELU)
            .dense(3, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();

    private static Model model(long seed) {
        FeatureScaler scaler = new FeatureScaler(FeatureScaler.Kind.STANDARDIZE,
                new float[] {1, 2, 3, 4, 5, 6}, new float[] {0.5f, 1, 2, 1, 1, 0.25f});
        return new Model(Parameters.initialize(NET, seed), scaler, List.of("a", "b", "c"));
    }

    /** Plain double forward pass: scaler, then tanh, relu, softmax. */
    private static double[] naive(Model model, float[] raw) {
        double[] a = new double[raw.length];
        float[] shift = model.scaler().shift(), scale = model.scaler().scale();
        for (int j = 0; j < raw.length; j++) {
            a[j] = (raw[j] - shift[j]) * scale[j];
        }
        Parameters p = model.parameters();
        for (int l = 1; l <= NET.layerCount(); l++) {
            double[] z = new double[NET.width(l)];
            for (int i = 0; i < z.length; i++) {
                double s = p.bias(l, i);
                for (int j = 0; j < a.length; j++) {
                    s += p.weight(l, i, j) * a[j];
                }
                z[i] = s;
            }
            switch (NET.activation(l)) {
                case TANH -> { for (int i = 0; i < z.length; i++) z[i] = Math.tanh(z[i]); }
                case RELU -> { for (int i = 0; i < z.length; i++) z[i] = Math.max(0, z[i]); }
                case SOFTMAX -> {
                    double max = java.util.Arrays.stream(z).max().orElseThrow(), sum = 0;
                    for (int i = 0; i < z.length; i++) sum += (z[i] = Math.exp(z[i] - max));
                    for (int i = 0; i < z.length; i++) z[i] /= sum;
                }
                default -> throw new AssertionError();
            }
            a = z;
        }
        return a;
    }

    private static float[] randomInputs(int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[rows * 6];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 10 - 2);
        }
        return x;
    }

    @Test
    void matchesANaiveForwardPassOneByOneAndInBatches() {
        Model model = model(1);
        float[] x = randomInputs(37, 2);
        float[] one = new float[3];
        float[] batch = new float[37 * 3];
        new ServingModel(model).newPredictor(8).predict(x, 0, batch, 0, 37);
        Predictor single = Predictor.of(model);
        for (int i = 0; i < 37; i++) {
            float[] row = java.util.Arrays.copyOfRange(x, i * 6, i * 6 + 6);
            single.predict(row, one);
            double[] expected = naive(model, row);
            for (int j = 0; j < 3; j++) {
                assertEquals(expected[j], one[j], 1e-5, "row " + i + " output " + j);
                assertEquals(one[j], batch[i * 3 + j], 1e-6, "batched row " + i);
            }
            int argmax = expected[0] >= expected[1] && expected[0] >= expected[2] ? 0 : expected[1] >= expected[2] ? 1 : 2;
            assertEquals(argmax, single.predictClass(row));
        }
    }

    @Test
    void predictionAllocatesNothing() {
        Predictor p = Predictor.of(model(3));
        float[] x = randomInputs(1, 4);
        float[] out = new float[3];
        io.backlane.testing.AllocationProbe.assertSteadyStateAllocatesNothing(() -> {
            for (int i = 0; i < 100; i++) {
                p.predict(x, out);
                p.predictClass(x);
            }
        });
    }

    @Test
    void predictorsPickUpASwappedModel() throws Exception {
        Model first = model(1);
        Model second = model(2);
        ServingModel serving = new ServingModel(first);
        Predictor p = serving.newPredictor();
        float[] x = randomInputs(1, 5);
        float[] out = new float[3];
        p.predict(x, out);
        assertEquals(naive(first, x)[0], out[0], 1e-5);
        serving.swap(second);
        p.predict(x, out);
        assertEquals(naive(second, x)[0], out[0], 1e-5);
        assertNotEquals(naive(first, x)[0], naive(second, x)[0], 1e-4);
    }

    @Test
    void manyThreadsPredictConcurrentlyWhileTheModelIsSwapped() throws Exception {
        Model a = model(1);
        Model b = model(2);
        ServingModel serving = new ServingModel(a);
        float[] x = randomInputs(1, 6);
        double[] ea = naive(a, x);
        double[] eb = naive(b, x);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    Predictor p = serving.newPredictor();
                    float[] out = new float[3];
                    int checked = 0;
                    for (int i = 0; i < 2000; i++) {
                        p.predict(x, out);
                        boolean isA = Math.abs(out[0] - ea[0]) < 1e-5 && Math.abs(out[1] - ea[1]) < 1e-5;
                        boolean isB = Math.abs(out[0] - eb[0]) < 1e-5 && Math.abs(out[1] - eb[1]) < 1e-5;
                        assertTrue(isA || isB, "a prediction must come from one whole model");
                        checked++;
                    }
                    return checked;
                }));
            }
            for (int i = 0; i < 200; i++) {
                serving.swap(i % 2 == 0 ? b : a);
            }
            for (Future<Integer> f : results) {
                assertEquals(2000, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badInputIsRefusedWithItsShape() {
        Predictor p = Predictor.of(model(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.predict(new float[5], new float[3]));
        assertTrue(e.getMessage().contains("6 features"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.predict(new float[6], new float[2]));
        assertTrue(e.getMessage().contains("output"), e.getMessage());
    }
}
