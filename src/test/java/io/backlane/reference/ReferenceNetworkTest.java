package io.backlane.reference;

import io.backlane.nn.Activation;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReferenceNetworkTest {

    // ---------------------------------------------------------------------------------------------
    // A 2-2-1 sigmoid network with numbers worked out by hand.
    //
    //   x = (1, 2), y = 1
    //   W[1] = | 0.5  -0.25 |   b[1] = (0, ln 3)
    //          | -1    0.5  |
    //   W[2] = ( 2  -4 ),       b[2] = 2
    //
    // Forward:
    //   z[1] = W[1] x + b[1] = (0.5 - 0.5 + 0, -1 + 1 + ln 3) = (0, ln 3)
    //   a[1] = σ(z[1]) = (1/2, 1/(1 + 1/3)) = (0.5, 0.75)
    //   z[2] = 2·0.5 - 4·0.75 + 2 = 1 - 3 + 2 = 0
    //   a[2] = σ(0) = 0.5
    //   J = -[y log a + (1 - y) log(1 - a)] = -log 0.5 = ln 2
    // Backward (m = 1):
    //   dZ[2] = a[2] - y = -0.5
    //   dW[2] = dZ[2] a[1]ᵀ = (-0.25, -0.375);       db[2] = -0.5
    //   dA[1] = W[2]ᵀ dZ[2] = (2·-0.5, -4·-0.5) = (-1, 2)
    //   g'(z[1]) = a(1 - a) = (0.25, 0.1875)
    //   dZ[1] = dA[1] ⊙ g' = (-0.25, 0.375)
    //   dW[1] = dZ[1] xᵀ = | -0.25  -0.5  |          db[1] = (-0.25, 0.375)
    //                      |  0.375  0.75 |
    // Regularization, λ = 0.5, m = 1:
    //   Σ W² = 0.25 + 0.0625 + 1 + 0.25 + 4 + 16 = 21.5625;  (λ/2m) Σ W² = 0.25 · 21.5625 = 5.390625
    //   dW += (λ/m) W = 0.5 W:  dW[1] = | -0.25+0.25  -0.5-0.125 | = | 0      -0.625 |
    //                                   | 0.375-0.5    0.75+0.25 |   | -0.125  1      |
    //                           dW[2] = (-0.25+1, -0.375-2) = (0.75, -2.375);  biases unchanged
    // ---------------------------------------------------------------------------------------------

    private static final double LN3 = Math.log(3);
    private static final double LN2 = Math.log(2);

    private static Network handNetwork() {
        return Network.builder(2)
                .dense(2, Activation.SIGMOID)
                .dense(1, Activation.SIGMOID)
                .loss(Loss.BINARY_CROSS_ENTROPY)
                .build();
    }

    /** Layout W[1] (2x2 row-major), b[1], W[2] (1x2), b[2]. */
    private static double[] handParameters() {
        return new double[] {0.5, -0.25, -1, 0.5, 0, LN3, 2, -4, 2};
    }

    private static final double[][] HAND_X = {{1, 2}};
    private static final double[][] HAND_Y = {{1}};

    @Test
    void handExampleLayoutMatchesNetworkOffsets() {
        Network net = handNetwork();
        assertEquals(0, net.weightOffset(1));
        assertEquals(4, net.biasOffset(1));
        assertEquals(6, net.weightOffset(2));
        assertEquals(8, net.biasOffset(2));
        ReferenceNetwork ref = new ReferenceNetwork(net, handParameters());
        assertEquals(-1, ref.weight(1, 1, 0));
        assertEquals(LN3, ref.bias(1, 1));
        assertEquals(-4, ref.weight(2, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> ref.weight(1, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> ref.weight(3, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> ref.bias(2, 1));
    }

    @Test
    void handExampleForward() {
        ForwardPass pass = new ReferenceNetwork(handNetwork(), handParameters()).forward(HAND_X);
        assertEquals(2, pass.layerCount());
        assertEquals(1, pass.batchSize());
        assertSame(HAND_X, pass.a(0));
        assertArrayEquals(new double[] {0, LN3}, pass.z(1)[0], 1e-15);
        assertArrayEquals(new double[] {0.5, 0.75}, pass.a(1)[0], 1e-15);
        assertArrayEquals(new double[] {0}, pass.z(2)[0], 1e-15);
        assertArrayEquals(new double[] {0.5}, pass.output()[0], 1e-15);
    }

    @Test
    void handExampleCost() {
        ReferenceNetwork ref = new ReferenceNetwork(handNetwork(), handParameters());
        assertEquals(LN2, ref.cost(HAND_X, HAND_Y, 0), 1e-15);
        assertEquals(5.390625, ref.regularization(0.5, 1), 1e-15);
        assertEquals(LN2 + 5.390625, ref.cost(HAND_X, HAND_Y, 0.5), 1e-14);
    }

    @Test
    void handExampleGradient() {
        ReferenceNetwork ref = new ReferenceNetwork(handNetwork(), handParameters());
        double[] expected = {-0.25, -0.5, 0.375, 0.75, /* b1 */ -0.25, 0.375, /* W2 */ -0.25, -0.375, /* b2 */ -0.5};
        assertArrayEquals(expected, ref.gradient(HAND_X, HAND_Y, 0), 1e-15);
        assertArrayEquals(expected, ref.gradientPerExample(HAND_X, HAND_Y, 0), 1e-15);
    }

    @Test
    void handExampleGradientWithRegularization() {
        ReferenceNetwork ref = new ReferenceNetwork(handNetwork(), handParameters());
        double[] expected = {0, -0.625, -0.125, 1.0, /* b1 */ -0.25, 0.375, /* W2 */ 0.75, -2.375, /* b2 */ -0.5};
        assertArrayEquals(expected, ref.gradient(HAND_X, HAND_Y, 0.5), 1e-15);
        assertArrayEquals(expected, ref.gradientPerExample(HAND_X, HAND_Y, 0.5), 1e-15);
    }

    /**
     * The same example twice, with targets 1 and 0: each example's loss is ln 2 and their data
     * gradients are opposite (dZ[2] = -0.5 and +0.5), so the mean data gradient is exactly 0 and only
     * the regularization is left: with λ = 0.5 and m = 2, (λ/2m) Σ W² = 0.125 · 21.5625 = 2.6953125
     * and the gradient is (λ/m) W = 0.25 W on the weights, 0 on the biases.
     */
    @Test
    void handExampleTwoOppositeTargetsLeavesOnlyRegularization() {
        ReferenceNetwork ref = new ReferenceNetwork(handNetwork(), handParameters());
        double[][] x = {{1, 2}, {1, 2}};
        double[][] y = {{1}, {0}};
        assertEquals(LN2, ref.cost(x, y, 0), 1e-15);
        assertEquals(LN2 + 2.6953125, ref.cost(x, y, 0.5), 1e-14);
        double[] expected = {0.125, -0.0625, -0.25, 0.125, /* b1 */ 0, 0, /* W2 */ 0.5, -1, /* b2 */ 0};
        assertArrayEquals(expected, ref.gradient(x, y, 0.5), 1e-15);
        assertArrayEquals(expected, ref.gradientPerExample(x, y, 0.5), 1e-15);
    }

    // ---------------------------------------------------------------------------------------------
    // Regularization: exactly (λ/2m) Σ W², weights only

    private static Network randomShapeNetwork() {
        return Network.builder(4)
                .dense(5, Activation.TANH)
                .dense(3, Activation.SIGMOID)
                .dense(3, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY)
                .build();
    }

    @Test
    void costAddsExactlyHalfLambdaOverMTimesSumOfSquaredWeights() {
        Network net = randomShapeNetwork();
        double[] theta = GradientCheck.randomParameters(net, 11L);
        GradientCheck.Batch batch = GradientCheck.randomBatch(net, theta, 4, 12L);
        ReferenceNetwork ref = new ReferenceNetwork(net, theta);

        // Σ W² by hand, walking the layout: W[l] is n[l]·n[l-1] values at weightOffset(l); biases skipped.
        double sumW2 = 0;
        for (int l = 1; l <= net.layerCount(); l++) {
            for (int k = net.weightOffset(l); k < net.weightOffset(l) + net.weightCount(l); k++) {
                sumW2 += theta[k] * theta[k];
            }
        }
        double lambda = 0.3;
        double m = 4;
        double difference = ref.cost(batch.x(), batch.y(), lambda) - ref.cost(batch.x(), batch.y(), 0);
        assertEquals(lambda / (2 * m) * sumW2, difference, 1e-14);
        assertEquals(lambda / (2 * m) * sumW2, ref.regularization(lambda, 4), 1e-15);
        assertEquals(ref.dataLoss(batch.x(), batch.y()), ref.cost(batch.x(), batch.y(), 0), 0);
    }

    @Test
    void biasesDoNotEnterTheRegularization() {
        Network net = randomShapeNetwork();
        double[] theta = GradientCheck.randomParameters(net, 21L);
        double[] moreBias = theta.clone();
        for (int l = 1; l <= net.layerCount(); l++) {
            for (int i = 0; i < net.width(l); i++) {
                moreBias[net.biasOffset(l) + i] += 10;
            }
        }
        assertEquals(new ReferenceNetwork(net, theta).regularization(1.0, 3),
                new ReferenceNetwork(net, moreBias).regularization(1.0, 3), 0);
        double[] moreWeight = theta.clone();
        moreWeight[net.weightOffset(2)] += 1;
        assertNotEquals(new ReferenceNetwork(net, theta).regularization(1.0, 3),
                new ReferenceNetwork(net, moreWeight).regularization(1.0, 3));
    }

    @Test
    void lambdaChangesWeightGradientsByLambdaOverMTimesWAndBiasGradientsNotAtAll() {
        Network net = randomShapeNetwork();
        double[] theta = GradientCheck.randomParameters(net, 31L);
        GradientCheck.Batch batch = GradientCheck.randomBatch(net, theta, 5, 32L);
        ReferenceNetwork ref = new ReferenceNetwork(net, theta);
        double lambda = 0.7;
        for (boolean perExample : new boolean[] {false, true}) {
            double[] g0 = perExample ? ref.gradientPerExample(batch.x(), batch.y(), 0) : ref.gradient(batch.x(), batch.y(), 0);
            double[] gl = perExample ? ref.gradientPerExample(batch.x(), batch.y(), lambda) : ref.gradient(batch.x(), batch.y(), lambda);
            for (int l = 1; l <= net.layerCount(); l++) {
                for (int k = net.weightOffset(l); k < net.weightOffset(l) + net.weightCount(l); k++) {
                    assertEquals(lambda / 5 * theta[k], gl[k] - g0[k], 1e-15, "weight " + k);
                }
                for (int k = net.biasOffset(l); k < net.biasOffset(l) + net.width(l); k++) {
                    assertEquals(g0[k], gl[k], 0, "bias " + k + " must not be regularized");
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Both formulations, against each other

    @Test
    void perExampleLoopAgreesWithBatchBackpropOnMixedNetworks() {
        Network[] nets = {
                Network.builder(4).dense(5, Activation.TANH).dense(3, Activation.RELU).leakyRelu(4, 0.2f)
                        .dense(2, Activation.SIGMOID).loss(Loss.BINARY_CROSS_ENTROPY).build(),
                Network.builder(3).dense(4, Activation.SIGMOID).dense(4, Activation.IDENTITY)
                        .dense(3, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build(),
                Network.builder(5).dense(6, Activation.RELU).dense(2, Activation.TANH)
                        .loss(Loss.MEAN_SQUARED_ERROR).build(),
        };
        long seed = 40;
        for (Network net : nets) {
            for (int m = 1; m <= 7; m += 3) {
                double[] theta = GradientCheck.randomParameters(net, seed++);
                GradientCheck.Batch b = GradientCheck.randomBatch(net, theta, m, seed++);
                ReferenceNetwork ref = new ReferenceNetwork(net, theta);
                double[] batch = ref.gradient(b.x(), b.y(), 0.4);
                double[] loop = ref.gradientPerExample(b.x(), b.y(), 0.4);
                for (int k = 0; k < batch.length; k++) {
                    assertEquals(batch[k], loop[k], 1e-12 * Math.max(1, Math.abs(batch[k])), net + " m=" + m + " k=" + k);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Layouts, conversions, predict

    @Test
    void ofParametersConvertsEveryFloatExactly() {
        Network net = randomShapeNetwork();
        Parameters p = Parameters.initialize(net, 5L);
        p.setBias(2, 1, 0.1f);
        ReferenceNetwork ref = ReferenceNetwork.of(p);
        double[] theta = ref.parameters();
        assertEquals(net.parameterCount(), theta.length);
        for (int k = 0; k < theta.length; k++) {
            assertEquals((double) p.values()[k], theta[k], 0);
        }
        assertEquals((double) 0.1f, ref.bias(2, 1), 0);
        assertEquals((double) p.weight(3, 2, 1), ref.weight(3, 2, 1), 0);
    }

    @Test
    void parametersAreCopiedInAndOut() {
        Network net = handNetwork();
        double[] theta = handParameters();
        ReferenceNetwork ref = new ReferenceNetwork(net, theta);
        theta[0] = 99;
        ref.parameters()[1] = 99;
        assertArrayEquals(handParameters(), ref.parameters(), 0);
    }

    @Test
    void predictIsTheOutputOfForwardAndRowsAreIndependentExamples() {
        Network net = randomShapeNetwork();
        double[] theta = GradientCheck.randomParameters(net, 61L);
        GradientCheck.Batch b = GradientCheck.randomBatch(net, theta, 3, 62L);
        ReferenceNetwork ref = new ReferenceNetwork(net, theta);
        double[][] all = ref.predict(b.x());
        assertEquals(3, all.length);
        for (int e = 0; e < 3; e++) {
            assertArrayEquals(ref.forward(new double[][] {b.x()[e]}).output()[0], all[e], 0);
            double sum = 0;
            for (double v : all[e]) {
                sum += v;
            }
            assertEquals(1.0, sum, 1e-15, "softmax rows sum to 1");
        }
    }

    @Test
    void toRowsSplitsARowMajorFloatBatch() {
        double[][] rows = ReferenceNetwork.toRows(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new double[] {1, 2, 3}, rows[0], 0);
        assertArrayEquals(new double[] {4, 5, 6}, rows[1], 0);
        assertThrows(IllegalArgumentException.class, () -> ReferenceNetwork.toRows(new float[5], 2, 3));
    }

    @Test
    void leakyReluUsesTheLayersSlope() {
        Network net = Network.builder(1).leakyRelu(1, 0.25f).dense(1, Activation.IDENTITY)
                .loss(Loss.MEAN_SQUARED_ERROR).build();
        // W[1] = 1, b[1] = 0, W[2] = 1, b[2] = 0: the output is leaky(x).
        ReferenceNetwork ref = new ReferenceNetwork(net, new double[] {1, 0, 1, 0});
        assertEquals(-0.5, ref.predict(new double[][] {{-2}})[0][0], 0);
        assertEquals(3.0, ref.predict(new double[][] {{3}})[0][0], 0);
        // J = ½(a − y)² with a = −0.5, y = 0: dJ/dW[1] = (a − y)·W[2]·slope·x = −0.5·1·0.25·−2 = 0.25.
        assertEquals(0.25, ref.gradient(new double[][] {{-2}}, new double[][] {{0}}, 0)[0], 1e-15);
    }

    // ---------------------------------------------------------------------------------------------
    // Arguments

    @Test
    void rejectsBadArguments() {
        Network net = handNetwork();
        ReferenceNetwork ref = new ReferenceNetwork(net, handParameters());
        assertThrows(IllegalArgumentException.class, () -> new ReferenceNetwork(net, new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new ReferenceNetwork(null, handParameters()));
        double[] nan = handParameters();
        nan[2] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> new ReferenceNetwork(net, nan));
        assertThrows(IllegalArgumentException.class, () -> ref.forward(new double[0][]));
        assertThrows(IllegalArgumentException.class, () -> ref.forward(new double[][] {{1, 2, 3}}));
        assertThrows(IllegalArgumentException.class, () -> ref.forward(new double[][] {{1, Double.POSITIVE_INFINITY}}));
        assertThrows(IllegalArgumentException.class, () -> ref.cost(HAND_X, new double[][] {{1}, {0}}, 0));
        assertThrows(IllegalArgumentException.class, () -> ref.cost(HAND_X, HAND_Y, -0.1));
        assertThrows(IllegalArgumentException.class, () -> ref.gradient(HAND_X, HAND_Y, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ref.gradientPerExample(HAND_X, new double[][] {{1, 0}}, 0));
    }

    @Test
    void categoricalTargetsMustSumToOneForTheGradient() {
        Network net = randomShapeNetwork();
        ReferenceNetwork ref = new ReferenceNetwork(net, GradientCheck.randomParameters(net, 3L));
        double[][] x = {{0.1, 0.2, 0.3, 0.4}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ref.gradient(x, new double[][] {{1, 1, 0}}, 0));
        assertTrue(e.getMessage().contains("sum"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ref.gradientPerExample(x, new double[][] {{0, 0, 0}}, 0));
        ref.gradient(x, new double[][] {{0.2, 0.3, 0.5}}, 0);   // a distribution is fine
        ref.cost(x, new double[][] {{1, 1, 0}}, 0);             // the cost itself is defined for any targets
    }

    @Test
    void randomParametersAreDeterministic() {
        Network net = randomShapeNetwork();
        assertArrayEquals(GradientCheck.randomParameters(net, 9L), GradientCheck.randomParameters(net, 9L), 0);
        double[] a = GradientCheck.randomParameters(net, 9L);
        double[] b = GradientCheck.randomParameters(net, 10L);
        assertFalse(Arrays.equals(a, b));
    }
}
