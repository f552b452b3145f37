package io.backlane.kernel;

/**
 * The GEMM without the Vector API. Its packed path ({@link #packedProduct}) is a loop nest that C2
 * vectorizes by itself, about 60 GFLOP/s at 512³ on Zen 4 (the 4×4 micro-kernel below ran at 10):
 * each row of a block of B, and each row of sums, is an array of its own, so that every inner loop
 * indexes its arrays by its loop variable alone. Prepacked weights are laid out the same way, as
 * rows ({@link #readsWeightRows}), and multiplied by the same loop nest.
 *
 * <p>The portable blocked loop nest of {@link BlockedGemm} still has this engine's plain-Java 4×4
 * micro-kernel ({@code microKernel4x4}, its 16 sums in local variables that C2 keeps in
 * registers), and the tests hold it against the reference, but no product of this engine takes
 * that path any more. (An earlier 4×16 kernel that summed into one array at offsets, hoping for
 * auto-vectorization, ran at half its speed: C2 does not vectorize a loop that reads and writes
 * arrays at offsets it cannot compare.)
 */
final class ScalarGemm extends BlockedGemm {
    /** The tile shape as constants, so that C2 folds the strip strides in the micro-kernel. */
    static final int MR = 4;
    static final int NR = 4;

    /**
     * The tuning table of {@link #microKernel4x4}. Only the tile is its own: the cache blocks and the
     * unpacked-path thresholds are the vector kernel's values ({@code VectorGemm.BLOCKING}) as they
     * were before its KC went to 512, not tuned again for this fallback; with strips 4 floats wide
     * they fit the same caches (AMD Zen 4 / Zen 5: L1D 32 / 48 KiB, L2 1 MiB per core, L3 32 MiB per
     * CCD) with room to spare.
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

    /**
     * The packed path's own block sizes ({@link #packedProduct}): KC rows of B by STRIP columns,
     * 256 × 256 floats = 256 KiB, which lives in L2 (1 MiB) while every 4 rows of A stream past it;
     * the 4 rows of sums, 4 KiB, stay in L1. A strip of 256 ran the row loop at 75 GFLOP/s alone on
     * Zen 4, 128 at 53, 64 at 31: C2 vectorizes each row loop, and a longer one spends less of its
     * time in its pre- and post-loops.
     */
    static final int ROWS_KC = 256;
    static final int ROWS_STRIP = 256;

    /**
     * The packed path, vectorized by C2 (SuperWord) instead of by hand: C2 vectorizes a loop over
     * j whose arrays are all indexed by j alone, since two such accesses of one array never overlap
     * across iterations, but not a loop that reads and writes one array at offsets it cannot
     * compare (the packed strips of {@link #blocked}). So each row of a block of op(B) is an array of
     * its own, and so is each of the 4 rows of sums. Per 4 steps of k and each column, the loop
     * loads 4 values of B and 4 sums and makes 16 fused multiply-adds; the elements of A are read
     * where they lie, as scalars, and need no packing. Every element of C is one chain of FMAs in
     * the order of k, whatever the shape around it.
     */
    @Override
    void packedProduct(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float beta, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        ws.ensureRows(Math.min(ROWS_KC, k), MR, Math.min(ROWS_STRIP, n));
        float[][] rows = ws.bRows;
        int rowStep = transA ? 1 : lda;   // op(A)[i][p] = a[aOff + i·rowStep + p·colStep]
        int colStep = transA ? lda : 1;
        for (int j0 = 0; j0 < n; j0 += ROWS_STRIP) {
            int width = Math.min(ROWS_STRIP, n - j0);
            for (int pc = 0; pc < k; pc += ROWS_KC) {
                int kc = Math.min(ROWS_KC, k - pc);
                for (int p = 0; p < kc; p++) {
                    copyRowOfOpB(transB, b, bOff, ldb, pc + p, j0, width, rows[p]);
                }
                float betaBlock = pc == 0 ? beta : 1f; // beta applies once; later blocks accumulate
                multiplyRows(m, width, kc, alpha, betaBlock, a, aOff + pc * colStep, rowStep, colStep, rows, 0,
                        ws.sumRows, c, cOff + j0, ldc);
            }
        }
    }

