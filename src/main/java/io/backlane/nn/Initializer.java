package io.backlane.nn;

import java.util.SplittableRandom;

/**
 * Weight initializers. Biases always start at zero. Every random draw comes from a
 * {@link SplittableRandom} seeded by the caller, so a seed gives the same parameters on every run.
 */
public enum Initializer {
    /** U(−r, r) with r = √(6 / (fan_in + fan_out)): Glorot and Bengio, for sigmoid and tanh. */
    XAVIER_UNIFORM,
    /** N(0, 2 / (fan_in + fan_out)). */
    XAVIER_NORMAL,
    /** N(0, 2 / fan_in): He et al., for ReLU layers. */
    HE_NORMAL,
    /** U(−r, r) with r = √(6 / fan_in). */
    HE_UNIFORM;

    /** Draws one weight for a layer with the given fan-in and fan-out. */
    double sample(SplittableRandom random, int fanIn, int fanOut) {
        return switch (this) {
            case XAVIER_UNIFORM -> uniform(random, Math.sqrt(6.0 / (fanIn + fanOut)));
            case XAVIER_NORMAL -> random.nextGaussian() * Math.sqrt(2.0 / (fanIn + fanOut));
            case HE_NORMAL -> random.nextGaussian() * Math.sqrt(2.0 / fanIn);
            case HE_UNIFORM -> uniform(random, Math.sqrt(6.0 / fanIn));
        };
    }

    private static double uniform(SplittableRandom random, double r) {
        return (2 * random.nextDouble() - 1) * r;
    }

    /** He for ReLU-family layers, Xavier uniform otherwise: a sensible default per layer. */
    public static Initializer defaultFor(Activation g) {
        return switch (g) {
            case RELU, LEAKY_RELU -> HE_NORMAL;
            default -> XAVIER_UNIFORM;
        };
    }
}
