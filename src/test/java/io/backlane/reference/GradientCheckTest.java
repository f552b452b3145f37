package io.backlane.reference;

import io.backlane.nn.Activation;
import io.backlane.nn.Layer;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradientCheckTest {

    /**
     * Element-wise tolerance of the sweep. While writing GradientCheck, 10,800 random problems of this
     * kind gave at most 8.9e-7 (rounding noise on components ~1e-7; see the class Javadoc), so 1e-5
     * leaves a factor 10 and is 10 times tighter than the 1e-4.
     */
    private static final double ELEMENT_TOLERANCE = 1e-5;
    /** Norm-wise tolerance: at most 1.1e-8 was measured on the same problems. */
    private static final double VECTOR_TOLERANCE = 1e-7;

    /** An output layer and its loss. */
    record Output(String name, int width, Activation activation, Loss loss) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Output[] OUTPUTS = {
            new Output("sigmoid(1)+bce", 1, Activation.SIGMOID, Loss.BINARY_CROSS_ENTROPY),
            new Output("sigmoid(3)+bce", 3, Activation.SIGMOID, Loss.BINARY_CROSS_ENTROPY),
            new Output("softmax(3)+cce", 3, Activation.SOFTMAX, Loss.CATEGORICAL_CROSS_ENTROPY),
            new Output("identity(2)+mse", 2, Activation.IDENTITY, Loss.MEAN_SQUARED_ERROR),
            new Output("sigmoid(2)+mse", 2, Activation.SIGMOID, Loss.MEAN_SQUARED_ERROR),
            new Output("tanh(2)+mse", 2, Activation.TANH, Loss.MEAN_SQUARED_ERROR),
            new Output("relu(2)+mse", 2, Activation.RELU, Loss.MEAN_SQUARED_ERROR),
    };

    private static final Activation[] HIDDEN = {
            Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.LEAKY_RELU, Activation.IDENTITY};

    /** Every hidden activation × every output pairing × λ ∈ {0, 0.7}, each with its own sizes and seed. */
    static Stream<Arguments> sweep() {
        List<Arguments> cases = new ArrayList<>();
        long seed = 2024;
        for (Activation hidden : HIDDEN) {
            for (Output out : OUTPUTS) {
                for (double lambda : new double[] {0, 0.7}) {
                    cases.add(Arguments.of(hidden, out, lambda, seed++));
                }
            }
        }
        return cases.stream();
    }

    /** 3–5 inputs, 1–3 hidden layers of width 2–6 (leaky ReLU with slope 0.2, so the slope matters). */
    private static Network network(Activation hidden, Output out, SplittableRandom random) {
        Network.Builder b = Network.builder(3 + random.nextInt(3));
        int layers = 1 + random.nextInt(3);
        for (int l = 0; l < layers; l++) {
            int width = 2 + random.nextInt(5);
            b.dense(hidden == Activation.LEAKY_RELU ? new Layer(width, hidden, 0.2f) : new Layer(width, hidden, 0f));
        }
        return b.dense(out.width(), out.activation()).loss(out.loss()).build();
    }

    @ParameterizedTest(name = "{0} hidden, {1}, lambda {2}")
    @MethodSource("sweep")
    void backpropMatchesFiniteDifferences(Activation hidden, Output out, double lambda, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Network net = network(hidden, out, random);
        int m = 1 + random.nextInt(7);
        double[] theta = GradientCheck.randomParameters(net, random.nextLong());
        GradientCheck.Batch batch = GradientCheck.randomBatch(net, theta, m, random.nextLong());
        GradientCheck check = new GradientCheck(net, theta, batch.x(), batch.y(), lambda);

        GradientCheck.Result result = check.checkReference();
        String report = net + " m=" + m + " lambda=" + lambda + "\n" + result;
        assertEquals(net.layerCount(), result.layers().size());
        assertTrue(result.passes(ELEMENT_TOLERANCE), report);
        assertTrue(result.vectorError() < VECTOR_TOLERANCE, report);
        for (GradientCheck.LayerError layer : result.layers()) {
            assertTrue(layer.worst() <= result.worst());
        }
    }

    @ParameterizedTest(name = "{0} hidden, {1}, lambda {2}")
    @MethodSource("sweep")
    void perExampleLoopAgreesWithBatchBackprop(Activation hidden, Output out, double lambda, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Network net = network(hidden, out, random);
        int m = 1 + random.nextInt(7);
        double[] theta = GradientCheck.randomParameters(net, random.nextLong());
        GradientCheck.Batch batch = GradientCheck.randomBatch(net, theta, m, random.nextLong());
        ReferenceNetwork ref = new ReferenceNetwork(net, theta);

        double[] vectorized = ref.gradient(batch.x(), batch.y(), lambda);
        double[] loop = ref.gradientPerExample(batch.x(), batch.y(), lambda);
        assertEquals(net.parameterCount(), vectorized.length);
        for (int k = 0; k < vectorized.length; k++) {
            assertEquals(vectorized[k], loop[k], 1e-12 * Math.max(1, Math.abs(vectorized[k])),
                    net + " " + GradientCheck.describe(net, k));
        }
    }

    @Test
    void mixedActivationNetworksFromTheConvenienceFactory() {
        Network[] nets = {
                Network.builder(4).dense(5, Activation.TANH).dense(3, Activation.RELU).leakyRelu(4, 0.1f)
                        .dense(2, Activation.SIGMOID).loss(Loss.BINARY_CROSS_ENTROPY).build(),
                Network.builder(3).dense(4, Activation.SIGMOID).dense(4, Activation.IDENTITY)
                        .dense(4, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build(),
                Network.builder(5).dense(6, Activation.RELU).dense(3, Activation.TANH).dense(2, Activation.IDENTITY)
                        .loss(Loss.MEAN_SQUARED_ERROR).build(),
        };
        for (int n = 0; n < nets.length; n++) {
            for (double lambda : new double[] {0, 0.25}) {
                GradientCheck.Result result = GradientCheck.random(nets[n], 6, lambda, 100 + n).checkReference();
                assertTrue(result.passes(ELEMENT_TOLERANCE), nets[n] + "\n" + result);
                assertTrue(result.vectorError() < VECTOR_TOLERANCE, nets[n] + "\n" + result);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The check must catch wrong gradients, and say where

    private static GradientCheck smallProblem(double lambda) {
        Network net = Network.builder(3).dense(4, Activation.TANH).dense(3, Activation.SIGMOID)
                .dense(2, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        return GradientCheck.random(net, 5, lambda, 77L);
    }

    @Test
    void catchesTheNotesRegularizationWithoutOneOverM() {
        // The notes write D = (1/m)Δ + λΘ; the cost (λ/2m)ΣW² needs (λ/m)Θ (ERRATA 4).
        GradientCheck check = smallProblem(0.5);
        Network net = check.network();
        double[] theta = check.parameters();
        double[] wrong = check.analyticGradient();
        int m = 5;
        for (int l = 1; l <= net.layerCount(); l++) {
            for (int k = net.weightOffset(l); k < net.weightOffset(l) + net.weightCount(l); k++) {
                wrong[k] += 0.5 * theta[k] - 0.5 / m * theta[k];
            }
        }
        GradientCheck.Result result = check.check(wrong);
        assertFalse(result.passes(1e-2), result.toString());
        for (GradientCheck.LayerError layer : result.layers()) {
            assertTrue(layer.weights() > 1e-2, "weights of every layer are off: " + result);
            assertTrue(layer.biases() < ELEMENT_TOLERANCE, "biases are right: " + result);
        }
        assertTrue(result.worstParameter().startsWith("W["), result.worstParameter());
        assertTrue(check.checkReference().passes(ELEMENT_TOLERANCE), check.checkReference().toString());
    }

    @Test
    void attributesAnErrorToItsLayerAndParameter() {
        GradientCheck check = smallProblem(0.1);
        Network net = check.network();
        double[] wrong = check.analyticGradient();
        int k = net.weightOffset(2) + 1 * net.width(1) + 2;    // W[2](1,2)
        wrong[k] *= 1.01;
        GradientCheck.Result result = check.check(wrong);
        assertEquals("W[2](1,2)", result.worstParameter());
        assertEquals(k, result.worstIndex());
        assertEquals(wrong[k], result.worstAnalytic(), 0);
        assertEquals(0.01 / 2.01, result.worst(), 1e-4);        // |1.01n − n| / (1.01|n| + |n|)
        assertTrue(result.layer(2).weights() > 1e-3);
        assertTrue(result.layer(1).worst() < ELEMENT_TOLERANCE && result.layer(3).worst() < ELEMENT_TOLERANCE,
                result.toString());
        assertTrue(result.layer(2).biases() < ELEMENT_TOLERANCE, result.toString());
    }

    @Test
    void catchesAWrongBiasSignAndAMissingDerivative() {
        GradientCheck check = smallProblem(0);
        Network net = check.network();
        double[] wrongBias = check.analyticGradient();
        for (int i = 0; i < net.width(3); i++) {
            wrongBias[net.biasOffset(3) + i] = -wrongBias[net.biasOffset(3) + i];
        }
        GradientCheck.Result bias = check.check(wrongBias);
        assertTrue(bias.layer(3).biases() > 0.5, bias.toString());
        assertTrue(bias.worstParameter().startsWith("b[3]"), bias.worstParameter());

        // Backprop without the hidden g' (dZ[l-1] = dA[l-1], the mistake of forgetting ⊙ g'):
        // the gradient of a linear-hidden network with the same weights, which the check must reject.
        Network linear = Network.builder(3).dense(4, Activation.IDENTITY).dense(3, Activation.IDENTITY)
                .dense(2, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        double[] noDerivative = new ReferenceNetwork(linear, check.parameters()).gradient(check.x(), check.y(), 0);
        assertFalse(check.check(noDerivative).passes(1e-2));
    }

    @Test
    void nanOrInfiniteGradientsFail() {
        GradientCheck check = smallProblem(0);
        double[] g = check.analyticGradient();
        g[0] = Double.NaN;
        GradientCheck.Result result = check.check(g);
        assertEquals(Double.POSITIVE_INFINITY, result.worst());
        assertFalse(result.passes(1e300));
        assertEquals("W[1](0,0)", result.worstParameter());
        assertTrue(result.toString().contains("layer 1: W inf"), result.toString());
    }

    // ---------------------------------------------------------------------------------------------
    // External (float) gradients

    @Test
    void checksAFloatGradientAtFloatParameters() {
        Network net = Network.builder(4).dense(5, Activation.RELU).dense(3, Activation.SIGMOID)
                .loss(Loss.BINARY_CROSS_ENTROPY).build();
        Parameters p = Parameters.initialize(net, 8L);
        double[] theta = ReferenceNetwork.toDouble(p.values());
        GradientCheck.Batch batch = GradientCheck.randomBatch(net, theta, 4, 9L);
        GradientCheck check = new GradientCheck(p, batch.x(), batch.y(), 0.2);
        assertArrayEquals(theta, check.parameters(), 0);

        double[] exact = check.analyticGradient();
        float[] rounded = new float[exact.length];
        for (int k = 0; k < exact.length; k++) {
            rounded[k] = (float) exact[k];
        }
        GradientCheck.Result result = check.check(rounded);
        assertTrue(result.passes(ELEMENT_TOLERANCE), result.toString());
        assertEquals(check.check(ReferenceNetwork.toDouble(rounded)).worst(), result.worst(), 0);

        rounded[net.biasOffset(1)] += 0.05f;   // an engine bug in one bias
        assertFalse(check.check(rounded).passes(1e-3));
        assertThrows(IllegalArgumentException.class, () -> check.check(new float[3]));
        assertThrows(IllegalArgumentException.class, () -> check.check((double[]) null));
    }

    @Test
    void numericalGradientIsComputedOnceAndReturnedAsACopy() {
        GradientCheck check = smallProblem(0.1);
        double[] first = check.numericalGradient();
        first[0] = 1234;
        double[] second = check.numericalGradient();
        assertNotEquals(1234, second[0]);
        assertArrayEquals(second, check.numericalGradient(), 0);
    }

    // ---------------------------------------------------------------------------------------------
    // Random problems

    @Test
    void randomBatchTargetsFitTheLoss() {
        Network cce = Network.builder(3).dense(4, Activation.TANH).dense(4, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        GradientCheck.Batch b = GradientCheck.randomBatch(cce, GradientCheck.randomParameters(cce, 1), 50, 2);
        for (double[] row : b.y()) {
            int ones = 0;
            for (double v : row) {
                assertTrue(v == 0 || v == 1);
                ones += v == 1 ? 1 : 0;
            }
            assertEquals(1, ones, "one-hot");
        }

        Network bce = Network.builder(3).dense(3, Activation.SIGMOID).loss(Loss.BINARY_CROSS_ENTROPY).build();
        GradientCheck.Batch bb = GradientCheck.randomBatch(bce, GradientCheck.randomParameters(bce, 1), 50, 2);
        boolean sawZero = false;
        boolean sawOne = false;
        for (double[] row : bb.y()) {
            for (double v : row) {
                assertTrue(v == 0 || v == 1);
                sawZero |= v == 0;
                sawOne |= v == 1;
            }
        }
        assertTrue(sawZero && sawOne);

        Network mse = Network.builder(3).dense(2, Activation.SIGMOID).loss(Loss.MEAN_SQUARED_ERROR).build();
        GradientCheck.Batch mb = GradientCheck.randomBatch(mse, GradientCheck.randomParameters(mse, 1), 50, 2);
        for (double[] row : mb.y()) {
            for (double v : row) {
                assertTrue(v >= 0 && v <= 1 && v != Math.rint(v), "real targets in the sigmoid's range: " + v);
            }
        }
        assertEquals(50, mb.x().length);
        assertEquals(3, mb.x()[0].length);
    }

    @Test
    void randomBatchKeepsReluPreActivationsAwayFromTheKink() {
        Network net = Network.builder(4).dense(6, Activation.RELU).leakyRelu(5, 0.2f).dense(2, Activation.RELU)
                .loss(Loss.MEAN_SQUARED_ERROR).build();
        double[] theta = GradientCheck.randomParameters(net, 5L);
        GradientCheck.Batch b = GradientCheck.randomBatch(net, theta, 20, 6L);
        ForwardPass pass = new ReferenceNetwork(net, theta).forward(b.x());
        for (int l = 1; l <= 3; l++) {
            for (double[] row : pass.z(l)) {
                for (double z : row) {
                    assertTrue(Math.abs(z) >= GradientCheck.KINK_MARGIN, "layer " + l + " z=" + z);
                }
            }
        }
    }

    @Test
    void randomProblemsAreDeterministicBySeed() {
        Network net = smallProblem(0).network();
        GradientCheck a = GradientCheck.random(net, 3, 0.1, 5L);
        GradientCheck b = GradientCheck.random(net, 3, 0.1, 5L);
        GradientCheck c = GradientCheck.random(net, 3, 0.1, 6L);
        assertArrayEquals(a.parameters(), b.parameters(), 0);
        assertArrayEquals(a.x(), b.x());
        assertArrayEquals(a.y(), b.y());
        assertFalse(java.util.Arrays.equals(a.parameters(), c.parameters()));
        assertEquals(0.1, a.lambda());
        assertEquals(a.checkReference().worst(), b.checkReference().worst(), 0);
    }

    // ---------------------------------------------------------------------------------------------
    // Report

    @Test
    void reportLinesReadLikeTheCommandLineShowsThem() {
        assertEquals("layer 1: W 3.1e-9, b 2.0e-10", new GradientCheck.LayerError(1, 3.1e-9, 2.0e-10).toString());
        assertEquals("layer 2: W 0, b 1.5e0", new GradientCheck.LayerError(2, 0, 1.5).toString());
        assertEquals("1.2e12", GradientCheck.format(1.2e12));

        GradientCheck check = smallProblem(0);
        GradientCheck.Result result = check.checkReference();
        List<String> lines = result.lines();
        assertEquals(3 + 2, lines.size());
        assertTrue(lines.get(0).matches("layer 1: W \\d\\.\\de-\\d+, b \\d\\.\\de-\\d+"), lines.get(0));
        assertTrue(lines.get(3).startsWith("worst " + GradientCheck.format(result.worst()) + " at "), lines.get(3));
        assertTrue(lines.get(4).startsWith("vector "), lines.get(4));
        assertEquals(String.join("\n", lines), result.toString());
    }

    @Test
    void describeNamesEveryParameter() {
        Network net = Network.builder(2).dense(2, Activation.SIGMOID).dense(1, Activation.SIGMOID)
                .loss(Loss.BINARY_CROSS_ENTROPY).build();
        String[] names = new String[net.parameterCount()];
        for (int k = 0; k < names.length; k++) {
            names[k] = GradientCheck.describe(net, k);
        }
        assertArrayEquals(new String[] {"W[1](0,0)", "W[1](0,1)", "W[1](1,0)", "W[1](1,1)", "b[1](0)", "b[1](1)",
                "W[2](0,0)", "W[2](0,1)", "b[2](0)"}, names);
        assertThrows(IndexOutOfBoundsException.class, () -> GradientCheck.describe(net, 9));
    }

    @Test
    void rejectsBadArguments() {
        Network net = smallProblem(0).network();
        double[] theta = GradientCheck.randomParameters(net, 1);
        double[][] x = {{1, 2, 3}};
        double[][] y = {{1, 0}};
        assertThrows(IllegalArgumentException.class, () -> new GradientCheck(net, theta, x, y, -1));
        assertThrows(IllegalArgumentException.class, () -> new GradientCheck(net, theta, x, new double[][] {{1}}, 0));
        assertThrows(IllegalArgumentException.class, () -> new GradientCheck(net, theta, x, y, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new GradientCheck(net, new double[2], x, y, 0));
        assertThrows(IllegalArgumentException.class, () -> GradientCheck.randomBatch(net, theta, 0, 1));
    }

    @Test
    void aSampleCoversEveryLayerAndAgreesWithTheFullCheck() {
        Network net = Network.builder(30).dense(20, Activation.TANH).dense(3, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        int[] sample = GradientCheck.sample(net, 10, 7);
        assertArrayEquals(sample, GradientCheck.sample(net, 10, 7), "deterministic for a seed");
        // 10 of layer 1's 600 weights, 10 of its 20 biases, 10 of layer 2's 60 weights, all 3 of its biases
        assertEquals(33, sample.length);
        assertEquals(33, java.util.Arrays.stream(sample).distinct().count());
        for (int i = 1; i < sample.length; i++) {
            assertTrue(sample[i - 1] < sample[i], "sorted");
        }
        int[] perLayerW = new int[3];
        int[] perLayerB = new int[3];
        for (int k : sample) {
            for (int l = 1; l <= 2; l++) {
                perLayerW[l] += k >= net.weightOffset(l) && k < net.weightOffset(l) + net.weightCount(l) ? 1 : 0;
                perLayerB[l] += k >= net.biasOffset(l) && k < net.biasOffset(l) + net.width(l) ? 1 : 0;
            }
        }
        assertArrayEquals(new int[] {0, 10, 10}, perLayerW);
        assertArrayEquals(new int[] {0, 10, 3}, perLayerB);

        GradientCheck check = GradientCheck.random(net, 3, 0.1, 5);
        int[] done = {0};
        GradientCheck.Result sampled = check.checkReference(sample, n -> done[0] = n);
        assertEquals(sample.length, done[0], "progress reaches the end");
        assertEquals(33, sampled.compared());
        assertTrue(sampled.passes(1e-4), sampled.toString());
        assertTrue(sampled.lines().contains("sampled 33 of " + net.parameterCount() + " parameters"), sampled.toString());
        double[] numeric = check.numericalGradient(sample, null);
        double[] full = check.numericalGradient();
        for (int k = 0; k < full.length; k++) {
            if (java.util.Arrays.binarySearch(sample, k) >= 0) {
                assertEquals(full[k], numeric[k], 0.0, "component " + k);
            } else {
                assertTrue(Double.isNaN(numeric[k]), "not computed: " + k);
            }
        }
        assertEquals(net.parameterCount(), check.checkReference().compared());
    }
}
