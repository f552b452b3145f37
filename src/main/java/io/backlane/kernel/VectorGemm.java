package io.backlane.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The blocked GEMM with a Vector API micro-kernel of 4 rows × 4 vectors ({@code microKernel4x4v}:
 * 4×64 floats with 512-bit vectors, 4×32 with 256-bit). Each of the KC steps broadcasts one element
 * of the A strip per row and multiplies-adds it against four vectors of the B strip: 16 independent
 * FMA chains held in registers, enough to cover the FMA latency on two FMA pipes. The same tile
 * reads A's rows in place ({@code rowsKernel4x4v}) where nothing scales the product. On a CPU with
 * 16 vector registers (AVX2) the tile runs as two halves and A is always packed
 * ({@link #SIXTEEN_REGISTERS}). Products of at most two vectors of columns run on the narrow
 * kernels ({@code narrowRows8x1v} and its siblings: 8 rows × 1 or 2 vectors, over all of k,
 * nothing packed), and A·Bᵀ with few long rows on tiled dot products ({@code dotKernel4x4}).
 */
final class VectorGemm extends BlockedGemm {
    /** The CPU's widest float species, capped at 512 bits (the width the kernels are written for). */
    static final VectorSpecies<Float> WIDEST = FloatVector.SPECIES_PREFERRED.vectorBitSize() > 512
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
    /**
     * The species of every kernel: {@code -Dbacklane.vectorBits} when the CPU has that width, else
     * {@link #WIDEST}. A static final constant on purpose: C2 intrinsifies the Vector API only for a
     * constant species (a species read from a field that is not final ran 2.5× slower, and allocated).
     */
    static final VectorSpecies<Float> S = species(KernelProvider.requestedVectorBits());
    static final int L = S.length();
    /** The tile shape as constants, so that C2 folds the strip strides in the micro-kernel. */
    static final int MR = 4;
    static final int NR = 4 * L;
    /**
     * Whether the CPU has only 16 vector registers: x86 without AVX-512 (AVX2), whatever width was
     * requested. The kernels with 16 accumulators need about 21 registers, and C2 spills on AVX2:
     * measured on Zen 4 held to AVX2 (-XX:UseAVX=2), the 4×4-vector tile ran at 17 GFLOP/s, below the
     * scalar fallback's 55. There the tile runs as two 4×2-vector halves (8 accumulators, 11
     * registers: 71 GFLOP/s at 512³), A is packed rather than read in place by rowsKernel4x4v
     * (prediction of 64 rows 1.4× faster), and a single row runs two pairs of strips rather than
     * rowKernel4x1x4v (+3.5%); every element is still the same chain of FMAs. The narrow 8×2v and
     * the dot-product 4×4 kernels stay: the first measured even against two 8×1v passes, the second
     * 1.17× faster than 1×4 tiles. (An AVX-512 CPU whose JVM caps vectors below 512 bits, as with
     * -XX:MaxVectorSize=32, also takes these forms: correct, if slower than it could be.)
     */
    static final boolean SIXTEEN_REGISTERS = isX86() && FloatVector.SPECIES_PREFERRED.vectorBitSize() < 512;

    /**
     * The tuning table of {@link #microKernel4x4v}, for the AMD Zen 4 / Zen 5 cores it was measured
     * on: 512-bit vectors (L = 16 floats), 32 vector registers, two FMA pipes of 4 cycles' latency,
     * L1D 32 KiB (Zen 4) / 48 KiB (Zen 5), L2 1 MiB per core, L3 32 MiB per CCD. Byte counts below
     * are at 512 bits, 4 bytes a float; {@link BlockedGemm} shows where each block lives. With these
     * values the square products from 256³ on run at 148–167 GFLOP/s on Zen 5 (bench/README.md).
     */
    static final Blocking BLOCKING = new Blocking(
            // mr 4: with four vectors per row, 16 accumulators; with the four B vectors and one
            // broadcast of A, 21 of the 32 AVX-512 registers. 16 independent FMA chains are twice the
            // 4 × 2 = 8 that two 4-cycle FMA pipes need in flight. (AVX2 has only 16 registers, fewer
            // than these 21 vectors: there the tile runs in two halves, see SIXTEEN_REGISTERS.)
            MR,
            // nr 4·L = 64 floats: four vectors per row, so that each broadcast of A feeds 4 FMAs.
            // A last strip of at most 2L = 32 columns runs microKernel4x2v instead (edgeKernel), and
            // one of at most L = 16 (the 784-wide layer's) microKernel8x1v (edgeStrip): 16 columns
            // then cost 16 columns of FMAs instead of 64.
            // Taller tiles with fewer vectors per row (12×2, 14×2, 8×3, 6×4 vectors: 24–28
            // accumulators) measured at 31–74 GFLOP/s on Zen 4 against 86 for this one: C2 keeps
            // only 7 of their 24 accumulators in registers and reloads/stores the rest every step.
            // (On Zen 5, 12×2 and 8×2 compiled well alone, 224–226 GFLOP/s against 213–217 for this
            // tile, but 8×2 was no faster in the products; 12×2 was not tried there. bench/README.md,
            // the Zen 5 section.)
            // Alone, on strips in cache, this kernel runs at ~108 GFLOP/s on Zen 4 (95 % of peak).
            NR,
            // kc 512: the C tile (16 loads when beta is not 0, 16 stores) is paid once per 512 steps
            // of 16 FMAs. The B strip, kc × nr = 128 KiB, does not fit L1D (32 / 48 KiB), so it is
            // streamed from L2 on every call, 256 B per step beside 16 B of A: 34 B a cycle at Zen 5's
            // two 512-bit FMAs a cycle, half that on Zen 4, which splits each into two 256-bit halves.
            // Paired A/B on Zen 4 against kc 256: 1024³ +3 to +6%, 512³ +1.6%, the forward product
            // at batch 1024 (1024 × 784 · 784 × 256) +3.5%, training at batch 128 +4%; training at
            // batch 1024 and prediction unchanged (0.99–1.03×). kc 128 was slower on 1024³.
            512,
            // mc 192: the A block, mc × kc = 384 KiB, stays in L2 (1 MiB) beside the B strip it is
            // multiplied with (128 KiB); its 48 A strips reuse each B strip from L2.
            192,
            // nc 4096: the B panel, kc × nc = 8 MiB, lives in L3 (32 MiB per CCD); each A block streams
            // it from there once. Only n above 4096 is cut: the network's layers (n ≤ 784) take one
            // panel, 512 × 832 floats = 1.6 MiB at most (n rounded up to whole strips).
            4096,
            // unpackedMaxK 4: rank-k updates with k ≤ 4 (the weight gradient of a batch of 1 is
            // an outer product) are bound by writing C; packing would add two passes for at most
            // four multiply-adds per element of C.
            4,
            // unpackedMaxVolume 32³: packing both operands and padding to whole tiles does not pay
            // for itself on a product this small. Set by hand, not measured: no shape in
            // bench/README.md is this small.
            32L * 32 * 32,
            // dotMaxM 64, dotMinVectors 32: A·Bᵀ (a forward pass, Z = A·Wᵀ) with up to 64 rows
            // of at least 32 vectors (k ≥ 512 at 512 bits) runs as 4×4-tiled dot products,
            // unpacked: packing all of B (a layer's weights, transposed) costs more than a few rows
            // of A gain from the micro-kernel. Each tile ends in 16 horizontal sums, which shorter
            // rows do not pay for. Measured on Zen 4 (GemmBenchmark, transposed strips packed in
            // 4×4 register transposes): k = 784, n = 256: 86 / 89 / 90 GFLOP/s as dot products at
            // m = 32 / 64 / 128, against 75 / 83 / 89 packed; k = 256, n = 128: 57 / 66 / 65 as
            // dot products, against 72 / 84 / 92 packed.
            // With 16 registers (AVX2, Zen 4 with -XX:UseAVX=2), dotMaxM 16: dotKernel4x4 spills
            // there, and k = 784, n = 256 ran at 49 / 52 GFLOP/s as dot products at m = 16 / 64,
            // against 40 / 58 packed (k = 256, n = 128, m = 32: 42 against 49).
            SIXTEEN_REGISTERS ? 16 : 64, 32,
            // narrowMaxN 2·L = 32: up to two vectors per row, the narrow kernels 8×1v and 8×2v
            // (8 or 16 accumulators, like the micro-kernel's 16). Wider products fill the 4×64 tile
            // at least half.
            2 * L);

    VectorGemm() {
        super(BLOCKING);
    }

    /** The species of {@code requestedBits} (KernelProvider.WIDEST or 0 for none), or WIDEST when the CPU lacks it. */
    private static VectorSpecies<Float> species(int requestedBits) {
        if (requestedBits <= 0 || requestedBits > WIDEST.vectorBitSize()) {
            return WIDEST; // KernelProvider logs the refusal
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(requestedBits));
    }

    @Override
    int vectorLength() {
        return L;
    }

    private static boolean isX86() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86");
    }

    @Override
    void microKernel(int kc, float[] pa, int paOff, float[] pb, int pbOff,
                     float alpha, float beta, float[] c, int cOff, int ldc) {
        if (SIXTEEN_REGISTERS) { // the tile's two halves, each 8 accumulators (see SIXTEEN_REGISTERS)
            microKernel4x2v(kc, pa, paOff, pb, pbOff, alpha, beta, c, cOff, ldc);
            microKernel4x2v(kc, pa, paOff, pb, pbOff + 2 * L, alpha, beta, c, cOff + 2 * L, ldc);
            return;
        }
        microKernel4x4v(kc, pa, paOff, pb, pbOff, alpha, beta, c, cOff, ldc);
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
    boolean readsRowsUnpacked() {
        return !SIXTEEN_REGISTERS; // rowsKernel4x4v has 16 accumulators
    }

    /**
     * Four unpacked rows of A times a packed B strip ({@code rowsKernel4x4v}): the micro-kernel with
     * A's elements broadcast from its rows where they lie, 4 rows lda apart, so that a prediction
     * (and a training step's forward products and errors) packs only B. Alpha 1; beta 0 or 1, added
     * as {@link #rowKernel1x4v} adds it. Paired A/B on Zen 4 against packing A: prediction of 64
     * rows +2.4%, training +3% at batch 128 and +5% at 1024, square products +2–3%.
     */
    @Override
    void rowsKernel(int kc, float[] a, int aOff, int lda, float[] pb, int pbOff, float beta, float[] c, int cOff, int ldc) {
        rowsKernel4x4v(kc, a, aOff, lda, pb, pbOff, beta, c, cOff, ldc);
    }

    private static void rowsKernel4x4v(int kc, float[] a, int aOff, int lda, float[] pb, int pbOff,
                                       float beta, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        for (int p = 0, bi = pbOff; p < kc; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, pb, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, pb, bi + 3 * L);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            c02 = x0.fma(b2, c02);
            c03 = x0.fma(b3, c03);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            c12 = x1.fma(b2, c12);
            c13 = x1.fma(b3, c13);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            c22 = x2.fma(b2, c22);
            c23 = x2.fma(b3, c23);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            c32 = x3.fma(b2, c32);
            c33 = x3.fma(b3, c33);
        }
        // Write-back unrolled, each branch with its own stores (see microKernel4x4v).
        int r0 = cOff, r1 = cOff + ldc, r2 = cOff + 2 * ldc, r3 = cOff + 3 * ldc;
        if (beta == 0f) {
            c00.intoArray(c, r0);
            c01.intoArray(c, r0 + L);
            c02.intoArray(c, r0 + 2 * L);
            c03.intoArray(c, r0 + 3 * L);
            c10.intoArray(c, r1);
            c11.intoArray(c, r1 + L);
            c12.intoArray(c, r1 + 2 * L);
            c13.intoArray(c, r1 + 3 * L);
            c20.intoArray(c, r2);
            c21.intoArray(c, r2 + L);
            c22.intoArray(c, r2 + 2 * L);
            c23.intoArray(c, r2 + 3 * L);
            c30.intoArray(c, r3);
            c31.intoArray(c, r3 + L);
            c32.intoArray(c, r3 + 2 * L);
            c33.intoArray(c, r3 + 3 * L);
        } else {
            FloatVector.fromArray(S, c, r0).add(c00).intoArray(c, r0);
            FloatVector.fromArray(S, c, r0 + L).add(c01).intoArray(c, r0 + L);
            FloatVector.fromArray(S, c, r0 + 2 * L).add(c02).intoArray(c, r0 + 2 * L);
            FloatVector.fromArray(S, c, r0 + 3 * L).add(c03).intoArray(c, r0 + 3 * L);
            FloatVector.fromArray(S, c, r1).add(c10).intoArray(c, r1);
            FloatVector.fromArray(S, c, r1 + L).add(c11).intoArray(c, r1 + L);
            FloatVector.fromArray(S, c, r1 + 2 * L).add(c12).intoArray(c, r1 + 2 * L);
            FloatVector.fromArray(S, c, r1 + 3 * L).add(c13).intoArray(c, r1 + 3 * L);
            FloatVector.fromArray(S, c, r2).add(c20).intoArray(c, r2);
            FloatVector.fromArray(S, c, r2 + L).add(c21).intoArray(c, r2 + L);
            FloatVector.fromArray(S, c, r2 + 2 * L).add(c22).intoArray(c, r2 + 2 * L);
            FloatVector.fromArray(S, c, r2 + 3 * L).add(c23).intoArray(c, r2 + 3 * L);
            FloatVector.fromArray(S, c, r3).add(c30).intoArray(c, r3);
            FloatVector.fromArray(S, c, r3 + L).add(c31).intoArray(c, r3 + L);
            FloatVector.fromArray(S, c, r3 + 2 * L).add(c32).intoArray(c, r3 + 2 * L);
            FloatVector.fromArray(S, c, r3 + 3 * L).add(c33).intoArray(c, r3 + 3 * L);
        }
    }

    /**
     * One unpacked row of A times a packed B strip, four vectors wide ({@code rowKernel1x4v}): a row of
     * {@link #microKernel4x4v}, each lane's sum the same chain of FMAs in the same order.
     */
    @Override
    void rowKernel(int kc, float[] a, int aOff, float[] pb, int pbOff, float beta, float[] c, int cOff) {
        rowKernel1x4v(kc, a, aOff, pb, pbOff, beta, c, cOff);
    }

    private static void rowKernel1x4v(int kc, float[] a, int aOff, float[] pb, int pbOff, float beta, float[] c, int cOff) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0, bi = pbOff; p < kc; p++, bi += NR) {
            FloatVector x = FloatVector.broadcast(S, a[aOff + p]);
            c0 = x.fma(FloatVector.fromArray(S, pb, bi), c0);
            c1 = x.fma(FloatVector.fromArray(S, pb, bi + L), c1);
            c2 = x.fma(FloatVector.fromArray(S, pb, bi + 2 * L), c2);
            c3 = x.fma(FloatVector.fromArray(S, pb, bi + 3 * L), c3);
        }
        // beta 1: C + acc rounds as the micro-kernel's C·1 + acc·1. Each branch stores on its own (see microKernel4x4v).
        if (beta == 0f) {
            c0.intoArray(c, cOff);
            c1.intoArray(c, cOff + L);
            c2.intoArray(c, cOff + 2 * L);
            c3.intoArray(c, cOff + 3 * L);
        } else {
            FloatVector.fromArray(S, c, cOff).add(c0).intoArray(c, cOff);
            FloatVector.fromArray(S, c, cOff + L).add(c1).intoArray(c, cOff + L);
            FloatVector.fromArray(S, c, cOff + 2 * L).add(c2).intoArray(c, cOff + 2 * L);
            FloatVector.fromArray(S, c, cOff + 3 * L).add(c3).intoArray(c, cOff + 3 * L);
        }
    }

    /**
     * Four strips of one row at once ({@code rowKernel4x1x4v}): 16 accumulators and four streams of
     * B, each element computed as in {@link #rowKernel1x4v}. A prediction of one example streams the
     * weights, and four strips keep more loads in flight than two: +3.5% one-example predictions a
     * second on Zen 4 (paired A/B, quartiles +2.2 to +6.9%).
     */
    @Override
    void rowKernelQuad(int kc, float[] a, int aOff, float[] pb, int pbOff, int stripLength, float beta, float[] c, int cOff) {
        if (SIXTEEN_REGISTERS) { // two pairs of strips, 8 accumulators each
            super.rowKernelQuad(kc, a, aOff, pb, pbOff, stripLength, beta, c, cOff);
            return;
        }
        rowKernel4x1x4v(kc, a, aOff, pb, pbOff, stripLength, beta, c, cOff);
    }

    private static void rowKernel4x1x4v(int kc, float[] a, int aOff, float[] pb, int pbOff, int stripLength, float beta,
                                        float[] c, int cOff) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        FloatVector d0 = c0, d1 = c0, d2 = c0, d3 = c0;
        FloatVector e0 = c0, e1 = c0, e2 = c0, e3 = c0;
        FloatVector f0 = c0, f1 = c0, f2 = c0, f3 = c0;
        for (int p = 0, bi = pbOff; p < kc; p++, bi += NR) {
            FloatVector x = FloatVector.broadcast(S, a[aOff + p]);
            int bj = bi + stripLength, bk = bj + stripLength, bl = bk + stripLength;
            c0 = x.fma(FloatVector.fromArray(S, pb, bi), c0);
            c1 = x.fma(FloatVector.fromArray(S, pb, bi + L), c1);
            c2 = x.fma(FloatVector.fromArray(S, pb, bi + 2 * L), c2);
            c3 = x.fma(FloatVector.fromArray(S, pb, bi + 3 * L), c3);
            d0 = x.fma(FloatVector.fromArray(S, pb, bj), d0);
            d1 = x.fma(FloatVector.fromArray(S, pb, bj + L), d1);
            d2 = x.fma(FloatVector.fromArray(S, pb, bj + 2 * L), d2);
            d3 = x.fma(FloatVector.fromArray(S, pb, bj + 3 * L), d3);
            e0 = x.fma(FloatVector.fromArray(S, pb, bk), e0);
            e1 = x.fma(FloatVector.fromArray(S, pb, bk + L), e1);
            e2 = x.fma(FloatVector.fromArray(S, pb, bk + 2 * L), e2);
            e3 = x.fma(FloatVector.fromArray(S, pb, bk + 3 * L), e3);
            f0 = x.fma(FloatVector.fromArray(S, pb, bl), f0);
            f1 = x.fma(FloatVector.fromArray(S, pb, bl + L), f1);
            f2 = x.fma(FloatVector.fromArray(S, pb, bl + 2 * L), f2);
            f3 = x.fma(FloatVector.fromArray(S, pb, bl + 3 * L), f3);
        }
        if (beta == 0f) {
            c0.intoArray(c, cOff);
            c1.intoArray(c, cOff + L);
            c2.intoArray(c, cOff + 2 * L);
            c3.intoArray(c, cOff + 3 * L);
            d0.intoArray(c, cOff + NR);
            d1.intoArray(c, cOff + NR + L);
            d2.intoArray(c, cOff + NR + 2 * L);
            d3.intoArray(c, cOff + NR + 3 * L);
            e0.intoArray(c, cOff + 2 * NR);
            e1.intoArray(c, cOff + 2 * NR + L);
            e2.intoArray(c, cOff + 2 * NR + 2 * L);
            e3.intoArray(c, cOff + 2 * NR + 3 * L);
            f0.intoArray(c, cOff + 3 * NR);
            f1.intoArray(c, cOff + 3 * NR + L);
            f2.intoArray(c, cOff + 3 * NR + 2 * L);
            f3.intoArray(c, cOff + 3 * NR + 3 * L);
        } else {
            FloatVector.fromArray(S, c, cOff).add(c0).intoArray(c, cOff);
            FloatVector.fromArray(S, c, cOff + L).add(c1).intoArray(c, cOff + L);
            FloatVector.fromArray(S, c, cOff + 2 * L).add(c2).intoArray(c, cOff + 2 * L);
            FloatVector.fromArray(S, c, cOff + 3 * L).add(c3).intoArray(c, cOff + 3 * L);
            FloatVector.fromArray(S, c, cOff + NR).add(d0).intoArray(c, cOff + NR);
            FloatVector.fromArray(S, c, cOff + NR + L).add(d1).intoArray(c, cOff + NR + L);
            FloatVector.fromArray(S, c, cOff + NR + 2 * L).add(d2).intoArray(c, cOff + NR + 2 * L);
            FloatVector.fromArray(S, c, cOff + NR + 3 * L).add(d3).intoArray(c, cOff + NR + 3 * L);
            FloatVector.fromArray(S, c, cOff + 2 * NR).add(e0).intoArray(c, cOff + 2 * NR);
            FloatVector.fromArray(S, c, cOff + 2 * NR + L).add(e1).intoArray(c, cOff + 2 * NR + L);
            FloatVector.fromArray(S, c, cOff + 2 * NR + 2 * L).add(e2).intoArray(c, cOff + 2 * NR + 2 * L);
            FloatVector.fromArray(S, c, cOff + 2 * NR + 3 * L).add(e3).intoArray(c, cOff + 2 * NR + 3 * L);
            FloatVector.fromArray(S, c, cOff + 3 * NR).add(f0).intoArray(c, cOff + 3 * NR);
            FloatVector.fromArray(S, c, cOff + 3 * NR + L).add(f1).intoArray(c, cOff + 3 * NR + L);
            FloatVector.fromArray(S, c, cOff + 3 * NR + 2 * L).add(f2).intoArray(c, cOff + 3 * NR + 2 * L);
            FloatVector.fromArray(S, c, cOff + 3 * NR + 3 * L).add(f3).intoArray(c, cOff + 3 * NR + 3 * L);
        }
    }

    /** Two strips of one row at once ({@code rowKernel2x1x4v}): 8 accumulators, as many FMAs in flight as two pipes hold. */
    @Override
    void rowKernelPair(int kc, float[] a, int aOff, float[] pb, int pbOff1, int pbOff2, float beta,
                       float[] c, int cOff1, int cOff2) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        FloatVector d0 = c0, d1 = c0, d2 = c0, d3 = c0;
        for (int p = 0, bi = pbOff1, bj = pbOff2; p < kc; p++, bi += NR, bj += NR) {
            FloatVector x = FloatVector.broadcast(S, a[aOff + p]);
            c0 = x.fma(FloatVector.fromArray(S, pb, bi), c0);
            c1 = x.fma(FloatVector.fromArray(S, pb, bi + L), c1);
            c2 = x.fma(FloatVector.fromArray(S, pb, bi + 2 * L), c2);
            c3 = x.fma(FloatVector.fromArray(S, pb, bi + 3 * L), c3);
            d0 = x.fma(FloatVector.fromArray(S, pb, bj), d0);
            d1 = x.fma(FloatVector.fromArray(S, pb, bj + L), d1);
            d2 = x.fma(FloatVector.fromArray(S, pb, bj + 2 * L), d2);
            d3 = x.fma(FloatVector.fromArray(S, pb, bj + 3 * L), d3);
        }
        if (beta == 0f) {
            c0.intoArray(c, cOff1);
            c1.intoArray(c, cOff1 + L);
            c2.intoArray(c, cOff1 + 2 * L);
            c3.intoArray(c, cOff1 + 3 * L);
            d0.intoArray(c, cOff2);
            d1.intoArray(c, cOff2 + L);
            d2.intoArray(c, cOff2 + 2 * L);
            d3.intoArray(c, cOff2 + 3 * L);
        } else {
            FloatVector.fromArray(S, c, cOff1).add(c0).intoArray(c, cOff1);
            FloatVector.fromArray(S, c, cOff1 + L).add(c1).intoArray(c, cOff1 + L);
            FloatVector.fromArray(S, c, cOff1 + 2 * L).add(c2).intoArray(c, cOff1 + 2 * L);
            FloatVector.fromArray(S, c, cOff1 + 3 * L).add(c3).intoArray(c, cOff1 + 3 * L);
            FloatVector.fromArray(S, c, cOff2).add(d0).intoArray(c, cOff2);
            FloatVector.fromArray(S, c, cOff2 + L).add(d1).intoArray(c, cOff2 + L);
            FloatVector.fromArray(S, c, cOff2 + 2 * L).add(d2).intoArray(c, cOff2 + 2 * L);
            FloatVector.fromArray(S, c, cOff2 + 3 * L).add(d3).intoArray(c, cOff2 + 3 * L);
        }
    }

    /**
     * A last strip of at most 2L columns runs the 4×2-vector kernel: half the FMAs of the full tile,
     * all of them on columns that exist or on the zero padding up to 2L (at most L columns: see
     * {@link #edgeStrip} first).
     */
    @Override
    void edgeKernel(int cols, int kc, float[] pa, int paOff, float[] pb, int pbOff, float alpha, float[] tile, int ldt) {
        if (cols <= 2 * L) {
            microKernel4x2v(kc, pa, paOff, pb, pbOff, alpha, 0f, tile, 0, ldt);
        } else {
            microKernel(kc, pa, paOff, pb, pbOff, alpha, 0f, tile, 0, ldt);
        }
    }

    /**
     * The edge kernel of {@link #edgeKernel}: C[0:4, 0:2L] = alpha · Σ_p a_p ⊗ b_p + beta · C over the
     * first two vectors of each packed row of a B strip (rows NR apart): 8 FMA chains, as many as two
     * 4-cycle FMA pipes need, for a last strip of at most 2L columns.
     */
    private static void microKernel4x2v(int kc, float[] pa, int paOff, float[] pb, int pbOff,
                                        float alpha, float beta, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        for (int p = 0, ai = paOff, bi = pbOff; p < kc; p++, ai += 4, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, pa[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        // Write-back unrolled by hand, each branch with its own stores: see microKernel4x4v.
        FloatVector va = FloatVector.broadcast(S, alpha);
        if (beta == 0f) {
            int r0 = cOff;
            c00.mul(va).intoArray(c, r0);
            c01.mul(va).intoArray(c, r0 + L);
            int r1 = cOff + ldc;
            c10.mul(va).intoArray(c, r1);
            c11.mul(va).intoArray(c, r1 + L);
            int r2 = cOff + 2 * ldc;
            c20.mul(va).intoArray(c, r2);
            c21.mul(va).intoArray(c, r2 + L);
            int r3 = cOff + 3 * ldc;
            c30.mul(va).intoArray(c, r3);
            c31.mul(va).intoArray(c, r3 + L);
        } else {
            FloatVector vb = FloatVector.broadcast(S, beta);
            int r0 = cOff;
            FloatVector.fromArray(S, c, r0).fma(vb, c00.mul(va)).intoArray(c, r0);
            FloatVector.fromArray(S, c, r0 + L).fma(vb, c01.mul(va)).intoArray(c, r0 + L);
            int r1 = cOff + ldc;
            FloatVector.fromArray(S, c, r1).fma(vb, c10.mul(va)).intoArray(c, r1);
            FloatVector.fromArray(S, c, r1 + L).fma(vb, c11.mul(va)).intoArray(c, r1 + L);
            int r2 = cOff + 2 * ldc;
            FloatVector.fromArray(S, c, r2).fma(vb, c20.mul(va)).intoArray(c, r2);
            FloatVector.fromArray(S, c, r2 + L).fma(vb, c21.mul(va)).intoArray(c, r2 + L);
            int r3 = cOff + 3 * ldc;
            FloatVector.fromArray(S, c, r3).fma(vb, c30.mul(va)).intoArray(c, r3);
            FloatVector.fromArray(S, c, r3 + L).fma(vb, c31.mul(va)).intoArray(c, r3 + L);
        }
    }


    /**
     * A last strip of at most L columns (n = 784 leaves 16 of the 64) runs two A strips at a time on
     * {@code microKernel8x1v}: 8 FMA chains on one vector of columns, where {@link #edgeKernel}'s
     * 4×2-vector tile spends half or more of its FMAs on padding. A strip of exactly L columns is
     * written straight into C; a narrower one goes through the workspace's tile (8 rows × L), as
     * the vector is not masked: masked stores made C1 run out of registers on this kernel, after
     * which C2 never compiled it. A block of mc % 8 = 4 rows leaves one strip to edgeKernel.
     * Paired on Zen 4: 1024×784·784×256 (NN) and 256×1024ᵀ·1024×784 (TN) +1.7%.
     */
    @Override
    int edgeStrip(int mc, int cols, int kc, float[] pa, float[] pb, int pbOff, float alpha, float beta,
                  float[] c, int cOff, int ldc, GemmWorkspace ws) {
        if (cols > L) {
            return 0;
        }
        int rows = mc - mc % (2 * MR);
        for (int ir = 0; ir < rows; ir += 2 * MR) {
            int paOff = ir * kc; // ir / MR strips of kc × MR before it
            int cStrip = cOff + ir * ldc;
            if (cols == L) {
                microKernel8x1v(kc, pa, paOff, paOff + kc * MR, pb, pbOff, alpha, beta, c, cStrip, ldc);
            } else {
                microKernel8x1v(kc, pa, paOff, paOff + kc * MR, pb, pbOff, alpha, 0f, ws.tile, 0, L);
                mergeTile(ws.tile, L, 2 * MR, cols, beta, c, cStrip, ldc);
            }
        }
        return rows;
    }

    /**
     * C[0:8, 0:L] = alpha · Σ_p a_p ⊗ b_p + beta · C over the first vector of each packed row of a
     * B strip (rows NR apart) and two packed A strips (rows 0–3 from {@code paOff0}, 4–7 from
     * {@code paOff1}): each element the micro-kernel's chain of FMAs and write-back.
     */
    private static void microKernel8x1v(int kc, float[] pa, int paOff0, int paOff1, float[] pb, int pbOff,
                                        float alpha, float beta, float[] c, int cOff, int ldc) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int p = 0, ai = paOff0, aj = paOff1, bi = pbOff; p < kc; p++, ai += MR, aj += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            c0 = FloatVector.broadcast(S, pa[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, pa[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, pa[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, pa[ai + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, pa[aj]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, pa[aj + 1]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, pa[aj + 2]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, pa[aj + 3]).fma(b0, c7);
        }
        // Write-back unrolled by hand, each branch with its own stores: see microKernel4x4v.
        FloatVector va = FloatVector.broadcast(S, alpha);
        if (beta == 0f) {
            c0.mul(va).intoArray(c, cOff);
            c1.mul(va).intoArray(c, cOff + ldc);
            c2.mul(va).intoArray(c, cOff + 2 * ldc);
            c3.mul(va).intoArray(c, cOff + 3 * ldc);
            c4.mul(va).intoArray(c, cOff + 4 * ldc);
            c5.mul(va).intoArray(c, cOff + 5 * ldc);
            c6.mul(va).intoArray(c, cOff + 6 * ldc);
            c7.mul(va).intoArray(c, cOff + 7 * ldc);
        } else {
            FloatVector vb = FloatVector.broadcast(S, beta);
            int r = cOff;
            FloatVector.fromArray(S, c, r).fma(vb, c0.mul(va)).intoArray(c, r);
            r += ldc;
            FloatVector.fromArray(S, c, r).fma(vb, c1.mul(va)).intoArray(c, r);
            r += ldc;
            FloatVector.fromArray(S, c, r).fma(vb, c2.mul(va)).intoArray(c, r);
            r += ldc;
            FloatVector.fromArray(S, c, r).fma(vb, c3.mul(va)).intoArray(c, r);
            r += ldc;
            FloatVector.fromArray(S, c, r).fma(vb, c4.mul(va)).intoArray(c, r);
            r += ldc;
            FloatVector.fromArray(S, c, r).fma(vb, c5.mul(va)).intoArray(c, r);
            r += ldc;
            FloatVector.fromArray(S, c, r).fma(vb, c6.mul(va)).intoArray(c, r);
            r += ldc;
            FloatVector.fromArray(S, c, r).fma(vb, c7.mul(va)).intoArray(c, r);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The narrow path: op(B) of at most 2L columns (BlockedGemm.useNarrow)

    /** One row of 2L zeros: what every row of a narrow kernel starts from (ldi 0) when it does not continue a sum. */
    private static final float[] ZEROS = new float[2 * L];

    /**
     * C = alpha·op(A)·op(B) + beta·C for n ≤ 2L, nothing packed: 8 rows of C at a time, each one
     * (n ≤ L) or two vectors wide, summed in registers over all of k; the last m % 8 rows one at a
     * time. Each step broadcasts one element of op(A) per row, read where it lies (down the rows of
     * A, or along a row of A when it is transposed), and reads one row of op(B) as whole vectors:
     * B's own rows, where a whole vector stays inside the array (the lanes past n hold whatever
     * follows the row; their sums are never stored), else the last rows, or all of Bᵀ, copied with
     * zero padding into the workspace's packedB.
     */
    @Override
    void narrow(boolean transA, boolean transB, int m, int n, int k, float alpha,
                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                float beta, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        int width = narrowWidth(n);
        int rowStep = transA ? 1 : lda;   // op(A)[i][p] = a[aOff + i·rowStep + p·colStep]
        int colStep = transA ? lda : 1;
        // Rows p of B with bOff + p·ldb + width ≤ b.length are read in place.
        int direct = transB || b.length - bOff < width ? 0 : Math.min(k, (b.length - bOff - width) / ldb + 1);
        int copied = k - direct;
        ws.ensure(0, copied * width, 8 * width);
        float[] pb = ws.packedB;
        for (int p = direct; p < k; p++) {
            int dst = (p - direct) * width;
            if (transB) {
                for (int j = 0; j < n; j++) {
                    pb[dst + j] = b[bOff + j * ldb + p];
                }
            } else {
                System.arraycopy(b, bOff + p * ldb, pb, dst, n);
            }
            java.util.Arrays.fill(pb, dst + n, dst + width, 0f);
        }
        // Sums straight into C where its rows are whole vectors and nothing scales them (alpha 1,
        // beta 0 or 1: the forward products and errors of a network); else into the tile, then merged.
        boolean inPlace = n == width && alpha == 1f && (beta == 0f || beta == 1f);
        float[] out = inPlace ? c : ws.tile;
        int ldo = inPlace ? ldc : width;
        for (int i = 0; i < m; ) {
            int rows = m - i >= 8 ? 8 : 1;
            int ai = aOff + i * rowStep;
            int outOff = inPlace ? cOff + i * ldc : 0;
            boolean fromC = inPlace && beta == 1f;
            if (direct > 0) {
                narrowRows(rows, width, transA, direct, a, ai, lda, b, bOff, ldb,
                        fromC ? c : ZEROS, fromC ? outOff : 0, fromC ? ldc : 0, out, outOff, ldo);
            }
            if (copied > 0) {
                boolean continued = direct > 0 || fromC;
                narrowRows(rows, width, transA, copied, a, ai + direct * colStep, lda, pb, 0, width,
                        continued ? out : ZEROS, continued ? outOff : 0, continued ? ldo : 0, out, outOff, ldo);
            }
            if (!inPlace) {
                mergeNarrow(rows, n, width, alpha, out, beta, c, cOff + i * ldc, ldc);
            }
            i += rows;
        }
    }

    /**
     * {@code rows} (8 or 1) rows of a narrow product over kc steps: out = init + op(A)·B, row r of
     * init at {@code initOff + r·ldi} (ldi 0: the same row for all) and of out at
     * {@code outOff + r·ldo}; op(A) from {@code a[aOff ..]} (rows lda apart, or transposed: columns
     * lda apart), B's rows ldb apart. One 8-row kernel per layout of A, so that each reads A with a
     * constant stride: C2 then checks the bounds of A's 8 loads once per loop or once per step
     * instead of 8 times per step (one kernel with both strides as arguments ran the 30-16-1
     * forward product at about 60% of the FMA peak).
     */
    private static void narrowRows(int rows, int width, boolean transA, int kc, float[] a, int aOff, int lda,
                                   float[] b, int bOff, int ldb, float[] init, int initOff, int ldi,
                                   float[] out, int outOff, int ldo) {
        if (rows == 1) {
            int colStep = transA ? lda : 1;
            if (width == L) {
                narrowKernel1x1v(kc, a, aOff, colStep, b, bOff, ldb, init, initOff, out, outOff);
            } else {
                narrowKernel1x2v(kc, a, aOff, colStep, b, bOff, ldb, init, initOff, out, outOff);
            }
        } else if (width == L) {
            if (transA) {
                narrowColumns8x1v(kc, a, aOff, lda, b, bOff, ldb, init, initOff, ldi, out, outOff, ldo);
            } else {
                narrowRows8x1v(kc, a, aOff, lda, b, bOff, ldb, init, initOff, ldi, out, outOff, ldo);
            }
        } else if (transA) {
            narrowColumns8x2v(kc, a, aOff, lda, b, bOff, ldb, init, initOff, ldi, out, outOff, ldo);
        } else {
            narrowRows8x2v(kc, a, aOff, lda, b, bOff, ldb, init, initOff, ldi, out, outOff, ldo);
        }
    }

    /**
     * C[r][0:n] = alpha·tile[r·width ..] + beta·C[r] for {@code rows} rows: whole vectors, then the
     * last n % L columns one by one, each element as {@code fma(C, beta, alpha·t)} in both.
     */
    private static void mergeNarrow(int rows, int n, int width, float alpha, float[] tile, float beta,
                                    float[] c, int cOff, int ldc) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        FloatVector vb = FloatVector.broadcast(S, beta);
        int whole = n - n % L;
        for (int r = 0; r < rows; r++) {
            int row = cOff + r * ldc;
            int t = r * width;
            int j = 0;
            if (beta == 0f) { // C is not read: NaN there must not propagate
                for (; j < whole; j += L) {
                    FloatVector.fromArray(S, tile, t + j).mul(va).intoArray(c, row + j);
                }
                for (; j < n; j++) {
                    c[row + j] = alpha * tile[t + j];
                }
            } else {
                for (; j < whole; j += L) {
                    FloatVector.fromArray(S, c, row + j).fma(vb, FloatVector.fromArray(S, tile, t + j).mul(va))
                            .intoArray(c, row + j);
                }
                for (; j < n; j++) {
                    c[row + j] = Math.fma(c[row + j], beta, alpha * tile[t + j]);
                }
            }
        }
    }

    /**
     * 8 rows of A × one vector: out[r] = init[r] + Σ_p A[r][p]·B[p] over kc steps (see
     * {@link #narrowRows}), A's row r at {@code a[aOff + r·lda ..]}, B's row p at
     * {@code b[bOff + p·ldb ..]}. 8 FMA chains, twice the 4 that one 512-bit FMA a cycle of 4
     * cycles' latency needs.
     */
    private static void narrowRows8x1v(int kc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                       float[] init, int initOff, int ldi, float[] out, int outOff, int ldo) {
        int i0 = initOff, i1 = i0 + ldi, i2 = i1 + ldi, i3 = i2 + ldi, i4 = i3 + ldi, i5 = i4 + ldi, i6 = i5 + ldi,
                i7 = i6 + ldi;
        FloatVector c0 = FloatVector.fromArray(S, init, i0), c1 = FloatVector.fromArray(S, init, i1);
        FloatVector c2 = FloatVector.fromArray(S, init, i2), c3 = FloatVector.fromArray(S, init, i3);
        FloatVector c4 = FloatVector.fromArray(S, init, i4), c5 = FloatVector.fromArray(S, init, i5);
        FloatVector c6 = FloatVector.fromArray(S, init, i6), c7 = FloatVector.fromArray(S, init, i7);
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda,
                a7 = a6 + lda;
        for (int p = 0, bi = bOff; p < kc; p++, bi += ldb) {
            FloatVector v = FloatVector.fromArray(S, b, bi);
            c0 = FloatVector.broadcast(S, a[a0 + p]).fma(v, c0);
            c1 = FloatVector.broadcast(S, a[a1 + p]).fma(v, c1);
            c2 = FloatVector.broadcast(S, a[a2 + p]).fma(v, c2);
            c3 = FloatVector.broadcast(S, a[a3 + p]).fma(v, c3);
            c4 = FloatVector.broadcast(S, a[a4 + p]).fma(v, c4);
            c5 = FloatVector.broadcast(S, a[a5 + p]).fma(v, c5);
            c6 = FloatVector.broadcast(S, a[a6 + p]).fma(v, c6);
            c7 = FloatVector.broadcast(S, a[a7 + p]).fma(v, c7);
        }
        c0.intoArray(out, outOff);
        c1.intoArray(out, outOff + ldo);
        c2.intoArray(out, outOff + 2 * ldo);
        c3.intoArray(out, outOff + 3 * ldo);
        c4.intoArray(out, outOff + 4 * ldo);
        c5.intoArray(out, outOff + 5 * ldo);
        c6.intoArray(out, outOff + 6 * ldo);
        c7.intoArray(out, outOff + 7 * ldo);
    }

    /**
     * As {@link #narrowRows8x1v} for op(A) = Aᵀ: the 8 rows of op(A) are 8 consecutive floats of
     * each row of A, {@code a[aOff + p·lda ..]}.
     */
    private static void narrowColumns8x1v(int kc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                          float[] init, int initOff, int ldi, float[] out, int outOff, int ldo) {
        int i0 = initOff, i1 = i0 + ldi, i2 = i1 + ldi, i3 = i2 + ldi, i4 = i3 + ldi, i5 = i4 + ldi, i6 = i5 + ldi,
                i7 = i6 + ldi;
        FloatVector c0 = FloatVector.fromArray(S, init, i0), c1 = FloatVector.fromArray(S, init, i1);
        FloatVector c2 = FloatVector.fromArray(S, init, i2), c3 = FloatVector.fromArray(S, init, i3);
        FloatVector c4 = FloatVector.fromArray(S, init, i4), c5 = FloatVector.fromArray(S, init, i5);
        FloatVector c6 = FloatVector.fromArray(S, init, i6), c7 = FloatVector.fromArray(S, init, i7);
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += lda, bi += ldb) {
            FloatVector v = FloatVector.fromArray(S, b, bi);
            c0 = FloatVector.broadcast(S, a[ai]).fma(v, c0);
            c1 = FloatVector.broadcast(S, a[ai + 1]).fma(v, c1);
            c2 = FloatVector.broadcast(S, a[ai + 2]).fma(v, c2);
            c3 = FloatVector.broadcast(S, a[ai + 3]).fma(v, c3);
            c4 = FloatVector.broadcast(S, a[ai + 4]).fma(v, c4);
            c5 = FloatVector.broadcast(S, a[ai + 5]).fma(v, c5);
            c6 = FloatVector.broadcast(S, a[ai + 6]).fma(v, c6);
            c7 = FloatVector.broadcast(S, a[ai + 7]).fma(v, c7);
        }
        c0.intoArray(out, outOff);
        c1.intoArray(out, outOff + ldo);
        c2.intoArray(out, outOff + 2 * ldo);
        c3.intoArray(out, outOff + 3 * ldo);
        c4.intoArray(out, outOff + 4 * ldo);
        c5.intoArray(out, outOff + 5 * ldo);
        c6.intoArray(out, outOff + 6 * ldo);
        c7.intoArray(out, outOff + 7 * ldo);
    }

    /** 8 rows of A × two vectors, as {@link #narrowRows8x1v}: 16 accumulators. */
    private static void narrowRows8x2v(int kc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                       float[] init, int initOff, int ldi, float[] out, int outOff, int ldo) {
        int i0 = initOff, i1 = i0 + ldi, i2 = i1 + ldi, i3 = i2 + ldi, i4 = i3 + ldi, i5 = i4 + ldi, i6 = i5 + ldi,
                i7 = i6 + ldi;
        FloatVector c00 = FloatVector.fromArray(S, init, i0), c01 = FloatVector.fromArray(S, init, i0 + L);
        FloatVector c10 = FloatVector.fromArray(S, init, i1), c11 = FloatVector.fromArray(S, init, i1 + L);
        FloatVector c20 = FloatVector.fromArray(S, init, i2), c21 = FloatVector.fromArray(S, init, i2 + L);
        FloatVector c30 = FloatVector.fromArray(S, init, i3), c31 = FloatVector.fromArray(S, init, i3 + L);
        FloatVector c40 = FloatVector.fromArray(S, init, i4), c41 = FloatVector.fromArray(S, init, i4 + L);
        FloatVector c50 = FloatVector.fromArray(S, init, i5), c51 = FloatVector.fromArray(S, init, i5 + L);
        FloatVector c60 = FloatVector.fromArray(S, init, i6), c61 = FloatVector.fromArray(S, init, i6 + L);
        FloatVector c70 = FloatVector.fromArray(S, init, i7), c71 = FloatVector.fromArray(S, init, i7 + L);
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda,
                a7 = a6 + lda;
        for (int p = 0, bi = bOff; p < kc; p++, bi += ldb) {
            FloatVector v0 = FloatVector.fromArray(S, b, bi);
            FloatVector v1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x0.fma(v0, c00);
            c01 = x0.fma(v1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x1.fma(v0, c10);
            c11 = x1.fma(v1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x2.fma(v0, c20);
            c21 = x2.fma(v1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x3.fma(v0, c30);
            c31 = x3.fma(v1, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x4.fma(v0, c40);
            c41 = x4.fma(v1, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x5.fma(v0, c50);
            c51 = x5.fma(v1, c51);
            FloatVector x6 = FloatVector.broadcast(S, a[a6 + p]);
            c60 = x6.fma(v0, c60);
            c61 = x6.fma(v1, c61);
            FloatVector x7 = FloatVector.broadcast(S, a[a7 + p]);
            c70 = x7.fma(v0, c70);
            c71 = x7.fma(v1, c71);
        }
        int o1 = outOff + ldo, o2 = o1 + ldo, o3 = o2 + ldo, o4 = o3 + ldo, o5 = o4 + ldo, o6 = o5 + ldo, o7 = o6 + ldo;
        c00.intoArray(out, outOff);
        c01.intoArray(out, outOff + L);
        c10.intoArray(out, o1);
        c11.intoArray(out, o1 + L);
        c20.intoArray(out, o2);
        c21.intoArray(out, o2 + L);
        c30.intoArray(out, o3);
        c31.intoArray(out, o3 + L);
        c40.intoArray(out, o4);
        c41.intoArray(out, o4 + L);
        c50.intoArray(out, o5);
        c51.intoArray(out, o5 + L);
        c60.intoArray(out, o6);
        c61.intoArray(out, o6 + L);
        c70.intoArray(out, o7);
        c71.intoArray(out, o7 + L);
    }

    /** As {@link #narrowRows8x2v} for op(A) = Aᵀ (see {@link #narrowColumns8x1v}). */
    private static void narrowColumns8x2v(int kc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                          float[] init, int initOff, int ldi, float[] out, int outOff, int ldo) {
        int i0 = initOff, i1 = i0 + ldi, i2 = i1 + ldi, i3 = i2 + ldi, i4 = i3 + ldi, i5 = i4 + ldi, i6 = i5 + ldi,
                i7 = i6 + ldi;
        FloatVector c00 = FloatVector.fromArray(S, init, i0), c01 = FloatVector.fromArray(S, init, i0 + L);
        FloatVector c10 = FloatVector.fromArray(S, init, i1), c11 = FloatVector.fromArray(S, init, i1 + L);
        FloatVector c20 = FloatVector.fromArray(S, init, i2), c21 = FloatVector.fromArray(S, init, i2 + L);
        FloatVector c30 = FloatVector.fromArray(S, init, i3), c31 = FloatVector.fromArray(S, init, i3 + L);
        FloatVector c40 = FloatVector.fromArray(S, init, i4), c41 = FloatVector.fromArray(S, init, i4 + L);
        FloatVector c50 = FloatVector.fromArray(S, init, i5), c51 = FloatVector.fromArray(S, init, i5 + L);
        FloatVector c60 = FloatVector.fromArray(S, init, i6), c61 = FloatVector.fromArray(S, init, i6 + L);
        FloatVector c70 = FloatVector.fromArray(S, init, i7), c71 = FloatVector.fromArray(S, init, i7 + L);
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += lda, bi += ldb) {
            FloatVector v0 = FloatVector.fromArray(S, b, bi);
            FloatVector v1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x0 = FloatVector.broadcast(S, a[ai]);
            c00 = x0.fma(v0, c00);
            c01 = x0.fma(v1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x1.fma(v0, c10);
            c11 = x1.fma(v1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x2.fma(v0, c20);
            c21 = x2.fma(v1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x3.fma(v0, c30);
            c31 = x3.fma(v1, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x4.fma(v0, c40);
            c41 = x4.fma(v1, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x5.fma(v0, c50);
            c51 = x5.fma(v1, c51);
            FloatVector x6 = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x6.fma(v0, c60);
            c61 = x6.fma(v1, c61);
            FloatVector x7 = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x7.fma(v0, c70);
            c71 = x7.fma(v1, c71);
        }
        int o1 = outOff + ldo, o2 = o1 + ldo, o3 = o2 + ldo, o4 = o3 + ldo, o5 = o4 + ldo, o6 = o5 + ldo, o7 = o6 + ldo;
        c00.intoArray(out, outOff);
        c01.intoArray(out, outOff + L);
        c10.intoArray(out, o1);
        c11.intoArray(out, o1 + L);
        c20.intoArray(out, o2);
        c21.intoArray(out, o2 + L);
        c30.intoArray(out, o3);
        c31.intoArray(out, o3 + L);
        c40.intoArray(out, o4);
        c41.intoArray(out, o4 + L);
        c50.intoArray(out, o5);
        c51.intoArray(out, o5 + L);
        c60.intoArray(out, o6);
        c61.intoArray(out, o6 + L);
        c70.intoArray(out, o7);
        c71.intoArray(out, o7 + L);
    }

    /** One row × one vector, as {@link #narrowRows8x1v} with op(A)'s row at {@code a[aOff + p·colStep]}: the last m % 8 rows. */
    private static void narrowKernel1x1v(int kc, float[] a, int aOff, int colStep, float[] b, int bOff, int ldb,
                                         float[] init, int initOff, float[] out, int outOff) {
        FloatVector c0 = FloatVector.fromArray(S, init, initOff);
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += colStep, bi += ldb) {
            c0 = FloatVector.broadcast(S, a[ai]).fma(FloatVector.fromArray(S, b, bi), c0);
        }
        c0.intoArray(out, outOff);
    }

    /** One row × two vectors, as {@link #narrowKernel1x1v}. */
    private static void narrowKernel1x2v(int kc, float[] a, int aOff, int colStep, float[] b, int bOff, int ldb,
                                         float[] init, int initOff, float[] out, int outOff) {
        FloatVector c0 = FloatVector.fromArray(S, init, initOff), c1 = FloatVector.fromArray(S, init, initOff + L);
        for (int p = 0, ai = aOff, bi = bOff; p < kc; p++, ai += colStep, bi += ldb) {
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c0 = x.fma(FloatVector.fromArray(S, b, bi), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, bi + L), c1);
        }
        c0.intoArray(out, outOff);
        c1.intoArray(out, outOff + L);
    }

    /**
     * Horizontal sums in a fixed order. {@code reduceLanes(ADD)} on floats adds in an unspecified order:
     * C2's intrinsic as a tree, the interpreter and C1 lane by lane, so a kernel's last bits changed
     * once C2 had compiled it (a cold JVM predicted other bits than a warm one). Instead each kernel
     * adds v and v with lanes i and i ^ h swapped, for h = L/2, …, 2, 1, and takes lane 0: the same
     * tree of adds in every tier. Written out in each kernel, with these constant shuffles, because
     * a vector handed to a helper that C2 does not inline is boxed (it allocated 2.9 MB per window).
     * SWAP_h is only used where L > h; where it is not, it is the identity.
     */
    static final VectorShuffle<Float> SWAP_8 = swap(8), SWAP_4 = swap(4), SWAP_2 = swap(2), SWAP_1 = swap(1);

    private static VectorShuffle<Float> swap(int h) {
        int[] lanes = new int[L];
        for (int i = 0; i < L; i++) {
            lanes[i] = h < L ? i ^ h : i;
        }
        return VectorShuffle.fromArray(S, lanes, 0);
    }

    /**
     * The shuffles of the 4-row transpose in {@link #packAStrip}, for the two-vector
     * {@code x.rearrange(shuffle, y)} (an index of L or more picks lane index − L of y):
     * INTERLEAVE_LO/HI interleave two rows lane by lane (x0, y0, x1, y1, … from the low and the high
     * half); PAIRS_FIRST/SECOND interleave two such vectors two lanes at a time (first and second
     * half). Constants, so that C2 neither builds nor boxes them per call.
     */
    private static final VectorShuffle<Float> INTERLEAVE_LO, INTERLEAVE_HI, PAIRS_FIRST, PAIRS_SECOND;

    static {
        int[] lo = new int[L], hi = new int[L], first = new int[L], second = new int[L];
        for (int t = 0; t < L / 2; t++) {
            lo[2 * t] = t;
            lo[2 * t + 1] = L + t;
            hi[2 * t] = L / 2 + t;
            hi[2 * t + 1] = L + L / 2 + t;
        }
        for (int u = 0; u < L / 4; u++) {
            int[][] halves = {first, second};
            for (int h = 0; h < 2; h++) {
                int pair = h * L / 4 + u; // pair (lanes 2·pair, 2·pair + 1) of each source
                halves[h][4 * u] = 2 * pair;
                halves[h][4 * u + 1] = 2 * pair + 1;
                halves[h][4 * u + 2] = L + 2 * pair;
                halves[h][4 * u + 3] = L + 2 * pair + 1;
            }
        }
        INTERLEAVE_LO = VectorShuffle.fromArray(S, lo, 0);
        INTERLEAVE_HI = VectorShuffle.fromArray(S, hi, 0);
        PAIRS_FIRST = VectorShuffle.fromArray(S, first, 0);
        PAIRS_SECOND = VectorShuffle.fromArray(S, second, 0);
    }

    /** Full strips of op(B) = Bᵀ: {@link #packTransposedBStrip}. Partial strips take the portable copy. */
    @Override
    void packBStrip(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int j0, int cols,
                    float[] pb, int strip) {
        if (transB && cols == NR) {
            packTransposedBStrip(b, bOff, ldb, pc, kc, j0, pb, strip);
        } else {
            super.packBStrip(transB, b, bOff, ldb, pc, kc, j0, cols, pb, strip);
        }
    }

    /**
     * {@link BlockedGemm#addBiasRelu} a vector of columns at a time: the vector kernels' bias add and
     * ReLU. One straight-line loop for each case, not a branch inside one loop: a first version with
     * the branch in the loop ran one-example predictions 10–30% slower (three paired runs, a noisy
     * hour); this one runs them at par or better.
     */
    @Override
    void addBiasRelu(int rows, int cols, float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc) {
        int vectorCols = S.loopBound(cols);
        for (int i = 0, row = cOff; i < rows; i++, row += ldc) {
            int j = 0;
            if (relu) { // max as Math.max: NaN propagates
                for (; j < vectorCols; j += L) {
                    FloatVector.fromArray(S, c, row + j).add(FloatVector.fromArray(S, bias, biasOff + j)).max(0f)
                            .intoArray(c, row + j);
                }
            } else {
                for (; j < vectorCols; j += L) {
                    FloatVector.fromArray(S, c, row + j).add(FloatVector.fromArray(S, bias, biasOff + j)).intoArray(c, row + j);
                }
            }
            for (; j < cols; j++) {
                float v = c[row + j] + bias[biasOff + j];
                c[row + j] = relu ? Math.max(v, 0f) : v;
            }
        }
    }

    /**
     * Whole strips of B, not transposed, row by row: each row of B is read once, front to back, as
     * vectors, and each NR-wide piece of it stored as one packed row of its strip. Paired on Zen 4
     * against strip after strip (each strip reading its 64 floats of every row, ldb apart): the
     * weight gradient 256×1024ᵀ·1024×784 +5.8%, training at batch 1024 +4%, 512³ +2%, the other
     * products of the 784-256-128-10 network ±1%. (Vectors, not System.arraycopy: a call per
     * packed row cost 4–6% of a 512³ product.)
     */
    @Override
    int packRowsOfB(float[] b, int bOff, int ldb, int pc, int kc, int jc, int cols, float[] pb, int pbOff) {
        for (int p = 0, src = bOff + pc * ldb + jc, row = pbOff; p < kc; p++, src += ldb, row += NR) {
            for (int jr = 0, dst = row; jr < cols; jr += NR, dst += kc * NR) {
                for (int v = 0; v < NR; v += L) {
                    FloatVector.fromArray(S, b, src + jr + v).intoArray(pb, dst + v);
                }
            }
        }
        return cols;
    }

    /** Four floats: the block of the transpose in {@link #packTransposedBStrip}, at any vector width. */
    private static final VectorSpecies<Float> Q = FloatVector.SPECIES_128;
    /**
     * The 4×4 transpose's shuffles ({@code x.rearrange(shuffle, y)}; an index of 4 or more picks
     * lane index − 4 of y): EVEN/ODD interleave two rows' even and odd lanes (a0 b0 a2 b2 and
     * a1 b1 a3 b3), LOW/HIGH then join the low and the high halves of two such vectors.
     */
    private static final VectorShuffle<Float> Q_EVEN = VectorShuffle.fromValues(Q, 0, 4, 2, 6),
            Q_ODD = VectorShuffle.fromValues(Q, 1, 5, 3, 7), Q_LOW = VectorShuffle.fromValues(Q, 0, 1, 4, 5),
            Q_HIGH = VectorShuffle.fromValues(Q, 2, 3, 6, 7);

    /**
     * A full strip of op(B) = Bᵀ (a layer's weights W for the forward product A·Wᵀ): element (p, j)
     * is B[j0 + j][pc + p], so each packed row gathers one float from each of NR rows of B. In 4×4
     * blocks, transposed in registers: four rows of B, four values of p each, become four packed
     * rows of four. p outer, as in the portable copy: the NR rows being read stay in L1, and each
     * packed row is written whole before the next. (Element by element, packing W of 784×256 took
     * 115 µs, as long as the forward product with a batch of 128 saved over dot products.)
     */
    private static void packTransposedBStrip(float[] b, int bOff, int ldb, int pc, int kc, int j0, float[] pb, int strip) {
        int src = bOff + j0 * ldb + pc;
        int p = 0;
        for (; p + 4 <= kc; p += 4) {
            int dst = strip + p * NR;
            for (int j = 0, row = src + p; j < NR; j += 4, row += 4 * ldb) {
                FloatVector r0 = FloatVector.fromArray(Q, b, row);
                FloatVector r1 = FloatVector.fromArray(Q, b, row + ldb);
                FloatVector r2 = FloatVector.fromArray(Q, b, row + 2 * ldb);
                FloatVector r3 = FloatVector.fromArray(Q, b, row + 3 * ldb);
                FloatVector e01 = r0.rearrange(Q_EVEN, r1), o01 = r0.rearrange(Q_ODD, r1);
                FloatVector e23 = r2.rearrange(Q_EVEN, r3), o23 = r2.rearrange(Q_ODD, r3);
                e01.rearrange(Q_LOW, e23).intoArray(pb, dst + j);              // p:     rows j .. j+3
                o01.rearrange(Q_LOW, o23).intoArray(pb, dst + NR + j);         // p + 1
                e01.rearrange(Q_HIGH, e23).intoArray(pb, dst + 2 * NR + j);    // p + 2
                o01.rearrange(Q_HIGH, o23).intoArray(pb, dst + 3 * NR + j);    // p + 3
            }
        }
        for (; p < kc; p++) {
            int dst = strip + p * NR;
            for (int j = 0; j < NR; j++) {
                pb[dst + j] = b[src + j * ldb + p];
            }
        }
    }

    /**
     * Full strips of A (MR = 4 rows): a transpose in registers when A is not transposed, four floats
     * per k otherwise. Together with the B copy this took packing from about 20 % of a 512³ product
     * (element-by-element loops) to under 10 %. Partial strips take the portable copy.
     */
    @Override
    void packAStrip(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int pc, int kc,
                    float[] pa, int strip) {
        if (rows != MR || MR != 4) {
            super.packAStrip(transA, a, aOff, lda, i0, rows, pc, kc, pa, strip);
            return;
        }
        if (transA) { // op(A)[i][p] = A[p][i]: the strip's 4 rows are 4 consecutive floats of each row of A
            // One 128-bit copy per p (paired against four float copies: the weight-gradient product
            // dW-784x256-b1024 +1.4%).
            for (int p = 0, src = aOff + pc * lda + i0, dst = strip; p < kc; p++, src += lda, dst += 4) {
                FloatVector.fromArray(Q, a, src).intoArray(pa, dst);
            }
            return;
        }
        // op(A)[i][p] = A[i][p]: 4 rows, each contiguous in p, become one k-major strip, L values of p
        // at a time: interleave rows 0/1 and 2/3 lane by lane, then those pairs two lanes at a time,
        // so that each of the 4 stores holds L/4 consecutive p of all 4 rows. Then the scalar tail.
        int r0 = aOff + i0 * lda + pc, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
        int p = 0;
        for (int dst = strip; L >= 4 && p + L <= kc; p += L, dst += 4 * L) {
            FloatVector x0 = FloatVector.fromArray(S, a, r0 + p);
            FloatVector x1 = FloatVector.fromArray(S, a, r1 + p);
            FloatVector x2 = FloatVector.fromArray(S, a, r2 + p);
            FloatVector x3 = FloatVector.fromArray(S, a, r3 + p);
            FloatVector lo01 = x0.rearrange(INTERLEAVE_LO, x1), lo23 = x2.rearrange(INTERLEAVE_LO, x3);
            FloatVector hi01 = x0.rearrange(INTERLEAVE_HI, x1), hi23 = x2.rearrange(INTERLEAVE_HI, x3);
            lo01.rearrange(PAIRS_FIRST, lo23).intoArray(pa, dst);
            lo01.rearrange(PAIRS_SECOND, lo23).intoArray(pa, dst + L);
            hi01.rearrange(PAIRS_FIRST, hi23).intoArray(pa, dst + 2 * L);
            hi01.rearrange(PAIRS_SECOND, hi23).intoArray(pa, dst + 3 * L);
        }
        for (int dst = strip + 4 * p; p < kc; p++, dst += 4) {
            pa[dst] = a[r0 + p];
            pa[dst + 1] = a[r1 + p];
            pa[dst + 2] = a[r2 + p];
            pa[dst + 3] = a[r3 + p];
        }
    }

    /**
     * Dot products in 4×4 tiles ({@code dotKernel4x4}): four rows of A against four rows of B, 16
     * vector accumulators along k, one horizontal sum each at the end. Per step it loads 8 vectors
     * for 16 FMAs, like the packed micro-kernel, without packing, so it serves A·Bᵀ with a short A
     * (a forward pass on a small batch) and narrow outputs (n = 10) better than the packed path.
     */
    @Override
    void dotProducts(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        int m4 = m - m % 4;
        int n4 = n - n % 4;
        for (int i = 0; i < m4; i += 4) {
            for (int j = 0; j < n4; j += 4) {
                dotKernel4x4(k, alpha, a, aOff + i * lda, lda, b, bOff + j * ldb, ldb, beta, c, cOff + i * ldc + j, ldc);
            }
        }
        // The last m % 4 rows (all of a batch of 1) in 1×4 tiles, then the last n % 4 columns (all
        // of an output layer of one unit) four rows at a time, then one by one. Every element is the
        // same chain of operations in all four kernels: a row has the same bits alone as in a batch.
        for (int i = m4; i < m; i++) {
            for (int j = 0; j < n4; j += 4) {
                dotKernel1x4(k, alpha, a, aOff + i * lda, b, bOff + j * ldb, ldb, beta, c, cOff + i * ldc + j);
            }
        }
        for (int j = n4; j < n; j++) {
            for (int i = 0; i < m4; i += 4) {
                dotKernel4x1(k, alpha, a, aOff + i * lda, lda, b, bOff + j * ldb, beta, c, cOff + i * ldc + j, ldc);
            }
            for (int i = m4; i < m; i++) {
                dotKernel1x1(k, alpha, a, aOff + i * lda, b, bOff + j * ldb, beta, c, cOff + i * ldc + j);
            }
        }
    }

    /**
     * Four rows of A against one row of B: four independent chains, so that an output layer of one
     * unit (569 dot products of 16) is not a chain of one-vector dot products, each waiting on its
     * own horizontal sum.
     */
    private static void dotKernel4x1(int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff,
                                     float beta, float[] c, int cOff, int ldc) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int a0 = aOff, a1 = aOff + lda, a2 = aOff + 2 * lda, a3 = aOff + 3 * lda;
        int p = 0;
        for (int bound = S.loopBound(k); p < bound; p += L) {
            FloatVector y = FloatVector.fromArray(S, b, bOff + p);
            s0 = FloatVector.fromArray(S, a, a0 + p).fma(y, s0);
            s1 = FloatVector.fromArray(S, a, a1 + p).fma(y, s1);
            s2 = FloatVector.fromArray(S, a, a2 + p).fma(y, s2);
            s3 = FloatVector.fromArray(S, a, a3 + p).fma(y, s3);
        }
        // Horizontal sums in a fixed order (see SWAP_8).
        if (L > 8) {
            s0 = s0.add(s0.rearrange(SWAP_8));
            s1 = s1.add(s1.rearrange(SWAP_8));
            s2 = s2.add(s2.rearrange(SWAP_8));
            s3 = s3.add(s3.rearrange(SWAP_8));
        }
        if (L > 4) {
            s0 = s0.add(s0.rearrange(SWAP_4));
            s1 = s1.add(s1.rearrange(SWAP_4));
            s2 = s2.add(s2.rearrange(SWAP_4));
            s3 = s3.add(s3.rearrange(SWAP_4));
        }
        if (L > 2) {
            s0 = s0.add(s0.rearrange(SWAP_2));
            s1 = s1.add(s1.rearrange(SWAP_2));
            s2 = s2.add(s2.rearrange(SWAP_2));
            s3 = s3.add(s3.rearrange(SWAP_2));
        }
        if (L > 1) {
            s0 = s0.add(s0.rearrange(SWAP_1));
            s1 = s1.add(s1.rearrange(SWAP_1));
            s2 = s2.add(s2.rearrange(SWAP_1));
            s3 = s3.add(s3.rearrange(SWAP_1));
        }
        float t0 = s0.lane(0), t1 = s1.lane(0), t2 = s2.lane(0), t3 = s3.lane(0);
        for (; p < k; p++) {
            float y = b[bOff + p];
            t0 += a[a0 + p] * y;
            t1 += a[a1 + p] * y;
            t2 += a[a2 + p] * y;
            t3 += a[a3 + p] * y;
        }
        c[cOff] = beta == 0f ? alpha * t0 : alpha * t0 + beta * c[cOff];
        c[cOff + ldc] = beta == 0f ? alpha * t1 : alpha * t1 + beta * c[cOff + ldc];
        c[cOff + 2 * ldc] = beta == 0f ? alpha * t2 : alpha * t2 + beta * c[cOff + 2 * ldc];
        c[cOff + 3 * ldc] = beta == 0f ? alpha * t3 : alpha * t3 + beta * c[cOff + 3 * ldc];
    }

    /** One row of A against one row of B, as one row of {@link #dotKernel4x1}. */
    private static void dotKernel1x1(int k, float alpha, float[] a, int aOff, float[] b, int bOff,
                                     float beta, float[] c, int cOff) {
        FloatVector s = FloatVector.zero(S);
        int p = 0;
        for (int bound = S.loopBound(k); p < bound; p += L) {
            s = FloatVector.fromArray(S, a, aOff + p).fma(FloatVector.fromArray(S, b, bOff + p), s);
        }
        if (L > 8) {
            s = s.add(s.rearrange(SWAP_8));
        }
        if (L > 4) {
            s = s.add(s.rearrange(SWAP_4));
        }
        if (L > 2) {
            s = s.add(s.rearrange(SWAP_2));
        }
        if (L > 1) {
            s = s.add(s.rearrange(SWAP_1));
        }
        float t = s.lane(0);
        for (; p < k; p++) {
            t += a[aOff + p] * b[bOff + p];
        }
        c[cOff] = beta == 0f ? alpha * t : alpha * t + beta * c[cOff];
    }

    /** One row of A against four rows of B: a matrix-vector product, four outputs at a time. */
    private static void dotKernel1x4(int k, float alpha, float[] a, int aOff, float[] b, int bOff, int ldb,
                                     float beta, float[] c, int cOff) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int b0 = bOff, b1 = bOff + ldb, b2 = bOff + 2 * ldb, b3 = bOff + 3 * ldb;
        int p = 0;
        for (int bound = S.loopBound(k); p < bound; p += L) {
            FloatVector x = FloatVector.fromArray(S, a, aOff + p);
            s0 = x.fma(FloatVector.fromArray(S, b, b0 + p), s0);
            s1 = x.fma(FloatVector.fromArray(S, b, b1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(S, b, b2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(S, b, b3 + p), s3);
        }
        // Horizontal sums in a fixed order (see SWAP_8).
        if (L > 8) {
            s0 = s0.add(s0.rearrange(SWAP_8));
            s1 = s1.add(s1.rearrange(SWAP_8));
            s2 = s2.add(s2.rearrange(SWAP_8));
            s3 = s3.add(s3.rearrange(SWAP_8));
        }
        if (L > 4) {
            s0 = s0.add(s0.rearrange(SWAP_4));
            s1 = s1.add(s1.rearrange(SWAP_4));
            s2 = s2.add(s2.rearrange(SWAP_4));
            s3 = s3.add(s3.rearrange(SWAP_4));
        }
        if (L > 2) {
            s0 = s0.add(s0.rearrange(SWAP_2));
            s1 = s1.add(s1.rearrange(SWAP_2));
            s2 = s2.add(s2.rearrange(SWAP_2));
            s3 = s3.add(s3.rearrange(SWAP_2));
        }
        if (L > 1) {
            s0 = s0.add(s0.rearrange(SWAP_1));
            s1 = s1.add(s1.rearrange(SWAP_1));
            s2 = s2.add(s2.rearrange(SWAP_1));
            s3 = s3.add(s3.rearrange(SWAP_1));
        }
        float t0 = s0.lane(0), t1 = s1.lane(0), t2 = s2.lane(0), t3 = s3.lane(0);
        for (; p < k; p++) {
            float x = a[aOff + p];
            t0 += x * b[b0 + p];
            t1 += x * b[b1 + p];
            t2 += x * b[b2 + p];
            t3 += x * b[b3 + p];
        }
        storeRow4(t0, t1, t2, t3, alpha, beta, c, cOff);
    }

    private static void dotKernel4x4(int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                     float beta, float[] c, int cOff, int ldc) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        int a0 = aOff, a1 = aOff + lda, a2 = aOff + 2 * lda, a3 = aOff + 3 * lda;
        int b0 = bOff, b1 = bOff + ldb, b2 = bOff + 2 * ldb, b3 = bOff + 3 * ldb;
        int p = 0;
        for (int bound = S.loopBound(k); p < bound; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + p);
            FloatVector x3 = FloatVector.fromArray(S, a, a3 + p);
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
            s00 = x0.fma(y0, s00);
            s10 = x1.fma(y0, s10);
            s20 = x2.fma(y0, s20);
            s30 = x3.fma(y0, s30);
            FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
            s01 = x0.fma(y1, s01);
            s11 = x1.fma(y1, s11);
            s21 = x2.fma(y1, s21);
            s31 = x3.fma(y1, s31);
            FloatVector y2 = FloatVector.fromArray(S, b, b2 + p);
            s02 = x0.fma(y2, s02);
            s12 = x1.fma(y2, s12);
            s22 = x2.fma(y2, s22);
            s32 = x3.fma(y2, s32);
            FloatVector y3 = FloatVector.fromArray(S, b, b3 + p);
            s03 = x0.fma(y3, s03);
            s13 = x1.fma(y3, s13);
            s23 = x2.fma(y3, s23);
            s33 = x3.fma(y3, s33);
        }
        // Horizontal sums in a fixed order (see SWAP_8), then the scalar tail of k, then the write-back;
        // all unrolled in place, because a vector handed to a helper that C2 does not inline would be boxed.
        if (L > 8) {
            s00 = s00.add(s00.rearrange(SWAP_8));
            s01 = s01.add(s01.rearrange(SWAP_8));
            s02 = s02.add(s02.rearrange(SWAP_8));
            s03 = s03.add(s03.rearrange(SWAP_8));
            s10 = s10.add(s10.rearrange(SWAP_8));
            s11 = s11.add(s11.rearrange(SWAP_8));
            s12 = s12.add(s12.rearrange(SWAP_8));
            s13 = s13.add(s13.rearrange(SWAP_8));
            s20 = s20.add(s20.rearrange(SWAP_8));
            s21 = s21.add(s21.rearrange(SWAP_8));
            s22 = s22.add(s22.rearrange(SWAP_8));
            s23 = s23.add(s23.rearrange(SWAP_8));
            s30 = s30.add(s30.rearrange(SWAP_8));
            s31 = s31.add(s31.rearrange(SWAP_8));
            s32 = s32.add(s32.rearrange(SWAP_8));
            s33 = s33.add(s33.rearrange(SWAP_8));
        }
        if (L > 4) {
            s00 = s00.add(s00.rearrange(SWAP_4));
            s01 = s01.add(s01.rearrange(SWAP_4));
            s02 = s02.add(s02.rearrange(SWAP_4));
            s03 = s03.add(s03.rearrange(SWAP_4));
            s10 = s10.add(s10.rearrange(SWAP_4));
            s11 = s11.add(s11.rearrange(SWAP_4));
            s12 = s12.add(s12.rearrange(SWAP_4));
            s13 = s13.add(s13.rearrange(SWAP_4));
            s20 = s20.add(s20.rearrange(SWAP_4));
            s21 = s21.add(s21.rearrange(SWAP_4));
            s22 = s22.add(s22.rearrange(SWAP_4));
            s23 = s23.add(s23.rearrange(SWAP_4));
            s30 = s30.add(s30.rearrange(SWAP_4));
            s31 = s31.add(s31.rearrange(SWAP_4));
            s32 = s32.add(s32.rearrange(SWAP_4));
            s33 = s33.add(s33.rearrange(SWAP_4));
        }
        if (L > 2) {
            s00 = s00.add(s00.rearrange(SWAP_2));
            s01 = s01.add(s01.rearrange(SWAP_2));
            s02 = s02.add(s02.rearrange(SWAP_2));
            s03 = s03.add(s03.rearrange(SWAP_2));
            s10 = s10.add(s10.rearrange(SWAP_2));
            s11 = s11.add(s11.rearrange(SWAP_2));
            s12 = s12.add(s12.rearrange(SWAP_2));
            s13 = s13.add(s13.rearrange(SWAP_2));
            s20 = s20.add(s20.rearrange(SWAP_2));
            s21 = s21.add(s21.rearrange(SWAP_2));
            s22 = s22.add(s22.rearrange(SWAP_2));
            s23 = s23.add(s23.rearrange(SWAP_2));
            s30 = s30.add(s30.rearrange(SWAP_2));
            s31 = s31.add(s31.rearrange(SWAP_2));
            s32 = s32.add(s32.rearrange(SWAP_2));
            s33 = s33.add(s33.rearrange(SWAP_2));
        }
        if (L > 1) {
            s00 = s00.add(s00.rearrange(SWAP_1));
            s01 = s01.add(s01.rearrange(SWAP_1));
            s02 = s02.add(s02.rearrange(SWAP_1));
            s03 = s03.add(s03.rearrange(SWAP_1));
            s10 = s10.add(s10.rearrange(SWAP_1));
            s11 = s11.add(s11.rearrange(SWAP_1));
            s12 = s12.add(s12.rearrange(SWAP_1));
            s13 = s13.add(s13.rearrange(SWAP_1));
            s20 = s20.add(s20.rearrange(SWAP_1));
            s21 = s21.add(s21.rearrange(SWAP_1));
            s22 = s22.add(s22.rearrange(SWAP_1));
            s23 = s23.add(s23.rearrange(SWAP_1));
            s30 = s30.add(s30.rearrange(SWAP_1));
            s31 = s31.add(s31.rearrange(SWAP_1));
            s32 = s32.add(s32.rearrange(SWAP_1));
            s33 = s33.add(s33.rearrange(SWAP_1));
        }
        float t00 = s00.lane(0), t01 = s01.lane(0), t02 = s02.lane(0), t03 = s03.lane(0);
        float t10 = s10.lane(0), t11 = s11.lane(0), t12 = s12.lane(0), t13 = s13.lane(0);
        float t20 = s20.lane(0), t21 = s21.lane(0), t22 = s22.lane(0), t23 = s23.lane(0);
        float t30 = s30.lane(0), t31 = s31.lane(0), t32 = s32.lane(0), t33 = s33.lane(0);
        for (; p < k; p++) {
            float x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
            float y0 = b[b0 + p], y1 = b[b1 + p], y2 = b[b2 + p], y3 = b[b3 + p];
            t00 += x0 * y0; t01 += x0 * y1; t02 += x0 * y2; t03 += x0 * y3;
            t10 += x1 * y0; t11 += x1 * y1; t12 += x1 * y2; t13 += x1 * y3;
            t20 += x2 * y0; t21 += x2 * y1; t22 += x2 * y2; t23 += x2 * y3;
            t30 += x3 * y0; t31 += x3 * y1; t32 += x3 * y2; t33 += x3 * y3;
        }
        storeRow4(t00, t01, t02, t03, alpha, beta, c, cOff);
        storeRow4(t10, t11, t12, t13, alpha, beta, c, cOff + ldc);
        storeRow4(t20, t21, t22, t23, alpha, beta, c, cOff + 2 * ldc);
        storeRow4(t30, t31, t32, t33, alpha, beta, c, cOff + 3 * ldc);
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
}
