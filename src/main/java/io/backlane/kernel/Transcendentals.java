package io.backlane.kernel;

/**
 * exp, tanh and the logistic sigmoid in float, each a fixed sequence of correctly rounded operations
 * (additions, multiplications, divisions and {@link Math#fma}) that the vector kernels repeat lane by
 * lane ({@code VectorKernels.exp}, {@code tanh}): so a value gets the same bits in the vector body
 * and in the scalar tail of a loop, in the scalar and the vector kernels, and in every JIT tier.
 *
 * <p>Why not {@link Math#exp}: the Vector API's {@code EXP} and {@code TANH} run SVML stubs once C2
 * has compiled a kernel, and {@code Math.exp} per lane before, so a model's first predictions in a
 * fresh JVM differed from its later ones in the last bits; and a row's elements took the vector or
 * the scalar path depending on where the batch put them.
 *
 * <p>The method is Cephes' {@code expf} and {@code tanhf} (S. L. Moshier) with fused multiply-adds:
 * exp(x) = 2ⁿ·exp(r) with n = round(x·log₂e) and |r| ≤ ln2/2, exp(r) by a degree-7 polynomial;
 * tanh(x) by an odd polynomial below 0.625 and 1 − 2/(e^{2|x|} + 1) above. Accuracy, held by
 * {@code TranscendentalsTest} over a sweep of the float range: within 1.01 ulp of the exact exp,
 * 2 ulp of tanh and 2.5 ulp of the sigmoid (measured: 1.003, under 2, 2.36); exp underflows through the subnormals to 0 below about −103.97
 * and overflows to +∞ above about 88.72, like {@code (float) Math.exp}; NaN gives NaN.
 */
final class Transcendentals {
    private Transcendentals() {
    }

    // exp: clamped to [EXP_CLAMP_LO, EXP_CLAMP_HI] so that n stays small, then the ends blended in.
    static final float EXP_OVERFLOW = 88.72283935546875f;   // the float just above ln(Float.MAX_VALUE)
    static final float EXP_UNDERFLOW = -103.972076416015625f; // below: 0 (exp of it is half the least subnormal)
    static final float EXP_CLAMP_HI = 89f;
    static final float EXP_CLAMP_LO = -104f;
    static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2²³: adding it rounds x·log₂e to an integer n, left in the low mantissa bits. */
    static final float ROUNDING_MAGIC = 12582912f;
    static final int ROUNDING_MAGIC_BITS = Float.floatToRawIntBits(ROUNDING_MAGIC);
    /** ln 2 = LN2_HI + LN2_LO (Cody and Waite): LN2_HI has 9 significant bits, so n·LN2_HI is exact. */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    // exp(r) = 1 + r + r²·P(r) on |r| ≤ ln2/2 (Cephes expf).
    static final float EXP_P0 = 1.9875691500e-4f;
    static final float EXP_P1 = 1.3981999507e-3f;
    static final float EXP_P2 = 8.3334519073e-3f;
    static final float EXP_P3 = 4.1665795894e-2f;
    static final float EXP_P4 = 1.6666665459e-1f;
    static final float EXP_P5 = 5.0000001201e-1f;

    // tanh(x) = x + x³·Q(x²) for |x| < TANH_SMALL (Cephes tanhf), else from exp.
    static final float TANH_SMALL = 0.625f;
    static final float TANH_Q0 = -5.70498872745e-3f;
    static final float TANH_Q1 = 2.06390887954e-2f;
    static final float TANH_Q2 = -5.37397155531e-2f;
    static final float TANH_Q3 = 1.33314422036e-1f;
    static final float TANH_Q4 = -3.33332819422e-1f;

    /** e^x; see the class comment for its accuracy. */
    static float exp(float x) {
        if (x >= EXP_OVERFLOW) {
            return Float.POSITIVE_INFINITY;
        }
        if (x < EXP_UNDERFLOW) {
            return 0f;
        }
        float xc = Math.max(Math.min(x, EXP_CLAMP_HI), EXP_CLAMP_LO); // keeps NaN
        float t = Math.fma(xc, LOG2E, ROUNDING_MAGIC);
        float n = t - ROUNDING_MAGIC;
        int ni = Float.floatToRawIntBits(t) - ROUNDING_MAGIC_BITS;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(EXP_P0, r, EXP_P1);
        p = Math.fma(p, r, EXP_P2);
        p = Math.fma(p, r, EXP_P3);
        p = Math.fma(p, r, EXP_P4);
        p = Math.fma(p, r, EXP_P5);
        float y = Math.fma(p, r * r, r) + 1f;
        // 2ⁿ as two factors 2^(n/2): each stays a normal float over n in [-150, 128], so the first
        // product is exact and the second rounds once, into the subnormals where it must.
        int n1 = ni >> 1;
        int n2 = ni - n1;
        return y * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    /** tanh x; see the class comment for its accuracy. */
    static float tanh(float x) {
        float ax = Math.abs(x);
        float y;
        if (ax < TANH_SMALL) {
            float z = ax * ax;
            float q = Math.fma(TANH_Q0, z, TANH_Q1);
            q = Math.fma(q, z, TANH_Q2);
            q = Math.fma(q, z, TANH_Q3);
            q = Math.fma(q, z, TANH_Q4);
            y = Math.fma(q * z, ax, ax);
        } else {
            // e^{2|x|} overflows to +∞ for |x| > 44.36, where 2/∞ = 0 gives exactly 1.
            y = 1f - 2f / (exp(ax + ax) + 1f);
        }
        return Math.copySign(y, x); // odd by construction, -0 included
    }

    /** The logistic sigmoid 1/(1 + e^{-z}): e^{-z} overflows to +∞ for z &lt;&lt; 0, giving 0; no NaN at either end. */
    static float sigmoid(float z) {
        return 1f / (1f + exp(-z));
    }
}
