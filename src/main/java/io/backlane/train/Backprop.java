package io.backlane.train;

import io.backlane.kernel.GemmWorkspace;
import io.backlane.kernel.Kernels;
import io.backlane.kernel.PackedWeights;
import io.backlane.nn.Activation;
import io.backlane.nn.Forward;
import io.backlane.nn.Layer;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;

/**
 * Forward and backward propagation over one batch, or one thread's part of it, into a
 * {@link Workspace} (its own, or one that the {@link WorkerPool}'s threads share): the mean data
 * loss and the errors dZ[l] of some rows ({@link #errors}), then the gradient, or the SGD update,
 * of some units ({@link #layerRows}), by the equations of docs/backpropagation.md with examples as
 * rows. The L2 term is added by the {@link StepEngine}, once per step.
 *
 * <p>A NaN or infinity is handed back as a {@link Divergence}, before any gradient or update is
 * written, so that a worker thread can pass it to the thread that owns the training loop.
 */
final class Backprop {
    private final Network net;
    private final Kernels k;
    final Workspace ws;
    private final GemmWorkspace gemm; // this thread's packing buffers

    /** Correct and total predictions of the last {@link #errors} or {@link #forwardLoss}, for accuracy. */
    long correct;
    long total;

    /** A backprop with a workspace of its own, for batches of up to maxBatch rows. */
    Backprop(Network net, Kernels k, int maxBatch) {
        this(net, k, new Workspace(net, maxBatch), null);
    }

    /**
     * A backprop on {@code ws}, which other threads' backprops share: each works on rows of its own
     * ({@link #errors}) or units of its own ({@link #layerRows}), packing into {@code gemm} (null:
     * the workspace's own).
     */
    Backprop(Network net, Kernels k, Workspace ws, GemmWorkspace gemm) {
        this.net = net;
        this.k = k;
        this.ws = ws;
        this.gemm = gemm != null ? gemm : ws.forward.gemm();
    }

    /**
     * The forward pass, the loss, and every layer's error dZ[l] of m examples (x from xOff, y from
     * yOff), into rows row0 .. row0 + m of the workspace; each is checked for NaN and infinity
     * before any gradient or update is written: a failure leaves the parameters as they were.
     * Returns the mean data loss of these rows. With {@code packed} ({@link StepWeights}, from
     * theta's weights as they are now) the forward products read those; null: W from theta.
     *
     * @throws Divergence when the loss or an error dZ[l] is not finite
     */
    double errors(float[] theta, PackedWeights[] packed, float[] x, int xOff, float[] y, int yOff, int row0, int m) {
        double loss = forwardLoss(theta, packed, x, xOff, y, yOff, row0, m);
        if (!Double.isFinite(loss)) {
            throw new Divergence(firstNonFiniteLayer(row0, m), "loss", loss);
        }
        for (int l = net.layerCount(); l >= 2; l--) {
            int nOut = net.width(l);
            int nIn = net.width(l - 1);
            float[] dPrev = ws.dZ[l - 1];
            int prevOff = row0 * nIn;
            // dA[l-1] (m × n[l-1]) = dZ[l] (m × n[l]) · W[l] (n[l] × n[l-1])
            k.sgemm(false, false, m, nIn, nOut, 1f, ws.dZ[l], row0 * nOut, nOut, theta, net.weightOffset(l), nIn,
                    0f, dPrev, prevOff, nIn, gemm);
            // dZ[l-1] = dA[l-1] ⊙ g'(A[l-1]), in place
            Forward.activationBackward(k, net.layer(l - 1), m * nIn, dPrev, prevOff, ws.forward.activations(l - 1),
                    prevOff, dPrev, prevOff);
            // Every dZ finite: the update is checked later.
            if (!k.allFinite(m * nIn, dPrev, prevOff)) {
                throw new Divergence(l - 1, "gradient dZ", firstNonFinite(dPrev, prevOff, m * nIn));
            }
        }
        return loss;
    }

    /** dW[l] and db[l] of the m rows of {@link #errors}, into {@code gradient} (parameter layout). */
    void gradient(float[] x, int xOff, int m, float[] gradient) {
        for (int l = net.layerCount(); l >= 1; l--) {
            layerRows(l, 0, net.width(l), x, xOff, m, 1f / m, 0f, 0f, gradient);
        }
    }

    /**
     * Units u0 .. u0 + units of layer l (rows of W[l], entries of b[l]), from the errors of the
     * workspace's first m rows (A[0] = x from xOff), into {@code target} in the parameter layout:
     * W ← beta·W + alpha·dZ[l]ᵀ·A[l-1] and b ← betaBias·b + alpha·Σ_rows dZ[l]. With alpha 1/m
     * and both betas 0 it writes the gradient; with alpha −α/m, beta the L2 decay and betaBias 1
     * (biases are not regularized) it is the SGD update ({@link #descend}). Each unit's result
     * depends only on its own column of dZ, whichever units are computed together.
     */
    void layerRows(int l, int u0, int units, float[] x, int xOff, int m, float alpha, float beta, float betaBias,
                   float[] target) {
        int nOut = net.width(l);
        int nIn = net.width(l - 1);
        // dW[l] (units × n[l-1]) = alpha · dZ[l][:, u0 ..]ᵀ (units × m) · A[l-1] (m × n[l-1])
        k.sgemm(true, false, units, nIn, m, alpha, ws.dZ[l], u0, nOut, l == 1 ? x : ws.forward.activations(l - 1),
                l == 1 ? xOff : 0, nIn, beta, target, net.weightOffset(l) + u0 * nIn, nIn, gemm);
        // db[l] (units) = alpha · Σ over the m rows of dZ[l][:, u0 ..]
        k.columnSums(m, units, alpha, ws.dZ[l], u0, nOut, betaBias, target, net.biasOffset(l) + u0);
    }

