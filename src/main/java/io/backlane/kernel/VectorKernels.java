package io.backlane.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Java Vector API ({@code jdk.incubator.vector}), with the float species of
 * {@link VectorGemm#S} (the platform's preferred one unless {@code -Dbacklane.vectorBits} says otherwise). This class and {@link VectorGemm} are the only code in backlane that touches the incubator
 * module; {@link KernelProvider} loads them reflectively, only when the module is readable.
 * Loops have vector bodies and scalar tails: no masked loads in inner loops.
 */
final class VectorKernels extends Kernels {
    private static final VectorGemm GEMM = new VectorGemm();
    private static final VectorSpecies<Float> S = VectorGemm.S;
    private static final int L = VectorGemm.L;
    /** Doubles of the same shape as S: half as many lanes, so one float vector widens into two. */
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, S.vectorShape());
    /** The fixed-order horizontal sum's shuffles for D (VectorGemm.SWAP_8 explains them). */
    private static final VectorShuffle<Double> DSWAP_4 = dswap(4), DSWAP_2 = dswap(2);
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
    private static final FloatVector ZERO = FloatVector.zero(S);
    private static final FloatVector INFINITY = FloatVector.broadcast(S, Float.POSITIVE_INFINITY);

    VectorKernels() {
    }

    private static VectorShuffle<Double> dswap(int h) {
        int[] lanes = new int[D.length()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = h < lanes.length ? i ^ h : i;
        }
        return VectorShuffle.fromArray(D, lanes, 0);
    }

    @Override
    public String name() {
        return "vector(" + VectorGemm.S.vectorBitSize() + " bit, micro-kernel " + VectorGemm.MR + "x" + VectorGemm.NR
                + (VectorGemm.SIXTEEN_REGISTERS ? " in two halves for 16 vector registers" : "") + ")";
    }

    @Override
    public boolean isVectorized() {
        return true;
    }

    @Override
    int widestVectorBitSize() {
        return VectorGemm.WIDEST.vectorBitSize();
    }

    @Override
    BlockedGemm engine() {
        return GEMM;
    }

    @Override
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
              float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        GEMM.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
    }

    @Override
    void axpyUnchecked(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        VectorGemm.axpyVector(n, alpha, x, xOff, y, yOff);
    }

    @Override
    void scaleUnchecked(int n, float alpha, float[] x, int xOff) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(alpha).intoArray(x, xOff + i);
        }
        for (; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    /**
     * Each term in float lanes: e = e^−|z| as in {@link #expPass} (−|z| ≤ 0 never overflows), then
     * log(1 + e) = 2·atanh(s) with s = e / (2 + e) in [0, 1/3], as 2s·(1 + s²/3 + s⁴/5 + … + s¹²/13):
     * the next term is below 1.5e-8 of the sum. The terms widen to double, as in
     * {@link #sumOfSquaresUnchecked}, and add up there. The exp is written out a third time (as in
     * tanh) rather than called, for the reason given above sigmoid.
     */
    @Override
    double binaryCrossEntropyUnchecked(int n, float[] z, int zOff, float[] y, int yOff) {
        DoubleVector lower = DoubleVector.zero(D), upper = lower;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, z, zOff + i);
            FloatVector t = FloatVector.fromArray(S, y, yOff + i);
            FloatVector u = x.abs().neg();
            FloatVector uc = u.max(Transcendentals.EXP_CLAMP_LO);
            FloatVector r0 = uc.fma(Transcendentals.LOG2E, Transcendentals.ROUNDING_MAGIC);
            FloatVector k = r0.sub(Transcendentals.ROUNDING_MAGIC);
            IntVector ki = ((IntVector) r0.reinterpretAsInts()).sub(Transcendentals.ROUNDING_MAGIC_BITS);
            FloatVector r = k.fma(FloatVector.broadcast(S, -Transcendentals.LN2_HI), uc);
            r = k.fma(FloatVector.broadcast(S, -Transcendentals.LN2_LO), r);
            FloatVector p = r.fma(Transcendentals.EXP_P0, Transcendentals.EXP_P1);
            p = p.fma(r, FloatVector.broadcast(S, Transcendentals.EXP_P2));
            p = p.fma(r, FloatVector.broadcast(S, Transcendentals.EXP_P3));
            p = p.fma(r, FloatVector.broadcast(S, Transcendentals.EXP_P4));
            p = p.fma(r, FloatVector.broadcast(S, Transcendentals.EXP_P5));
            FloatVector ey = p.fma(r.mul(r), r).add(1f);
            IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
            IntVector k2 = ki.sub(k1);
            FloatVector e = ey.mul((FloatVector) k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul((FloatVector) k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .blend(ZERO, u.compare(VectorOperators.LT, Transcendentals.EXP_UNDERFLOW));
            FloatVector s = e.div(e.add(2f));
            FloatVector s2 = s.mul(s);
            FloatVector q = s2.fma(1f / 13, 1f / 11);
            q = q.fma(s2, FloatVector.broadcast(S, 1f / 9));
            q = q.fma(s2, FloatVector.broadcast(S, 1f / 7));
            q = q.fma(s2, FloatVector.broadcast(S, 1f / 5));
            q = q.fma(s2, FloatVector.broadcast(S, 1f / 3));
            q = q.fma(s2, ONE);
            // max(z, 0) − z·y + 2s·q
            FloatVector term = s.add(s).fma(q, x.neg().fma(t, x.max(0f)));
            lower = lower.add((DoubleVector) term.convertShape(VectorOperators.F2D, D, 0));
            upper = upper.add((DoubleVector) term.convertShape(VectorOperators.F2D, D, 1));
        }
        // The horizontal sum in a fixed order, as in sumOfSquaresUnchecked.
        DoubleVector sum = lower.add(upper);
        if (L / 2 > 4) {
            sum = sum.add(sum.rearrange(DSWAP_4));
        }
        if (L / 2 > 2) {
            sum = sum.add(sum.rearrange(DSWAP_2));
        }
        double total = sum.lane(0) + sum.lane(1);
        for (; i < n; i++) {
            total += binaryCrossEntropyTerm(z[zOff + i], y[yOff + i]);
        }
        return total;
    }

    @Override
    double sumOfSquaresUnchecked(int n, float[] x, int xOff) {
        // Each float vector widens into two double vectors of the same shape (lower and upper half);
        // a float squared is exact in double, so only the additions round. Two vectors per step, four
        // accumulators: the FMA latency, not memory, would bound a single chain.
        DoubleVector a0 = DoubleVector.zero(D), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector w = FloatVector.fromArray(S, x, xOff + i + L);
            DoubleVector v0 = (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector v1 = (DoubleVector) v.convertShape(VectorOperators.F2D, D, 1);
            DoubleVector w0 = (DoubleVector) w.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector w1 = (DoubleVector) w.convertShape(VectorOperators.F2D, D, 1);
            a0 = v0.fma(v0, a0);
            a1 = v1.fma(v1, a1);
            a2 = w0.fma(w0, a2);
            a3 = w1.fma(w1, a3);
        }
        // The horizontal sum in a fixed order, as VectorGemm.SWAP_8 explains; D has L/2 lanes.
        DoubleVector sum = a0.add(a1).add(a2.add(a3));
        if (L / 2 > 4) {
            sum = sum.add(sum.rearrange(DSWAP_4));
        }
        if (L / 2 > 2) {
            sum = sum.add(sum.rearrange(DSWAP_2));
        }
        // The last level as two lanes (the same bits): with 128-bit vectors, a rearrange of two doubles
        // was not intrinsified and allocated.
        double s = sum.lane(0) + sum.lane(1);
        for (; i < n; i++) {
            double v = x[xOff + i];
            s += v * v;
        }
        return s;
    }

    @Override
    boolean allFiniteUnchecked(int n, float[] x, int xOff) {
        // v − v is 0 for a finite v and NaN for an infinity or NaN; the sum stays 0 or turns NaN.
        // Four sums: with two, the chains of dependent adds, not the loads, bounded the pass (the
        // input check of a 64-row prediction took 1.2% of the call).
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
            FloatVector v0 = FloatVector.fromArray(S, x, xOff + i);
            FloatVector v1 = FloatVector.fromArray(S, x, xOff + i + L);
            FloatVector v2 = FloatVector.fromArray(S, x, xOff + i + 2 * L);
            FloatVector v3 = FloatVector.fromArray(S, x, xOff + i + 3 * L);
            a0 = a0.add(v0.sub(v0));
            a1 = a1.add(v1.sub(v1));
            a2 = a2.add(v2.sub(v2));
            a3 = a3.add(v3.sub(v3));
        }
        for (int bound = n - L; i <= bound; i += L) {
            FloatVector v0 = FloatVector.fromArray(S, x, xOff + i);
            a0 = a0.add(v0.sub(v0));
        }
        // Sums of zeros and NaNs: any order gives the same answer, but the fixed one of SWAP_8 costs nothing more.
        FloatVector v = a0.add(a1).add(a2.add(a3));
        if (L > 8) {
            v = v.add(v.rearrange(VectorGemm.SWAP_8));
        }
        if (L > 4) {
            v = v.add(v.rearrange(VectorGemm.SWAP_4));
        }
        if (L > 2) {
            v = v.add(v.rearrange(VectorGemm.SWAP_2));
        }
        if (L > 1) {
            v = v.add(v.rearrange(VectorGemm.SWAP_1));
        }
        float s = v.lane(0);
        for (; i < n; i++) {
            s += x[xOff + i] - x[xOff + i];
        }
        return s == 0f;
    }

    @Override
    void hadamardUnchecked(int n, float[] x, int xOff, float[] y, int yOff, float[] dst, int dstOff) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(FloatVector.fromArray(S, y, yOff + i))
                    .intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = x[xOff + i] * y[yOff + i];
        }
    }

    @Override
    void addBiasRowsUnchecked(int rows, int cols, float[] bias, int biasOff, float[] c, int cOff) {
        if (cols == 1) { // one output unit: a contiguous column, a vector of rows at a time
            FloatVector b = FloatVector.broadcast(S, bias[biasOff]);
            int i = 0;
            for (int bound = S.loopBound(rows); i < bound; i += L) {
                FloatVector.fromArray(S, c, cOff + i).add(b).intoArray(c, cOff + i);
            }
            for (; i < rows; i++) {
                c[cOff + i] += bias[biasOff];
            }
            return;
        }
        // x·1 + y rounds exactly like x + y, so the FMA-based axpy adds the bias exactly.
        for (int i = 0, row = cOff; i < rows; i++, row += cols) {
            VectorGemm.axpyVector(cols, 1f, bias, biasOff, c, row);
        }
    }

    @Override
    void columnSumsUnchecked(int rows, int cols, float alpha, float[] a, int aOff, int lda,
                             float beta, float[] dst, int dstOff) {
        // Each vector of columns (then each last column) summed down the rows in registers, four
        // rows at a time into four sums, and written once. Not row by row through dst: on Zen 4 a
        // 512-bit load does not take its data from the 512-bit store just before it (two 256-bit
        // halves), so each row waited for the last one's store to reach L1, about 30 cycles (the
        // bias gradient of 16 units over 569 rows took 5 µs of a 35 µs step).
        int j = 0;
        for (; j + L <= cols; j += L) {
            columnSumsOfVector(rows, alpha, a, aOff + j, lda, beta, dst, dstOff + j);
        }
        for (; j < cols; j++) {
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int i = 0;
            for (int row = aOff + j; i + 4 <= rows; i += 4, row += 4 * lda) {
                s0 += a[row];
                s1 += a[row + lda];
                s2 += a[row + 2 * lda];
                s3 += a[row + 3 * lda];
            }
            for (int row = aOff + j + i * lda; i < rows; i++, row += lda) {
                s0 += a[row];
            }
            float sum = alpha * ((s0 + s1) + (s2 + s3));
            dst[dstOff + j] = beta == 0f ? sum : Math.fma(beta, dst[dstOff + j], sum);
        }
    }

    /**
     * One vector of columns of {@link #columnSumsUnchecked}: four sums down the rows (rows i, i + 1,
     * i + 2, i + 3), added in a fixed order at the end. One loop in a method of its own, so that
     * C2 compiles it whole wherever it is called from.
     */
    private static void columnSumsOfVector(int rows, float alpha, float[] a, int aOff, int lda,
                                           float beta, float[] dst, int dstOff) {
        // zero(S), not the constant ZERO: a loop phi that starts from a constant vector object is
        // boxed (KernelAllocationTest caught it allocating).
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (int row = aOff; i + 4 <= rows; i += 4, row += 4 * lda) {
            s0 = s0.add(FloatVector.fromArray(S, a, row));
            s1 = s1.add(FloatVector.fromArray(S, a, row + lda));
            s2 = s2.add(FloatVector.fromArray(S, a, row + 2 * lda));
            s3 = s3.add(FloatVector.fromArray(S, a, row + 3 * lda));
        }
        for (int row = aOff + i * lda; i < rows; i++, row += lda) {
            s0 = s0.add(FloatVector.fromArray(S, a, row));
        }
        FloatVector sum = s0.add(s1).add(s2.add(s3)).mul(alpha);
        if (beta == 0f) { // dst is not read: NaN there must not propagate
            sum.intoArray(dst, dstOff);
        } else {
            FloatVector.fromArray(S, dst, dstOff).fma(FloatVector.broadcast(S, beta), sum).intoArray(dst, dstOff);
        }
    }

    // One loop per activation: the vector body then holds straight-line code, with no per-iteration
    // dispatch for C2 to hoist and no vector values merged across branches.
    @Override
    void activateUnchecked(Pointwise g, float param, int n, float[] src, int srcOff, float[] dst, int dstOff) {
        switch (g) {
            case SIGMOID -> sigmoid(n, src, srcOff, dst, dstOff);
            case TANH -> tanh(n, src, srcOff, dst, dstOff);
            case RELU -> relu(n, src, srcOff, dst, dstOff);
            case LEAKY_RELU -> leakyRelu(param, n, src, srcOff, dst, dstOff);
            case IDENTITY -> System.arraycopy(src, srcOff, dst, dstOff, n);
        }
    }

    // The transcendental activations are passes over arrays, and exp is written out once, in
    // expPass: C2 boxes a vector returned from a helper it does not inline, and whether it inlined
    // one changed with the profile of the whole test run (a training step then allocated).

    private static void sigmoid(int n, float[] src, int srcOff, float[] dst, int dstOff) {
        expPass(n, src, srcOff, -1f, 0f, dst, dstOff); // e^{-z}; -z + 0 rounds as -z
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            // e^{-z} overflows to +Inf for z << 0, giving 1/Inf = 0: no NaN at either end.
            ONE.div(ONE.add(FloatVector.fromArray(S, dst, dstOff + i))).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = 1f / (1f + dst[dstOff + i]); // = Transcendentals.sigmoid(z)
        }
    }

    /**
     * {@link Transcendentals#tanh} lane by lane, both of its branches computed and blended, in one
     * pass: dst may be src (hidden layers activate in place), so x is still needed after its exp,
     * and the exp of {@link #expPass} is repeated here rather than called.
     */
    private static void tanh(int n, float[] src, int srcOff, float[] dst, int dstOff) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, src, srcOff + i);
            FloatVector ax = x.abs();
            FloatVector z = ax.mul(ax);
            FloatVector q = z.fma(Transcendentals.TANH_Q0, Transcendentals.TANH_Q1);
            q = q.fma(z, FloatVector.broadcast(S, Transcendentals.TANH_Q2));
            q = q.fma(z, FloatVector.broadcast(S, Transcendentals.TANH_Q3));
            q = q.fma(z, FloatVector.broadcast(S, Transcendentals.TANH_Q4));
            FloatVector small = q.mul(z).fma(ax, ax);
            // e^{2|x|}, as in expPass
            FloatVector u = ax.add(ax);
            FloatVector uc = u.min(Transcendentals.EXP_CLAMP_HI).max(Transcendentals.EXP_CLAMP_LO);
            FloatVector t = uc.fma(Transcendentals.LOG2E, Transcendentals.ROUNDING_MAGIC);
            FloatVector k = t.sub(Transcendentals.ROUNDING_MAGIC);
            IntVector ki = ((IntVector) t.reinterpretAsInts()).sub(Transcendentals.ROUNDING_MAGIC_BITS);
            FloatVector r = k.fma(FloatVector.broadcast(S, -Transcendentals.LN2_HI), uc);
            r = k.fma(FloatVector.broadcast(S, -Transcendentals.LN2_LO), r);
            FloatVector p = r.fma(Transcendentals.EXP_P0, Transcendentals.EXP_P1);
            p = p.fma(r, FloatVector.broadcast(S, Transcendentals.EXP_P2));
            p = p.fma(r, FloatVector.broadcast(S, Transcendentals.EXP_P3));
            p = p.fma(r, FloatVector.broadcast(S, Transcendentals.EXP_P4));
            p = p.fma(r, FloatVector.broadcast(S, Transcendentals.EXP_P5));
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
            IntVector k2 = ki.sub(k1);
            FloatVector e = y.mul((FloatVector) k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul((FloatVector) k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .blend(INFINITY, u.compare(VectorOperators.GE, Transcendentals.EXP_OVERFLOW));
            // (u >= 0: exp never underflows here)
            FloatVector large = ONE.sub(FloatVector.broadcast(S, 2f).div(e.add(ONE)));
            IntVector magnitude = (IntVector) large.blend(small, ax.compare(VectorOperators.LT, Transcendentals.TANH_SMALL))
                    .reinterpretAsInts();
            IntVector sign = ((IntVector) x.reinterpretAsInts()).and(Integer.MIN_VALUE);
            magnitude.or(sign).reinterpretAsFloats().intoArray(dst, dstOff + i); // Math.copySign, -0 included
        }
        for (; i < n; i++) {
            dst[dstOff + i] = Transcendentals.tanh(src[srcOff + i]);
        }
    }

    /**
     * dst[i] = {@link Transcendentals#exp}(fma(src[i], scale, shift)) for i in [0, n), lane by lane:
     * the same operations in the same order as the scalar function, so the same bits in every lane,
     * in the scalar tail and in every JIT tier. dst may be src.
     */
    private static void expPass(int n, float[] src, int srcOff, float scale, float shift, float[] dst, int dstOff) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, src, srcOff + i).fma(scale, shift);
            FloatVector xc = x.min(Transcendentals.EXP_CLAMP_HI).max(Transcendentals.EXP_CLAMP_LO);
            FloatVector t = xc.fma(Transcendentals.LOG2E, Transcendentals.ROUNDING_MAGIC);
            FloatVector k = t.sub(Transcendentals.ROUNDING_MAGIC);
            IntVector ki = ((IntVector) t.reinterpretAsInts()).sub(Transcendentals.ROUNDING_MAGIC_BITS);
            FloatVector r = k.fma(FloatVector.broadcast(S, -Transcendentals.LN2_HI), xc);
            r = k.fma(FloatVector.broadcast(S, -Transcendentals.LN2_LO), r);
            FloatVector p = r.fma(Transcendentals.EXP_P0, Transcendentals.EXP_P1);
            p = p.fma(r, FloatVector.broadcast(S, Transcendentals.EXP_P2));
            p = p.fma(r, FloatVector.broadcast(S, Transcendentals.EXP_P3));
            p = p.fma(r, FloatVector.broadcast(S, Transcendentals.EXP_P4));
            p = p.fma(r, FloatVector.broadcast(S, Transcendentals.EXP_P5));
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
            IntVector k2 = ki.sub(k1);
            FloatVector scale1 = (FloatVector) k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector scale2 = (FloatVector) k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            y.mul(scale1).mul(scale2)
                    .blend(INFINITY, x.compare(VectorOperators.GE, Transcendentals.EXP_OVERFLOW))
                    .blend(ZERO, x.compare(VectorOperators.LT, Transcendentals.EXP_UNDERFLOW))
                    .intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = Transcendentals.exp(Math.fma(src[srcOff + i], scale, shift));
        }
    }

    private static void relu(int n, float[] src, int srcOff, float[] dst, int dstOff) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            // MAX behaves as Math.max: NaN propagates, as in the scalar kernels.
            FloatVector.fromArray(S, src, srcOff + i).max(0f).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = Math.max(src[srcOff + i], 0f);
        }
    }

    private static void leakyRelu(float slope, int n, float[] src, int srcOff, float[] dst, int dstOff) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector z = FloatVector.fromArray(S, src, srcOff + i);
            z.mul(slope).blend(z, z.compare(VectorOperators.GT, 0f)).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            float z = src[srcOff + i];
            dst[dstOff + i] = z > 0f ? z : slope * z;
        }
    }

    @Override
    void softmaxRowsUnchecked(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff) {
        if (cols < L) {
            softmaxShortRows(rows, cols, src, srcOff, dst, dstOff);
            return;
        }
        int bound = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int s = srcOff + r * cols;
            int d = dstOff + r * cols;

            float max = Float.NEGATIVE_INFINITY;
            int j = 0;
            if (bound > 0) {
                FloatVector vmax = FloatVector.fromArray(S, src, s);
                for (j = L; j < bound; j += L) {
                    vmax = vmax.max(FloatVector.fromArray(S, src, s + j));
                }
                max = vmax.reduceLanes(VectorOperators.MAX);
            }
            for (; j < cols; j++) {
                max = Math.max(max, src[s + j]);
            }

            // After subtracting the maximum every exponent is <= 0: no overflow, and the sum is >= 1.
            expPass(cols, src, s, 1f, -max, dst, d); // x·1 − max rounds as x − max
            FloatVector vsum = FloatVector.zero(S);
            for (j = 0; j < bound; j += L) {
                vsum = vsum.add(FloatVector.fromArray(S, dst, d + j));
            }
            // The horizontal sum in a fixed order (see VectorGemm.SWAP_8).
            if (L > 8) {
                vsum = vsum.add(vsum.rearrange(VectorGemm.SWAP_8));
            }
            if (L > 4) {
                vsum = vsum.add(vsum.rearrange(VectorGemm.SWAP_4));
            }
            if (L > 2) {
                vsum = vsum.add(vsum.rearrange(VectorGemm.SWAP_2));
            }
            if (L > 1) {
                vsum = vsum.add(vsum.rearrange(VectorGemm.SWAP_1));
            }
            float sum = vsum.lane(0);
            for (; j < cols; j++) {
                sum += dst[d + j];
            }

            for (j = 0; j < bound; j += L) {
                FloatVector.fromArray(S, dst, d + j).div(sum).intoArray(dst, d + j);
            }
            for (; j < cols; j++) {
                dst[d + j] /= sum;
            }
        }
    }

    /**
     * Rows shorter than a vector (an output of 10 classes): the exponents of all rows in one pass
     * of {@link #expPass}, whole vectors across row boundaries, instead of each row's exp in its
     * scalar tail. The same bits as the row-by-row pass: each row's maximum is subtracted first
     * (x − max rounds as expPass's fma(x, 1, −max)), every lane of expPass rounds as its scalar
     * tail, and the sums and divisions are the scalar ones.
     */
    private static void softmaxShortRows(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff) {
        for (int r = 0; r < rows; r++) {
            int s = srcOff + r * cols;
            int d = dstOff + r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, src[s + j]);
            }
            for (int j = 0; j < cols; j++) {
                dst[d + j] = src[s + j] - max;
            }
        }
        expPass(rows * cols, dst, dstOff, 1f, 0f, dst, dstOff); // x·1 + 0 rounds as x (−0 becomes +0: the same exp)
        for (int r = 0; r < rows; r++) {
            int d = dstOff + r * cols;
            float sum = 0f;
            for (int j = 0; j < cols; j++) {
                sum += dst[d + j];
            }
            for (int j = 0; j < cols; j++) {
                dst[d + j] /= sum;
            }
        }
    }

    // As for activate: one loop per activation. Same operation order as the scalar kernels, so
    // both round alike.
    @Override
    void activateBackwardUnchecked(Pointwise g, float param, int n, float[] dA, int dAOff, float[] a, int aOff, float[] dZ, int dZOff) {
        switch (g) {
            case SIGMOID -> sigmoidBackward(n, dA, dAOff, a, aOff, dZ, dZOff);
            case TANH -> tanhBackward(n, dA, dAOff, a, aOff, dZ, dZOff);
            case RELU -> reluBackward(n, dA, dAOff, a, aOff, dZ, dZOff);
            case LEAKY_RELU -> leakyReluBackward(param, n, dA, dAOff, a, aOff, dZ, dZOff);
            case IDENTITY -> System.arraycopy(dA, dAOff, dZ, dZOff, n);
        }
    }

    private static void sigmoidBackward(int n, float[] dA, int dAOff, float[] a, int aOff, float[] dZ, int dZOff) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector av = FloatVector.fromArray(S, a, aOff + i);
            FloatVector.fromArray(S, dA, dAOff + i).mul(av.mul(ONE.sub(av))).intoArray(dZ, dZOff + i);
        }
        for (; i < n; i++) {
            float ai = a[aOff + i];
            dZ[dZOff + i] = dA[dAOff + i] * (ai * (1f - ai));
        }
    }

    private static void tanhBackward(int n, float[] dA, int dAOff, float[] a, int aOff, float[] dZ, int dZOff) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector av = FloatVector.fromArray(S, a, aOff + i);
            FloatVector.fromArray(S, dA, dAOff + i).mul(ONE.sub(av.mul(av))).intoArray(dZ, dZOff + i);
        }
        for (; i < n; i++) {
            float ai = a[aOff + i];
            dZ[dZOff + i] = dA[dAOff + i] * (1f - ai * ai);
        }
    }

    // Not leaky ReLU with slope 0: that would turn an infinite dA where a <= 0 into 0·Inf = NaN.
    private static void reluBackward(int n, float[] dA, int dAOff, float[] a, int aOff, float[] dZ, int dZOff) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            VectorMask<Float> positive = FloatVector.fromArray(S, a, aOff + i).compare(VectorOperators.GT, 0f);
            ZERO.blend(FloatVector.fromArray(S, dA, dAOff + i), positive).intoArray(dZ, dZOff + i);
        }
        for (; i < n; i++) {
            dZ[dZOff + i] = a[aOff + i] > 0f ? dA[dAOff + i] : 0f;
        }
    }

    private static void leakyReluBackward(float slope, int n, float[] dA, int dAOff, float[] a, int aOff, float[] dZ, int dZOff) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, dA, dAOff + i);
            VectorMask<Float> positive = FloatVector.fromArray(S, a, aOff + i).compare(VectorOperators.GT, 0f);
            d.mul(slope).blend(d, positive).intoArray(dZ, dZOff + i);
        }
        for (; i < n; i++) {
            float d = dA[dAOff + i];
            dZ[dZOff + i] = a[aOff + i] > 0f ? d : slope * d;
        }
    }
}
