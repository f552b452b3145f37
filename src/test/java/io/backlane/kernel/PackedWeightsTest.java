package io.backlane.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Kernels#packWeights} and {@link Kernels#multiplyPacked} against the naive reference on
 * shapes around every edge of the loop nest (rows around MR, columns around NR and past one NC
 * panel, depths around KC), at offsets; and the property that makes it the prediction path: a row
 * of C has the same bits whatever the batch it is computed in.
 */
class PackedWeightsTest {
    private static final int[] ROWS = {1, 2, 3, 4, 5, 7, 8, 13, 64, 197};
    private static final int[] COLUMNS = {1, 3, 10, 15, 16, 17, 32, 33, 63, 64, 65, 130, 255, 256, 257};

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void matchesTheNaiveProductOnEveryEdgeOfTheLoopNest(String implementation) {
        Kernels kernels = Implementations.named(implementation);
        GemmWorkspace ws = new GemmWorkspace();
        Random rnd = new Random(21L);
        int kc = blockDepth(kernels);
        int[] depths = {1, 2, 7, 16, 31, kc - 1, kc, kc + 1, 2 * kc + 88};
        for (int m : ROWS) {
            for (int n : COLUMNS) {
                int k = depths[rnd.nextInt(depths.length)];
                GemmCase.of("NT", m, n, k, 1f, 0f).check(packedProduct(kernels, ws), rnd, false);
            }
        }
        // More columns than one NC panel (4096): the second panel's offset in the packed weights.
        GemmCase.of("NT", 5, 4100, 3, 1f, 0f).check(packedProduct(kernels, ws), rnd, false);
        // Several strips of columns and blocks of depth at once (the scalar kernels' rows: 256 × 256).
        GemmCase.of("NT", 9, 300, 2 * kc + 88, 1f, 0f).check(packedProduct(kernels, ws), rnd, false);
    }

