package io.backlane.train;

import io.backlane.kernel.Kernels;
import io.backlane.nn.Network;

/**
 * One training step, whatever drives it ({@link Trainer#step} or an epoch of {@link Trainer#fit}):
 * forward and backward (on one thread or a {@link WorkerPool}), the L2 term, and the update by one
 * of two paths, with the guard that keeps NaN and infinity out of the parameters.
 *
 * <p>A batch is backpropagated whole, or in shares on the trainer's threads ({@link WorkerPool}:
 * the shares depend on the batch size only, so the result does not depend on the thread count).
 *
 * <ul>
 *   <li>Plain SGD without clipping is fused into the weight-gradient GEMMs
 *       ({@link Backprop#descend}, {@link WorkerPool#descend}): the gradient is never written out.</li>
 *   <li>Every other optimizer gets the gradient in {@link Workspace#gradient}, clipped to the
 *       configured norm, and updates from it.</li>
 * </ul>
 *
 * <p>The guard: errors dZ are checked before anything is written; an update that cannot overflow
 * (a bound says so) is not checked again; one that might is made on a copy of the parameters
 * taken first, and rolled back when it did overflow. Either way a {@link TrainingDivergedException}
 * names the layer and the position set by {@link #at}.
 */
final class StepEngine implements AutoCloseable {
    private final Network net;
    private final float[] theta;          // (P) the parameters being trained, in place
    private final Kernels k;
    private final Optimizer optimizer;
    private final Optimizer.Update update; // this trainer's own optimizer state
    private final float lambda;
    private final float clipNorm;
    private final int threads;
    private final boolean fusedSgd;
    private final float[] beforeStep;     // (P) the parameters before a step whose update might overflow
    private final StepWeights weights;    // W[l] packed for the forward products of a step of StepWeights.MIN_ROWS rows or more

    private Backprop main;                // this thread's backprop and workspace
    private WorkerPool pool;              // batches of several shares (WorkerPool.sharesFor), on `threads` threads
    private int epoch;                    // where a divergence is reported: epoch (0 outside fit) ...
    private long step;                    // ... and step

    StepEngine(float[] theta, Network net, Kernels k, Optimizer optimizer, float lambda, float clipNorm, int threads) {
        this.net = net;
        this.theta = theta;
        this.k = k;
        this.optimizer = optimizer;
        this.update = optimizer.start(net);
        this.lambda = lambda;
        this.clipNorm = clipNorm;
        this.threads = threads;
        this.fusedSgd = optimizer.isPlainGradientDescent() && clipNorm == 0f;
        this.beforeStep = new float[theta.length];
        this.weights = new StepWeights(net, k);
    }

    /** The workspace of the calling thread (null before {@link #ensureCapacity}). */
    Workspace workspace() {
        return main == null ? null : main.ws;
    }

    /** Correct and total predictions of the last step or evaluation chunk. */
    long correct() {
        return main.correct;
    }

    long total() {
        return main.total;
    }

    /** Sizes the buffers for batches of up to m rows; a larger m than before allocates anew. */
    void ensureCapacity(int m) {
        if (main != null && main.ws.maxBatch >= m) {
            return;
        }
        main = new Backprop(net, k, m);
        if (pool != null) {
            pool.close();
            pool = null;
        }
        if (WorkerPool.sharesFor(m) > 1) {
            pool = new WorkerPool(net, k, main, weights, threads);
        }
    }

    /** Where the next steps are: reported by a {@link TrainingDivergedException}. */
    void at(int epoch, long step) {
        this.epoch = epoch;
        this.step = step;
    }

    /** The learning rate of an epoch: the optimizer's base rate times the schedule's factor. */
    float learningRate(LearningRateSchedule schedule, int epochIndex, int epochs) {
        double factor = schedule.factor(epochIndex, epochs);
        if (!(factor >= 0) || !Double.isFinite(factor)) {
            throw new IllegalStateException("the learning-rate schedule gave factor " + factor + " for epoch "
                    + (epochIndex + 1) + "; it must be a finite number >= 0");
        }
        return (float) (optimizer.learningRate * factor);
    }

