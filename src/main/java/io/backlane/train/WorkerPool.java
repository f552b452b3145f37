package io.backlane.train;

import io.backlane.kernel.Kernels;
import io.backlane.nn.Network;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Data-parallel backpropagation: splits a batch into row ranges, runs {@link Backprop} on each in
 * its own thread and workspace, and combines the shares into the caller's gradient, weighted by
 * their row counts (the mean over the batch is the weighted mean of the shares' means).
 *
 * <p>The caller runs the first share itself. Hand-off and completion use a volatile task number per
 * worker, spinning briefly and then parking ({@link LockSupport}), because blocking queues and
 * barriers allocate wait nodes and a step must allocate nothing.
 */
final class WorkerPool implements AutoCloseable {
    /** Below this many rows per share, a thread costs more than it saves. */
    static final int MIN_ROWS_PER_THREAD = 8;
    private static final int SPINS = 20_000;

    private final Network net;
    private final Kernels k;
    private final Backprop[] parts;   // parts[0] is the caller's
    private final Worker[] workers;   // workers[i] runs parts[i], i >= 1
    private final double[] losses;
    private final int[] from;
    private final int[] count;
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

    WorkerPool(Network net, Kernels k, Backprop callerPart, int threads, int maxBatch) {
        this.net = net;
        this.k = k;
        parts = new Backprop[threads];
        workers = new Worker[threads];
        losses = new double[threads];
        from = new int[threads];
        count = new int[threads];
        parts[0] = callerPart;
        int shareRows = shareRows(maxBatch, threads);
        for (int i = 1; i < threads; i++) {
            parts[i] = new Backprop(net, k, shareRows);
            workers[i] = new Worker(i);
            Thread t = new Thread(workers[i], "backlane-trainer-" + i);
            t.setDaemon(true);
            workers[i].thread = t;
            t.start();
        }
    }

    /** The most rows one worker's share of a batch of up to {@code maxBatch} rows can have. */
    static int shareRows(int maxBatch, int threads) {
        // A share has at most ceil(m / shares) rows, and shares = min(threads, m / MIN_ROWS_PER_THREAD).
        return Math.min(maxBatch, Math.max((maxBatch + threads - 1) / threads, 2 * MIN_ROWS_PER_THREAD));
    }

    /** How many shares to split m rows into. */
    int sharesFor(int m) {
        return Math.max(1, Math.min(parts.length, m / MIN_ROWS_PER_THREAD));
    }

    /**
     * Runs the batch in {@code shares} row ranges and combines them into the caller's part: its
     * gradient and counts. Returns the mean data loss.
     *
     * @throws Divergence when any share met a NaN or infinity
     */
    double run(float[] theta, float[] x, int xOff, float[] y, int yOff, int m, int shares) {
        if (closed) {
            throw new IllegalStateException("the worker threads were stopped");
        }
        this.theta = theta;
        this.x = x;
        this.y = y;
        this.xOff = xOff;
        this.yOff = yOff;
        for (int i = 0, start = 0; i < shares; i++) {
            int rows = m / shares + (i < m % shares ? 1 : 0);
            from[i] = start;
            count[i] = rows;
            start += rows;
        }
        caller = Thread.currentThread();
        pending.set(shares - 1);
        long t = ++task;
        for (int i = 1; i < shares; i++) {
            workers[i].go = t; // volatile write: publishes the task fields above
            LockSupport.unpark(workers[i].thread);
        }
        try {
            runShare(0);
        } finally {
            // Even if this thread's share threw: the workers must finish before the next task.
            for (int spins = 0; pending.get() != 0; spins++) {
                if (spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }
        for (int i = 1; i < shares; i++) {
            Throwable error = workers[i].error;
            if (error != null) {
                workers[i].error = null;
                if (error instanceof Divergence d) {
                    throw d; // the caller reports it with the epoch and step
                }
                throw new IllegalStateException("training worker thread " + i + " failed: " + error, error);
            }
        }
        return combine(m, shares);
    }

    private void runShare(int i) {
        int nIn = net.inputWidth();
        int nOut = net.outputWidth();
        losses[i] = parts[i].run(theta, x, xOff + from[i] * nIn, y, yOff + from[i] * nOut, count[i]);
    }

    private double combine(int m, int shares) {
        Backprop main = parts[0];
        float[] g = main.ws.gradient;
        double loss = losses[0] * count[0] / m;
        long correct = main.correct;
        long total = main.total;
        k.scale(g.length, (float) count[0] / m, g, 0);
        for (int i = 1; i < shares; i++) {
            Backprop part = parts[i];
            loss += losses[i] * count[i] / m;
            correct += part.correct;
            total += part.total;
            k.axpy(g.length, (float) count[i] / m, part.ws.gradient, 0, g, 0);
        }
        main.correct = correct;
        main.total = total;
        return loss;
    }

    /** Stops the worker threads. */
    @Override
    public void close() {
        closed = true;
        for (int i = 1; i < workers.length; i++) {
            LockSupport.unpark(workers[i].thread);
        }
    }

    private final class Worker implements Runnable {
        private final int index;
        volatile long go;
        Thread thread;
        /** What this worker's last share threw; read by the caller after the pending count reaches 0. */
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
                    runShare(index);
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
