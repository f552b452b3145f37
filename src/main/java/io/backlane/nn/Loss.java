package io.backlane.nn;

/**
 * The loss L(a, y) of one example; the cost J is its mean over the m examples of a batch, plus
 * (λ/2m)·ΣW² when L2 regularization is on.
 *
 * <p>Each loss is paired with the output activation that makes its gradient with respect to the
 * output pre-activation the simple dZ[L] = A[L] − Y (see the errata of the notes, item 2):
 */
public enum Loss {
    /**
     * Binary cross-entropy for a sigmoid output (one or more independent outputs in [0, 1]),
     * computed from the logit z for stability: L = Σ_j max(z,0) − z·y + log(1 + e^−|z|).
     */
    BINARY_CROSS_ENTROPY,
    /** Categorical cross-entropy for a softmax output: L = −Σ_j y_j log a_j, with targets one-hot (or a distribution). */
    CATEGORICAL_CROSS_ENTROPY,
    /**
     * Half squared error, L = ½ Σ_j (a_j − y_j)², for regression; with an identity output
     * dZ = A − Y. With another output activation the gradient is (A − Y) ⊙ g'.
     */
    MEAN_SQUARED_ERROR
}