    /**
     * One step on m rows (checked by the caller, m ≤ the capacity) with learning rate lr; the L2
     * terms are scaled by {@code l2Rows} (the configured batch size inside fit, so that the last,
     * smaller batch is not regularized harder than the others). Returns the loss before the update,
     * with the L2 term.
     */
    double step(float[] x, int xOff, float[] y, int yOff, int m, int l2Rows, float lr) {
        if (fusedSgd) {
            return fusedSgdStep(x, xOff, y, yOff, m, l2Rows, lr);
        }
        double loss = forwardBackward(x, xOff, y, yOff, m, l2Rows);
        update(main.ws.gradient, lr);
        return loss;
    }

    /**
     * The update from gradient {@code g} (of J, L2 term included; clipped here in place): the
     * configured optimizer with the guard of the class comment.
     */
    void update(float[] g, float lr) {
        double norm = Math.sqrt(k.sumOfSquares(g.length, g, 0));
        if (!Double.isFinite(norm)) {
            throw diverged(0, "gradient norm", norm);
        }
        if (clipNorm > 0f && norm > clipNorm) {
            k.scale(g.length, (float) (clipNorm / norm), g, 0);
            norm = clipNorm;
        }
        // Momentum sums up to 1/(1 − μ) gradients, Adam steps by about lr: 1000·lr·‖g‖ bounds both.
        boolean risky = !(1000.0 * lr * norm < 1e30);
        if (risky) {
            System.arraycopy(theta, 0, beforeStep, 0, theta.length);
        }
        if (!update.update(theta, g, lr)) { // the update loop checks what it writes
            int layer = firstNonFiniteParameterLayer();
            if (risky) {
                System.arraycopy(beforeStep, 0, theta, 0, theta.length);
            }
            throw diverged(layer, "a parameter after the update", Double.NaN);
        }
    }

    /** The optimizer's description, for messages. */
    String optimizerName() {
        return optimizer.toString();
    }

    /** This trainer's optimizer state (see {@link Optimizer.Update}). */
    Optimizer.Update optimizerState() {
        return update;
    }

    private double fusedSgdStep(float[] x, int xOff, float[] y, int yOff, int m, int l2Rows, float lr) {
        double loss = errors(x, xOff, y, yOff, m) + l2Cost(l2Rows);
        float decay = 1f - lr * lambda / l2Rows;
        // W ← decay·W − (α/m)·Σ dZ·A cannot overflow when |decay| ≤ 1 and every partial sum and
        // step is far below half an ulp of Float.MAX_VALUE (~1e31): then the parameters need no
        // check. Otherwise keep a copy, update, and check. The bound reads the batch's activations
        // and errors; where they outnumber two passes over the parameters (a large batch), the copy
        // and the check are cheaper than the bound, and are made instead.
        boolean risky = Math.abs(decay) > 1f || main.productBoundFloats(m) > 2L * theta.length;
        if (!risky) {
            double products = main.productBound(x, xOff, m);
            risky = !(products < 1e37) || !(lr * products / m < 1e30);
        }
        boolean finite;
        if (usesPool(m)) { // the pool's threads copy and check the parameters each one updates
            finite = pool.descend(theta, lr, decay, risky ? beforeStep : null);
        } else {
            if (risky) {
                System.arraycopy(theta, 0, beforeStep, 0, theta.length);
            }
            main.descend(theta, x, xOff, m, lr, decay);
            finite = !risky || k.allFinite(theta.length, theta, 0);
        }
        update.updates++;   // counted as the optimizer's own updates are
        if (!finite) {
            int layer = firstNonFiniteParameterLayer();
            System.arraycopy(beforeStep, 0, theta, 0, theta.length);
            throw diverged(layer, "a parameter after the update", Double.NaN);
        }
        return loss;
    }

