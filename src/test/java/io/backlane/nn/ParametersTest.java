package io.backlane.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ParametersTest {
    private static final Network NET = Network.builder(50).dense(400, Activation.RELU).dense(300, Activation.TANH)
            .dense(3, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();

    @Test
    void accessorsReadAndWriteTheOneArray() {
        Parameters p = new Parameters(NET);
        p.setWeight(2, 5, 7, 1.5f);
        p.setBias(3, 2, -2f);
        assertEquals(1.5f, p.values()[NET.weightOffset(2) + 5 * 400 + 7]);
        assertEquals(-2f, p.values()[NET.biasOffset(3) + 2]);
        assertEquals(1.5f, p.weight(2, 5, 7));
        assertThrows(IndexOutOfBoundsException.class, () -> p.weight(2, 300, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> p.bias(1, 400));
        Parameters copy = p.copy();
        copy.setBias(3, 2, 0f);
        assertEquals(-2f, p.bias(3, 2), "a copy is deep");
        p.copyFrom(copy);
        assertEquals(0f, p.bias(3, 2));
        assertThrows(IllegalArgumentException.class, () -> new Parameters(NET, new float[3]));
    }

    @Test
    void initializersHaveTheirVarianceAndZeroBiases() {
        Parameters he = Parameters.initialize(NET, Initializer.HE_NORMAL, 1);
        assertEquals(2.0 / 50, variance(he, 1), 0.1 * 2.0 / 50);
        Parameters xavierUniform = Parameters.initialize(NET, Initializer.XAVIER_UNIFORM, 1);
        assertEquals(2.0 / (400 + 300), variance(xavierUniform, 2), 0.1 * 2.0 / 700);   // U(-r, r): r²/3 = 2/(in+out)
        Parameters xavierNormal = Parameters.initialize(NET, Initializer.XAVIER_NORMAL, 1);
        assertEquals(2.0 / (400 + 300), variance(xavierNormal, 2), 0.1 * 2.0 / 700);
        Parameters heUniform = Parameters.initialize(NET, Initializer.HE_UNIFORM, 1);
        assertEquals(2.0 / 400, variance(heUniform, 2), 0.1 * 2.0 / 400);
        for (int l = 1; l <= 3; l++) {
            for (int i = 0; i < NET.width(l); i++) {
                assertEquals(0f, he.bias(l, i));
            }
        }
        // Defaults per layer: He for ReLU (layer 1), Xavier for tanh (layer 2).
        Parameters defaults = Parameters.initialize(NET, 1);
        assertEquals(2.0 / 50, variance(defaults, 1), 0.1 * 2.0 / 50);
        assertEquals(2.0 / 700, variance(defaults, 2), 0.1 * 2.0 / 700);
    }

    @Test
    void theSeedDecidesEverything() {
        assertArrayEquals(Parameters.initialize(NET, 42).values(), Parameters.initialize(NET, 42).values());
        assertFalse(java.util.Arrays.equals(Parameters.initialize(NET, 42).values(), Parameters.initialize(NET, 43).values()));
    }

    private static double variance(Parameters p, int l) {
        double sum = 0, sq = 0;
        int n = NET.weightCount(l);
        for (int i = 0; i < n; i++) {
            double w = p.values()[NET.weightOffset(l) + i];
            sum += w;
            sq += w * w;
        }
        double mean = sum / n;
        assertEquals(0, mean, 0.01, "weights are centred");
        return sq / n - mean * mean;
    }
}
