package io.backlane.bench;

import io.backlane.kernel.GemmWorkspace;
import io.backlane.kernel.KernelProvider;
import io.backlane.kernel.Kernels;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_full;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Single-threaded sgemm (beta 0) of three implementations in the same JVM build: backlane's Vector API
 * kernels ({@link Kernels#get()}), backlane's scalar kernels ({@link KernelProvider#scalar()}) and
 * OpenBLAS ({@code cblas_sgemm} through the bytedeco presets, limited to one thread).
 *
 * <p>Two results per run: the primary score is calls per second; the secondary result
 * {@code sgemm:gflop} is an operations counter that adds 2·m·n·k / 10⁹ per call, so JMH divides it by
 * the measured time and prints GFLOP/s (under the unit "ops/s").
 *
 * <p>All operands are allocated and filled once per trial (per fork), outside the measurement; ours
 * packs into one preallocated {@link GemmWorkspace}; OpenBLAS works on off-heap {@link FloatPointer}s
 * filled with the same values, so no copying is measured. Before measuring, the trial setup checks the
 * implementation under test against OpenBLAS (and OpenBLAS against the scalar kernels) and throws if
 * they disagree, which fails the run under {@code -foe true}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
// --enable-native-access: JavaCPP loads OpenBLAS with System.loadLibrary, which JDK 24+ warns about.
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Threads(1)
@State(Scope.Thread)
public class GemmBenchmark {

    /** Which implementation to measure. */
    @Param({"vector", "scalar", "openblas"})
    public String impl;

    /**
     * The problem, see {@link GemmShape}: square NN products, then for each layer of a 784-256-128-10
     * network and batch 1, 32, 128 and 1024 its forward product (fwd), weight gradient (dW) and input
     * gradient (dA).
     */
    @Param({
        "sq-64", "sq-128", "sq-256", "sq-512", "sq-1024",
        "fwd-784x256-b1", "dW-784x256-b1", "dA-784x256-b1",
        "fwd-784x256-b32", "dW-784x256-b32", "dA-784x256-b32",
        "fwd-784x256-b128", "dW-784x256-b128", "dA-784x256-b128",
        "fwd-256x128-b1", "dW-256x128-b1", "dA-256x128-b1",
        "fwd-256x128-b32", "dW-256x128-b32", "dA-256x128-b32",
        "fwd-256x128-b128", "dW-256x128-b128", "dA-256x128-b128",
        "fwd-128x10-b1", "dW-128x10-b1", "dA-128x10-b1",
        "fwd-128x10-b32", "dW-128x10-b32", "dA-128x10-b32",
        "fwd-128x10-b128", "dW-128x10-b128", "dA-128x10-b128",
        "fwd-784x256-b1024", "dW-784x256-b1024", "dA-784x256-b1024",
        "fwd-256x128-b1024", "dW-256x128-b1024", "dA-256x128-b1024",
        "fwd-128x10-b1024", "dW-128x10-b1024", "dA-128x10-b1024",
    })
    public String shape;

    /** One prepared call of one implementation on fixed operands; returns its output to be consumed. */
    interface Gemm {
        Object run();
    }

    private GemmShape s;
    private double gflopPerCall;
    private Gemm gemm;
    private FloatPointer pa;
    private FloatPointer pb;
    private FloatPointer pc;

    @Setup(Level.Trial)
    public void setUp() {
        s = GemmShape.parse(shape);
        gflopPerCall = s.flop() / 1e9;
        SplittableRandom random = new SplittableRandom(0x5eed_0000L + shape.hashCode());
        float[] a = fill(new float[s.aSize()], random);
        float[] b = fill(new float[s.bSize()], random);
        float[] c = fill(new float[s.cSize()], random); // garbage: beta 0 must not read it

        // OpenBLAS, on one thread; its result is the reference for our kernels. The bindings are the
        // class openblas_full: bytedeco's class "openblas" leaves out openblas_get_num_threads and the
        // other openblas_* functions (so that it can also load another BLAS such as MKL), while
        // openblas_full has them; both bind the same libopenblas and the same cblas_sgemm.
        openblas_full.openblas_set_num_threads(1);
        int threads = openblas_full.openblas_get_num_threads();
        if (threads != 1) {
            throw new IllegalStateException("OpenBLAS runs on " + threads + " threads after openblas_set_num_threads(1)");
        }
        String coreNote = OpenBlasCore.require(openblas_full.openblas_get_corename().getString().trim());
        pa = new FloatPointer(a);
        pb = new FloatPointer(b);
        pc = new FloatPointer(c);
        Gemm blas = openblasGemm(s, pa, pb, pc);
        blas.run();
        float[] reference = new float[s.cSize()];
        pc.get(reference);

        float[] checked;
        String checkedAgainst;
        switch (impl) {
            case "vector" -> {
                Kernels k = Kernels.get();
                if (!k.isVectorized()) {
                    throw new IllegalStateException("impl=vector but Kernels.get() chose " + k.name()
                            + "; the fork needs --add-modules jdk.incubator.vector and C2");
                }
                gemm = oursGemm(k, s, a, b, c);
                checked = run(gemm, c);
                checkedAgainst = "OpenBLAS";
            }
            case "scalar" -> {
                gemm = oursGemm(KernelProvider.scalar(), s, a, b, c);
                checked = run(gemm, c);
                checkedAgainst = "OpenBLAS";
            }
            case "openblas" -> {
                gemm = blas;
                // Cross-check the cblas argument mapping (order, transposes, leading dimensions).
                float[] c2 = new float[s.cSize()];
                checked = run(oursGemm(KernelProvider.scalar(), s, a, b, c2), c2);
                checkedAgainst = "backlane scalar";
            }
            default -> throw new IllegalArgumentException("impl: '" + impl + "' is not vector, scalar or openblas");
        }

        double tol = tolerance(s, a, b);
        double diff = maxAbsDiff(checked, reference);
        if (!(diff <= tol)) { // also catches NaN
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "%s: impl=%s differs from %s: max |diff| %.3g > tolerance %.3g", s, impl, checkedAgainst, diff, tol));
        }
        System.out.printf(Locale.ROOT,
                "%n# check %s impl=%s (%s) vs %s: max |diff| %.3g <= %.3g; openblas_get_config: %s; core %s%s; threads %d%n",
                s, impl, describe(), checkedAgainst, diff, tol,
                openblas_full.openblas_get_config().getString().trim(),
                openblas_full.openblas_get_corename().getString().trim(), coreNote, threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (FloatPointer p : new FloatPointer[] {pa, pb, pc}) {
            if (p != null) {
                p.close();
            }
        }
        pa = pb = pc = null;
    }

    @Benchmark
    public Object sgemm(Gflops flops) {
        flops.gflop += gflopPerCall;
        return gemm.run();
    }

    // ---------------------------------------------------------------------------------------------

    static Gemm oursGemm(Kernels kernels, GemmShape s, float[] a, float[] b, float[] c) {
        GemmWorkspace ws = new GemmWorkspace();
        boolean transA = s.transA();
        boolean transB = s.transB();
        int m = s.m();
        int n = s.n();
        int k = s.k();
        float alpha = s.alpha();
        int lda = s.lda();
        int ldb = s.ldb();
        int ldc = s.ldc();
        return () -> {
            kernels.sgemm(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, 0f, c, 0, ldc, ws);
            return c;
        };
    }

    static Gemm openblasGemm(GemmShape s, FloatPointer a, FloatPointer b, FloatPointer c) {
        int transA = s.transA() ? openblas_full.CblasTrans : openblas_full.CblasNoTrans;
        int transB = s.transB() ? openblas_full.CblasTrans : openblas_full.CblasNoTrans;
        int m = s.m();
        int n = s.n();
        int k = s.k();
        float alpha = s.alpha();
        int lda = s.lda();
        int ldb = s.ldb();
        int ldc = s.ldc();
        return () -> {
            openblas_full.cblas_sgemm(openblas_full.CblasRowMajor, transA, transB, m, n, k, alpha, a, lda, b, ldb, 0f, c, ldc);
            return c;
        };
    }

    private String describe() {
        return switch (impl) {
            case "vector" -> Kernels.get().name();
            case "scalar" -> KernelProvider.scalar().name();
            default -> "cblas_sgemm";
        };
    }

    /** Runs once and returns a copy of the output. */
    private static float[] run(Gemm gemm, float[] c) {
        gemm.run();
        return c.clone();
    }

    /**
     * How far two correct results of {@code s} on A and B may differ: the error bound of a k-term
     * float dot product, |error| <= ~k·u·Σ|a||b|, with Σ|a||b| bounded by |alpha|·k·max|A|·max|B|,
     * and some slack for the different summation orders.
     */
    static double tolerance(GemmShape s, float[] a, float[] b) {
        return (s.k() + 2) * 0x1p-22 * Math.abs(s.alpha()) * s.k() * maxAbs(a) * maxAbs(b);
    }

    static float[] fill(float[] x, SplittableRandom random) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    private static double maxAbs(float[] x) {
        double max = 0;
        for (float v : x) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    /** The largest |x[i] - y[i]|, or NaN as soon as one difference is NaN. */
    static double maxAbsDiff(float[] x, float[] y) {
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            double d = Math.abs((double) x[i] - y[i]);
            if (Double.isNaN(d)) {
                return d;
            }
            max = Math.max(max, d);
        }
        return max;
    }
}
