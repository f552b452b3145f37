package io.backlane.nn;

import io.backlane.kernel.Pointwise;

/**
 * The activation function g of a layer, A = g(Z). {@link #LEAKY_RELU} takes a slope for negative
 * inputs ({@link Layer#slope()}, for example 0.01). Every derivative is a function of the output A,
 * so that the backward pass needs no stored Z (see docs/backpropagation.md).
 */
public enum Activation {
    /** σ(z) = 1 / (1 + e^−z); σ' = a(1 − a). */
    SIGMOID(Pointwise.SIGMOID),
    /** tanh(z); tanh' = 1 − a². */
    TANH(Pointwise.TANH),
    /** max(0, z); derivative 1 where z &gt; 0, else 0. */
    RELU(Pointwise.RELU),
    /** z where z &gt; 0, else slope·z; derivative 1 or slope. */
    LEAKY_RELU(Pointwise.LEAKY_RELU),
    /** z; derivative 1. */
    IDENTITY(Pointwise.IDENTITY),
    /**
     * Row-wise e^(z − max) / Σ e^(z − max), for the output layer with categorical cross-entropy
     * (its Jacobian is not element-wise; the loss's dZ = A − Y never needs it).
     */
    SOFTMAX(null);

    /** The element-wise kernel that computes it; null for softmax, which is row-wise. */
    final Pointwise pointwise;

    Activation(Pointwise pointwise) {
        this.pointwise = pointwise;
    }
}