    /**
     * Forward and backward (on all threads), then the L2 term scaled by {@code l2Rows}; the
     * gradient of J lands in the workspace's gradient. Returns J.
     */
    double forwardBackward(float[] x, int xOff, float[] y, int yOff, int m, int l2Rows) {
        return dataGradient(x, xOff, y, yOff, m) + addL2(main.ws.gradient, l2Rows);
    }

    /**
     * Forward and backward (on all threads) without the L2 term: the gradient of the mean data loss
     * over the m rows lands in the workspace's gradient. Returns that mean data loss.
     */
    double dataGradient(float[] x, int xOff, float[] y, int yOff, int m) {
        double loss = errors(x, xOff, y, yOff, m);
        if (usesPool(m)) {
            pool.gradient(main.ws.gradient);
        } else {
            main.gradient(x, xOff, m, main.ws.gradient);
        }
        return loss;
    }

    /** Whether m rows run on the worker pool: several shares (the pool then exists, see {@link #ensureCapacity}). */
    private static boolean usesPool(int m) {
        return WorkerPool.sharesFor(m) > 1;
    }

    /** Forward and backward to the errors dZ[l] of m rows (on all threads); returns the mean data loss. */
    private double errors(float[] x, int xOff, float[] y, int yOff, int m) {
        try {
            if (usesPool(m)) {
                return pool.errors(theta, x, xOff, y, yOff, m);
            }
            return main.errors(theta, m >= StepWeights.MIN_ROWS ? weights.pack(theta) : null, x, xOff, y, yOff, 0, m);
        } catch (Divergence d) {
            throw diverged(d);
        }
    }

    /**
     * The L2 term for a cost over {@code l2Rows} examples: adds (λ/m)·W[l] to the weight gradients
     * in {@code g} (biases are not regularized) and returns (λ/2m)·Σ‖W[l]‖² (0 without L2).
     */
    double addL2(float[] g, long l2Rows) {
        if (lambda == 0f) {
            return 0;
        }
        for (int l = 1; l <= net.layerCount(); l++) {
            int off = net.weightOffset(l);
            k.axpy(net.weightCount(l), lambda / l2Rows, theta, off, g, off);
        }
        return l2Cost(l2Rows);
    }

    /** The mean data loss (no L2 term) of m rows, counting correct predictions; no update. */
    double forwardLoss(float[] x, int xOff, float[] y, int yOff, int m) {
        return main.forwardLoss(theta, x, xOff, y, yOff, m);
    }

    /** (λ/2m) Σ_l ‖W[l]‖², the L2 term of J (0 without L2). */
    private double l2Cost(long m) {
        if (lambda == 0f) {
            return 0;
        }
        double sumW2 = 0;
        for (int l = 1; l <= net.layerCount(); l++) {
            sumW2 += k.sumOfSquares(net.weightCount(l), theta, net.weightOffset(l));
        }
        return lambda / (2.0 * m) * sumW2;
    }

    private int firstNonFiniteParameterLayer() {
        for (int l = 1; l <= net.layerCount(); l++) {
            int from = net.weightOffset(l);
            int to = net.biasOffset(l) + net.width(l);
            for (int i = from; i < to; i++) {
                if (!Float.isFinite(theta[i])) {
                    return l;
                }
            }
        }
        return 0;
    }

    private TrainingDivergedException diverged(Divergence d) {
        return diverged(d.layer, d.what, d.value);
    }

    private TrainingDivergedException diverged(int layer, String what, double value) {
        return diverged(layer, what, value, layer > 0 ? " (first non-finite values in layer " + layer + ")" : "");
    }

    /** The divergence at the current position: {@code what} is {@code value}{@code detail}, where, and advice. */
    TrainingDivergedException diverged(int layer, String what, double value, String detail) {
        return new TrainingDivergedException("training diverged: " + what + " is " + value + detail
                + (epoch > 0 ? " at epoch " + epoch + ", step " + step : " at step " + step)
                + "; lower the learning rate, clip gradients or standardize inputs",
                layer, epoch, step);
    }

    /** Stops the worker threads, if any. */
    @Override
    public void close() {
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }
}
