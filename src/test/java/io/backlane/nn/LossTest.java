package io.backlane.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loss value on its own, without a trainer: hand-computed cases and stability at saturation. */
class LossTest {
    @Test
    void categoricalCrossEntropyIsComputedFromTheLogits() {
        float[] z = {1, 2, 3, 0, 0, 5};
        float[] y = {0, 0, 1, 1, 0, 0};
        double lse1 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        double lse2 = Math.log(2 + Math.exp(5));
        double expected = -(3 - lse1) - (0 - lse2);
        assertEquals(expected, Loss.CATEGORICAL_CROSS_ENTROPY.sum(z, new float[6], y, 0, 2, 3), 1e-6);
    }

    @Test
    void binaryCrossEntropyIsComputedFromTheLogit() {
        float[] z = {2, -1};
        float[] y = {1, 1};
        double expected = Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(1));
        assertEquals(expected, Loss.BINARY_CROSS_ENTROPY.sum(z, new float[2], y, 0, 2, 1), 1e-9);
    }

    @Test
    void squaredErrorIsHalfTheSumOfSquares() {
        float[] a = {1, 2, -3};
        float[] y = {9, 0, 0, -3};
        assertEquals(0.5 * (1 + 4 + 0), Loss.MEAN_SQUARED_ERROR.sum(new float[3], a, y, 1, 1, 3), 1e-12);
    }

    @Test
    void saturatedOutputsGiveLargeFiniteLosses() {
        // log(a) of a saturated softmax or sigmoid would be -infinity; from the logits it is finite
        double ce = Loss.CATEGORICAL_CROSS_ENTROPY.sum(new float[] {1000, -1000}, new float[2], new float[] {0, 1}, 0, 1, 2);
        double bce = Loss.BINARY_CROSS_ENTROPY.sum(new float[] {-500}, new float[1], new float[] {1}, 0, 1, 1);
        assertEquals(2000, ce, 1e-9);
        assertEquals(500, bce, 1e-9);
        assertTrue(Double.isFinite(ce) && Double.isFinite(bce));
    }

    @Test
    void shortArraysAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Loss.MEAN_SQUARED_ERROR.sum(new float[4], new float[4], new float[3], 0, 2, 2));
        assertTrue(e.getMessage().contains("y (length 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Loss.BINARY_CROSS_ENTROPY.sum(null, new float[1], new float[1], 0, 1, 1));
    }
}
