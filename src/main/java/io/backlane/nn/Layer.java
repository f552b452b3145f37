package io.backlane.nn;

/**
 * One dense layer: {@code width} units, z = W·a_prev + b, a = g(z).
 *
 * @param width      n[l], the number of units (≥ 1)
 * @param activation g, the activation function
 * @param slope      the negative-side slope of {@link Activation#LEAKY_RELU}; 0 for other activations
 */
public record Layer(int width, Activation activation, float slope) {
    /** Default slope of leaky ReLU. */
    public static final float DEFAULT_LEAKY_SLOPE = 0.01f;

    public Layer {
        if (width < 1) {
            throw new IllegalArgumentException("layer width must be >= 1, got " + width);
        }
        if (activation == null) {
            throw new IllegalArgumentException("layer activation must not be null");
        }
        if (!Float.isFinite(slope) || slope < 0f || slope >= 1f) {
            throw new IllegalArgumentException("leaky ReLU slope must be in [0, 1), got " + slope);
        }
        if (activation != Activation.LEAKY_RELU) {
            slope = 0f;
        }
    }
}
