package io.backlane.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.stream.IntStream;

import static io.backlane.kernel.ArrayAsserts.assertClose;
import static io.backlane.kernel.ArrayAsserts.assertUnchanged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The element-wise kernels of both implementations against {@link NaiveReference}, on every length
 * from 0 to 70 (empty, shorter than a vector, each tail length) and two of a few thousand, at non-zero
 * offsets, both into a separate destination and in place. Each destination has guard elements on
 * both sides that must not change, which catches a vector tail that runs past the end.
 */
class ElementwiseKernelsTest {
    private static final int[] LENGTHS = IntStream.concat(IntStream.rangeClosed(0, 70), IntStream.of(3001, 4099)).toArray();
    private static final int GUARD = 3;
    /** A few ulps of float rounding (FMA or not, exp/tanh within an ulp or two), far below any real bug. */
    private static final double REL = 1e-6;
    private static final double ABS = 1e-6;
    private static final Pointwise[] ELEMENT_WISE = {
        Pointwise.SIGMOID, Pointwise.TANH, Pointwise.RELU, Pointwise.LEAKY_RELU, Pointwise.IDENTITY};
    private static final float SLOPE = 0.1f;

    /** A vector of n random values in [lo, hi) at a random non-zero offset, between random guards. */
    private static final class Slice {
        final float[] data;
        final int off;
        final int n;

        Slice(Random rnd, int n, float lo, float hi) {
            this.off = 1 + rnd.nextInt(GUARD);
            this.n = n;
            this.data = ArrayAsserts.random(rnd, off + n + GUARD, lo, hi);
        }

        float[] copy() {
            return data.clone();
        }
    }

