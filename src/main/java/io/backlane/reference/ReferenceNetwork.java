package io.backlane.reference;

import io.backlane.nn.Activation;
import io.backlane.nn.Layer;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;

import java.util.Objects;

/**
 * A plain, double-precision implementation of a {@link Network}: forward propagation, the cost J and
 * its gradient by backpropagation, written as loops that follow the notes this project grew from
 * equation by equation, with the equation beside each loop. docs/backpropagation.md sets out that
 * math and, in its section 7, where the notes are wrong: "ERRATA n" below is its "Errata n".
 *
 * <p><b>Slow on purpose.</b> No kernels, no blocking, no reuse of buffers: every method allocates
 * and loops in the most obvious order. It exists to document the math, to be the ground truth of
 * {@link GradientCheck} and the {@code gradcheck} command, and to let users verify the fast float
 * engine. Do not train with it.
 *
 * <h2>Layouts</h2>
 * <ul>
 *   <li>Parameters: one {@code double[]} in the layout of {@link Parameters} — W[1], b[1], W[2],
 *       b[2], ...; W[l] is n[l] × n[l−1] row-major at {@link Network#weightOffset(int)}, b[l] at
 *       {@link Network#biasOffset(int)}. Gradients come back in the same layout.</li>
 *   <li>Batches: {@code double[m][width]}, <b>one row per example</b> (X is m × n[0], Y is m × n[L]),
 *       the transpose of the notes' one-column-per-example matrices (docs/backpropagation.md, section 1). So the notes' Z = W·A + b
 *       becomes, row by row, z_e = W·a_e + b, and the notes' (1/m) dZ·A_prevᵀ becomes
 *       (1/m) dZᵀ·A_prev. The comments give the notes' form of each equation.</li>
 * </ul>
 *
 * <h2>Losses</h2>
 * The cost is J = (1/m) Σ_e L(a_e, y_e) + (λ/2m) Σ_l Σ_ij W[l]_ij², weights only, never biases
 * (ERRATA 4), with L from {@link ReferenceMath#exampleLoss}. For categorical cross-entropy the
 * gradient dZ[L] = A[L] − Y holds only when each row of Y sums to 1 (one-hot or a distribution);
 * the gradient methods check that.
 *
 * <p>Immutable: the constructor copies the parameters; {@link #parameters()} returns a copy.
 * Thread-safe.
 */
public final class ReferenceNetwork {
    /** How far a categorical cross-entropy target row's sum may be from 1. */
    static final double TARGET_SUM_TOLERANCE = 1e-6;

    private final Network network;
    private final double[] theta;   // W[1], b[1], W[2], b[2], ... in the layout of Parameters