    /** op(B)[p][j0 .. j0 + width) into {@code row}: a row of B, or gathered down a column of Bᵀ. */
    private static void copyRowOfOpB(boolean transB, float[] b, int bOff, int ldb, int p, int j0, int width, float[] row) {
        if (transB) {
            for (int j = 0, src = bOff + j0 * ldb + p; j < width; j++, src += ldb) {
                row[j] = b[src];
            }
        } else {
            System.arraycopy(b, bOff + p * ldb + j0, row, 0, width);
        }
    }

    /**
     * C[0:m, 0:width] = alpha·op(A)[0:m, 0:kc]·B + beta·C (beta 0: C not read), B's kc rows being
     * {@code rows[rowsOff ..]}: 4 rows of A at a time into the rows of sums, then into C.
     */
    private static void multiplyRows(int m, int width, int kc, float alpha, float beta,
                                     float[] a, int aOff, int rowStep, int colStep, float[][] rows, int rowsOff,
                                     float[][] sums, float[] c, int cOff, int ldc) {
        for (int i0 = 0; i0 < m; i0 += MR) {
            int rowsHere = Math.min(MR, m - i0);
            int aBlock = aOff + i0 * rowStep;
            for (int r = 0; r < rowsHere; r++) {
                java.util.Arrays.fill(sums[r], 0, width, 0f);
            }
            if (rowsHere == MR) {
                sumRows4(width, kc, a, aBlock, rowStep, colStep, rows, rowsOff, sums);
            } else {
                for (int r = 0; r < rowsHere; r++) {
                    sumRow(width, kc, a, aBlock + r * rowStep, colStep, rows, rowsOff, sums[r]);
                }
            }
            for (int r = 0; r < rowsHere; r++) {
                float[] sum = sums[r];
                int cRow = cOff + (i0 + r) * ldc;
                for (int j = 0; j < width; j++) {
                    c[cRow + j] = beta == 0f ? alpha * sum[j] : alpha * sum[j] + beta * c[cRow + j];
                }
            }
        }
    }

    /**
     * Weights are prepacked as rows ({@link WeightsLayout#ROWS}) wherever they would be tiled, so
     * that a product with them runs the loop nest of {@link #packedProduct} on them as they are:
     * W's transposed rows cut into strips of {@link #ROWS_STRIP} columns, rows[s·k + p] being
     * Wᵀ[p][s·STRIP ..]. Against the 4×4 micro-kernel on Zen 4: 784-256-128-10 prediction of 64
     * rows 4.3× faster, of one row 2.2×; a product of 64 rows 1.1–1.3× (3 or 4 outputs) to 3.7× (128
     * outputs of 256 inputs). A single row with few outputs loses a little (10 outputs of 128
     * inputs: 0.84 µs against 0.38), less than a wider layer of the same network gains.
     */
    @Override
    boolean readsWeightRows() {
        return true;
    }

    @Override
    float[][] newWeightRows(int n, int k) {
        int strips = (n + ROWS_STRIP - 1) / ROWS_STRIP;
        float[][] rows = new float[Math.multiplyExact(strips, k)][];
        for (int s = 0; s < strips; s++) {
            int width = Math.min(ROWS_STRIP, n - s * ROWS_STRIP);
            for (int p = 0; p < k; p++) {
                rows[s * k + p] = new float[width];
            }
        }
        return rows;
    }

    @Override
    void packWeightRows(int n, int k, float[] w, int wOff, float[][] rows) {
        for (int s = 0, j0 = 0; j0 < n; s++, j0 += ROWS_STRIP) {
            int width = Math.min(ROWS_STRIP, n - j0);
            for (int p = 0; p < k; p++) { // op(B) = Wᵀ
                copyRowOfOpB(true, w, wOff, k, p, j0, width, rows[s * k + p]);
            }
        }
    }

