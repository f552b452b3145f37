package io.backlane.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.backlane.infer.Predictor;
import io.backlane.infer.ServingModel;
import io.backlane.io.OnnxWriter;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
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
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Prediction with the same 784-256-128-10 model (ReLU, softmax; bench/peers/export_mlp.py) in backlane
 * and in ONNX Runtime's Java API at its fastest call pattern: one intra-op and one inter-op thread,
 * all graph optimizations, input and output tensors created once on direct buffers and reused
 * (outputs pinned), so neither engine allocates its operands per call. Before measuring, the setup
 * checks that both give the same probabilities. {@code rows} = 1 is one-example latency (use
 * {@code -bm sample} for percentiles), 64 a batch; the score is calls per second (× rows: rows/s).
 * Run it with {@code -prof gc}: backlane's bytes per call beside ONNX Runtime's.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class PeerPredictBenchmark {
    private static final String MODEL = "/mlp-784-256-128-10";

    @Param({"backlane", "onnxruntime"})
    public String impl;

    @Param({"1", "64"})
    public int rows;

    /**
     * Which exporter wrote the file ONNX Runtime runs, from the same weights: backlane's
     * {@code OnnxWriter} (Gemm nodes with transB = 1), or with {@code -p onnxFrom=pytorch} PyTorch's
     * (bench/peers/export_mlp.py).
     */
    @Param({"backlane"})
    public String onnxFrom;

    private Predictor predictor;
    private float[] input;
    private float[] output;
    private OrtSession session;
    private OnnxTensor inputTensor;
    private OnnxTensor outputTensor;
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxTensor> outputs;
    private FloatBuffer outputBuffer;

    @Setup(Level.Trial)
    public void setUp() throws IOException, OrtException {
        Network net = Network.builder(784).dense(256, Activation.RELU).dense(128, Activation.RELU)
                .output(OutputHead.forClasses(10)).build();
        Model model = new Model(new Parameters(net, readParams(net.parameterCount())), FeatureScaler.identity(784),
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
        predictor = new ServingModel(model).newPredictor(rows);
        SplittableRandom random = new SplittableRandom(3);
        input = new float[rows * 784];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextDouble();
        }
        output = new float[rows * 10];

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        byte[] onnx;
        String outputName;
        if (onnxFrom.equals("backlane")) {
            onnx = OnnxWriter.toBytes(model);
            outputName = "output";
        } else if (onnxFrom.equals("pytorch")) {
            try (InputStream in = PeerPredictBenchmark.class.getResourceAsStream(MODEL + ".onnx")) {
                onnx = in.readAllBytes();
            }
            outputName = "probabilities";
        } else {
            throw new IllegalArgumentException("onnxFrom must be backlane or pytorch, got " + onnxFrom);
        }
        session = env.createSession(onnx, options);
        FloatBuffer in = ByteBuffer.allocateDirect(4 * input.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        in.put(input).rewind();
        inputTensor = OnnxTensor.createTensor(env, in, new long[] {rows, 784});
        outputBuffer = ByteBuffer.allocateDirect(4 * output.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        outputTensor = OnnxTensor.createTensor(env, outputBuffer, new long[] {rows, 10});
        inputs = Map.of("input", inputTensor);
        outputs = Map.of(outputName, outputTensor);

        // Same model, same answers: checked before anything is measured.
        predictor.predict(input, 0, output, 0, rows);
        session.run(inputs, outputs).close();
        double worst = 0;
        for (int i = 0; i < output.length; i++) {
            worst = Math.max(worst, Math.abs(output[i] - outputBuffer.get(i)));
        }
        if (!(worst < 1e-5)) {
            throw new IllegalStateException("backlane and ONNX Runtime differ by " + worst + " on the same model");
        }
        System.out.printf("%n# check impl=%s rows=%d: backlane and ONNX Runtime %s (file exported by %s) agree within %.2g;"
                + " ORT threads 1+1%n", impl, rows, OrtEnvironment.getEnvironment().getVersion(), onnxFrom, worst);
    }

    private static float[] readParams(int count) throws IOException {
        byte[] bytes;
        try (InputStream in = PeerPredictBenchmark.class.getResourceAsStream(MODEL + ".params")) {
            bytes = in.readAllBytes();
        }
        if (bytes.length != 4 * count) {
            throw new IllegalStateException(MODEL + ".params has " + bytes.length + " bytes, not " + 4 * count);
        }
        float[] values = new float[count];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        inputTensor.close();
        outputTensor.close();
        session.close();
    }

    @Benchmark
    public Object predict() throws OrtException {
        if (impl.equals("backlane")) {
            predictor.predict(input, 0, output, 0, rows);
            return output;
        }
        OrtSession.Result result = session.run(inputs, outputs);
        result.close(); // pinned outputs: the result only refers to the tensor we own
        return outputBuffer;
    }
}