    /**
     * A reference network with the given parameter values (copied).
     *
     * @param network    the architecture
     * @param parameters {@code network.parameterCount()} values in the layout of {@link Parameters}
     */
    public ReferenceNetwork(Network network, double[] parameters) {
        if (network == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        if (parameters == null || parameters.length != network.parameterCount()) {
            throw new IllegalArgumentException("parameters must have " + network.parameterCount() + " values for "
                    + network + ", got " + (parameters == null ? "null" : parameters.length));
        }
        for (int k = 0; k < parameters.length; k++) {
            if (!Double.isFinite(parameters[k])) {
                throw new IllegalArgumentException("parameter " + k + " is not finite: " + parameters[k]);
            }
        }
        this.network = network;
        this.theta = parameters.clone();
    }

    /** The reference network of float parameters, each converted exactly to double. */
    public static ReferenceNetwork of(Parameters parameters) {
        if (parameters == null) {
            throw new IllegalArgumentException("parameters must not be null");
        }
        return new ReferenceNetwork(parameters.network(), toDouble(parameters.values()));
    }

    /** Converts a float array (parameters, a gradient, a row-major batch) to double, element by element. */
    public static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int k = 0; k < values.length; k++) {
            out[k] = values[k];
        }
        return out;
    }

    /**
     * Splits a row-major float batch (the fast engine's layout) into {@code rows} rows of {@code cols}
     * doubles.
     */
    public static double[][] toRows(float[] rowMajor, int rows, int cols) {
        if (rowMajor == null || rows < 0 || cols < 0 || (long) rows * cols != rowMajor.length) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " batch needs " + ((long) rows * cols)
                    + " floats, got " + (rowMajor == null ? "null" : rowMajor.length));
        }
        double[][] out = new double[rows][cols];
        for (int e = 0; e < rows; e++) {
            for (int j = 0; j < cols; j++) {
                out[e][j] = rowMajor[e * cols + j];
            }
        }
        return out;
    }

    /** The architecture. */
    public Network network() {
        return network;
    }

    /** A copy of the parameter values, in the layout of {@link Parameters}. */
    public double[] parameters() {
        return theta.clone();
    }

    /** W[l]_ij, the weight from unit j of layer l−1 to unit i of layer l (l in 1..L). */
    public double weight(int l, int i, int j) {
        int cols = network.width(l - 1);
        Objects.checkIndex(i, network.width(l));
        Objects.checkIndex(j, cols);
        return theta[network.weightOffset(l) + i * cols + j];
    }

    /** b[l]_i (l in 1..L). */
    public double bias(int l, int i) {
        Objects.checkIndex(i, network.width(l));
        return theta[network.biasOffset(l) + i];
    }

    // ---------------------------------------------------------------------------------------------
    // Forward propagation

    /**
     * Forward propagation over a batch: for l = 1..L, Z[l] = W[l]·A[l−1] + b[l] and A[l] = g[l](Z[l]),
     * with A[0] = X.
     *
     * @param x the inputs, m × n[0], one row per example (m ≥ 1)
     * @return every Z[l] and A[l]
     */
    public ForwardPass forward(double[][] x) {
        checkBatch("x", x, network.inputWidth(), -1);
        int layers = network.layerCount();
        int m = x.length;
        double[][][] z = new double[layers + 1][][];
        double[][][] a = new double[layers + 1][][];
        a[0] = x;                                                          // A[0] = X
        for (int l = 1; l <= layers; l++) {
            Layer layer = network.layer(l);
            int rows = network.width(l);                                   // n[l]
            int cols = network.width(l - 1);                               // n[l−1]
            z[l] = new double[m][rows];
            a[l] = new double[m][rows];
            for (int e = 0; e < m; e++) {                                  // one column of the notes' Z per example
                for (int i = 0; i < rows; i++) {
                    double s = bias(l, i);
                    for (int j = 0; j < cols; j++) {
                        s += weight(l, i, j) * a[l - 1][e][j];
                    }
                    z[l][e][i] = s;                                        // Z[l] = W[l] A[l−1] + b[l]
                }
                if (layer.activation() == Activation.SOFTMAX) {
                    a[l][e] = ReferenceMath.softmax(z[l][e]);              // A[L] = softmax(Z[L]), row max subtracted (ERRATA 6)
                } else {
                    for (int i = 0; i < rows; i++) {
                        a[l][e][i] = ReferenceMath.activate(layer.activation(), layer.slope(), z[l][e][i]);  // A[l] = g[l](Z[l])
                    }
                }
            }
        }
        return new ForwardPass(z, a);
    }

    /** A[L] for a batch X (m × n[0]): the predictions, m × n[L]. */
    public double[][] predict(double[][] x) {
        return forward(x).output();
    }

    // ---------------------------------------------------------------------------------------------
    // Cost

    /**
     * The cost J = (1/m) Σ_e L(a_e, y_e) + (λ/2m) Σ_l Σ_ij W[l]_ij² (ERRATA 4: weights only, never
     * biases).
     *
     * @param x      inputs, m × n[0]
     * @param y      targets, m × n[L]
     * @param lambda the L2 regularization strength λ ≥ 0
     */
    public double cost(double[][] x, double[][] y, double lambda) {
        checkLambda(lambda);
        return dataLoss(x, y) + regularization(lambda, x.length);
    }

    /** The unregularized part of the cost, (1/m) Σ_e L(a_e, y_e). */
    public double dataLoss(double[][] x, double[][] y) {
        ForwardPass pass = forward(x);
        checkBatch("y", y, network.outputWidth(), x.length);
        int layers = network.layerCount();
        int m = x.length;
        double sum = 0;
        for (int e = 0; e < m; e++) {
            sum += ReferenceMath.exampleLoss(network.loss(), pass.z(layers)[e], pass.a(layers)[e], y[e]);  // Σ_e L(a_e, y_e)
        }
        return sum / m;                                                    // J = (1/m) Σ_e L(a_e, y_e)
    }

    /** The regularization term (λ/2m) Σ_l Σ_ij W[l]_ij², summed over the weights only (ERRATA 4). */
    public double regularization(double lambda, int m) {
        checkLambda(lambda);
        if (m < 1) {
            throw new IllegalArgumentException("m must be >= 1, got " + m);
        }
        double sumOfSquares = 0;
        for (int l = 1; l <= network.layerCount(); l++) {
            for (int i = 0; i < network.width(l); i++) {
                for (int j = 0; j < network.width(l - 1); j++) {
                    sumOfSquares += weight(l, i, j) * weight(l, i, j);     // Σ_l Σ_ij (W[l]_ij)²; no b[l] (ERRATA 4)
                }
            }
        }
        return lambda / (2.0 * m) * sumOfSquares;                          // (λ/2m) Σ W²
    }

    // ---------------------------------------------------------------------------------------------
    // Gradient, vectorized over the batch (the notes' "Backpropagation" section)

    /**
     * ∂J/∂θ for every parameter, by backpropagation over the whole batch at once (the notes'
     * "Backpropagation" section, corrected by ERRATA 1, 4, 5):
     * <pre>
     * dZ[L]   = A[L] − Y                      (sigmoid + BCE, softmax + CCE, identity + MSE)
     *         = (A[L] − Y) ⊙ g'(Z[L])         (MSE with another output activation)
     * dW[l]   = (1/m) dZ[l] A[l−1]ᵀ + (λ/m) W[l]
     * db[l]   = (1/m) Σ_examples dZ[l]
     * dA[l−1] = W[l]ᵀ dZ[l]
     * dZ[l−1] = dA[l−1] ⊙ g'(Z[l−1])
     * </pre>
     *
     * @param x      inputs, m × n[0]
     * @param y      targets, m × n[L] (for CCE, rows summing to 1)
     * @param lambda λ ≥ 0
     * @return the gradient, in the layout of the parameters
     */
    public double[] gradient(double[][] x, double[][] y, double lambda) {
        checkLambda(lambda);
        ForwardPass pass = forward(x);
        checkTargets(y, x.length);
        int layers = network.layerCount();
        int m = x.length;
        double[] grad = new double[theta.length];

        double[][] dZ = outputError(pass, y);                              // dZ[L]
        for (int l = layers; l >= 1; l--) {
            int rows = network.width(l);                                   // n[l]
            int cols = network.width(l - 1);                               // n[l−1]
            double[][] aPrev = pass.a(l - 1);                              // A[l−1]
            int wOff = network.weightOffset(l);
            int bOff = network.biasOffset(l);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double s = 0;
                    for (int e = 0; e < m; e++) {
                        s += dZ[e][i] * aPrev[e][j];                       // (dZ[l] A[l−1]ᵀ)_ij = Σ_e dZ_ie A_je (ERRATA 1)
                    }
                    grad[wOff + i * cols + j] = s / m + lambda / m * weight(l, i, j);  // dW[l] = (1/m) dZ[l] A[l−1]ᵀ + (λ/m) W[l] (ERRATA 4)
                }
                double s = 0;
                for (int e = 0; e < m; e++) {
                    s += dZ[e][i];
                }
                grad[bOff + i] = s / m;                                    // db[l] = (1/m) Σ dZ[l]; not regularized (ERRATA 4)
            }
            if (l == 1) {
                break;                                                     // no dZ[0]: the input has no error
            }
            Layer below = network.layer(l - 1);
            double[][] zPrev = pass.z(l - 1);
            double[][] dZPrev = new double[m][cols];
            for (int e = 0; e < m; e++) {
                for (int j = 0; j < cols; j++) {
                    double dA = 0;
                    for (int i = 0; i < rows; i++) {
                        dA += weight(l, i, j) * dZ[e][i];                  // dA[l−1] = W[l]ᵀ dZ[l]
                    }
                    double gPrime = ReferenceMath.derivative(below.activation(), below.slope(), zPrev[e][j], aPrev[e][j]);
                    dZPrev[e][j] = dA * gPrime;                            // dZ[l−1] = dA[l−1] ⊙ g'[l−1](Z[l−1]) (ERRATA 1, 5)
                }
            }
            dZ = dZPrev;
        }
        return grad;
    }

    /** dZ[L] = ∂(m·J)/∂Z[L] row by row: A[L] − Y for the matched pairs, (A[L] − Y) ⊙ g'(Z[L]) for MSE. */
    private double[][] outputError(ForwardPass pass, double[][] y) {
        int layers = network.layerCount();
        Layer out = network.layer(layers);
        double[][] zL = pass.z(layers);
        double[][] aL = pass.a(layers);
        double[][] dZ = new double[aL.length][aL[0].length];
        for (int e = 0; e < aL.length; e++) {
            for (int i = 0; i < aL[e].length; i++) {
                double error = aL[e][i] - y[e][i];                         // A[L] − Y
                dZ[e][i] = switch (network.loss()) {
                    case BINARY_CROSS_ENTROPY, CATEGORICAL_CROSS_ENTROPY -> error;  // dZ[L] = A[L] − Y (ERRATA 2, 6)
                    case MEAN_SQUARED_ERROR -> error                       // dZ[L] = (A[L] − Y) ⊙ g'(Z[L]); = A[L] − Y for identity
                            * ReferenceMath.derivative(out.activation(), out.slope(), zL[e][i], aL[e][i]);
                };
            }
        }
        return dZ;
    }

    // ---------------------------------------------------------------------------------------------
    // Gradient, one example at a time (the notes' "Gradient for multiple examples")

    /**
     * ∂J/∂θ by the notes' older per-example loop ("Gradient for multiple examples", corrected by
     * ERRATA 2, 3, 4). The result equals {@link #gradient} up to rounding; it is kept because it is
     * the algorithm the notes teach and a second, independent derivation.
     *
     * <p>The notes' older section numbers layers from 1 at the input and folds the bias into Θ as
     * column 0 (with a_0 = 1). In this code's indices: the notes' a(k) is A[k−1] of one example,
     * δ(k+1) is dZ[k] of one example, and Θ(k) is [b[k] | W[k]] (same index k).
     * <pre>
     * Δ(l) = 0 for all l
     * for each example i = 1..m:
     *     a(1) = x(i); forward to a(L)
     *     δ(L) = a(L) − y(i)                               (ERRATA 2; ⊙ g'(z(L)) for MSE with a non-identity output)
     *     δ(l) = Θ(l)ᵀ δ(l+1) ⊙ g'(z(l)) for l = L−1..2
     *     Δ(l) := Δ(l) + δ(l+1) a(l)ᵀ                      (ERRATA 3: the index is l+1)
     * D(l)_ij = (1/m) Δ(l)_ij + (λ/m) Θ(l)_ij   if j ≠ 0   (ERRATA 4: λ/m, not λ)
     * D(l)_i0 = (1/m) Δ(l)_i0                     (bias)
     * </pre>
     *
     * @param x      inputs, m × n[0]
     * @param y      targets, m × n[L] (for CCE, rows summing to 1)
     * @param lambda λ ≥ 0
     * @return the gradient D, in the layout of the parameters
     */
    public double[] gradientPerExample(double[][] x, double[][] y, double lambda) {
        checkLambda(lambda);
        checkBatch("x", x, network.inputWidth(), -1);
        checkTargets(y, x.length);
        int layers = network.layerCount();
        int m = x.length;
        double[] delta = new double[theta.length];                        // Δ(l)_ij = 0, in the parameter layout

        for (int e = 0; e < m; e++) {
            ForwardPass one = forward(new double[][] {x[e]});             // a(1) = x(i); forward propagation to a(L)
            double[][] error = outputError(one, new double[][] {y[e]});   // δ(L) = a(L) − y(i) (ERRATA 2)
            double[] d = error[0];                                         // δ(k+1), the error of layer k (this code's index)
            for (int k = layers; k >= 1; k--) {
                int rows = network.width(k);
                int cols = network.width(k - 1);
                double[] a = one.a(k - 1)[0];                              // a(k) in the notes' numbering = A[k−1]
                int wOff = network.weightOffset(k);
                int bOff = network.biasOffset(k);
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        delta[wOff + i * cols + j] += a[j] * d[i];         // Δ_ij(l) := Δ_ij(l) + a_j(l) δ_i(l+1) (ERRATA 3)
                    }
                    delta[bOff + i] += d[i];                               // Δ_i0(l) += a_0(l) δ_i(l+1), a_0 = 1
                }
                if (k == 1) {
                    break;                                                 // no δ(1): the input layer has no error
                }
                Layer below = network.layer(k - 1);
                double[] z = one.z(k - 1)[0];
                double[] next = new double[cols];
                for (int j = 0; j < cols; j++) {
                    double s = 0;
                    for (int i = 0; i < rows; i++) {
                        s += weight(k, i, j) * d[i];                       // (Θ(l)ᵀ δ(l+1))_j, bias column excluded
                    }
                    next[j] = s * ReferenceMath.derivative(below.activation(), below.slope(), z[j], a[j]);  // δ(l) = Θ(l)ᵀ δ(l+1) ⊙ g'(z(l))
                }
                d = next;
            }
        }

        double[] grad = new double[theta.length];
        for (int l = 1; l <= layers; l++) {
            int wOff = network.weightOffset(l);
            for (int k = 0; k < network.weightCount(l); k++) {
                grad[wOff + k] = delta[wOff + k] / m + lambda / m * theta[wOff + k];  // D_ij = (1/m) Δ_ij + (λ/m) Θ_ij, j ≠ 0 (ERRATA 4)
            }
            int bOff = network.biasOffset(l);
            for (int i = 0; i < network.width(l); i++) {
                grad[bOff + i] = delta[bOff + i] / m;                      // D_i0 = (1/m) Δ_i0: biases are not regularized
            }
        }
        return grad;
    }

    // ---------------------------------------------------------------------------------------------
    // Argument checks

    private static void checkLambda(double lambda) {
        if (!(lambda >= 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
        }
    }

    /** Checks a batch: non-empty (or exactly {@code rows} rows when rows ≥ 0), every row {@code cols} finite values. */
    private static void checkBatch(String name, double[][] batch, int cols, int rows) {
        if (batch == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (rows < 0 && batch.length == 0) {
            throw new IllegalArgumentException(name + " must have at least one example (row)");
        }
        if (rows >= 0 && batch.length != rows) {
            throw new IllegalArgumentException(name + " must have " + rows + " rows (one per example), got " + batch.length);
        }
        for (int e = 0; e < batch.length; e++) {
            if (batch[e] == null || batch[e].length != cols) {
                throw new IllegalArgumentException(name + "[" + e + "] must have " + cols + " values, got "
                        + (batch[e] == null ? "null" : batch[e].length));
            }
            for (int j = 0; j < cols; j++) {
                if (!Double.isFinite(batch[e][j])) {
                    throw new IllegalArgumentException(name + "[" + e + "][" + j + "] is not finite: " + batch[e][j]);
                }
            }
        }
    }

    /** Checks Y (m × n[L]); for CCE also that each row sums to 1, which dZ[L] = A[L] − Y assumes. */
    private void checkTargets(double[][] y, int m) {
        checkBatch("y", y, network.outputWidth(), m);
        if (network.loss() == Loss.CATEGORICAL_CROSS_ENTROPY) {
            for (int e = 0; e < m; e++) {
                double sum = 0;
                for (double v : y[e]) {
                    sum += v;
                }
                if (Math.abs(sum - 1) > TARGET_SUM_TOLERANCE) {
                    throw new IllegalArgumentException("y[" + e + "] sums to " + sum + "; categorical cross-entropy targets"
                            + " must be one-hot or a distribution (sum 1) for dZ[L] = A[L] - Y to be the gradient");
                }
            }
        }
    }
}
