package io.backlane.train;

import io.backlane.kernel.Kernels;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Trains a network's {@link Parameters} in place by backpropagation (docs/backpropagation.md):
 * epochs of shuffled minibatches (or the full batch), validation after each epoch, early stopping,
 * and a learning-rate schedule, around a step engine that runs forward, backward and the update in
 * preallocated buffers. After the first step, {@link #step} and the steps inside {@link #fit}
 * allocate nothing.
 *
 * <p>J = (1/m) Σ L(a, y) + (λ/2m) Σ_l ‖W[l]‖², biases not regularized. m is the number of examples
 * in the step; in the L2 terms inside {@link #fit} it is the configured batch size even for the last,
 * smaller batch, so that every step decays the weights alike (with full-batch descent that is the
 * training-set size, as in the notes; docs/backpropagation.md, section 5).
 *
 * <pre>{@code
 * Network net = Network.builder(64).dense(32, Activation.RELU).output(OutputHead.forClasses(10)).build();
 * Parameters params = Parameters.initialize(net, 42);
 * try (Trainer trainer = Trainer.builder(params).optimizer(Optimizer.adam(1e-3f))
 *         .batchSize(32).epochs(30).seed(7).build()) {
 *     TrainingResult result = trainer.fit(Examples.of(train, net), Examples.of(validation, net));
 * }
 * }</pre>
 *
 * <p>Divergence. Every step checks the loss, the gradient and the updated parameters for NaN and
 * infinity. A loss can also explode while staying finite (Adam with a huge learning rate reaches
 * losses near 1e13 and goes on), so after every epoch {@link #fit} also compares the epoch's mean
 * training loss (with the L2 term) with the initial loss J0, the loss of the first step, measured
 * before any update: training has diverged when the mean exceeds
 * max({@value #DIVERGENCE_FACTOR} · J0, J0 + {@value #DIVERGENCE_MARGIN}). A loss a hundred times its
 * starting value is no fluctuation of a working run (these start near their largest loss), and
 * the absolute margin keeps a run that starts with a loss near 0 from tripping on noise. Either way
 * a {@link TrainingDivergedException} says where, and the parameters are restored (see
 * {@link #fit}).
 *
 * <p>What a {@link #step} or {@link #applyGradientSum} that throws leaves behind: a non-finite loss
 * or gradient is found before anything is updated, so the parameters and the optimizer's state are
 * as they were. An update that overflows is undone from a copy of the parameters, which the step
 * takes only when a bound on the update's size says that it could overflow (copying every step
 * would cost a pass over the parameters); an overflow the bound does not foresee leaves the
 * non-finite parameters written. Either way the optimizer's state (velocity, Adam's moments, the
 * count of updates) keeps the overflowing update. So after the exception, go on from parameters
 * known to be good ({@link #fit} restores those of the failing epoch's start), not from this
 * trainer's state.
 *
 * <p>A trainer, its parameters and its buffers belong to one thread (with {@code threads(n)}, the
 * trainer hands shares of each step to threads of its own).
 */
public final class Trainer implements AutoCloseable {
    /** Passed to {@link Builder#batchSize} for full-batch gradient descent. */
    public static final int FULL_BATCH = Integer.MAX_VALUE;
    /** Divergence: an epoch's mean training loss above this many times the initial loss (see above)... */
    public static final double DIVERGENCE_FACTOR = 100;
    /** ... and above the initial loss plus this. */
    public static final double DIVERGENCE_MARGIN = 10;

    private final Network net;
    private final Parameters params;
    private final float[] theta;
    private final int batchSize;
    private final int epochs;
    private final LearningRateSchedule schedule;
    private final long seed;
    private final boolean shuffle;
    private final int patience;
    private final double minImprovement;
    private final TrainingListener listener;
    private final boolean perStep;
    private final StepEngine engine;

    private final float[] lastGood;   // (P) the parameters at the start of the epoch, restored on divergence
    private boolean closed;
    private long standaloneSteps;

    private Trainer(Builder b) {
        this.params = b.params;
        this.net = b.params.network();
        this.theta = b.params.values();
        this.batchSize = b.batchSize;
        this.epochs = b.epochs;
        this.schedule = b.schedule;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.patience = b.patience;
        this.minImprovement = b.minImprovement;
        this.listener = b.listener;
        this.perStep = b.perStep;
        this.engine = new StepEngine(theta, net, b.kernels != null ? b.kernels : Kernels.get(),
                b.optimizer != null ? b.optimizer : Optimizer.sgd(0.1f), b.lambda, b.clipNorm, b.threads);
        this.lastGood = new float[theta.length];
        if (batchSize != FULL_BATCH) {
            engine.ensureCapacity(batchSize);
        }
    }

    /**
     * The kernels' packing buffers, per thread: about 8.4 MiB with the largest blocking (a B panel
     * of KC 512 × NC 4096 floats, an A block of MC 192 × KC 512), rounded up.
     */
    private static final long PACKING_BYTES_PER_THREAD = 12L << 20;

    /**
     * An estimate of the heap, in bytes, that training {@code network} takes, for checking before
     * anything is allocated: a network too large for the heap is then refused with a message that
     * gives the estimate, not an {@link OutOfMemoryError}. With P the parameter count and 4-byte
     * floats, it counts:
     * <ul>
     *   <li>the parameters (P) and the trainer's copies of them: the parameters at the start of each
     *       epoch, before a step whose update might overflow, and of the best epoch for early
     *       stopping (3P, whether or not early stopping is on);</li>
     *   <li>the optimizer's state: none for SGD, P for momentum and Nesterov, 2P for Adam and AdamW;</li>
     *   <li>a gradient (P), and the activations and errors of a batch (batch × (n[0] + 2·Σ n[l] +
     *       2·n[L]) floats), which the threads share;</li>
     *   <li>per working thread, the kernels' packing buffers (8 MiB); a batch of one share (below
     *       256 rows) runs on the calling thread alone.</li>
     * </ul>
     * The training data are not counted (they are loaded already), nor are small objects.
     *
     * @param batchSize rows per step; for {@link #FULL_BATCH}, pass the number of training examples
     * @param threads   as for {@link Builder#threads}
     */
    public static long memoryEstimate(Network network, Optimizer optimizer, int batchSize, int threads) {
        if (network == null || optimizer == null) {
            throw new IllegalArgumentException((network == null ? "network" : "optimizer") + " must not be null");
        }
        if (batchSize < 1 || threads < 1) {
            throw new IllegalArgumentException((batchSize < 1 ? "batchSize must be >= 1, got " + batchSize
                    : "threads must be >= 1, got " + threads));
        }
        double p = network.parameterCount();
        double floatsPerRow = network.inputWidth() + 2.0 * network.outputWidth();
        for (int l = 1; l <= network.layerCount(); l++) {
            floatsPerRow += 2.0 * network.width(l);
        }
        int shares = WorkerPool.sharesFor(batchSize);
        int workers = shares > 1 ? threads - 1 : 0; // (one that never finds work allocates less)
        double floats = p * (1 + 3 + optimizer.stateArrays() + 1) + (double) batchSize * floatsPerRow;
        double bytes = Float.BYTES * floats + (1.0 + workers) * PACKING_BYTES_PER_THREAD;
        return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes;
    }

    /**
     * Refuses, before anything is allocated, a training run whose {@link #memoryEstimate} exceeds
     * the heap available now (the maximum heap less what is in use); {@link Builder#build} makes the
     * same check. Call it before {@link Parameters#initialize} when the network's size comes from a
     * user, so that parameters too large for the heap are refused too.
     *
     * @throws IllegalArgumentException when the estimate exceeds the heap available; the message
     *                                  gives both
     */
    public static void requireHeap(Network network, Optimizer optimizer, int batchSize, int threads) {
        requireHeap(network, optimizer, batchSize, threads, 0);
    }

    /** The check, for {@code allocated} bytes of the estimate that exist already (the parameters, in build). */
    private static void requireHeap(Network network, Optimizer optimizer, int batchSize, int threads, long allocated) {
        long estimate = memoryEstimate(network, optimizer, batchSize, threads);
        long needed = estimate - allocated;
        long available = heapAvailable(needed);
        if (needed > available) {
            throw new IllegalArgumentException("training " + network + " with " + optimizer + ", batch " + batchSize
                    + " and " + threads + " thread" + (threads == 1 ? "" : "s") + " needs about " + bytes(estimate)
                    + " of heap" + (allocated > 0 ? " (" + bytes(needed) + " beyond its parameters)" : "")
                    + ", but only " + bytes(available) + " is available: use a smaller network or batch,"
                    + " or a larger heap (java -Xmx)");
        }
    }

    /**
     * The heap free for new objects now: the maximum heap less what is in use. Used memory includes
     * garbage not yet collected, so when that is less than {@code needed} a full collection is asked
     * for once before the answer is final; this runs only on the way to refusing.
     */
    private static long heapAvailable(long needed) {
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (available < needed) {
            System.gc();
            available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        }
        return available;
    }

    /** Bytes in binary units for messages: {@code 512 bytes}, {@code 3.2 MiB}, {@code 1.5 GiB}. */
    private static String bytes(long n) {
        if (n < 1024) {
            return n + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Starts a trainer that will update {@code params} in place. */
    public static Builder builder(Parameters params) {
        return new Builder(params);
    }

    /** The parameters being trained (the same object, updated in place). */
    public Parameters parameters() {
        return params;
    }

    public Network network() {
        return net;
    }

    /**
     * The gradient of J from the last {@link #computeGradient} or {@link #applyGradientSum} (clipped,
     * if clipping is on), or from the last step of an optimizer other than plain SGD without clipping
     * (plain SGD is fused into the backward pass and never writes the gradient out), in the parameter
     * layout: the backing array, not a copy; null before the first step of a full-batch trainer.
     */
    public float[] gradient() {
        Workspace ws = engine.workspace();
        return ws == null ? null : ws.gradient;
    }

    // ---------------------------------------------------------------------------------------------
    // One step

    /**
     * One training step on {@code m} examples: rows of {@code x} from {@code xOff} (m × n[0]) and of
     * {@code y} from {@code yOff} (m × n[L]). Returns the loss before the update (with the L2 term).
     * Allocates nothing once the buffers exist; a single example ({@code m = 1}) is online learning.
     * Uses the learning rate of the schedule's first epoch, and L2 scaled by this step's m (see
     * {@link #step(float[], int, float[], int, int, int)} for epochs of batches walked by the caller).
     *
     * @throws TrainingDivergedException if the loss, a gradient or an updated parameter is not
     *                                   finite (the class comment says what is then left)
     */
    public double step(float[] x, int xOff, float[] y, int yOff, int m) {
        return step(x, xOff, y, yOff, m, m);
    }

    /**
     * {@link #step(float[], int, float[], int, int)} with the L2 terms scaled by {@code l2Rows}
     * instead of m: J's term is (λ/2·l2Rows)·Σ‖W‖² and the weight gradients get (λ/l2Rows)·W. A
     * caller that walks its own epochs passes its batch size for every step, the last, smaller batch
     * included, so that every step decays the weights alike, as {@link #fit} does (the class comment).
     *
     * @throws IllegalArgumentException  if {@code l2Rows < 1}, or as the other {@code step}
     * @throws TrainingDivergedException if the loss, a gradient or an updated parameter is not
     *                                   finite (the class comment says what is then left)
     */
    public double step(float[] x, int xOff, float[] y, int yOff, int m, int l2Rows) {
        checkBatch(x, xOff, y, yOff, m);
        if (l2Rows < 1) {
            throw new IllegalArgumentException("l2Rows must be >= 1, got " + l2Rows);
        }
        engine.at(0, ++standaloneSteps);
        double loss = engine.step(x, xOff, y, yOff, m, l2Rows, engine.learningRate(schedule, 0, epochs));
        if (perStep && listener != null) {
            listener.onStep(0, standaloneSteps, loss);
        }
        return loss;
    }

    /**
     * Forward and backward on {@code m} examples without updating: the gradient of J lands in
     * {@link #gradient()} (parameter layout). Returns J, with the L2 term.
     */
    public double computeGradient(float[] x, int xOff, float[] y, int yOff, int m) {
        checkBatch(x, xOff, y, yOff, m);
        engine.at(0, standaloneSteps);
        return engine.forwardBackward(x, xOff, y, yOff, m, m);
    }

    // ---------------------------------------------------------------------------------------------
    // Data-parallel training: the gradient computed by workers, the update made by one coordinator

    /**
     * Data-parallel training, a worker's half: forward and backward on {@code m} rows at the current
     * parameters, without updating, adding the gradient of their <em>summed</em> data loss (m times
     * the mean's; no L2 term) into {@code gradientSum} (P doubles, parameter layout). Returns the
     * summed data loss of the rows. Rows beyond the batch size are taken in chunks of the batch size,
     * so that a worker's memory does not grow with its share of the data.
     *
     * <p>Split a dataset's rows in any way among workers whose trainers hold the same parameters,
     * add their sums (in a fixed order, for results that repeat bit for bit) and pass the totals to
     * {@link #applyGradientSum}: that is one full-batch step on all the rows, up to float rounding.
     *
     * @throws TrainingDivergedException if the loss or an error is not finite
     */
    public double addGradientSum(float[] x, int xOff, float[] y, int yOff, int m, double[] gradientSum) {
        requireGradientSum(gradientSum);
        int p = net.parameterCount();
        int chunk = Math.min(m, batchSize);
        checkBatch(x, xOff, y, yOff, m, chunk);
        engine.at(0, standaloneSteps);
        int nIn = net.inputWidth();
        int nOut = net.outputWidth();
        float[] g = engine.workspace().gradient;
        double lossSum = 0;
        for (int from = 0; from < m; from += chunk) {
            int rows = Math.min(chunk, m - from);
            lossSum += engine.dataGradient(x, xOff + from * nIn, y, yOff + from * nOut, rows) * rows;
            for (int i = 0; i < p; i++) {
                gradientSum[i] += (double) g[i] * rows;
            }
        }
        return lossSum;
    }

    /**
     * Data-parallel training, the coordinator's half: one optimizer update from the gradient of the
     * summed data loss of {@code n} examples and that summed loss (the totals of
     * {@link #addGradientSum} over the workers). The gradient of J is gradientSum / n plus the L2 term
     * for n examples, (λ/n)·W; it is clipped as configured and applied by the optimizer, with the
     * divergence guard of {@link #step} and the learning rate {@link #step} uses. Returns J at the
     * parameters before the update: lossSum / n plus (λ/2n)·Σ‖W‖².
     *
     * @throws TrainingDivergedException if the loss, the gradient or an updated parameter is not
     *                                   finite (the class comment says what is then left)
     */
    public double applyGradientSum(double[] gradientSum, double lossSum, long n) {
        checkOpen();
        requireGradientSum(gradientSum);
        int p = net.parameterCount();
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1 example, got " + n);
        }
        engine.ensureCapacity(1); // the workspace's gradient is the buffer of the update
        engine.at(0, ++standaloneSteps);
        if (!Double.isFinite(lossSum)) {
            throw engine.diverged(0, "the summed loss", lossSum, "");
        }
        float[] g = engine.workspace().gradient;
        for (int i = 0; i < p; i++) {
            g[i] = (float) (gradientSum[i] / n);
        }
        double loss = lossSum / n + engine.addL2(g, n);
        engine.update(g, engine.learningRate(schedule, 0, epochs));
        if (perStep && listener != null) {
            listener.onStep(0, standaloneSteps, loss);
        }
        return loss;
    }

    /**
     * A copy of the optimizer's state, for data-parallel training that averages it across workers
     * (local SGD): the arrays the optimizer keeps, P floats each in the parameter layout, one after
     * another. SGD keeps none (an empty array), momentum and Nesterov the velocity, Adam and AdamW
     * the first and then the second moment. {@link #optimizerUpdates} gives the rest of the state.
     */
    public float[] optimizerState() {
        float[][] arrays = engine.optimizerState().arrays();
        int p = net.parameterCount();
        float[] state = new float[arrays.length * p];
        for (int a = 0; a < arrays.length; a++) {
            System.arraycopy(arrays[a], 0, state, a * p, p);
        }
        return state;
    }

    /** How many updates the optimizer has made (Adam's bias correction depends on it). */
    public long optimizerUpdates() {
        return engine.optimizerState().updates;
    }

    /**
     * Replaces the optimizer's state with a copy of {@code state}, laid out as
     * {@link #optimizerState} returns it (for example the average of several workers' states), and
     * its count of updates with {@code updates}: this trainer then goes on as the trainer(s) the
     * state came from would.
     */
    public void restoreOptimizerState(float[] state, long updates) {
        checkOpen();
        float[][] arrays = engine.optimizerState().arrays();
        int p = net.parameterCount();
        if (state == null || state.length != (long) arrays.length * p) {
            throw new IllegalArgumentException("the state of " + engine.optimizerName() + " on " + net + " has "
                    + (long) arrays.length * p + " floats, got " + (state == null ? "null" : state.length));
        }
        if (updates < 0) {
            throw new IllegalArgumentException("updates must be >= 0, got " + updates);
        }
        for (int a = 0; a < arrays.length; a++) {
            System.arraycopy(state, a * p, arrays[a], 0, p);
        }
        engine.optimizerState().updates = updates;
    }

    /** A gradient sum of P doubles, as {@link #addGradientSum} and {@link #applyGradientSum} take it. */
    private void requireGradientSum(double[] gradientSum) {
        int p = net.parameterCount();
        if (gradientSum == null || gradientSum.length != p) {
            throw new IllegalArgumentException("gradientSum must have " + p + " doubles for " + net + ", got "
                    + (gradientSum == null ? "null" : "length " + gradientSum.length));
        }
    }

    private void checkBatch(float[] x, int xOff, float[] y, int yOff, int m) {
        checkBatch(x, xOff, y, yOff, m, m);
    }

    /** Checks m rows of x and y and sizes the buffers for {@code chunk} rows at a time. */
    private void checkBatch(float[] x, int xOff, float[] y, int yOff, int m, int chunk) {
        checkOpen();
        if (m < 1) {
            throw new IllegalArgumentException("m must be >= 1, got " + m);
        }
        if (batchSize != FULL_BATCH && chunk > batchSize) {
            throw new IllegalArgumentException("m = " + m + " exceeds the batch size " + batchSize + " this trainer was built for");
        }
        checkRows("x", x, xOff, m, net.inputWidth());
        checkRows("y", y, yOff, m, net.outputWidth());
        engine.ensureCapacity(chunk);
    }

    private static void checkRows(String name, float[] a, int off, int m, int width) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (off < 0 || (long) off + (long) m * width > a.length) {
            throw new IllegalArgumentException(name + " needs " + m + " rows of " + width + " floats from offset " + off
                    + " but has length " + a.length);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this trainer is closed");
        }
    }

    /**
     * Stops the worker threads of a trainer built with {@code threads > 1}. A closed trainer refuses
     * further training; its parameters stay usable.
     */
    @Override
    public void close() {
        closed = true;
        engine.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Epochs

    /** {@link #fit(Examples, Examples)} without validation. */
    public TrainingResult fit(Examples train) {
        return fit(train, null);
    }

    /**
     * Trains for the configured number of epochs over {@code train}, shuffled each epoch from the
     * seed (the last partial batch is trained on, not dropped), evaluating on {@code validation}
     * (may be null) after each epoch.
     *
     * <ul>
     *   <li>With a patience and validation: stops when the validation loss has not improved for
     *       that many epochs and restores the best parameters.</li>
     *   <li>With a patience and no validation: stops when the training loss stops improving (the
     *       notes' "until the cost stops improving"), keeping the last parameters.</li>
     * </ul>
     *
     * @throws TrainingDivergedException on a non-finite loss or gradient, or an epoch whose mean
     *                                   training loss grew past the divergence threshold (see the
     *                                   class comment); the parameters are then restored to those at
     *                                   the start of the failing epoch. Also on a validation loss that
     *                                   is not finite (validation examples that overflow the network),
     *                                   the parameters then being those after the epoch
     */
    public TrainingResult fit(Examples train, Examples validation) {
        checkOpen();
        if (train == null) {
            throw new IllegalArgumentException("train examples must not be null");
        }
        train.requireFits(net, "training");
        if (validation != null) {
            validation.requireFits(net, "validation");
        }
        int n = train.count();
        int batch = Math.min(batchSize, n);
        engine.ensureCapacity(batch);
        int nIn = net.inputWidth();
        int nOut = net.outputWidth();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        boolean gather = shuffle && batch < n;
        float[] best = patience > 0 ? theta.clone() : null;
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        int sinceBest = 0;
        List<EpochStats> history = new ArrayList<>();
        long start = System.nanoTime();
        boolean stoppedEarly = false;
        double initialLoss = Double.NaN;

        for (int epoch = 1; epoch <= epochs; epoch++) {
            long epochStart = System.nanoTime();
            System.arraycopy(theta, 0, lastGood, 0, theta.length); // finite: every step checks the parameters
            float lr = engine.learningRate(schedule, epoch - 1, epochs);
            if (gather) {
                shuffle(order, random);
            }
            double lossSum = 0;
            long correct = 0;
            long total = 0;
            long steps = 0;
            try {
                for (int from = 0; from < n; from += batch) {
                    int m = Math.min(batch, n - from);
                    engine.at(epoch, ++steps);
                    double loss;
                    if (gather) {
                        Workspace ws = engine.workspace();
                        float[] x = ws.forward.input();
                        for (int i = 0; i < m; i++) {
                            int row = order[from + i];
                            System.arraycopy(train.x(), row * nIn, x, i * nIn, nIn);
                            System.arraycopy(train.y(), row * nOut, ws.y, i * nOut, nOut);
                        }
                        loss = engine.step(x, 0, ws.y, 0, m, batch, lr);
                    } else {
                        loss = engine.step(train.x(), from * nIn, train.y(), from * nOut, m, batch, lr);
                    }
                    if (perStep && listener != null) {
                        listener.onStep(epoch, steps, loss);
                    }
                    if (Double.isNaN(initialLoss)) {
                        initialLoss = loss;   // at the initial parameters: the step updates after measuring
                    }
                    lossSum += loss * m;
                    correct += engine.correct();
                    total += engine.total();
                }
            } catch (TrainingDivergedException e) {
                System.arraycopy(lastGood, 0, theta, 0, theta.length);
                throw e;
            }
            double trainLoss = lossSum / n;
            double limit = Math.max(DIVERGENCE_FACTOR * initialLoss, initialLoss + DIVERGENCE_MARGIN);
            if (trainLoss > limit) {
                System.arraycopy(lastGood, 0, theta, 0, theta.length);
                throw engine.diverged(0, "the epoch's mean training loss", trainLoss, String.format(Locale.ROOT,
                        ", over max(%.0f x the initial loss %.4g, initial + %.0f)", DIVERGENCE_FACTOR, initialLoss,
                        DIVERGENCE_MARGIN));
            }
            double trainAccuracy = total == 0 ? Double.NaN : (double) correct / total;
            Evaluation val = validation != null ? evaluate(validation) : null;
            if (val != null && !Double.isFinite(val.loss())) {
                // Early stopping would see no improvement, ever, and carry on as if all were well.
                throw new TrainingDivergedException("the validation loss is " + val.loss() + " at epoch " + epoch
                        + " (the training loss " + trainLoss + "): validation examples overflow the network (features"
                        + " far outside the range of the training data?)", 0, epoch, 0);
            }
            long now = System.nanoTime();
            EpochStats stats = new EpochStats(epoch, epochs, steps, trainLoss, trainAccuracy,
                    val != null ? val.loss() : Double.NaN, val != null ? val.accuracy() : Double.NaN,
                    lr, now - start, n / ((now - epochStart) / 1e9));
            history.add(stats);
            if (listener != null) {
                listener.onEpoch(stats);
            }
            if (patience > 0) {
                double watched = val != null ? val.loss() : trainLoss;
                if (watched < bestLoss - minImprovement) {
                    bestLoss = watched;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    System.arraycopy(theta, 0, best, 0, theta.length);
                } else if (++sinceBest >= patience) {
                    stoppedEarly = epoch < epochs;
                    break;
                }
            } else {
                bestEpoch = epoch;
            }
        }
        if (best != null && validation != null && bestEpoch > 0) {
            System.arraycopy(best, 0, theta, 0, theta.length);
        } else if (best != null) {
            bestEpoch = history.size();
        }
        return new TrainingResult(history, bestEpoch, stoppedEarly);
    }

    private static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Mean data loss (no L2 term) and accuracy of the current parameters on {@code examples}. */
    public Evaluation evaluate(Examples examples) {
        checkOpen();
        if (examples == null) {
            throw new IllegalArgumentException("examples must not be null");
        }
        examples.requireFits(net, "evaluation");
        int n = examples.count();
        engine.ensureCapacity(Math.min(n, batchSize == FULL_BATCH ? n : batchSize));
        int chunk = engine.workspace().maxBatch;
        int nIn = net.inputWidth();
        int nOut = net.outputWidth();
        double lossSum = 0;
        long correct = 0;
        long total = 0;
        for (int from = 0; from < n; from += chunk) {
            int m = Math.min(chunk, n - from);
            lossSum += engine.forwardLoss(examples.x(), from * nIn, examples.y(), from * nOut, m) * m;
            correct += engine.correct();
            total += engine.total();
        }
        return new Evaluation(lossSum / n, total == 0 ? Double.NaN : (double) correct / total, n);
    }

    /** Configuration of a {@link Trainer}; every setting has a sensible default. */
    public static final class Builder {
        private final Parameters params;
        private Kernels kernels;
        private Optimizer optimizer;
        private int batchSize = 32;
        private int epochs = 10;
        private float lambda;
        private float clipNorm;
        private LearningRateSchedule schedule = LearningRateSchedule.constant();
        private long seed = 1;
        private boolean shuffle = true;
        private int patience;
        private double minImprovement;
        private TrainingListener listener;
        private boolean perStep;
        private int threads = 1;

        private Builder(Parameters params) {
            if (params == null) {
                throw new IllegalArgumentException("params must not be null");
            }
            this.params = params;
        }

        /** The optimizer (default: SGD with learning rate 0.1). */
        public Builder optimizer(Optimizer optimizer) {
            if (optimizer == null) {
                throw new IllegalArgumentException("optimizer must not be null");
            }
            this.optimizer = optimizer;
            return this;
        }

        /** Examples per step (default 32); {@link #FULL_BATCH} for full-batch gradient descent. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Passes over the training set (default 10); with full batch, the number of iterations. */
        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /** L2 regularization strength λ (default 0): J += (λ/2m)ΣW², dW += (λ/m)W. */
        public Builder l2(float lambda) {
            if (!(lambda >= 0f) || !Float.isFinite(lambda)) {
                throw new IllegalArgumentException("L2 lambda must be a finite number >= 0, got " + lambda);
            }
            this.lambda = lambda;
            return this;
        }

        /** Clips the gradient to this global L2 norm (default 0: off). */
        public Builder clipNorm(float maxNorm) {
            if (!(maxNorm >= 0f) || !Float.isFinite(maxNorm)) {
                throw new IllegalArgumentException("clip norm must be a finite number >= 0, got " + maxNorm);
            }
            this.clipNorm = maxNorm;
            return this;
        }

        /** Learning-rate schedule (default constant). */
        public Builder schedule(LearningRateSchedule schedule) {
            if (schedule == null) {
                throw new IllegalArgumentException("schedule must not be null");
            }
            this.schedule = schedule;
            return this;
        }

        /** Seed of the per-epoch shuffle (default 1). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether to shuffle the examples each epoch (default true). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /**
         * Early stopping: stop after {@code patience} epochs without an improvement of more than
         * {@code minImprovement} in the validation loss (or, without validation, the training loss).
         */
        public Builder earlyStopping(int patience, double minImprovement) {
            if (patience < 1) {
                throw new IllegalArgumentException("patience must be >= 1 epoch, got " + patience);
            }
            if (!(minImprovement >= 0) || !Double.isFinite(minImprovement)) {
                throw new IllegalArgumentException("minimum improvement must be a finite number >= 0, got " + minImprovement);
            }
            this.patience = patience;
            this.minImprovement = minImprovement;
            return this;
        }

        /** Called after each epoch. */
        public Builder listener(TrainingListener listener) {
            return listener(listener, false);
        }

        /** Called after each epoch, and after each step when {@code perStep}. */
        public Builder listener(TrainingListener listener, boolean perStep) {
            this.listener = listener;
            this.perStep = perStep;
            return this;
        }

        /**
         * Threads that share each step (default 1). A batch of m rows is cut into shares by m alone
         * (m / 128 shares of equal size, at least 1 and at most 8), which the threads run forward
         * and backward; then the weight products over the whole batch are cut by units (rows of a
         * layer's weights; a whole layer on one thread) and shared out too. Each share and each unit is
         * computed by the same operations whichever thread runs it, so the thread count changes
         * the speed, never the result: the parameters after any number of steps are bit-identical
         * for 1 thread or 8. Batches below 256 rows are one share and run on the calling thread;
         * more than 8 threads never help. A trainer with threads owns them until
         * {@link Trainer#close()}.
         */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** The kernels to use (default {@link Kernels#get()}). */
        public Builder kernels(Kernels kernels) {
            this.kernels = kernels;
            return this;
        }

        /**
         * The trainer, with its buffers for batches of the configured size.
         *
         * @throws IllegalArgumentException when the {@link #memoryEstimate} of this configuration
         *                                  (less the parameters, which exist already) exceeds the heap
         *                                  available; the message gives the estimate
         */
        public Trainer build() {
            Network net = params.network();
            // Full batch: fit sizes the workspace for the training set; one row is counted here.
            requireHeap(net, optimizer != null ? optimizer : Optimizer.sgd(0.1f), batchSize == FULL_BATCH ? 1 : batchSize,
                    threads, (long) Float.BYTES * net.parameterCount());
            return new Trainer(this);
        }
    }
}
