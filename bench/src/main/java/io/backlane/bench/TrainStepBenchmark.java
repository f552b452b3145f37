package io.backlane.bench;

import io.backlane.nn.Activation;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import io.backlane.train.Optimizer;
import io.backlane.train.Trainer;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One training step (forward, backward, SGD update) of a 784-256-128-10 network (ReLU hidden layers,
 * softmax output, categorical cross-entropy), at several batch sizes, on one thread unless asked. The primary
 * score is steps per second; {@code step:samples} counts examples, so JMH prints samples per second.
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} must be 0 B/op.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Threads(1)
@State(Scope.Thread)
public class TrainStepBenchmark {

    @Param({"1", "32", "128", "1024"})
    public int batch;

    /** Threads sharing each step (data-parallel); 1 by default, pass {@code -p threads=1,2} to measure scaling. */
    @Param({"1"})
    public int threads;

    /** Examples trained on in the current iteration; JMH reports it as a rate: samples/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Samples {
        public long samples;

        @Setup(Level.Iteration)
        public void reset() {
            samples = 0;
        }
    }

    private Trainer trainer;
    private float[] x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        Network net = Network.builder(784).dense(256, Activation.RELU).dense(128, Activation.RELU)
                .dense(10, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        trainer = Trainer.builder(Parameters.initialize(net, 1)).optimizer(Optimizer.sgd(0.01f))
                .batchSize(batch).threads(threads).build();
        SplittableRandom random = new SplittableRandom(2);
        x = new float[batch * 784];
        y = new float[batch * 10];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        for (int i = 0; i < batch; i++) {
            y[i * 10 + random.nextInt(10)] = 1f;
        }
    }

    @org.openjdk.jmh.annotations.TearDown(Level.Trial)
    public void tearDown() {
        trainer.close();
    }

    @Benchmark
    public double step(Samples counter) {
        counter.samples += batch;
        return trainer.step(x, 0, y, 0, batch);
    }
}