    /** C = A·Bᵀ (alpha 1, beta 0, tight layouts) as a prediction computes it: B packed, then multiplied. */
    private static GemmCase.Gemm packedProduct(Kernels kernels, GemmWorkspace ws) {
        return (ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) ->
                kernels.multiplyPacked(m, a, aOff, kernels.packWeights(n, k, b, bOff), c, cOff, ws);
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void eachRowHasTheSameBitsAloneAndInAnyBatch(String implementation) {
        Kernels kernels = Implementations.named(implementation);
        GemmWorkspace ws = new GemmWorkspace();
        Random rnd = new Random(22L);
        for (int[] shape : new int[][] {{784, 256}, {256, 128}, {128, 10}, {30, 16}, {16, 1}, {600, 65}, {600, 300}}) {
            int k = shape[0], n = shape[1], m = 203;
            float[] w = randoms(rnd, n * k);
            float[] a = randoms(rnd, m * k);
            PackedWeights packed = kernels.packWeights(n, k, w, 0);
            float[] all = new float[m * n];
            kernels.multiplyPacked(m, a, 0, packed, all, 0, ws);
            float[] part = new float[m * n];
            for (int start = 0; start < m; start += 1 + rnd.nextInt(9)) {
                int rows = Math.min(m - start, rnd.nextInt(3) == 0 ? 1 : 1 + rnd.nextInt(70));
                Arrays.fill(part, Float.NaN);
                kernels.multiplyPacked(rows, a, start * k, packed, part, 0, ws);
                for (int i = 0; i < rows * n; i++) {
                    assertEquals(Float.floatToRawIntBits(all[start * n + i]), Float.floatToRawIntBits(part[i]),
                            "n=" + n + " k=" + k + ": row " + (start + i / n) + " column " + i % n
                                    + " in a batch of " + rows + " from row " + start + " vs. in one of " + m);
                }
            }
        }
    }

    /**
     * The bias and ReLU added in the GEMM's write-back have the bits of the separate passes
     * (addBiasRows, then activate with ReLU) on every edge of the loop nest, in every layout of the
     * weights, with a NaN in A (which both must carry to C), infinities and exact cancellations in
     * the bias, and touch nothing outside C's window.
     */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void theBiasAndReluInTheWriteBackHaveTheBitsOfTheSeparatePasses(String implementation) {
        Kernels kernels = Implementations.named(implementation);
        GemmWorkspace ws = new GemmWorkspace();
        Random rnd = new Random(24L);
        int kc = blockDepth(kernels);
        int[] depths = {1, 7, 30, kc - 1, kc, kc + 1, 2 * kc + 88};
        for (int m : ROWS) {
            for (int n : COLUMNS) {
                checkBiasAndRelu(kernels, ws, rnd, m, n, depths[rnd.nextInt(depths.length)], rnd.nextBoolean());
            }
        }
        // Whole tiles read in place over several blocks of k, with and without ReLU; and past one NC
        // panel (4096 columns): the second panel's bias, whole strips (4160) and a partial one (4100).
        for (int[] shape : new int[][] {{8, 256, 2 * kc + 88}, {64, 256, kc + 1}, {9, 4100, kc + 1}, {12, 4160, 3}}) {
            for (boolean relu : new boolean[] {false, true}) {
                checkBiasAndRelu(kernels, ws, rnd, shape[0], shape[1], shape[2], relu);
            }
        }
    }

    /** Where k is cut into blocks: the tile's kc, or the scalar kernels' rows. */
    private static int blockDepth(Kernels kernels) {
        BlockedGemm engine = Implementations.engineOf(kernels);
        return engine instanceof ScalarGemm ? ScalarGemm.ROWS_KC : engine.blocking.kc();
    }

    /** One case of the test above: C = A·Wᵀ + b, with ReLU or not, fused against the separate passes, bit for bit. */
    private static void checkBiasAndRelu(Kernels kernels, GemmWorkspace ws, Random rnd, int m, int n, int k, boolean relu) {
        int aOff = rnd.nextInt(3), biasOff = rnd.nextInt(3), cOff = rnd.nextInt(3);
        float[] a = randoms(rnd, aOff + m * k);
        if (rnd.nextInt(4) == 0) {
            a[aOff + rnd.nextInt(m * k)] = Float.NaN;
        }
        float[] bias = randoms(rnd, biasOff + n + 2);
        bias[biasOff + rnd.nextInt(n)] = rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        PackedWeights w = kernels.packWeights(n, k, randoms(rnd, n * k), 0);

        float[] separate = randoms(rnd, cOff + m * n + 3);
        float[] fused = separate.clone();
        kernels.multiplyPacked(m, a, aOff, w, separate, cOff, ws);
        int cancelled = rnd.nextInt(m * n); // a bias that cancels one product exactly: C + b is then +0
        if (Float.isFinite(separate[cOff + cancelled])) {
            bias[biasOff + cancelled % n] = -separate[cOff + cancelled];
        }
        kernels.addBiasRows(m, n, bias, biasOff, separate, cOff);
        if (relu) {
            kernels.activate(Pointwise.RELU, 0f, m * n, separate, cOff, separate, cOff);
        }
        kernels.multiplyPackedAddBias(m, a, aOff, w, bias, biasOff, relu, fused, cOff, ws);
        for (int i = 0; i < fused.length; i++) {
            assertEquals(Float.floatToRawIntBits(separate[i]), Float.floatToRawIntBits(fused[i]),
                    kernels.name() + " m=" + m + " n=" + n + " k=" + k + " relu=" + relu + ": element " + i
                            + " (C from " + cOff + ")");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void readsAndWritesOnlyItsWindows(String implementation) {
        Kernels kernels = Implementations.named(implementation);
        Random rnd = new Random(23L);
        int m = 6, n = 19, k = 21;
        float[] w = new float[7 + n * k + 3];
        Arrays.fill(w, Float.NaN); // poison around the window: a read outside it shows in C
        float[] wValues = randoms(rnd, n * k);
        System.arraycopy(wValues, 0, w, 7, n * k);
        float[] a = new float[5 + m * k + 2];
        Arrays.fill(a, Float.NaN);
        float[] aValues = randoms(rnd, m * k);
        System.arraycopy(aValues, 0, a, 5, m * k);
        float[] c = randoms(rnd, 3 + m * n + 4);
        float[] cBefore = c.clone();
        kernels.multiplyPacked(m, a, 5, kernels.packWeights(n, k, w, 7), c, 3, new GemmWorkspace());

        float[] expected = new float[m * n];
        NaiveReference.sgemm(false, true, m, n, k, 1f, aValues, 0, k, wValues, 0, k, 0f, expected, 0, n);
        for (int i = 0; i < m * n; i++) {
            assertEquals(expected[i], c[3 + i], 1e-5 * k, "C[" + i / n + "][" + i % n + "]");
        }
        for (int i = 0; i < c.length; i++) {
            if (i < 3 || i >= 3 + m * n) {
                assertEquals(cBefore[i], c[i], "C outside its window at " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void repackingInPlaceGivesWhatAFreshPackGives(String implementation) {
        Kernels kernels = Implementations.named(implementation);
        GemmWorkspace ws = new GemmWorkspace();
        Random rnd = new Random(23L);
        for (int[] shape : new int[][] {{784, 256}, {30, 16}, {300, 10}, {257, 65}}) {
            int k = shape[0], n = shape[1], m = 9, wOff = 5;
            PackedWeights reused = kernels.packWeights(n, k, randoms(rnd, n * k), 0);
            float[] w = randoms(rnd, wOff + n * k);
            kernels.repackWeights(reused, w, wOff);
            float[] a = randoms(rnd, m * k);
            float[] fromReused = new float[m * n];
            float[] fromFresh = new float[m * n];
            kernels.multiplyPacked(m, a, 0, reused, fromReused, 0, ws);
            kernels.multiplyPacked(m, a, 0, kernels.packWeights(n, k, w, wOff), fromFresh, 0, ws);
            assertTrue(Arrays.equals(fromFresh, fromReused), implementation + " " + n + " x " + k);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void aWideMatrixIsTiledANarrowOneTransposedOrKeptAsItIs(String implementation) {
        Kernels kernels = Implementations.named(implementation);
        BlockedGemm engine = Implementations.engineOf(kernels);
        assertTrue(kernels.packWeights(256, 30, new float[256 * 30], 0).isTiled(), "a layer of 256 units");
        assertTrue(!kernels.packWeights(1, 30, new float[30], 0).isTiled(), "one unit: kept for dot products");
        assertEquals(2 * 10 > engine.blocking.nr(), kernels.packWeights(10, 128, new float[10 * 128], 0).isTiled(),
                "10 units of 128 inputs: kept for dot products in whole vectors, unless they fill half a tile");
        int lanes = engine.vectorLength(), n = engine.blocking.narrowMaxN(), k = 3 * lanes - 1;
        for (int units : new int[] {1, 2, 10, 16, 33, 256}) {
            for (int inputs : new int[] {1, 30, 128, 3 * lanes - 1}) {
                assertEquals(kernels.packWeights(units, inputs, new float[units * inputs], 0).isTiled(),
                        kernels.tilesWeights(units, inputs), "tilesWeights says what packWeights does: " + units + " x " + inputs);
            }
        }
        if (n > 0) { // dot products of 3L - 1 would run mostly in their scalar tails
            assertEquals(BlockedGemm.WeightsLayout.NARROW, engine.weightsLayout(n, k));
            assertTrue(kernels.packWeights(n, k, new float[n * k], 0).isTiled(), n + " units of " + k + " inputs");
        }
    }

    /**
     * Prepacked weights and sgemm's A·Bᵀ pick the same kernel for every narrow layer (of a batch
     * large enough to leave the small-product path): dot products or the narrow kernel.
     */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void prepackedWeightsAndSgemmMultiplyANarrowLayerAlike(String implementation) {
        BlockedGemm engine = Implementations.engineOf(Implementations.named(implementation));
        int lanes = engine.vectorLength();
        for (int n = 1; n <= engine.blocking.narrowMaxN(); n++) {
            for (int k = engine.blocking.unpackedMaxK() + 1; k <= 5 * lanes + 3; k++) {
                boolean narrowLayout = engine.weightsLayout(n, k) == BlockedGemm.WeightsLayout.NARROW;
                assertEquals(narrowLayout, engine.useNarrow(false, true, 4096, n, k), n + " units of " + k + " inputs");
            }
        }
        if (lanes >= 8) { // the measured cases of BlockedGemm.dotsPay
            assertEquals(BlockedGemm.WeightsLayout.AS_IS, engine.weightsLayout(1, 2 * lanes - 2), "one unit: dot products");
            assertEquals(BlockedGemm.WeightsLayout.AS_IS, engine.weightsLayout(lanes / 4, lanes), "a quarter vector of units, one vector of inputs");
            assertEquals(BlockedGemm.WeightsLayout.NARROW, engine.weightsLayout(2, 2 * lanes - 2), "two units, inputs mostly in the scalar tail");
            assertEquals(BlockedGemm.WeightsLayout.NARROW, engine.weightsLayout(lanes / 4 + 1, lanes), "more than a quarter vector of units");
        }
    }

    @Test
    void refusesWeightsPackedForOtherKernels() {
        Kernels vector = Implementations.named(Implementations.VECTOR);
        Kernels scalar = KernelProvider.scalar();
        PackedWeights w = vector.packWeights(4, 3, new float[12], 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scalar.multiplyPacked(1, new float[3], 0, w, new float[4], 0, new GemmWorkspace()));
        assertTrue(e.getMessage().contains("packed by vector"), e.getMessage());
        // Another instance of the same kind reads the same layout.
        KernelProvider.scalar().multiplyPacked(1, new float[3], 0, scalar.packWeights(4, 3, new float[12], 0),
                new float[4], 0, new GemmWorkspace());
    }

    @Test
    void refusesBadWindows() {
        Kernels scalar = KernelProvider.scalar();
        PackedWeights mine = scalar.packWeights(4, 3, new float[12], 0);
        assertEquals(4, mine.outputs());
        assertEquals(3, mine.inputs());
        GemmWorkspace ws = new GemmWorkspace();
        assertThrows(IllegalArgumentException.class, () -> scalar.multiplyPacked(2, new float[5], 0, mine, new float[8], 0, ws));
        assertThrows(IllegalArgumentException.class, () -> scalar.multiplyPacked(2, new float[6], 0, mine, new float[7], 0, ws));
        assertThrows(IllegalArgumentException.class, () -> scalar.multiplyPacked(-1, new float[6], 0, mine, new float[8], 0, ws));
        assertThrows(IllegalArgumentException.class, () -> scalar.multiplyPacked(1, new float[3], 0, null, new float[4], 0, ws));
        assertThrows(IllegalArgumentException.class, () -> scalar.multiplyPacked(1, new float[3], 0, mine, new float[4], 0, null));
        assertThrows(IllegalArgumentException.class, () -> scalar.packWeights(4, 3, new float[11], 0));
        assertThrows(IllegalArgumentException.class, () -> scalar.packWeights(0, 3, new float[12], 0));
        assertThrows(IllegalArgumentException.class, () -> scalar.packWeights(4, 3, null, 0));
        assertThrows(IllegalArgumentException.class, () -> scalar.repackWeights(mine, new float[11], 0));
        assertThrows(IllegalArgumentException.class, () -> scalar.repackWeights(mine, new float[12], 1));
        assertThrows(IllegalArgumentException.class, () -> scalar.repackWeights(null, new float[12], 0));
        PackedWeights vectors = Implementations.named(Implementations.VECTOR).packWeights(4, 3, new float[12], 0);
        if (vectors.engine != mine.engine) {
            assertThrows(IllegalArgumentException.class, () -> scalar.repackWeights(vectors, new float[12], 0));
        }
    }

    private static float[] randoms(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = 2 * rnd.nextFloat() - 1;
        }
        return x;
    }
}