    /**
     * An upper bound of every |Σ_i dZ[i][r]·A[i][c]| and |Σ_i dZ[i][r]| (any partial sum included)
     * for the errors of {@link #errors}, by Cauchy–Schwarz: ‖dZ‖·(‖A‖ + √m) over the layers
     * (Frobenius norms). The gradient is this over m at most. Costs a pass over the activations,
     * not over the parameters.
     */
    double productBound(float[] x, int xOff, int m) { // reads productBoundFloats(m) floats
        double bound = 0;
        for (int l = 1; l <= net.layerCount(); l++) {
            int nIn = net.width(l - 1);
            double dZ = Math.sqrt(k.sumOfSquares(m * net.width(l), ws.dZ[l], 0));
            double a = Math.sqrt(l == 1 ? k.sumOfSquares(m * nIn, x, xOff)
                    : k.sumOfSquares(m * nIn, ws.forward.activations(l - 1), 0));
            bound = Math.max(bound, dZ * (a + Math.sqrt(m)));
        }
        return bound;
    }

    /** The floats {@link #productBound} reads for m rows: m·Σ_l (n[l-1] + n[l]). */
    long productBoundFloats(int m) {
        long perRow = 0;
        for (int l = 1; l <= net.layerCount(); l++) {
            perRow += net.width(l - 1) + net.width(l);
        }
        return perRow * m;
    }

    /**
     * Plain gradient descent fused into the gradient products, so that the gradient is never
     * written out: W[l] ← decay·W[l] − (α/m)·dZ[l]ᵀ·A[l-1] (one GEMM with beta = decay, the L2
     * weight decay 1 − α·λ/m) and b[l] ← b[l] − (α/m)·Σ dZ[l]. Same result as {@link #gradient}
     * then θ ← θ − α·g, in fewer passes over the parameters (a step on one example is bound by
     * memory traffic).
     */
    void descend(float[] theta, float[] x, int xOff, int m, float lr, float decay) {
        for (int l = net.layerCount(); l >= 1; l--) {
            layerRows(l, 0, net.width(l), x, xOff, m, -lr / m, decay, 1f, theta);
        }
    }

    /**
     * The forward pass and the mean data loss over m rows; writes dZ[L] into ws.dZ[L] and counts
     * correct predictions.
     */
    double forwardLoss(float[] theta, float[] x, int xOff, float[] y, int yOff, int m) {
        return forwardLoss(theta, null, x, xOff, y, yOff, 0, m);
    }

    /** {@link #forwardLoss(float[], float[], int, float[], int, int)} into rows row0 .. row0 + m. */
    private double forwardLoss(float[] theta, PackedWeights[] packed, float[] x, int xOff, float[] y, int yOff,
                               int row0, int m) {
        Forward.runRows(k, theta, packed, x, xOff, row0, m, ws.forward, gemm);
        int layers = net.layerCount();
        int nOut = net.outputWidth();
        int size = m * nOut;
        int off = row0 * nOut;
        float[] a = ws.forward.output();
        float[] dZ = ws.dZ[layers];
        // A[L] − Y: dZ[L] for the cross-entropies (docs/backpropagation.md, errata 2), dA[L] for squared error
        System.arraycopy(a, off, dZ, off, size);
        k.axpy(size, -1f, y, yOff, dZ, off);
        double sum = net.loss().sum(k, ws.forward.logits(), off, a, y, yOff, m, nOut);
        Layer out = net.layer(layers);
        if (net.loss() == Loss.MEAN_SQUARED_ERROR && out.activation() != Activation.IDENTITY) {
            // dZ[L] = (A − Y) ⊙ g'(A)
            Forward.activationBackward(k, out, size, dZ, off, a, off, dZ, off);
        }
        countCorrect(a, off, y, yOff, m, nOut);
        return sum / m;
    }

    private void countCorrect(float[] a, int aOff, float[] y, int yOff, int m, int nOut) {
        switch (net.loss()) {
            case CATEGORICAL_CROSS_ENTROPY -> {
                long c = 0;
                for (int i = 0; i < m; i++) {
                    int row = i * nOut;
                    if (argmax(a, aOff + row, nOut) == argmax(y, yOff + row, nOut)) {
                        c++;
                    }
                }
                correct = c;
                total = m;
            }
            case BINARY_CROSS_ENTROPY -> {
                long c = 0;
                int size = m * nOut;
                for (int t = 0; t < size; t++) {
                    if ((a[aOff + t] >= 0.5f) == (y[yOff + t] >= 0.5f)) {
                        c++;
                    }
                }
                correct = c;
                total = size;
            }
            case MEAN_SQUARED_ERROR -> {
                correct = 0;
                total = 0;
            }
        }
    }

    private static int argmax(float[] v, int off, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v[off + j] > v[off + best]) {
                best = j;
            }
        }
        return best;
    }

    /** The first NaN or infinity of x[off .. off + n) (NaN if there is none). */
    private static float firstNonFinite(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            if (!Float.isFinite(x[i])) {
                return x[i];
            }
        }
        return Float.NaN;
    }

    /** The first layer whose pre-activations or activations in rows row0 .. row0 + m hold a NaN or infinity (0 if none). */
    private int firstNonFiniteLayer(int row0, int m) {
        for (int l = 1; l <= net.layerCount(); l++) {
            int from = row0 * net.width(l);
            int to = from + m * net.width(l);
            float[] check = l == net.layerCount() ? ws.forward.logits() : ws.forward.activations(l);
            for (int i = from; i < to; i++) {
                if (!Float.isFinite(check[i])) {
                    return l;
                }
            }
        }
        return 0;
    }
}