    private static String what(String kernel, String impl, int n, String mode) {
        return kernel + " [" + impl + "] n=" + n + " " + mode;
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void axpy(String impl) {
        Kernels k = Implementations.named(impl);
        Random rnd = new Random(10);
        for (int n : LENGTHS) {
            Slice x = new Slice(rnd, n, -1, 1);
            Slice y = new Slice(rnd, n, -1, 1);
            float alpha = -0.7f;
            float[] xBefore = x.copy(), yBefore = y.copy(), expected = y.copy();
            NaiveReference.axpy(n, alpha, x.data, x.off, expected, y.off);
            k.axpy(n, alpha, x.data, x.off, y.data, y.off);
            assertClose(expected, y.data, y.off, n, REL, ABS, yBefore, what("axpy", impl, n, "y"));
            assertUnchanged(xBefore, x.data, what("axpy", impl, n, "x"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void scale(String impl) {
        Kernels k = Implementations.named(impl);
        Random rnd = new Random(11);
        for (int n : LENGTHS) {
            Slice x = new Slice(rnd, n, -3, 3);
            float[] before = x.copy(), expected = x.copy();
            NaiveReference.scale(n, 1.7f, expected, x.off);
            k.scale(n, 1.7f, x.data, x.off);
            assertClose(expected, x.data, x.off, n, REL, ABS, before, what("scale", impl, n, "in place"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void sumOfSquaresAccumulatesInDouble(String impl) {
        Kernels k = Implementations.named(impl);
        Random rnd = new Random(12);
        for (int n : LENGTHS) {
            Slice x = new Slice(rnd, n, -2, 2);
            double expected = NaiveReference.sumOfSquares(n, x.data, x.off);
            // Squares of floats are exact in double; only the order of the additions differs.
            assertEquals(expected, k.sumOfSquares(n, x.data, x.off), 1e-13 * expected, what("sumOfSquares", impl, n, ""));
        }
        // One large value among many small ones: a float accumulator rounds away every 1e-4²
        // (1e-8 is below half an ulp of 1e4), losing about 1e-3 in all; a double one stays within
        // ~1e-7 of the reference (adding 1e-8 to 1e4 rounds the same way 100,000 times).
        int n = 100_003;
        float[] x = new float[n];
        java.util.Arrays.fill(x, 1e-4f);
        x[0] = 100f;
        double expected = NaiveReference.sumOfSquares(n, x, 0);
        assertEquals(expected, k.sumOfSquares(n, x, 0), 1e-5, what("sumOfSquares", impl, n, "large + many small"));
    }

    /** Σ max(z, 0) − z·y + log1p(e^−|z|) in double, term by term: the exact loss the kernels approximate. */
    private static double naiveBinaryCrossEntropy(int n, float[] z, int zOff, float[] y, int yOff) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double zi = z[zOff + i];
            sum += Math.max(zi, 0) - zi * y[yOff + i] + Math.log1p(Math.exp(-Math.abs(zi)));
        }
        return sum;
    }

    /**
     * Against the double reference, on every length, with logits from −40 to 40 (where e^−|z| runs
     * from 1 down into the subnormals) and hard and soft targets; then the extremes: saturated
     * logits give the exact large loss, a NaN or infinite logit a sum that is not finite.
     */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void binaryCrossEntropy(String impl) {
        Kernels k = Implementations.named(impl);
        Random rnd = new Random(13);
        for (int n : LENGTHS) {
            Slice z = new Slice(rnd, n, -40, 40);
            Slice y = new Slice(rnd, n, 0, 1);
            for (int i = 0; i < n; i += 3) { // two in three targets hard
                y.data[y.off + i] = Math.round(y.data[y.off + i]);
                if (i + 1 < n) {
                    y.data[y.off + i + 1] = Math.round(y.data[y.off + i + 1]);
                }
            }
            for (int i = 0; i < n; i += 5) { // and some logits near 0, where log(1 + e) is largest
                z.data[z.off + i] *= 1e-3f;
            }
            double expected = naiveBinaryCrossEntropy(n, z.data, z.off, y.data, y.off);
            double tolerance = 1e-6 * naiveBinaryCrossEntropy(n, z.data, z.off, new float[n + y.off], y.off) + 1e-12;
            float[] zBefore = z.copy(), yBefore = y.copy();
            assertEquals(expected, k.binaryCrossEntropy(n, z.data, z.off, y.data, y.off), tolerance,
                    what("binaryCrossEntropy", impl, n, ""));
            assertUnchanged(zBefore, z.data, what("binaryCrossEntropy", impl, n, "z"));
            assertUnchanged(yBefore, y.data, what("binaryCrossEntropy", impl, n, "y"));
        }
        // Saturated logits, each position of a vector and of the tail: the loss of a confident
        // mistake is |z| itself, of a confident success e^−|z| (or 0), never infinite.
        float[] pattern = {1000f, -1000f, Float.MAX_VALUE, -Float.MAX_VALUE, 88f, -88f, 0f, -0f, 17f};
        int n = 67;
        float[] z = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = pattern[i % pattern.length];
            y[i] = (i / pattern.length) % 2;
        }
        double expected = naiveBinaryCrossEntropy(n, z, 0, y, 0);
        assertTrue(Double.isFinite(expected));
        assertEquals(expected, k.binaryCrossEntropy(n, z, 0, y, 0), 1e-6 * expected, impl + " saturated logits");
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            for (int at : new int[] {0, 5, n - 1}) {
                float[] poisoned = z.clone();
                poisoned[at] = bad;
                float[] target = new float[n];
                java.util.Arrays.fill(target, 1f); // y = 1: infinite logits give ∞ − ∞ or +∞
                double sum = k.binaryCrossEntropy(n, poisoned, 0, target, 0);
                assertTrue(!Double.isFinite(sum), impl + " z[" + at + "] = " + bad + " gave " + sum);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void hadamard(String impl) {
        Kernels k = Implementations.named(impl);
        Random rnd = new Random(13);
        for (int n : LENGTHS) {
            Slice x = new Slice(rnd, n, -2, 2);
            Slice y = new Slice(rnd, n, -2, 2);
            Slice dst = new Slice(rnd, n, -2, 2);
            float[] xBefore = x.copy(), yBefore = y.copy();

            float[] expected = dst.copy();
            NaiveReference.hadamard(n, x.data, x.off, y.data, y.off, expected, dst.off);
            float[] dstBefore = dst.copy();
            k.hadamard(n, x.data, x.off, y.data, y.off, dst.data, dst.off);
            assertClose(expected, dst.data, dst.off, n, REL, ABS, dstBefore, what("hadamard", impl, n, "into dst"));
            assertUnchanged(xBefore, x.data, what("hadamard", impl, n, "x"));
            assertUnchanged(yBefore, y.data, what("hadamard", impl, n, "y"));

            expected = x.copy();
            NaiveReference.hadamard(n, x.data, x.off, y.data, y.off, expected, x.off);
            k.hadamard(n, x.data, x.off, y.data, y.off, x.data, x.off);
            assertClose(expected, x.data, x.off, n, REL, ABS, xBefore, what("hadamard", impl, n, "dst = x"));

            expected = y.copy();
            NaiveReference.hadamard(n, xBefore, x.off, y.data, y.off, expected, y.off);
            k.hadamard(n, xBefore, x.off, y.data, y.off, y.data, y.off);
            assertClose(expected, y.data, y.off, n, REL, ABS, yBefore, what("hadamard", impl, n, "dst = y"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void addBiasRows(String impl) {
        Kernels k = Implementations.named(impl);
        Random rnd = new Random(14);
        for (int cols : LENGTHS) {
            for (int rows : new int[] {0, 1, 3, 37}) { // 37: rows of one column span vectors and a tail
                Slice bias = new Slice(rnd, cols, -1, 1);
                Slice c = new Slice(rnd, rows * cols, -1, 1);
                float[] biasBefore = bias.copy(), cBefore = c.copy(), expected = c.copy();
                NaiveReference.addBiasRows(rows, cols, bias.data, bias.off, expected, c.off);
                k.addBiasRows(rows, cols, bias.data, bias.off, c.data, c.off);
                String what = what("addBiasRows", impl, cols, rows + " rows");
                assertClose(expected, c.data, c.off, rows * cols, REL, ABS, cBefore, what);
                assertUnchanged(biasBefore, bias.data, what + ", bias");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void columnSums(String impl) {
        Kernels k = Implementations.named(impl);
        Random rnd = new Random(15);
        float[][] alphaBeta = {{1f, 0f}, {0.25f, 1f}, {-2f, 0.3f}};
        for (int cols : LENGTHS) {
            for (int rows : new int[] {0, 1, 3, 8, 13}) {
                for (int gap : new int[] {0, 5}) { // lda = cols + gap: some columns of a wider matrix
                    for (float[] ab : alphaBeta) {
                        float alpha = ab[0], beta = ab[1];
                        int lda = cols + gap;
                        Slice a = new Slice(rnd, rows * lda, -1, 1);
                        Slice dst = new Slice(rnd, cols, -1, 1);
                        if (beta == 0f) {
                            java.util.Arrays.fill(dst.data, dst.off, dst.off + cols, Float.NaN); // must not be read
                        }
                        float[] aBefore = a.copy(), dstBefore = dst.copy(), expected = dst.copy();
                        NaiveReference.columnSums(rows, cols, alpha, a.data, a.off, lda, beta, expected, dst.off);
                        if (gap == 0) {
                            k.columnSums(rows, cols, alpha, a.data, a.off, beta, dst.data, dst.off);
                        } else {
                            k.columnSums(rows, cols, alpha, a.data, a.off, lda, beta, dst.data, dst.off);
                        }
                        String what = what("columnSums", impl, cols, rows + " rows, lda " + lda + ", alpha " + alpha + ", beta " + beta);
                        assertClose(expected, dst.data, dst.off, cols, 0, 1e-6 * (rows * Math.abs(alpha) + 1), dstBefore, what);
                        assertUnchanged(aBefore, a.data, what + ", a");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void activate(String impl) {
        Kernels k = Implementations.named(impl);
        Random rnd = new Random(16);
        for (Pointwise g : ELEMENT_WISE) {
            for (int n : LENGTHS) {
                Slice src = new Slice(rnd, n, -6, 6);
                Slice dst = new Slice(rnd, n, -1, 1);
                float[] srcBefore = src.copy();

                float[] expected = dst.copy(), dstBefore = dst.copy();
                NaiveReference.activate(g, SLOPE, n, src.data, src.off, expected, dst.off);
                k.activate(g, SLOPE, n, src.data, src.off, dst.data, dst.off);
                assertClose(expected, dst.data, dst.off, n, REL, ABS, dstBefore, what("activate " + g, impl, n, "into dst"));
                assertUnchanged(srcBefore, src.data, what("activate " + g, impl, n, "src"));

                expected = src.copy();
                NaiveReference.activate(g, SLOPE, n, src.data, src.off, expected, src.off);
                k.activate(g, SLOPE, n, src.data, src.off, src.data, src.off);
                assertClose(expected, src.data, src.off, n, REL, ABS, srcBefore, what("activate " + g, impl, n, "in place"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void activateBackward(String impl) {
        Kernels k = Implementations.named(impl);
        Random rnd = new Random(17);
        for (Pointwise g : ELEMENT_WISE) {
            for (int n : LENGTHS) {
                Slice dA = new Slice(rnd, n, -2, 2);
                Slice a = new Slice(rnd, n, -1, 1);
                for (int i = 0; i < n; i += 5) {
                    a.data[a.off + i] = 0f; // ReLU's derivative at the kink is the one for a <= 0
                }
                Slice dZ = new Slice(rnd, n, -1, 1);
                float[] dABefore = dA.copy(), aBefore = a.copy();

                float[] expected = dZ.copy(), dZBefore = dZ.copy();
                NaiveReference.activateBackward(g, SLOPE, n, dA.data, dA.off, a.data, a.off, expected, dZ.off);
                k.activateBackward(g, SLOPE, n, dA.data, dA.off, a.data, a.off, dZ.data, dZ.off);
                String what = what("activateBackward " + g, impl, n, "");
                assertClose(expected, dZ.data, dZ.off, n, REL, ABS, dZBefore, what + "into dZ");
                assertUnchanged(dABefore, dA.data, what + "dA");
                assertUnchanged(aBefore, a.data, what + "a");

                expected = dA.copy();
                NaiveReference.activateBackward(g, SLOPE, n, dA.data, dA.off, a.data, a.off, expected, dA.off);
                k.activateBackward(g, SLOPE, n, dA.data, dA.off, a.data, a.off, dA.data, dA.off);
                assertClose(expected, dA.data, dA.off, n, REL, ABS, dABefore, what + "dZ = dA");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void softmaxRows(String impl) {
        Kernels k = Implementations.named(impl);
        Random rnd = new Random(18);
        for (int cols : LENGTHS) {
            if (cols == 0) {
                continue; // rejected: see KernelValidationTest
            }
            for (int rows : new int[] {0, 1, 3, 37}) {
                Slice src = new Slice(rnd, rows * cols, -8, 8);
                Slice dst = new Slice(rnd, rows * cols, -1, 1);
                float[] srcBefore = src.copy();
                String what = what("softmaxRows", impl, cols, rows + " rows");

                float[] expected = dst.copy(), dstBefore = dst.copy();
                NaiveReference.softmaxRows(rows, cols, src.data, src.off, expected, dst.off);
                k.softmaxRows(rows, cols, src.data, src.off, dst.data, dst.off);
                // The float sum of a few thousand exponentials is good to about 1e-6 relative.
                assertClose(expected, dst.data, dst.off, rows * cols, 1e-5, 1e-9, dstBefore, what + " into dst");
                assertRowsSumToOne(rows, cols, dst.data, dst.off, what);
                assertUnchanged(srcBefore, src.data, what + " src");

                expected = src.copy();
                NaiveReference.softmaxRows(rows, cols, src.data, src.off, expected, src.off);
                k.softmaxRows(rows, cols, src.data, src.off, src.data, src.off);
                assertClose(expected, src.data, src.off, rows * cols, 1e-5, 1e-9, srcBefore, what + " in place");
            }
        }
    }

    /** A prediction's promise: each row's probabilities have the same bits alone as in any batch (rows shorter than a vector share one exp pass). */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void softmaxRowHasTheSameBitsAloneAndInABatch(String impl) {
        Kernels k = Implementations.named(impl);
        Random rnd = new Random(19);
        for (int cols : new int[] {1, 2, 3, 7, 10, 15, 16, 17, 33}) {
            int rows = 41;
            float[] z = ArrayAsserts.random(rnd, rows * cols, -30, 30);
            float[] batch = new float[rows * cols];
            k.softmaxRows(rows, cols, z, 0, batch, 0);
            for (int r = 0; r < rows; r++) {
                float[] alone = new float[cols];
                k.softmaxRows(1, cols, z, r * cols, alone, 0);
                for (int j = 0; j < cols; j++) {
                    assertEquals(Float.floatToRawIntBits(batch[r * cols + j]), Float.floatToRawIntBits(alone[j]),
                            impl + " " + cols + " columns: row " + r + ", column " + j);
                }
            }
        }
    }

    private static void assertRowsSumToOne(int rows, int cols, float[] x, int off, String what) {
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                float p = x[off + r * cols + j];
                assertTrue(p >= 0f && p <= 1f, what + ": row " + r + " has " + p);
                sum += p;
            }
            assertEquals(1.0, sum, 1e-5, what + ": row " + r + " sums to " + sum);
        }
    }

    /** Inputs far outside the range where exp is finite: no NaN, no infinity, the right limits. */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void largeInputsStayFinite(String impl) {
        Kernels k = Implementations.named(impl);
        float[] pattern = {-1000f, 1000f, -Float.MAX_VALUE, Float.MAX_VALUE, -100f, 100f, -89f, 89f, -20f, 20f, 0f, -0f};
        int n = 67; // several vectors and a tail, whatever the vector width
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = pattern[i % pattern.length];
        }

        float[] s = new float[n];
        k.activate(Pointwise.SIGMOID, 0f, n, z, 0, s, 0);
        float[] t = new float[n];
        k.activate(Pointwise.TANH, 0f, n, z, 0, t, 0);
        for (int i = 0; i < n; i++) {
            String at = impl + " z=" + z[i];
            assertTrue(s[i] >= 0f && s[i] <= 1f, "sigmoid " + at + " = " + s[i]);
            assertTrue(t[i] >= -1f && t[i] <= 1f, "tanh " + at + " = " + t[i]);
            assertEquals((float) NaiveReference.activation(Pointwise.SIGMOID, 0f, z[i]), s[i], 1e-6, "sigmoid " + at);
            assertEquals((float) NaiveReference.activation(Pointwise.TANH, 0f, z[i]), t[i], 1e-6, "tanh " + at);
        }
        assertEquals(0f, s[0], "sigmoid(-1000)");
        assertEquals(1f, s[1], "sigmoid(1000)");
        assertEquals(0.5f, s[10], "sigmoid(0)");

        // One row per shift of the pattern, so the extremes land in vector bodies and in tails.
        int cols = 37, rows = pattern.length;
        float[] x = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                x[r * cols + j] = pattern[(r + j) % pattern.length];
            }
        }
        float[] p = new float[x.length];
        k.softmaxRows(rows, cols, x, 0, p, 0);
        assertRowsSumToOne(rows, cols, p, 0, impl + " softmax of ±1000 and ±MAX_VALUE");
        float[] expected = new float[x.length];
        NaiveReference.softmaxRows(rows, cols, x, 0, expected, 0);
        assertClose(expected, p, 0, p.length, 1e-5, 1e-9, p, impl + " softmax of ±1000 and ±MAX_VALUE");

        float[] big = {1000f, 1000f, -1000f, 999f};
        k.softmaxRows(1, 4, big, 0, big, 0);
        float e = (float) Math.exp(-1);
        float sum = 2 + e;
        assertEquals(1 / sum, big[0], 1e-6);
        assertEquals(1 / sum, big[1], 1e-6);
        assertEquals(0f, big[2]);
        assertEquals(e / sum, big[3], 1e-6);
    }
}
