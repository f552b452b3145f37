package io.backlane.bench;

import io.backlane.nn.Activation;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.train.Optimizer;
import io.backlane.train.Trainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A small network's whole training step, where per-call overhead rather than arithmetic decides:
 * 30-16-1 (ReLU hidden layer, one sigmoid output with binary cross-entropy), the full batch of the
 * 569 Breast Cancer rows' shape (random values here), one plain SGD step; about 1.15 MFLOP on
 * skinny matrices (k = 30, n = 16). The peer is {@code bench/peers/pytorch_peer.py small}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Threads(1)
@State(Scope.Thread)
public class SmallStepBenchmark {
    private static final int ROWS = 569;

    private Trainer trainer;
    private float[] x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        Network net = Network.builder(30).dense(16, Activation.RELU).output(OutputHead.forClasses(2)).build();
        trainer = Trainer.builder(Parameters.initialize(net, 1)).optimizer(Optimizer.sgd(0.1f))
                .batchSize(Trainer.FULL_BATCH).build();
        SplittableRandom random = new SplittableRandom(4);
        x = new float[ROWS * 30];
        y = new float[ROWS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        for (int i = 0; i < ROWS; i++) {
            y[i] = random.nextInt(2);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        trainer.close();
    }

    @Benchmark
    public double step() {
        return trainer.step(x, 0, y, 0, ROWS);
    }
}
