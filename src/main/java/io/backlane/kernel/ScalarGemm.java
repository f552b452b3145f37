package io.backlane.kernel;

/**
 * The blocked GEMM with a plain-Java 4×4 micro-kernel ({@code microKernel4x4}), its 16 sums in
 * local variables that C2 keeps in registers; no Vector API. (An earlier 4×16 kernel that summed
 * into an array, hoping for auto-vectorization, ran at half the speed: C2 did not vectorize it.)
 */
final class ScalarGemm extends BlockedGemm {
    /** The tile shape as constants, so that C2 folds the strip strides in the micro-kernel. */
    static final int MR = 4;
    static final int NR = 4;

    /**
     * The tuning table of {@link #microKernel4x4}. Only the tile is its own: the cache blocks and the
     * unpacked-path thresholds repeat the vector kernel's values ({@code VectorGemm.BLOCKING}), not
     * tuned again for this fallback; with strips 4 floats wide they fit the same caches (AMD Zen 4 /
     * Zen 5: L1D 32 / 48 KiB, L2 1 MiB per core, L3 32 MiB per CCD) with room to spare.
     */
    static final Blocking BLOCKING = new Blocking(
            // mr 4, nr 4: 16 sums in local variables that C2 keeps in registers; each element of A
            // or B loaded feeds four multiply-adds.
            MR,
            NR,
            // kc 256: the B strip, kc × nr = 4 KiB, stays in L1D (32 KiB on Zen 4, 48 KiB on Zen 5)
            // while the A strips of the block, 4 KiB each, stream past it from L2.
            256,
            // mc 192: the A block, mc × kc = 192 KiB, stays in L2 (1 MiB per core).
            192,
            // nc 4096: the B panel, kc × nc = 4 MiB, lives in L3 (32 MiB per CCD).
            4096,
            // unpackedMaxK 4, unpackedMaxVolume 32³: as in the vector kernel's table.
            4,
            32L * 32 * 32,
            // dotMaxM 0: its dot products are untiled, one element of C at a time, so A·Bᵀ takes
            // the packed path like any other product, where each load feeds four multiply-adds
            // (dotMinVectors is then unused).
            0, 0,
            // narrowMaxN 0: no narrow kernel; narrow products are packed like any other.
            0);

    ScalarGemm() {
        super(BLOCKING);
    }

    @Override
    void microKernel(int kc, float[] pa, int paOff, float[] pb, int pbOff,
                     float alpha, float beta, float[] c, int cOff, int ldc) {
        microKernel4x4(kc, pa, paOff, pb, pbOff, alpha, beta, c, cOff, ldc);
    }

    /**
     * C[0:4, 0:4] = alpha·Σ_p a_p ⊗ b_p + beta·C with the 16 sums in local variables, which C2
     * keeps in registers: two loads per multiply-add pair instead of a load and a store of an
     * accumulator array.
     */
    private static void microKernel4x4(int kc, float[] pa, int paOff, float[] pb, int pbOff,
                                       float alpha, float beta, float[] c, int cOff, int ldc) {
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int p = 0, ai = paOff, bi = pbOff; p < kc; p++, ai += MR, bi += NR) {
            float b0 = pb[bi], b1 = pb[bi + 1], b2 = pb[bi + 2], b3 = pb[bi + 3];
            float a0 = pa[ai];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            float a1 = pa[ai + 1];
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            float a2 = pa[ai + 2];
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            float a3 = pa[ai + 3];
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        storeRow4(c00, c01, c02, c03, alpha, beta, c, cOff);
        storeRow4(c10, c11, c12, c13, alpha, beta, c, cOff + ldc);
        storeRow4(c20, c21, c22, c23, alpha, beta, c, cOff + 2 * ldc);
        storeRow4(c30, c31, c32, c33, alpha, beta, c, cOff + 3 * ldc);
    }

    /** One unpacked row of A times a packed B strip: a row of {@link #microKernel4x4}, in the same order. */
    @Override
    void rowKernel(int kc, float[] a, int aOff, float[] pb, int pbOff, float beta, float[] c, int cOff) {
        float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f;
        for (int p = 0, bi = pbOff; p < kc; p++, bi += NR) {
            float x = a[aOff + p];
            c0 += x * pb[bi]; c1 += x * pb[bi + 1]; c2 += x * pb[bi + 2]; c3 += x * pb[bi + 3];
        }
        storeRow4(c0, c1, c2, c3, 1f, beta, c, cOff);
    }

    @Override
    void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int j = 0; j < n; j++) {
            y[yOff + j] += alpha * x[xOff + j];
        }
    }

    @Override
    void axpby(int n, float alpha, float[] x, int xOff, float beta, float[] y, int yOff) {
        if (beta == 0f) {
            for (int j = 0; j < n; j++) {
                y[yOff + j] = alpha * x[xOff + j];
            }
        } else {
            for (int j = 0; j < n; j++) {
                y[yOff + j] = alpha * x[xOff + j] + beta * y[yOff + j];
            }
        }
    }

    /** One dot product per element of C: only products that skip packing come here (dotMaxM is 0). */
    @Override
    void dotProducts(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int cRow = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                float d = alpha * dot(k, a, aOff + i * lda, b, bOff + j * ldb);
                c[cRow + j] = beta == 0f ? d : d + beta * c[cRow + j];
            }
        }
    }

    private static float dot(int k, float[] x, int xOff, float[] y, int yOff) {
        // Four partial sums break the dependency chain of one running sum.
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            s0 += x[xOff + p] * y[yOff + p];
            s1 += x[xOff + p + 1] * y[yOff + p + 1];
            s2 += x[xOff + p + 2] * y[yOff + p + 2];
            s3 += x[xOff + p + 3] * y[yOff + p + 3];
        }
        for (; p < k; p++) {
            s0 += x[xOff + p] * y[yOff + p];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
