package io.backlane.kernel;

import io.backlane.bench.Gflops;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling of the vector GEMM's register tile: its micro-kernel alone, on packed strips that stay
 * where {@code kc} and {@code strips} put them, without the loop nest, the packing or anything else of
 * a product. {@code tile:gflop} is GFLOP/s, read against the FMA peak P ({@code FmaPeakBenchmark}):
 * what the tile reaches here bounds what any product built on it can reach.
 *
 * <ul>
 *   <li>{@code kernel}: {@code micro} is the MR×NR micro-kernel on a packed A strip
 *       ({@code BlockedGemm.microKernel}); {@code rows} reads MR rows of A where they lie
 *       ({@code rowsKernel}: the forward products with prepacked weights).</li>
 *   <li>{@code kc}: the depth of a strip; the B strip takes 4·kc·NR bytes (32 KiB at kc 128 with 512-bit
 *       vectors, inside either CPU's L1D; 128 KiB at kc 512, in L2).</li>
 *   <li>{@code strips}: how many distinct B strips one call cycles through (8 strips of kc 512 take
 *       1 MiB, the size of L2: they spill to L3).</li>
 * </ul>
 *
 * <p>In package {@code io.backlane.kernel} because the micro-kernels are package-private: they are
 * not part of backlane's API.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Threads(1)
@State(Scope.Thread)
public class TileBenchmark {
    @Param({"micro", "rows"})
    public String kernel;

    @Param({"128", "512"})
    public int kc;

    @Param({"1", "8"})
    public int strips;

    private BlockedGemm gemm;
    private int mr;
    private int nr;
    private float[] a;   // MR rows of kc values, for the rows kernel
    private float[] pa;  // one packed A strip, MR × kc
    private float[] pb;  // `strips` packed B strips, each kc × NR
    private float[] c;   // the MR × NR tile
    private double gflopPerCall;

    @Setup
    public void setUp() {
        if (!(Kernels.get().engine() instanceof VectorGemm vector)) {
            throw new IllegalStateException("TileBenchmark measures the vector kernels, but Kernels.get() chose "
                    + Kernels.get().name() + " (run with --add-modules jdk.incubator.vector)");
        }
        gemm = vector;
        mr = gemm.blocking.mr();
        nr = gemm.blocking.nr();
        if (!kernel.equals("micro") && !kernel.equals("rows")) {
            throw new IllegalArgumentException("kernel must be micro or rows, got " + kernel);
        }
        SplittableRandom random = new SplittableRandom(1);
        a = random(random, mr * kc);
        pa = random(random, mr * kc);
        pb = random(random, strips * kc * nr);
        c = new float[mr * nr];
        gflopPerCall = 2.0 * mr * nr * kc * strips / 1e9;
    }

    private static float[] random(SplittableRandom random, int length) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = (float) random.nextDouble();
        }
        return values;
    }

    @Benchmark
    public float tile(Gflops counter) {
        counter.gflop += gflopPerCall;
        int stripLength = kc * nr;
        if (kernel.equals("micro")) {
            for (int s = 0; s < strips; s++) {
                gemm.microKernel(kc, pa, 0, pb, s * stripLength, 1f, 0f, c, 0, nr);
            }
        } else {
            for (int s = 0; s < strips; s++) {
                gemm.rowsKernel(kc, a, 0, kc, pb, s * stripLength, 0f, c, 0, nr);
            }
        }
        return c[0];
    }
}
