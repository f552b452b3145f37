package io.backlane.kernel;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/** Comparisons of kernel output with the reference, and checks that nothing outside a range moved. */
final class ArrayAsserts {
    private ArrayAsserts() {
    }

    /** Uniform values in [lo, hi). */
    static float[] random(Random rnd, int length, float lo, float hi) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = lo + (hi - lo) * rnd.nextFloat();
        }
        return x;
    }

    /**
     * |actual − expected| ≤ abs + rel·|expected| on [off, off + n) (NaN always fails); elsewhere the
     * arrays must be bit-for-bit equal to {@code before}, the destination as it was before the call.
     */
    static void assertClose(float[] expected, float[] actual, int off, int n, double rel, double abs,
                            float[] before, String what) {
        for (int i = off; i < off + n; i++) {
            double tol = abs + rel * Math.abs(expected[i]);
            if (!(Math.abs((double) actual[i] - expected[i]) <= tol)) {
                fail(what + ": element " + (i - off) + " (index " + i + ") is " + actual[i]
                        + ", expected " + expected[i] + " ± " + tol);
            }
        }
        assertUntouchedOutside(before, actual, off, n, what);
    }

    /** Everything outside [off, off + n) is bit-for-bit as it was. */
    static void assertUntouchedOutside(float[] before, float[] actual, int off, int n, String what) {
        for (int i = 0; i < before.length; i++) {
            if ((i < off || i >= off + n) && Float.floatToRawIntBits(before[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": index " + i + " outside [" + off + ", " + (off + n) + ") changed from "
                        + before[i] + " to " + actual[i]);
            }
        }
    }

    /** The whole array is bit-for-bit as it was (an input the kernel must only read). */
    static void assertUnchanged(float[] before, float[] actual, String what) {
        assertUntouchedOutside(before, actual, 0, 0, what);
    }
}
