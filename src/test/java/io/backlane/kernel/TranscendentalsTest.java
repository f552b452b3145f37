package io.backlane.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Transcendentals} against double-precision {@link Math} on a sweep of the float range, at its
 * ends and special values; and the kernels' activations against it bit for bit, at every position
 * of a vector loop (body and tail), which is what makes a prediction's bits independent of the JIT
 * tier and of where a batch puts an element.
 */
class TranscendentalsTest {
    /** Every 97th float bit pattern (about 44 million values in all, a few hundred thousand per range). */
    private static final int STRIDE = 97;

    @Test
    void expIsWithinAnUlpOverItsRangeAndExactAtItsEnds() {
        double worst = sweep(-103.9f, 88.72f, Transcendentals::exp, Math::exp);
        assertTrue(worst <= 1.01, "exp: " + worst + " ulp");

        assertEquals(1f, Transcendentals.exp(0f));
        assertEquals(1f, Transcendentals.exp(-0f));
        assertEquals(Float.POSITIVE_INFINITY, Transcendentals.exp(Float.POSITIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Transcendentals.exp(88.73f));
        float largest = Math.nextDown(Transcendentals.EXP_OVERFLOW); // the largest float whose exp is finite
        assertEquals((float) Math.exp(largest), Transcendentals.exp(largest), Math.ulp(Float.MAX_VALUE));
        assertEquals(Float.POSITIVE_INFINITY, (float) Math.exp(Transcendentals.EXP_OVERFLOW));
        assertEquals(Float.POSITIVE_INFINITY, Transcendentals.exp(Transcendentals.EXP_OVERFLOW));
        assertEquals(0f, Transcendentals.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, Transcendentals.exp(-104f));
        float smallestNormal = (float) Math.log(Float.MIN_NORMAL);
        assertEquals((float) Math.exp(smallestNormal), Transcendentals.exp(smallestNormal), Math.ulp(Float.MIN_NORMAL));
        float subnormal = Transcendentals.exp(-100f); // 3.7e-44: a few subnormal steps
        assertEquals((float) Math.exp(-100), subnormal, Float.MIN_VALUE);
        assertTrue(Float.isNaN(Transcendentals.exp(Float.NaN)));
    }

    @Test
    void tanhIsWithinTwoUlpAndOddWithExactLimits() {
        double worst = Math.max(sweep(-10f, 10f, Transcendentals::tanh, Math::tanh),
                sweep(-1e-30f, 1e-30f, Transcendentals::tanh, Math::tanh));
        assertTrue(worst <= 2.0, "tanh: " + worst + " ulp");

        Random random = new Random(3L);
        for (int i = 0; i < 100_000; i++) {
            float x = (float) random.nextGaussian() * 4f;
            assertEquals(-Transcendentals.tanh(x), Transcendentals.tanh(-x), "tanh is odd at " + x);
        }
        assertEquals(1f, Transcendentals.tanh(9.1f));
        assertEquals(1f, Transcendentals.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, Transcendentals.tanh(-1e30f));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Transcendentals.tanh(-0f)));
        assertTrue(Float.isNaN(Transcendentals.tanh(Float.NaN)));
    }

    @Test
    void sigmoidIsWithinTwoAndAHalfUlpAndSaturatesWithoutNaN() {
        double worst = sweep(-87f, 30f, Transcendentals::sigmoid, z -> 1 / (1 + Math.exp(-z)));
        assertTrue(worst <= 2.5, "sigmoid: " + worst + " ulp");

        assertEquals(0.5f, Transcendentals.sigmoid(0f));
        assertEquals(1f, Transcendentals.sigmoid(Float.POSITIVE_INFINITY));
        assertEquals(0f, Transcendentals.sigmoid(Float.NEGATIVE_INFINITY));
        assertEquals(0f, Transcendentals.sigmoid(-1e30f));
        assertTrue(Float.isNaN(Transcendentals.sigmoid(Float.NaN)));
    }

    /** The kernels' activations are Transcendentals' bits in the vector body and the scalar tail alike. */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void activationsGiveTheScalarFunctionsBitsAtEveryPosition(String implementation) {
        Kernels k = Implementations.named(implementation);
        Random random = new Random(5L);
        float[] specials = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 88.72f, -88.72f,
                -103.97f, -110f, 0.625f, -0.625f, 0.62499994f, 1e-30f, -44.4f, Float.MIN_VALUE};
        for (int n = 1; n <= 70; n++) {
            float[] z = new float[n + 3];
            for (int i = 0; i < z.length; i++) {
                z[i] = random.nextInt(4) == 0 ? specials[random.nextInt(specials.length)]
                        : (float) (random.nextGaussian() * Math.pow(10, random.nextInt(5) - 2));
            }
            float[] sig = new float[n + 3];
            float[] tanh = new float[n + 3];
            k.activate(Pointwise.SIGMOID, 0f, n, z, 3, sig, 3);
            k.activate(Pointwise.TANH, 0f, n, z, 3, tanh, 3);
            for (int i = 3; i < n + 3; i++) {
                assertBits(Transcendentals.sigmoid(z[i]), sig[i], "sigmoid", z[i], i, n);
                assertBits(Transcendentals.tanh(z[i]), tanh[i], "tanh", z[i], i, n);
            }
        }
    }

    /** Softmax rows are the same bits whatever the row's position, and the exponentials are Transcendentals.exp. */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void softmaxRowsUseTheScalarExp(String implementation) {
        Kernels k = Implementations.named(implementation);
        Random random = new Random(9L);
        for (int cols : new int[] {1, 2, 10, 16, 17, 42, 64, 100}) {
            float[] z = new float[3 * cols];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) random.nextGaussian() * 10f;
            }
            float[] p = new float[3 * cols];
            k.softmaxRows(3, cols, z, 0, p, 0);
            for (int r = 0; r < 3; r++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < cols; j++) {
                    max = Math.max(max, z[r * cols + j]);
                }
                float[] row = new float[cols];
                k.softmaxRows(1, cols, z, r * cols, row, 0);
                for (int j = 0; j < cols; j++) {
                    assertBits(row[j], p[r * cols + j], "softmax row " + r + " alone", z[r * cols + j], j, cols);
                    double want = Transcendentals.exp(z[r * cols + j] - max) / sumOfExps(z, r * cols, cols, max);
                    assertEquals(want, p[r * cols + j], 1e-6 * want, "softmax " + cols + " at " + r + "," + j);
                }
            }
        }
    }

    private static double sumOfExps(float[] z, int off, int cols, float max) {
        double s = 0;
        for (int j = 0; j < cols; j++) {
            s += Transcendentals.exp(z[off + j] - max);
        }
        return s;
    }

    /** The same bits; any NaN matches any NaN (a NaN's sign and payload carry no meaning, and -z flips the sign). */
    private static void assertBits(float expected, float actual, String what, float z, int i, int n) {
        if (Float.isNaN(expected) && Float.isNaN(actual)) {
            return;
        }
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                what + "(" + z + ") at " + i + " of " + n + ": " + expected + " vs " + actual);
    }

    /** The largest error in ulps of the correctly rounded value, over every STRIDE-th float in [lo, hi]. */
    private static double sweep(float lo, float hi, FloatUnary f, DoubleUnaryOperator exact) {
        double worst = 0;
        // Walk the bit patterns: the negative half from lo up to -0, the positive half from +0 to hi.
        worst = Math.max(worst, walk(Math.min(lo, -0f), Math.min(hi, -0f), f, exact));
        worst = Math.max(worst, walk(Math.max(lo, 0f), Math.max(hi, 0f), f, exact));
        return worst;
    }

    private static double walk(float a, float b, FloatUnary f, DoubleUnaryOperator exact) {
        int from = Float.floatToRawIntBits(a), to = Float.floatToRawIntBits(b);
        int lo = Math.min(from, to), hi = Math.max(from, to);
        double worst = 0;
        for (long bits = lo; bits <= hi; bits += STRIDE) {
            float x = Float.intBitsToFloat((int) bits);
            double want = exact.applyAsDouble(x);
            float got = f.apply(x);
            float rounded = (float) want;
            if (rounded == 0f || Float.isInfinite(rounded)) {
                continue; // the ends are checked exactly above
            }
            // The ulp of the binade of the exact value (below a power of two, the smaller one).
            double ulp = Math.scalb(1.0, Math.max(Math.getExponent(want), Float.MIN_EXPONENT) - 23);
            double err = Math.abs(got - want) / ulp;
            worst = Math.max(worst, err);
        }
        return worst;
    }

    @FunctionalInterface
    private interface FloatUnary {
        float apply(float x);
    }
}
