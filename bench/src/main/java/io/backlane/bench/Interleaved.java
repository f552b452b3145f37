package io.backlane.bench;

import io.backlane.kernel.Kernels;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_full;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * backlane against a peer in alternating turns in one JVM, for ratios close to 1 on a shared
 * machine. JMH runs one engine's forks after the other's, so a host that slows down for a few
 * minutes (these VMs' cores and L3 are shared) moves one engine's figure and not the other's; here
 * each turn of backlane is followed by a turn of the peer, and the ratio is taken turn pair by turn
 * pair, so that a slowdown longer than a turn moves both sides of a pair alike.
 *
 * <p>Run through {@code bench/run.sh --interleaved}, which pins the JVM and unsets
 * {@code OPENBLAS_CORETYPE} as for the JMH benchmarks:
 * <pre>
 * BENCH_CPUS=1 bench/run.sh --interleaved gemm sq-512,sq-1024,dA-784x256-b1024
 * BENCH_CPUS=1 bench/run.sh --interleaved predict 64
 * </pre>
 * Each comparison first checks that the two engines give the same results (within the rounding of
 * different summation orders), then runs 10 turns of each to warm up, then 30 measured pairs of
 * 300 ms turns (another number of pairs as a last argument). It prints each engine's
 * median rate and the median and range of the pair ratios. Not JMH: the turns are timed with
 * {@code System.nanoTime} around plain loops of calls whose results are read afterwards.
 */
public final class Interleaved {
    private static final int WARMUP_TURNS = 10;
    private static final long TURN_MILLIS = 300;

    private Interleaved() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3 || !(args[0].equals("gemm") || args[0].equals("predict"))) {
            throw new IllegalArgumentException("usage: Interleaved gemm SHAPE[,SHAPE...] [TURNS] | Interleaved predict"
                    + " ROWS [TURNS] (shapes as GemmBenchmark's: sq-512, dA-784x256-b1024, ...; 30 turns by default)");
        }
        int turns = args.length == 3 ? Integer.parseInt(args[2]) : 30;
        long turnNanos = TURN_MILLIS * 1_000_000L;
        if (args[0].equals("gemm")) {
            openblas_full.openblas_set_num_threads(1);
            String core = openblas_full.openblas_get_corename().getString().trim();
            String note = OpenBlasCore.require(core);
            System.out.printf(Locale.ROOT, "# OpenBLAS %s, core %s%s, threads %d; backlane %s%n",
                    openblas_full.openblas_get_config().getString().trim(), core, note,
                    openblas_full.openblas_get_num_threads(), Kernels.get().name());
            for (String name : args[1].split(",")) {
                gemm(GemmShape.parse(name), turns, turnNanos);
            }
        } else {
            predict(Integer.parseInt(args[1]), turns, turnNanos);
        }
    }

    private static void gemm(GemmShape s, int turns, long turnNanos) {
        SplittableRandom random = new SplittableRandom(1);
        float[] a = GemmBenchmark.fill(new float[s.aSize()], random);
        float[] b = GemmBenchmark.fill(new float[s.bSize()], random);
        float[] c = new float[s.cSize()];
        float[] blasC = new float[s.cSize()];
        try (FloatPointer pa = new FloatPointer(a); FloatPointer pb = new FloatPointer(b);
             FloatPointer pc = new FloatPointer(blasC)) {
            Runnable ours = GemmBenchmark.oursGemm(Kernels.get(), s, a, b, c)::run;
            Runnable blas = GemmBenchmark.openblasGemm(s, pa, pb, pc)::run;
            ours.run();
            blas.run();
            pc.get(blasC);
            double tol = GemmBenchmark.tolerance(s, a, b);
            double diff = GemmBenchmark.maxAbsDiff(c, blasC);
            if (!(diff <= tol)) {
                throw new IllegalStateException(s.name() + ": backlane and OpenBLAS differ by " + diff + " > " + tol);
            }
            compare(s.name() + " (GFLOP/s)", ours, blas, "OpenBLAS", s.flop() / 1e9, turns, turnNanos);
        }
    }

    private static void predict(int rows, int turns, long turnNanos) throws Exception {
        PeerPredictBenchmark ours = new PeerPredictBenchmark();
        PeerPredictBenchmark ort = new PeerPredictBenchmark();
        ours.impl = "backlane";
        ort.impl = "onnxruntime";
        ours.onnxFrom = ort.onnxFrom = "backlane";
        ours.rows = ort.rows = rows;
        ours.setUp(); // each checks that backlane and ONNX Runtime agree on its input
        ort.setUp();
        try {
            compare("predict, " + rows + (rows == 1 ? " row" : " rows") + " a call (calls/s)", unchecked(ours),
                    unchecked(ort), "ONNX Runtime", 1, turns, turnNanos);
        } finally {
            ours.tearDown();
            ort.tearDown();
        }
    }

    private static Runnable unchecked(PeerPredictBenchmark b) {
        return () -> {
            try {
                b.predict();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /**
     * Alternating turns of {@code ours} and {@code peer}, each as many calls as fit in a turn;
     * rates in {@code unitsPerCall} units per second (GFLOP a call, or 1 for calls per second).
     */
    private static void compare(String what, Runnable ours, Runnable peer, String peerName, double unitsPerCall,
                                int turns, long turnNanos) {
        for (int t = 0; t < WARMUP_TURNS; t++) {
            turn(ours, turnNanos);
            turn(peer, turnNanos);
        }
        double[] oursRate = new double[turns];
        double[] peerRate = new double[turns];
        double[] ratio = new double[turns];
        for (int t = 0; t < turns; t++) {
            // alternate which engine goes first, so that neither always follows the other
            if (t % 2 == 0) {
                oursRate[t] = turn(ours, turnNanos) * unitsPerCall;
                peerRate[t] = turn(peer, turnNanos) * unitsPerCall;
            } else {
                peerRate[t] = turn(peer, turnNanos) * unitsPerCall;
                oursRate[t] = turn(ours, turnNanos) * unitsPerCall;
            }
            ratio[t] = oursRate[t] / peerRate[t];
        }
        double[] sortedRatio = ratio.clone();
        Arrays.sort(sortedRatio);
        System.out.printf(Locale.ROOT, "%s: backlane %.1f, %s %.1f (medians of %d turns each); backlane/%s per pair:"
                        + " median %.3f, quartiles %.3f–%.3f, range %.3f–%.3f%n",
                what, median(oursRate), peerName, median(peerRate), turns, peerName, median(ratio),
                sortedRatio[turns / 4], sortedRatio[(3 * turns) / 4], sortedRatio[0], sortedRatio[turns - 1]);
    }

    /** Calls per second over one turn of at least {@code turnNanos}. */
    private static double turn(Runnable call, long turnNanos) {
        long start = System.nanoTime();
        long calls = 0;
        long now;
        do {
            call.run();
            calls++;
            now = System.nanoTime();
        } while (now - start < turnNanos);
        return calls * 1e9 / (now - start);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
