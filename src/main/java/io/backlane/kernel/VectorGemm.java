package io.backlane.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The blocked GEMM with a Vector API micro-kernel of 4 rows × 4 vectors ({@code microKernel4x4v}:
 * 4×64 floats with 512-bit vectors, 4×32 with 256-bit). Each of the KC steps broadcasts one element
 * of the A strip per row and multiplies-adds it against four vectors of the B strip: 16 independent
 * FMA chains held in registers, enough to cover the FMA latency on two FMA pipes.
 */
final class VectorGemm extends BlockedGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 4;
    static final int NR = 4 * L;

    VectorGemm() {
        super(MR, NR);
    }

    @Override
    void microKernel(int kc, float[] pa, int paOff, float[] pb, int pbOff,
                     float alpha, float beta, float[] c, int cOff, int ldc, float[] scratch) {
        microKernel4x4v(kc, pa, paOff, pb, pbOff, alpha, beta, c, cOff, ldc);
    }

    @Override
    void microKernelToTile(int kc, float[] pa, int paOff, float[] pb, int pbOff, float alpha, float[] tile) {
        // The same kernel, writing to a tile whose leading dimension is NR and ignoring its contents.
        microKernel4x4v(kc, pa, paOff, pb, pbOff, alpha, 0f, tile, 0, NR);
    }

    /** C[0:4, 0:4L] = alpha · Σ_p a_p ⊗ b_p + beta · C over kc packed rank-1 updates. */
    private static void microKernel4x4v(int kc, float[] pa, int paOff, float[] pb, int pbOff,
                                        float alpha, float beta, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0, ai = paOff, bi = pbOff; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, pb, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, pb, bi + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, pa[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
        }
        // Write-back, unrolled by hand on purpose: a vector passed to a helper method that C2 does
        // not inline (a call site outside the hot loop is only inlined when tiny) is boxed, which
        // would allocate on every tile. Each branch ends in its own stores for the same reason
        // (a vector merged at a phi is boxed too).
        FloatVector va = FloatVector.broadcast(S, alpha);
        int r0 = cOff, r1 = cOff + ldc, r2 = cOff + 2 * ldc, r3 = cOff + 3 * ldc;
        if (beta == 0f) {
            c00.mul(va).intoArray(c, r0);
            c01.mul(va).intoArray(c, r0 + L);
            c02.mul(va).intoArray(c, r0 + 2 * L);
            c03.mul(va).intoArray(c, r0 + 3 * L);
            c10.mul(va).intoArray(c, r1);
            c11.mul(va).intoArray(c, r1 + L);
            c12.mul(va).intoArray(c, r1 + 2 * L);
            c13.mul(va).intoArray(c, r1 + 3 * L);
            c20.mul(va).intoArray(c, r2);
            c21.mul(va).intoArray(c, r2 + L);
            c22.mul(va).intoArray(c, r2 + 2 * L);
            c23.mul(va).intoArray(c, r2 + 3 * L);
            c30.mul(va).intoArray(c, r3);
            c31.mul(va).intoArray(c, r3 + L);
            c32.mul(va).intoArray(c, r3 + 2 * L);
            c33.mul(va).intoArray(c, r3 + 3 * L);
        } else {
            FloatVector vb = FloatVector.broadcast(S, beta);
            FloatVector.fromArray(S, c, r0).fma(vb, c00.mul(va)).intoArray(c, r0);
            FloatVector.fromArray(S, c, r0 + L).fma(vb, c01.mul(va)).intoArray(c, r0 + L);
            FloatVector.fromArray(S, c, r0 + 2 * L).fma(vb, c02.mul(va)).intoArray(c, r0 + 2 * L);
            FloatVector.fromArray(S, c, r0 + 3 * L).fma(vb, c03.mul(va)).intoArray(c, r0 + 3 * L);
            FloatVector.fromArray(S, c, r1).fma(vb, c10.mul(va)).intoArray(c, r1);
            FloatVector.fromArray(S, c, r1 + L).fma(vb, c11.mul(va)).intoArray(c, r1 + L);
            FloatVector.fromArray(S, c, r1 + 2 * L).fma(vb, c12.mul(va)).intoArray(c, r1 + 2 * L);
            FloatVector.fromArray(S, c, r1 + 3 * L).fma(vb, c13.mul(va)).intoArray(c, r1 + 3 * L);
            FloatVector.fromArray(S, c, r2).fma(vb, c20.mul(va)).intoArray(c, r2);
            FloatVector.fromArray(S, c, r2 + L).fma(vb, c21.mul(va)).intoArray(c, r2 + L);
            FloatVector.fromArray(S, c, r2 + 2 * L).fma(vb, c22.mul(va)).intoArray(c, r2 + 2 * L);
            FloatVector.fromArray(S, c, r2 + 3 * L).fma(vb, c23.mul(va)).intoArray(c, r2 + 3 * L);
            FloatVector.fromArray(S, c, r3).fma(vb, c30.mul(va)).intoArray(c, r3);
            FloatVector.fromArray(S, c, r3 + L).fma(vb, c31.mul(va)).intoArray(c, r3 + L);
            FloatVector.fromArray(S, c, r3 + 2 * L).fma(vb, c32.mul(va)).intoArray(c, r3 + 2 * L);
            FloatVector.fromArray(S, c, r3 + 3 * L).fma(vb, c33.mul(va)).intoArray(c, r3 + 3 * L);
        }
    }

    @Override
    void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        axpyVector(n, alpha, x, xOff, y, yOff);
    }

    @Override
    void axpby(int n, float alpha, float[] x, int xOff, float beta, float[] y, int yOff) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int bound = S.loopBound(n);
        int j = 0;
        if (beta == 0f) { // separate loops: a vector merged from two branches would be boxed
            for (; j < bound; j += L) {
                FloatVector.fromArray(S, x, xOff + j).mul(va).intoArray(y, yOff + j);
            }
            for (; j < n; j++) {
                y[yOff + j] = alpha * x[xOff + j];
            }
        } else {
            FloatVector vb = FloatVector.broadcast(S, beta);
            for (; j < bound; j += L) {
                FloatVector.fromArray(S, x, xOff + j).fma(va, FloatVector.fromArray(S, y, yOff + j).mul(vb))
                        .intoArray(y, yOff + j);
            }
            for (; j < n; j++) {
                y[yOff + j] = alpha * x[xOff + j] + beta * y[yOff + j];
            }
        }
    }

    @Override
    float dot(int k, float[] x, int xOff, float[] y, int yOff) {
        return dotVector(k, x, xOff, y, yOff);
    }

    /** y += alpha·x, vector body and scalar tail. */
    static void axpyVector(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        int j = 0;
        int bound = S.loopBound(n);
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (; j < bound; j += L) {
            FloatVector.fromArray(S, x, xOff + j).fma(va, FloatVector.fromArray(S, y, yOff + j))
                    .intoArray(y, yOff + j);
        }
        for (; j < n; j++) {
            y[yOff + j] += alpha * x[xOff + j];
        }
    }

    /** Σ x·y with four vector accumulators, then a scalar tail. */
    static float dotVector(int k, float[] x, int xOff, float[] y, int yOff) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int p = 0;
        for (; p + 4 * L <= k; p += 4 * L) {
            s0 = FloatVector.fromArray(S, x, xOff + p).fma(FloatVector.fromArray(S, y, yOff + p), s0);
            s1 = FloatVector.fromArray(S, x, xOff + p + L).fma(FloatVector.fromArray(S, y, yOff + p + L), s1);
            s2 = FloatVector.fromArray(S, x, xOff + p + 2 * L).fma(FloatVector.fromArray(S, y, yOff + p + 2 * L), s2);
            s3 = FloatVector.fromArray(S, x, xOff + p + 3 * L).fma(FloatVector.fromArray(S, y, yOff + p + 3 * L), s3);
        }
        for (; p + L <= k; p += L) {
            s0 = FloatVector.fromArray(S, x, xOff + p).fma(FloatVector.fromArray(S, y, yOff + p), s0);
        }
        float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            s += x[xOff + p] * y[yOff + p];
        }
        return s;
    }
}
