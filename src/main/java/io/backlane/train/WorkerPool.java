package io.backlane.train;

import io.backlane.kernel.GemmWorkspace;
import io.backlane.kernel.Kernels;
import io.backlane.kernel.PackedWeights;
import io.backlane.nn.Network;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Data-parallel backpropagation with results that do not depend on the thread count, in two phases
 * over one workspace (the caller's, sized for the whole batch):
 * <ol>
 *   <li>{@link #errors}: the batch of m rows is cut into {@link #sharesFor(int) shares} by m alone,
 *       equal row ranges of at least {@value #MIN_SHARE_ROWS} rows, at most {@value #MAX_SHARES} of
 *       them; thread t (the caller is thread 0) runs shares t, t + T, t + 2T, ... forward and
 *       backward to the errors dZ[l], into the share's own rows of the workspace. The caller first
 *       packs the weights once ({@link StepWeights}) for all the shares' forward products, which
 *       then pack only their activations (10% more samples a second at batch 1024 than unpacked dot
 *       products, which read all of W once per four rows).</li>
 *   <li>{@link #gradient} or {@link #descend}: the products dZ[l]ᵀ·A[l-1] over the whole batch, cut
 *       by units instead: each task is some rows of one W[l] and the same entries of b[l]
 *       ({@link #unitsPerTask}; a whole layer on one thread), taken by whichever thread is free.
 *       Plain SGD writes the parameters directly, so no gradient is written, and nothing is added
 *       up after the threads finish.</li>
 * </ol>
 * The shares depend on the batch size alone, and each row or unit is computed by the same
 * operations whichever thread runs it and whichever units share its task: one thread or eight,
 * the parameters after any number of steps are bit-identical.
 *
 * <p>Hand-off and completion use a volatile task number per worker, spinning briefly and then parking
 * ({@link LockSupport}), because blocking queues and barriers allocate wait nodes and a step must
 * allocate nothing.
 */
final class WorkerPool implements AutoCloseable {
    /** Rows below which a share costs more (a smaller GEMM, one more hand-off) than it saves. */
    static final int MIN_SHARE_ROWS = 128;
    /** The most shares, whatever the batch. */
    static final int MAX_SHARES = 8;
    /**
     * Units (rows of W[l]) per task of the second phase, at most: few enough tasks that each is a
     * large GEMM, since every task packs the layer's activations anew (64-unit tasks were about 8% slower
     * on one thread at batch 1024). A multiple of the micro-kernels' tile heights, so that only a
     * layer's last task has a partial tile.
     */
    static final int UNITS_PER_TASK = 128;
    private static final int SPINS = 20_000;

    private final Network net;
    private final Kernels k;
    private final StepWeights weights;   // W[l] packed once per step for every share's forward pass
    private final Backprop[] parts;    // parts[t]: thread t's backprop on the caller's workspace; parts[0] is the caller's
    private final Worker[] workers;    // workers[t] runs thread t's part of each phase, t >= 1
    private final int[] taskLayer;     // [task] the layer l of the second phase's tasks, the largest first
    private final int[] taskFrom;      // [task] its first unit
    private final int[] taskUnits;     // [task] its units
    private final double[] losses;     // [share]
    private final long[] correct;      // [share]
    private final long[] total;        // [share]
    private final int[] from;          // [share] first row
    private final int[] count;         // [share] rows
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger nextTask = new AtomicInteger();
    private final AtomicBoolean allFinite = new AtomicBoolean(); // the second phase's check (descend with a backup)
    private volatile boolean closed;
    private volatile Thread caller;
    private long task;

    // The phase being run: written by the caller before it publishes the task number.
    private boolean errorsPhase;
    private float[] theta;
    private PackedWeights[] packedLayers;
    private float[] x;
    private float[] y;
    private int xOff;
    private int yOff;
    private int m;
    private int shares;
    private float alpha;               // the second phase: target ← beta·target + alpha·dZᵀ·A, bias with betaBias
    private float beta;
    private float betaBias;
    private float[] target;
    private float[] backup;            // descend: where each task copies its parameters first (null: no copy, no check)

    /**
     * A pool of {@code threads} (the caller and threads − 1 workers) on {@code callerPart}'s
     * workspace, which must hold the largest batch.
     */
    WorkerPool(Network net, Kernels k, Backprop callerPart, StepWeights weights, int threads) {
        this.net = net;
        this.k = k;
        this.weights = weights;
        parts = new Backprop[threads];
        workers = new Worker[threads];
        losses = new double[MAX_SHARES];
        correct = new long[MAX_SHARES];
        total = new long[MAX_SHARES];
        from = new int[MAX_SHARES];
        count = new int[MAX_SHARES];
        int[][] tasks = tasksLargestFirst(net, threads);
        taskLayer = new int[tasks.length];
        taskFrom = new int[tasks.length];
        taskUnits = new int[tasks.length];
        for (int t = 0; t < tasks.length; t++) {
            taskLayer[t] = tasks[t][0];
            taskFrom[t] = tasks[t][1];
            taskUnits[t] = tasks[t][2];
        }
        parts[0] = callerPart;
        for (int t = 1; t < threads; t++) {
            parts[t] = new Backprop(net, k, callerPart.ws, new GemmWorkspace());
            workers[t] = new Worker(t);
            Thread thread = new Thread(workers[t], "backlane-trainer-" + t);
            thread.setDaemon(true);
            workers[t].thread = thread;
            thread.start();
        }
    }

    /**
     * The second phase's tasks, {layer, first unit, units}, the largest product first, so that the
     * last ones to be taken are small. On one thread each layer is one task: nothing is gained by
     * cutting it, and every task packs the layer's activations anew (+5.6% samples a second at
     * batch 256, paired A/B on Zen 4). The cut changes no bits: each unit's row of W and entry of b
     * are computed by the same operations whichever units share its task
     * (ThreadDeterminismTest holds one thread against several).
     */
    private static int[][] tasksLargestFirst(Network net, int threads) {
        java.util.List<int[]> tasks = new java.util.ArrayList<>();
        for (int l = 1; l <= net.layerCount(); l++) {
            int perTask = threads == 1 ? net.width(l) : unitsPerTask(net.width(l));
            for (int u = 0; u < net.width(l); u += perTask) {
                tasks.add(new int[] {l, u, Math.min(perTask, net.width(l) - u)});
            }
        }
        // units × (inputs + 1): the task's multiply-adds per row of the batch; a stable sort
        tasks.sort((a, b) -> Long.compare((long) b[2] * (net.width(b[0] - 1) + 1), (long) a[2] * (net.width(a[0] - 1) + 1)));
        return tasks.toArray(new int[0][]);
    }

    /**
     * The units per task of a layer of n units: {@value #UNITS_PER_TASK}, or half the layer (in
     * whole tiles of 4) from 64 to 255 units, so that two threads share a narrower layer's product
     * too (the 784-256-128-10 network's 128-unit layer is a seventh of the second phase).
     */
    static int unitsPerTask(int n) {
        return n >= 2 * UNITS_PER_TASK || n < 64 ? UNITS_PER_TASK : (n / 2 + 3) / 4 * 4;
    }

    /** How many shares m rows are cut into: a function of m alone, never of the thread count. */
    static int sharesFor(int m) {
        return Math.max(1, Math.min(MAX_SHARES, m / MIN_SHARE_ROWS));
    }

    /**
     * The first phase: m rows (x from xOff, y from yOff) as {@link #sharesFor}(m) ≥ 2 shares, to
     * the errors dZ[l] in the caller's workspace; the counts land in the caller's part. Returns the
     * mean data loss: the shares' means weighted by their rows, added in share order.
     *
     * @throws Divergence when any share met a NaN or infinity (nothing is written to the parameters)
     */
    double errors(float[] theta, float[] x, int xOff, float[] y, int yOff, int m) {
        this.theta = theta;
        this.x = x;
        this.y = y;
        this.xOff = xOff;
        this.yOff = yOff;
        this.m = m;
        shares = sharesFor(m);
        for (int s = 0, start = 0; s < shares; s++) {
            int rows = m / shares + (s < m % shares ? 1 : 0);
            from[s] = start;
            count[s] = rows;
            start += rows;
        }
        errorsPhase = true;
        packedLayers = weights.pack(theta);
        run(Math.min(parts.length, shares));
        double loss = 0;
        long c = 0;
        long n = 0;
        for (int s = 0; s < shares; s++) {
            loss += losses[s] * count[s] / m;
            c += correct[s];
            n += total[s];
        }
        parts[0].correct = c;
        parts[0].total = n;
        return loss;
    }

    /** The second phase after {@link #errors}: the gradient of the mean data loss into {@code gradient}. */
    void gradient(float[] gradient) {
        update(1f / m, 0f, 0f, gradient);
    }

    /**
     * The second phase after {@link #errors}: plain SGD into {@code theta}, as {@link Backprop#descend}.
     * With a {@code backup} (P), each task first copies the parameters it is about to update into
     * it and afterwards checks them, on its own thread: returns whether every updated parameter
     * is finite, and then {@code backup} holds all of theta as it was before.
     */
    boolean descend(float[] theta, float lr, float decay, float[] backup) {
        this.backup = backup;
        allFinite.set(true);
        update(-lr / m, decay, 1f, theta);
        this.backup = null;
        return allFinite.get();
    }

    private void update(float alpha, float beta, float betaBias, float[] target) {
        this.alpha = alpha;
        this.beta = beta;
        this.betaBias = betaBias;
        this.target = target;
        errorsPhase = false;
        nextTask.set(0);
        run(Math.min(parts.length, taskLayer.length));
    }

    /** Runs the current phase on {@code busy} threads, the caller among them, and waits for them. */
    private void run(int busy) {
        if (closed) {
            throw new IllegalStateException("the worker threads were stopped");
        }
        caller = Thread.currentThread();
        pending.set(busy - 1);
        long t = ++task;
        for (int w = 1; w < busy; w++) {
            workers[w].go = t; // volatile write: publishes the task fields above
            LockSupport.unpark(workers[w].thread);
        }
        Divergence failed = null;
        try {
            runPart(0);
        } catch (Divergence d) {
            failed = d;
        } finally {
            // Even if this thread's part threw: the workers must finish before the next phase.
            for (int spins = 0; pending.get() != 0; spins++) {
                if (spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }
        for (int w = 1; w < busy; w++) {
            Throwable error = workers[w].error;
            if (error != null) {
                workers[w].error = null;
                if (error instanceof Divergence d) {
                    failed = failed != null ? failed : d;
                } else {
                    throw new IllegalStateException("training worker thread " + w + " failed: " + error, error);
                }
            }
        }
        if (failed != null) {
            throw failed; // the caller reports it with the epoch and step
        }
    }

    /** Thread t's part of the current phase: shares t, t + T, t + 2T, ...; or the next free tasks. */
    private void runPart(int t) {
        Backprop part = parts[t];
        if (errorsPhase) {
            int nIn = net.inputWidth();
            int nOut = net.outputWidth();
            for (int s = t; s < shares; s += parts.length) {
                losses[s] = part.errors(theta, packedLayers, x, xOff + from[s] * nIn, y, yOff + from[s] * nOut, from[s], count[s]);
                correct[s] = part.correct;
                total[s] = part.total;
            }
        } else {
            for (int i; (i = nextTask.getAndIncrement()) < taskLayer.length; ) {
                int l = taskLayer[i], u0 = taskFrom[i], units = taskUnits[i];
                int rows = net.weightOffset(l) + u0 * net.width(l - 1), rowsLength = units * net.width(l - 1);
                int biases = net.biasOffset(l) + u0;
                if (backup != null) {
                    System.arraycopy(target, rows, backup, rows, rowsLength);
                    System.arraycopy(target, biases, backup, biases, units);
                }
                part.layerRows(l, u0, units, x, xOff, m, alpha, beta, betaBias, target);
                if (backup != null && !(k.allFinite(rowsLength, target, rows) && k.allFinite(units, target, biases))) {
                    allFinite.set(false);
                }
            }
        }
    }

    /** Stops the worker threads. */
    @Override
    public void close() {
        closed = true;
        for (int w = 1; w < workers.length; w++) {
            LockSupport.unpark(workers[w].thread);
        }
    }

    private final class Worker implements Runnable {
        private final int index;
        volatile long go;
        Thread thread;
        /** What this worker's last shares threw; read by the caller after the pending count reaches 0. */
        Throwable error;

        Worker(int index) {
            this.index = index;
        }

        @Override
        public void run() {
            long done = 0;
            while (true) {
                long t;
                for (int spins = 0; (t = go) == done; spins++) {
                    if (closed) {
                        return;
                    }
                    if (spins < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                done = t;
                try {
                    runPart(index);
                } catch (Throwable e) { // handed to the caller, which rethrows it
                    error = e;
                }
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }
}
