package io.backlane.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Probe: the floor of one-example prediction latency with float32 weights. Predicting one example
 * reads every weight once, so no forward pass can be faster than reading the model's parameter array
 * once from where it lives between calls (mostly L2: 784-256-128-10 has 235,146 floats, 940 KB,
 * nearly the 1 MiB L2 of these cores). This sums that array with the widest vectors, four
 * accumulators, again and again: µs per pass is the floor (bandwidth: 4 bytes × the parameter
 * count over that time).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Threads(1)
@State(Scope.Thread)
public class WeightStreamBenchmark {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** The network whose parameters are streamed, as widths: 784-256-128-10 is the benchmark model. */
    @Param({"784-256-128-10", "30-16-1"})
    public String network;

    private float[] weights;

    @Setup
    public void setUp() {
        String[] widths = network.split("-");
        int count = 0;
        for (int l = 1; l < widths.length; l++) {
            int in = Integer.parseInt(widths[l - 1]);
            int out = Integer.parseInt(widths[l]);
            count += out * in + out;
        }
        weights = new float[count];
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < count; i++) {
            weights[i] = (float) random.nextDouble();
        }
    }

    @Benchmark
    public float stream() {
        float[] w = weights;
        int step = 4 * S.length();
        int bound = w.length - w.length % step;
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (; i < bound; i += step) {
            s0 = s0.add(FloatVector.fromArray(S, w, i));
            s1 = s1.add(FloatVector.fromArray(S, w, i + S.length()));
            s2 = s2.add(FloatVector.fromArray(S, w, i + 2 * S.length()));
            s3 = s3.add(FloatVector.fromArray(S, w, i + 3 * S.length()));
        }
        float tail = 0;
        for (; i < w.length; i++) {
            tail += w[i];
        }
        return s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD) + tail;
    }
}
