package io.backlane.kernel;

/**
 * The activation functions the kernels implement. {@code param} arguments are used by
 * {@link #LEAKY_RELU} only (the slope for negative inputs, for example 0.01).
 */
public enum Activation {
    /** σ(z) = 1 / (1 + e^−z); σ' = a(1 − a). */
    SIGMOID,
    /** tanh(z); tanh' = 1 − a². */
    TANH,
    /** max(0, z); derivative 1 where z &gt; 0, else 0. */
    RELU,
    /** z where z &gt; 0, else param·z; derivative 1 or param. */
    LEAKY_RELU,
    /** z; derivative 1. */
    IDENTITY,
    /** Row-wise e^(z − max) / Σ e^(z − max). */
    SOFTMAX
}
