package io.backlane.train;

import io.backlane.kernel.Kernels;
import io.backlane.nn.Network;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Data-parallel backpropagation with results that do not depend on the thread count. A batch of m
 * rows is cut into {@link #sharesFor(int) shares} by m alone: equal row ranges of at least
 * {@value #MIN_SHARE_ROWS} rows, at most {@value #MAX_SHARES} of them. Each share's gradient lands in
 * a buffer of its own, whichever thread computed it, and the shares are added in share order,
 * weighted by their row counts (the mean over the batch is the weighted mean of the shares' means).
 * One thread or eight, the same floating-point operations run in the same order, so the parameters
 * after any number of steps are bit-identical.
 *
 * <p>Thread t (the caller is thread 0) runs shares t, t + T, t + 2T, ... with its own workspace.
 * Hand-off and completion use a volatile task number per worker, spinning briefly and then parking
 * ({@link LockSupport}), because blocking queues and barriers allocate wait nodes and a step must
 * allocate nothing.
 */
final class WorkerPool implements AutoCloseable {
    /** Rows below which a share costs more (a smaller GEMM, one more gradient to add) than it saves. */
    static final int MIN_SHARE_ROWS = 128;
    /** The most shares, whatever the batch: bounds the share gradients' memory to this many × P. */
    static final int MAX_SHARES = 8;
    private static final int SPINS = 20_000;

    private final Network net;
    private final Kernels k;
    private final Backprop[] parts;    // parts[t]: thread t's backprop and workspace; parts[0] is the caller's
    private final Worker[] workers;    // workers[t] runs thread t's shares, t >= 1
    private final float[][] shareGradients; // [share][P]: each share's mean gradient, added in share order
    private final double[] losses;     // [share]
    private final long[] correct;      // [share]
    private final long[] total;        // [share]
    private final int[] from;          // [share] first row
    private final int[] count;         // [share] rows
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;
    private volatile Thread caller;
    private long task;

    // The task being run: written by the caller before it publishes the task number.
    private float[] theta;
    private float[] x;
    private float[] y;
    private int xOff;
    private int yOff;
    private int shares;

    /**
     * A pool of {@code threads} (the caller and threads − 1 workers) for batches of up to
     * {@code maxBatch} rows; {@code callerPart} is the caller's backprop, sized for maxBatch.
     */
    WorkerPool(Network net, Kernels k, Backprop callerPart, int threads, int maxBatch) {
        this.net = net;
        this.k = k;
        parts = new Backprop[threads];
        workers = new Worker[threads];
        int maxShares = sharesFor(maxBatch);
        shareGradients = new float[maxShares][];
        for (int s = 0; s < maxShares; s++) {
            shareGradients[s] = new float[net.parameterCount()];
        }
        losses = new double[maxShares];
        correct = new long[maxShares];
        total = new long[maxShares];
        from = new int[maxShares];
        count = new int[maxShares];
        parts[0] = callerPart;
        int shareRows = largestShare(maxBatch);
        for (int t = 1; t < threads; t++) {
            parts[t] = new Backprop(net, k, shareRows);
            workers[t] = new Worker(t);
            Thread thread = new Thread(workers[t], "backlane-trainer-" + t);
            thread.setDaemon(true);
            workers[t].thread = thread;
            thread.start();
        }
    }

    /** How many shares m rows are cut into: a function of m alone, never of the thread count. */
    static int sharesFor(int m) {
        return Math.max(1, Math.min(MAX_SHARES, m / MIN_SHARE_ROWS));
    }

    /** The most rows one share can have, for batches of up to maxBatch rows (a worker's workspace). */
    static int largestShare(int maxBatch) {
        int largest = 1;
        for (int shares = 2; shares <= sharesFor(maxBatch); shares++) { // one share never reaches a worker
            // the largest m with this share count: below the next count's threshold, or maxBatch
            int m = shares < MAX_SHARES ? Math.min(maxBatch, (shares + 1) * MIN_SHARE_ROWS - 1) : maxBatch;
            largest = Math.max(largest, (m + shares - 1) / shares);
        }
        return Math.min(largest, maxBatch);
    }

    /**
     * Runs m rows as {@link #sharesFor}(m) ≥ 2 shares on the pool's threads and writes the batch's
     * mean gradient into the caller's workspace gradient, and the counts into the caller's part.
     * Returns the mean data loss.
     *
     * @throws Divergence when any share met a NaN or infinity
     */
    double run(float[] theta, float[] x, int xOff, float[] y, int yOff, int m) {
        if (closed) {
            throw new IllegalStateException("the worker threads were stopped");
        }
        this.theta = theta;
        this.x = x;
        this.y = y;
        this.xOff = xOff;
        this.yOff = yOff;
        shares = sharesFor(m);
        for (int s = 0, start = 0; s < shares; s++) {
            int rows = m / shares + (s < m % shares ? 1 : 0);
            from[s] = start;
            count[s] = rows;
            start += rows;
        }
        int busy = Math.min(parts.length, shares);
        caller = Thread.currentThread();
        pending.set(busy - 1);
        long t = ++task;
        for (int w = 1; w < busy; w++) {
            workers[w].go = t; // volatile write: publishes the task fields above
            LockSupport.unpark(workers[w].thread);
        }
        Divergence failed = null;
        try {
            runShares(0);
        } catch (Divergence d) {
            failed = d;
        } finally {
            // Even if this thread's shares threw: the workers must finish before the next task.
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
        return combine(m);
    }

    /** Thread t's shares: t, t + T, t + 2T, ... */
    private void runShares(int t) {
        Backprop part = parts[t];
        int nIn = net.inputWidth();
        int nOut = net.outputWidth();
        for (int s = t; s < shares; s += parts.length) {
            losses[s] = part.run(theta, x, xOff + from[s] * nIn, y, yOff + from[s] * nOut, count[s], shareGradients[s]);
            correct[s] = part.correct;
            total[s] = part.total;
        }
    }

    /** g = Σ_s (count[s]/m)·g[s] in share order, into the caller's gradient; returns the mean loss. */
    private double combine(int m) {
        Backprop main = parts[0];
        float[] g = main.ws.gradient;
        System.arraycopy(shareGradients[0], 0, g, 0, g.length);
        k.scale(g.length, (float) count[0] / m, g, 0);
        double loss = losses[0] * count[0] / m;
        long c = correct[0];
        long n = total[0];
        for (int s = 1; s < shares; s++) {
            k.axpy(g.length, (float) count[s] / m, shareGradients[s], 0, g, 0);
            loss += losses[s] * count[s] / m;
            c += correct[s];
            n += total[s];
        }
        main.correct = c;
        main.total = n;
        return loss;
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
                    runShares(index);
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
