package io.backlane.kernel;

import java.util.Arrays;

/**
 * The blocked GEMM with a plain-Java 4×16 micro-kernel. Its accumulators live in the workspace's
 * tile so the inner loop is a simple 16-wide multiply-add that C2 can auto-vectorize; no Vector API.
 */
final class ScalarGemm extends BlockedGemm {
    static final int MR = 4;
    static final int NR = 16;

    ScalarGemm() {
        super(MR, NR);
    }

    @Override
    void microKernel(int kc, float[] pa, int paOff, float[] pb, int pbOff,
                     float alpha, float beta, float[] c, int cOff, int ldc, float[] scratch) {
        microKernelToTile(kc, pa, paOff, pb, pbOff, alpha, scratch);
        for (int i = 0; i < MR; i++) {
            int row = cOff + i * ldc;
            int t = i * NR;
            if (beta == 0f) {
                System.arraycopy(scratch, t, c, row, NR);
            } else {
                for (int j = 0; j < NR; j++) {
                    c[row + j] = scratch[t + j] + beta * c[row + j];
                }
            }
        }
    }

    @Override
    void microKernelToTile(int kc, float[] pa, int paOff, float[] pb, int pbOff, float alpha, float[] tile) {
        Arrays.fill(tile, 0, MR * NR, 0f);
        for (int p = 0; p < kc; p++) {
            int aRow = paOff + p * MR;
            int bRow = pbOff + p * NR;
            for (int i = 0; i < MR; i++) {
                float ai = pa[aRow + i];
                int t = i * NR;
                for (int j = 0; j < NR; j++) {
                    tile[t + j] += ai * pb[bRow + j];
                }
            }
        }
        if (alpha != 1f) {
            for (int t = 0; t < MR * NR; t++) {
                tile[t] *= alpha;
            }
        }
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

    @Override
    float dot(int k, float[] x, int xOff, float[] y, int yOff) {
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