    /**
     * C = A·Wᵀ with W as rows: the loop nest of {@link #packedProduct} on W's own rows, in the same
     * k-blocks whatever m is, so that each element of C is one chain of FMAs in the same order (a
     * row of C has the same bits alone as in a batch).
     */
    @Override
    void multiplyWeightRows(int m, int n, int k, float[] a, int aOff, int lda, float[][] rows,
                            float[] c, int cOff, int ldc, GemmWorkspace ws) {
        ws.ensureSums(MR, Math.min(ROWS_STRIP, n));
        for (int s = 0, j0 = 0; j0 < n; s++, j0 += ROWS_STRIP) {
            int width = Math.min(ROWS_STRIP, n - j0);
            for (int pc = 0; pc < k; pc += ROWS_KC) {
                multiplyRows(m, width, Math.min(ROWS_KC, k - pc), 1f, pc == 0 ? 0f : 1f, a, aOff + pc, lda, 1,
                        rows, s * k + pc, ws.sumRows, c, cOff + j0, ldc);
            }
        }
    }

    /** sums[r][0:width] += Σ_p op(A)[r][p]·rows[rowsOff + p][0:width] for the 4 rows r, 4 steps of p at a time. */
    private static void sumRows4(int width, int kc, float[] a, int aOff, int rowStep, int colStep,
                                 float[][] rows, int rowsOff, float[][] sums) {
        float[] s0 = sums[0], s1 = sums[1], s2 = sums[2], s3 = sums[3];
        int p = 0;
        for (; p + 4 <= kc; p += 4) {
            float[] b0 = rows[rowsOff + p], b1 = rows[rowsOff + p + 1], b2 = rows[rowsOff + p + 2], b3 = rows[rowsOff + p + 3];
            int e0 = aOff + p * colStep, e1 = e0 + rowStep, e2 = e1 + rowStep, e3 = e2 + rowStep;
            float a00 = a[e0], a01 = a[e0 + colStep], a02 = a[e0 + 2 * colStep], a03 = a[e0 + 3 * colStep];
            float a10 = a[e1], a11 = a[e1 + colStep], a12 = a[e1 + 2 * colStep], a13 = a[e1 + 3 * colStep];
            float a20 = a[e2], a21 = a[e2 + colStep], a22 = a[e2 + 2 * colStep], a23 = a[e2 + 3 * colStep];
            float a30 = a[e3], a31 = a[e3 + colStep], a32 = a[e3 + 2 * colStep], a33 = a[e3 + 3 * colStep];
            for (int j = 0; j < width; j++) {
                float x0 = b0[j], x1 = b1[j], x2 = b2[j], x3 = b3[j];
                s0[j] = Math.fma(a03, x3, Math.fma(a02, x2, Math.fma(a01, x1, Math.fma(a00, x0, s0[j]))));
                s1[j] = Math.fma(a13, x3, Math.fma(a12, x2, Math.fma(a11, x1, Math.fma(a10, x0, s1[j]))));
                s2[j] = Math.fma(a23, x3, Math.fma(a22, x2, Math.fma(a21, x1, Math.fma(a20, x0, s2[j]))));
                s3[j] = Math.fma(a33, x3, Math.fma(a32, x2, Math.fma(a31, x1, Math.fma(a30, x0, s3[j]))));
            }
        }
        for (; p < kc; p++) {
            float[] b0 = rows[rowsOff + p];
            int e0 = aOff + p * colStep;
            float a0 = a[e0], a1 = a[e0 + rowStep], a2 = a[e0 + 2 * rowStep], a3 = a[e0 + 3 * rowStep];
            for (int j = 0; j < width; j++) {
                float x0 = b0[j];
                s0[j] = Math.fma(a0, x0, s0[j]);
                s1[j] = Math.fma(a1, x0, s1[j]);
                s2[j] = Math.fma(a2, x0, s2[j]);
                s3[j] = Math.fma(a3, x0, s3[j]);
            }
        }
    }

    /** One row of {@link #sumRows4}, the same chain of FMAs per element: op(A)'s row at {@code a[aOff + p·colStep]}. */
    private static void sumRow(int width, int kc, float[] a, int aOff, int colStep, float[][] rows, int rowsOff, float[] sum) {
        for (int p = 0; p < kc; p++) {
            float[] b0 = rows[rowsOff + p];
            float x = a[aOff + p * colStep];
            for (int j = 0; j < width; j++) {
                sum[j] = Math.fma(x, b0[j], sum[j]);
            }
        }
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
