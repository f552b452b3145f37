package io.backlane.kernel;

/**
 * The element-wise functions the activation kernels implement ({@link Kernels#activate} and
 * {@link Kernels#activateBackward}), each with a derivative that is a function of its output, so
 * that the backward pass needs only the stored activations. Softmax is not element-wise: see
 * {@link Kernels#softmaxRows}.
 */
public enum Pointwise {
    /** σ(z) = 1 / (1 + e^−z); σ' = a(1 − a). */
    SIGMOID,
    /** tanh(z); tanh' = 1 − a². */
    TANH,
    /** max(0, z); derivative 1 where a &gt; 0, else 0. */
    RELU,
    /** z where z &gt; 0, else slope·z; derivative 1 or slope. */
    LEAKY_RELU,
    /** z; derivative 1. */
    IDENTITY
}
