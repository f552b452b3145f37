package io.backlane.bench;

import io.backlane.infer.Predictor;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
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

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Latency of one prediction (one example, raw features in, probabilities out) with
 * {@link Mode#SampleTime}, so JMH prints percentiles (p50, p90, p99, p99.9). Networks: the
 * 784-256-128-10 MNIST shape and a small 30-16-1 scoring model.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Threads(1)
@State(Scope.Thread)
public class PredictBenchmark {

    @Param({"784-256-128-10", "30-16-1"})
    public String network;

    private Predictor predictor;
    private float[] input;
    private float[] output;

    @Setup
    public void setUp() {
        Network net = network.equals("30-16-1")
                ? Network.builder(30).dense(16, Activation.RELU).dense(1, Activation.SIGMOID)
                .loss(Loss.BINARY_CROSS_ENTROPY).build()
                : Network.builder(784).dense(256, Activation.RELU).dense(128, Activation.RELU)
                .dense(10, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        List<String> labels = net.outputWidth() == 1 ? List.of("no", "yes")
                : List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        Model model = new Model(Parameters.initialize(net, 1), FeatureScaler.identity(net.inputWidth()), labels);
        predictor = Predictor.of(model);
        SplittableRandom random = new SplittableRandom(3);
        input = new float[net.inputWidth()];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextDouble();
        }
        output = new float[net.outputWidth()];
    }

    @Benchmark
    public float[] predict() {
        predictor.predict(input, output);
        return output;
    }
}
