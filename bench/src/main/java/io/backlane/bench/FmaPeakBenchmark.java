package io.backlane.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
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

import java.util.concurrent.TimeUnit;

/**
 * Probe: the FP32 FMA peak P of one core at each vector width, the figure every GFLOP/s result is a
 * share of. Twelve independent chains of {@code acc = acc·x + y} per call, enough to cover the
 * latency of two FMA pipes (2 × 4 cycles in flight, with room to spare), and nothing else in the loop
 * but the counter. {@code fma:gflop} is GFLOP/s (2 flops per lane per FMA).
 *
 * <p>On Zen 4 a 512-bit FMA is split into two 256-bit halves, so the 256- and 512-bit peaks agree;
 * Zen 5 doubles the 512-bit one.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Threads(1)
@State(Scope.Thread)
public class FmaPeakBenchmark {
    private static final int STEPS = 4096;
    private static final int CHAINS = 12;
    private static final VectorSpecies<Float> S128 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> S512 = FloatVector.SPECIES_512;

    @Param({"128", "256", "512"})
    public int bits;

    private double gflopPerCall;
    private float x = 0.999f;
    private float y = 0.001f;

    @Setup
    public void setUp() {
        VectorSpecies<Float> species = switch (bits) {
            case 128 -> S128;
            case 256 -> S256;
            case 512 -> S512;
            default -> throw new IllegalArgumentException("bits must be 128, 256 or 512, got " + bits);
        };
        if (species.vectorBitSize() > FloatVector.SPECIES_PREFERRED.vectorBitSize()) {
            throw new IllegalStateException(bits + "-bit vectors are wider than this CPU's ("
                    + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "): they would be emulated, not measured");
        }
        gflopPerCall = 2.0 * species.length() * CHAINS * STEPS / 1e9;
    }

    @Benchmark
    public float fma(Gflops counter) {
        counter.gflop += gflopPerCall;
        return switch (bits) {
            case 128 -> chains128(x, y);
            case 256 -> chains256(x, y);
            default -> chains512(x, y);
        };
    }

    // One copy of the loop per width, each with its species a static final constant: the Vector API
    // compiles to vector instructions only where the species is a constant, and a shared method taking
    // the species as a parameter is compiled on its own (its loop is hot) with a non-constant one.
    // Measured: 45 GFLOP/s that way at 512 bits, against 115 with a constant.

    private static float chains128(float x, float y) {
        FloatVector vx = FloatVector.broadcast(S128, x);
        FloatVector vy = FloatVector.broadcast(S128, y);
        FloatVector a0 = FloatVector.broadcast(S128, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(vx, vy);
            a1 = a1.fma(vx, vy);
            a2 = a2.fma(vx, vy);
            a3 = a3.fma(vx, vy);
            a4 = a4.fma(vx, vy);
            a5 = a5.fma(vx, vy);
            a6 = a6.fma(vx, vy);
            a7 = a7.fma(vx, vy);
            a8 = a8.fma(vx, vy);
            a9 = a9.fma(vx, vy);
            a10 = a10.fma(vx, vy);
            a11 = a11.fma(vx, vy);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).lane(0);
    }

    private static float chains256(float x, float y) {
        FloatVector vx = FloatVector.broadcast(S256, x);
        FloatVector vy = FloatVector.broadcast(S256, y);
        FloatVector a0 = FloatVector.broadcast(S256, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(vx, vy);
            a1 = a1.fma(vx, vy);
            a2 = a2.fma(vx, vy);
            a3 = a3.fma(vx, vy);
            a4 = a4.fma(vx, vy);
            a5 = a5.fma(vx, vy);
            a6 = a6.fma(vx, vy);
            a7 = a7.fma(vx, vy);
            a8 = a8.fma(vx, vy);
            a9 = a9.fma(vx, vy);
            a10 = a10.fma(vx, vy);
            a11 = a11.fma(vx, vy);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).lane(0);
    }

    private static float chains512(float x, float y) {
        FloatVector vx = FloatVector.broadcast(S512, x);
        FloatVector vy = FloatVector.broadcast(S512, y);
        FloatVector a0 = FloatVector.broadcast(S512, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(vx, vy);
            a1 = a1.fma(vx, vy);
            a2 = a2.fma(vx, vy);
            a3 = a3.fma(vx, vy);
            a4 = a4.fma(vx, vy);
            a5 = a5.fma(vx, vy);
            a6 = a6.fma(vx, vy);
            a7 = a7.fma(vx, vy);
            a8 = a8.fma(vx, vy);
            a9 = a9.fma(vx, vy);
            a10 = a10.fma(vx, vy);
            a11 = a11.fma(vx, vy);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).lane(0);
    }
}
