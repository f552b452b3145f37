package io.backlane.reference;

import io.backlane.nn.Activation;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReferenceMathTest {

    private static double naiveBce(double z, double y) {
        double a = 1 / (1 + Math.exp(-z));
        return -(y * Math.log(a) + (1 - y) * Math.log(1 - a));
    }

    @Test
    void bceFromLogitEqualsTheNaiveFormulaWhereThatIsFinite() {
        int compared = 0;
        for (double z = -10; z <= 10; z += 0.25) {
            for (double y : new double[] {0, 0.3, 1}) {
                double naive = naiveBce(z, y);
                assertTrue(Double.isFinite(naive));
                assertEquals(naive, ReferenceMath.binaryCrossEntropyFromLogit(z, y), 1e-10 * Math.max(1, naive),
                        "z=" + z + " y=" + y);
                compared++;
            }
        }
        assertEquals(81 * 3, compared);
    }

    @Test
    void bceFromLogitIsFiniteAndExactForHugeLogitsWhereTheNaiveOneIsNot() {
        // σ(±1000) rounds to exactly 1 or 0, so the naive formula takes log(0).
        assertFalse(Double.isFinite(naiveBce(1000, 0)));
        assertFalse(Double.isFinite(naiveBce(-1000, 1)));
        assertFalse(Double.isFinite(naiveBce(1000, 1)));   // 0 · log(0) = NaN
        // max(z,0) − z·y + log(1 + e^−|z|), with e^−1000 = 0:
        assertEquals(0.0, ReferenceMath.binaryCrossEntropyFromLogit(1000, 1), 0);
        assertEquals(1000.0, ReferenceMath.binaryCrossEntropyFromLogit(1000, 0), 0);
        assertEquals(1000.0, ReferenceMath.binaryCrossEntropyFromLogit(-1000, 1), 0);
        assertEquals(0.0, ReferenceMath.binaryCrossEntropyFromLogit(-1000, 0), 0);
        // And at z = 0 it is ln 2 for any y.
        assertEquals(Math.log(2), ReferenceMath.binaryCrossEntropyFromLogit(0, 0.7), 1e-16);
    }

    @Test
    void bceCostAndGradientOfANetworkStayFiniteAtLogitsOfPlusMinus1000() {
        Network net = Network.builder(1).dense(1, Activation.SIGMOID).loss(Loss.BINARY_CROSS_ENTROPY).build();
        ReferenceNetwork ref = new ReferenceNetwork(net, new double[] {1000, 0});   // z = 1000 x
        double[][] x = {{1}, {-1}};
        double[][] y = {{0}, {0}};                                                   // z = +1000 is badly wrong, −1000 right
        assertEquals((1000 + 0) / 2.0, ref.cost(x, y, 0), 0);
        // dZ = a − y = (1, 0); dW = (1/m) Σ dZ x = 0.5; db = 0.5.
        assertArrayEquals(new double[] {0.5, 0.5}, ref.gradient(x, y, 0), 0);
    }

    @Test
    void softmaxWithHugeLogitsIsFiniteAndSumsToOne() {
        double[] z = {1000, 999, -1000};
        assertFalse(Double.isFinite(Math.exp(1000)), "the naive softmax would overflow");
        double[] a = ReferenceMath.softmax(z);
        double e1 = Math.exp(-1);
        assertArrayEquals(new double[] {1 / (1 + e1), e1 / (1 + e1), 0}, a, 1e-15);
        double[] logA = ReferenceMath.logSoftmax(z);
        double log1pe = Math.log1p(e1);
        assertArrayEquals(new double[] {-log1pe, -1 - log1pe, -2000 - log1pe}, logA, 1e-12);
        for (double v : logA) {
            assertTrue(Double.isFinite(v));
        }
        double[] tiny = ReferenceMath.softmax(new double[] {-1e4, -1e4 - 1});
        assertArrayEquals(new double[] {1 / (1 + e1), e1 / (1 + e1)}, tiny, 1e-15);
    }

    @Test
    void categoricalCostOfANetworkWithHugeLogitsIsFinite() {
        Network net = Network.builder(1).dense(3, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        // z = (1000, 0, −1000) x; the target is the smallest logit, so L = −log softmax_3 = 2000 + log(1 + e^−1000 + e^−2000).
        ReferenceNetwork ref = new ReferenceNetwork(net, new double[] {1000, 0, -1000, 0, 0, 0});
        double cost = ref.cost(new double[][] {{1}}, new double[][] {{0, 0, 1}}, 0);
        assertEquals(2000.0, cost, 1e-12);
        double[] g = ref.gradient(new double[][] {{1}}, new double[][] {{0, 0, 1}}, 0);
        // dZ = a − y = (1, 0, −1); dW = dZ x, db = dZ.
        assertArrayEquals(new double[] {1, 0, -1, 1, 0, -1}, g, 1e-15);
    }

    @Test
    void exampleLossMatchesEachDefinition() {
        double[] z = {0.3, -1.2};
        double[] a = {ReferenceMath.sigmoid(0.3), ReferenceMath.sigmoid(-1.2)};
        double[] y = {1, 0};
        assertEquals(naiveBce(0.3, 1) + naiveBce(-1.2, 0), ReferenceMath.exampleLoss(Loss.BINARY_CROSS_ENTROPY, z, a, y), 1e-15);
        assertEquals(0.5 * ((a[0] - 1) * (a[0] - 1) + a[1] * a[1]),
                ReferenceMath.exampleLoss(Loss.MEAN_SQUARED_ERROR, z, a, y), 1e-16);
        double[] s = ReferenceMath.softmax(z);
        assertEquals(-Math.log(s[0]), ReferenceMath.exampleLoss(Loss.CATEGORICAL_CROSS_ENTROPY, z, s, y), 1e-15);
    }

    @Test
    void sigmoidIsStableOnBothSides() {
        assertEquals(0.5, ReferenceMath.sigmoid(0), 0);
        assertEquals(1.0, ReferenceMath.sigmoid(1000), 0);
        assertEquals(0.0, ReferenceMath.sigmoid(-1000), 0);
        assertEquals(Math.exp(-700), ReferenceMath.sigmoid(-700), Math.exp(-700) * 1e-15);   // no 1 − (1 − tiny) cancellation
        for (double z = -5; z <= 5; z += 0.5) {
            assertEquals(1.0, ReferenceMath.sigmoid(z) + ReferenceMath.sigmoid(-z), 1e-15);
        }
    }

    @Test
    void derivativesMatchFiniteDifferencesOfTheActivations() {
        double h = 1e-6;
        double slope = 0.2;
        for (Activation g : new Activation[] {Activation.SIGMOID, Activation.TANH, Activation.RELU,
                Activation.LEAKY_RELU, Activation.IDENTITY}) {
            for (double z : new double[] {-2.5, -0.7, -0.1, 0.1, 0.4, 1.9}) {
                double numeric = (ReferenceMath.activate(g, slope, z + h) - ReferenceMath.activate(g, slope, z - h)) / (2 * h);
                double a = ReferenceMath.activate(g, slope, z);
                assertEquals(numeric, ReferenceMath.derivative(g, slope, z, a), 1e-9, g + " at " + z);
            }
        }
        assertEquals(0.0, ReferenceMath.derivative(Activation.RELU, 0, -0.5, 0), 0);
        assertEquals(0.2, ReferenceMath.derivative(Activation.LEAKY_RELU, 0.2, -0.5, -0.1), 0);
        assertEquals(-0.1, ReferenceMath.activate(Activation.LEAKY_RELU, 0.2, -0.5), 1e-17);
    }

    @Test
    void softmaxIsNotElementWise() {
        assertThrows(IllegalArgumentException.class, () -> ReferenceMath.activate(Activation.SOFTMAX, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ReferenceMath.derivative(Activation.SOFTMAX, 0, 1, 0.5));
    }
}
