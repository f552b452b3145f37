package io.backlane.io;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Layer;
import io.backlane.nn.Model;
import io.backlane.nn.Network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Model} as an ONNX model file that ONNX Runtime and other ONNX tools run, and
 * that {@link OnnxReader} reads back to an equal model (same parameters bit for bit, same id). The
 * graph ({@code docs/onnx.md}, "Export"):
 *
 * <pre>
 * input [batch, n0] → Sub(shift) → Mul(scale)            the feature scaler (left out when it is the identity)
 *       → Gemm(W1, b1, transB=1) → activation → ...      one Gemm per layer, then its activation node
 *       → Div(target scale) → Add(target shift) → output  a regression model's target scaler (when not the identity)
 * </pre>
 *
 * <p>The scaler is written as {@code Sub}/{@code Mul} and the target scaler as {@code Div}/{@code Add}
 * because those are the exact operations backlane computes ((x − shift) · scale and y / scale + shift),
 * so ONNX Runtime rounds as backlane does and the round trip is exact. Softmax is over axis 1; the
 * batch dimension is symbolic ({@code batch}). The feature names, class labels, loss, scaler kinds
 * and model id go into {@code metadata_props} under keys starting with {@code backlane.}, followed
 * by the model's own metadata.
 *
 * <p>Opset {@value #DEFAULT_OPSET} by default; any opset from {@value #MIN_OPSET} to
 * {@value #MAX_OPSET} on request (the operators used mean the same at every one of them).
 *
 * <pre>{@code
 * OnnxWriter.save(ModelReader.load(Path.of("cancer.bkln")), Path.of("cancer.onnx"));
 * byte[] opset13 = OnnxWriter.toBytes(model, 13);
 * }</pre>
 *
 * <p>Thread-safe: it has no state.
 */
public final class OnnxWriter {
    /** The opset written unless another is asked for. */
    public static final int DEFAULT_OPSET = 17;
    /** The oldest opset written (Gemm's bias input is required before opset 11, and always written). */
    public static final int MIN_OPSET = 9;
    /** The newest opset written. */
    public static final int MAX_OPSET = 21;

    /** The graph's input and output names. */
    static final String INPUT = "input";
    static final String OUTPUT = "output";

    private OnnxWriter() {
    }

    /**
     * Saves {@code model} as ONNX at opset {@value #DEFAULT_OPSET}, atomically and with the target
     * checks of {@link ModelWriter#save}.
     *
     * @throws IllegalArgumentException if a string of the model is not valid Unicode or longer than
     *                                  the reader accepts, a metadata key starts with {@code backlane.},
     *                                  a scaler of kind NONE is not the identity, or the model is too large
     * @throws IOException              if the target is refused or writing fails
     */
    public static void save(Model model, Path target) throws IOException {
        save(model, target, DEFAULT_OPSET);
    }

    /** Saves {@code model} as ONNX at {@code opset} ({@value #MIN_OPSET} to {@value #MAX_OPSET}); see {@link #save(Model, Path)}. */
    public static void save(Model model, Path target, int opset) throws IOException {
        if (target == null) {
            throw new IllegalArgumentException("target must not be null");
        }
        byte[] bytes = toBytes(model, opset);   // validate fully before touching the file system
        ModelWriter.writeAtomically(target, channel -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        });
    }

    /** The ONNX file's bytes at opset {@value #DEFAULT_OPSET}. */
    public static byte[] toBytes(Model model) {
        return toBytes(model, DEFAULT_OPSET);
    }

    /**
     * The ONNX file's bytes at {@code opset}.
     *
     * @throws IllegalArgumentException if the model is null, the opset is outside
     *                                  [{@value #MIN_OPSET}, {@value #MAX_OPSET}], a string is not valid
     *                                  Unicode or is longer than {@link OnnxReader} accepts (the limits of
     *                                  the {@code .bkln} format), there are more metadata entries than it
     *                                  accepts, a metadata key starts with {@code backlane.}, a scaler of
     *                                  kind NONE is not the identity, or the file would exceed 2 GiB
     *                                  (protobuf's limit)
     */
    public static byte[] toBytes(Model model, int opset) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("opset " + opset + " is not written; choose one from " + MIN_OPSET
                    + " to " + MAX_OPSET);
        }
        Network net = model.network();
        // 4 bytes a parameter plus names and framing, well within 1 KiB a layer.
        long estimate = 4L * net.parameterCount() + 1024L * (net.layerCount() + 4);
        if (estimate > ModelFormat.MAX_FILE_BYTES) {
            throw new IllegalArgumentException("the model has " + net.parameterCount()
                    + " parameters; an ONNX file (a protobuf message) holds at most 2 GiB");
        }
        checkReadable(model);
        return OnnxProto.encode(new OnnxProto.Model(irVersion(opset), List.of(new OnnxProto.OpsetId("", opset)),
                "backlane", producerVersion(), "", graph(model), metadata(model)));
    }

    /** The IR version that goes with an opset (onnx/docs/Versioning.md), so that runtimes accept the pair. */
    static long irVersion(int opset) {
        if (opset <= 9) {
            return 4;
        } else if (opset == 10) {
            return 5;
        } else if (opset == 11) {
            return 6;
        } else if (opset <= 14) {
            return 7;
        } else if (opset <= 18) {
            return 8;
        } else if (opset <= 20) {
            return 9;
        }
        return 10;
    }

    private static String producerVersion() {
        String v = OnnxWriter.class.getPackage().getImplementationVersion();
        return v != null ? v : "development";
    }

    /**
     * Refuses, before anything is encoded, what {@link OnnxReader} would refuse to read back: a string
     * that UTF-8 cannot carry or that is longer than the reader's limits (those of {@link ModelWriter}),
     * too many metadata entries, metadata that would clash with ours, and a scaler labelled NONE that
     * is not the identity.
     */
    private static void checkReadable(Model model) {
        for (String label : model.classLabels()) {
            ModelWriter.utf8(label, "class label \"" + abbreviate(label) + "\"", ModelFormat.MAX_LABEL_BYTES);
        }
        for (String name : model.featureNames()) {
            ModelWriter.utf8(name, "feature name \"" + abbreviate(name) + "\"", ModelFormat.MAX_NAME_BYTES);
        }
        if (model.metadata().size() > ModelFormat.MAX_METADATA_ENTRIES) {
            throw new IllegalArgumentException("the model has " + model.metadata().size() + " metadata entries; at most "
                    + ModelFormat.MAX_METADATA_ENTRIES + " can be read back");
        }
        checkKind(model.scaler(), "scaler");
        checkKind(model.targetScaler(), "target scaler");
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            if (e.getKey().startsWith(OnnxMetadata.PREFIX)) {
                throw new IllegalArgumentException("metadata key \"" + e.getKey() + "\": keys starting with \""
                        + OnnxMetadata.PREFIX + "\" are what the ONNX export writes itself; rename it");
            }
            String key = abbreviate(e.getKey());
            ModelWriter.utf8(e.getKey(), "metadata key \"" + key + "\"", ModelFormat.MAX_NAME_BYTES);
            ModelWriter.utf8(e.getValue(), "metadata value of \"" + key + "\"", ModelFormat.MAX_METADATA_VALUE_BYTES);
        }
    }

    /** A string as messages quote it: its start when it is long, so that a 1 MiB name does not make a 1 MiB message. */
    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "... (" + s.length() + " chars)";
    }

    private static void checkKind(FeatureScaler scaler, String what) {
        if (scaler.kind() == FeatureScaler.Kind.NONE && !scaler.isIdentity()) {
            throw new IllegalArgumentException("the " + what + " is of kind NONE but not the identity (shift 0,"
                    + " scale 1); the ONNX file would contradict itself: give it another kind");
        }
    }

    private static List<OnnxProto.Entry> metadata(Model model) {
        List<OnnxProto.Entry> entries = new ArrayList<>();
        entries.add(new OnnxProto.Entry(OnnxMetadata.MODEL_ID, model.id()));
        entries.add(new OnnxProto.Entry(OnnxMetadata.FEATURE_NAMES, JsonStrings.encode(model.featureNames())));
        if (model.isClassifier()) {
            entries.add(new OnnxProto.Entry(OnnxMetadata.CLASS_LABELS, JsonStrings.encode(model.classLabels())));
        }
        entries.add(new OnnxProto.Entry(OnnxMetadata.LOSS, model.network().loss().name()));
        entries.add(new OnnxProto.Entry(OnnxMetadata.SCALER_KIND, model.scaler().kind().name()));
        entries.add(new OnnxProto.Entry(OnnxMetadata.TARGET_SCALER_KIND, model.targetScaler().kind().name()));
        model.metadata().forEach((k, v) -> entries.add(new OnnxProto.Entry(k, v)));
        return entries;
    }

    /** Builds the graph: nodes in order, each output the next one's input. */
    private static OnnxProto.Graph graph(Model model) {
        Network net = model.network();
        GraphBuilder g = new GraphBuilder();
        FeatureScaler scaler = model.scaler();
        if (!scaler.isIdentity()) {
            g.binary("Sub", "subtract_shift", vector("scaler_shift", scaler.shift()));
            g.binary("Mul", "multiply_scale", vector("scaler_scale", scaler.scale()));
        }
        float[] theta = model.parameters().values();
        for (int l = 1; l <= net.layerCount(); l++) {
            int rows = net.width(l);
            int cols = net.width(l - 1);
            float[] w = new float[rows * cols];
            System.arraycopy(theta, net.weightOffset(l), w, 0, w.length);
            float[] b = new float[rows];
            System.arraycopy(theta, net.biasOffset(l), b, 0, rows);
            // W[l] is n[l] x n[l-1] row-major, which is Gemm's B with transB = 1: no transposing.
            g.initializers.add(raw("W" + l, new long[]{rows, cols}, w));
            g.initializers.add(raw("b" + l, new long[]{rows}, b));
            g.node("Gemm", "dense" + l, List.of(g.current, "W" + l, "b" + l), List.of(
                    OnnxProto.Attribute.ofFloat("alpha", 1f), OnnxProto.Attribute.ofFloat("beta", 1f),
                    OnnxProto.Attribute.ofInt("transB", 1)));
            Layer layer = net.layer(l);
            switch (layer.activation()) {
                case IDENTITY -> { }
                case RELU -> g.node("Relu", "relu" + l, List.of(g.current), List.of());
                case LEAKY_RELU -> g.node("LeakyRelu", "leaky_relu" + l, List.of(g.current),
                        List.of(OnnxProto.Attribute.ofFloat("alpha", layer.slope())));
                case SIGMOID -> g.node("Sigmoid", "sigmoid" + l, List.of(g.current), List.of());
                case TANH -> g.node("Tanh", "tanh" + l, List.of(g.current), List.of());
                case SOFTMAX -> g.node("Softmax", "softmax" + l, List.of(g.current),
                        List.of(OnnxProto.Attribute.ofInt("axis", 1)));
            }
        }
        FeatureScaler target = model.targetScaler();
        if (!target.isIdentity()) {
            g.binary("Div", "divide_target_scale", vector("target_scale", target.scale()));
            g.binary("Add", "add_target_shift", vector("target_shift", target.shift()));
        }
        g.renameLastOutput(OUTPUT);
        List<OnnxProto.Dim> inputShape = List.of(new OnnxProto.Dim(-1, "batch"), new OnnxProto.Dim(net.inputWidth(), ""));
        List<OnnxProto.Dim> outputShape = List.of(new OnnxProto.Dim(-1, "batch"), new OnnxProto.Dim(net.outputWidth(), ""));
        return new OnnxProto.Graph("backlane", g.nodes, g.initializers,
                List.of(new OnnxProto.ValueInfo(INPUT, OnnxProto.FLOAT, inputShape, -1)),
                List.of(new OnnxProto.ValueInfo(OUTPUT, OnnxProto.FLOAT, outputShape, -1)), -1);
    }

    private static OnnxProto.Tensor vector(String name, float[] values) {
        return raw(name, new long[]{values.length}, values);
    }

    /** A float tensor in raw_data (little-endian raw bits: −0 and every payload survive). */
    private static OnnxProto.Tensor raw(String name, long[] dims, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putInt(Float.floatToRawIntBits(v));
        }
        return new OnnxProto.Tensor(name, dims, OnnxProto.FLOAT, new float[0], new long[0], bytes.array(), false, -1);
    }

    /** Collects a chain of nodes, each consuming the previous one's output. */
    private static final class GraphBuilder {
        final List<OnnxProto.Node> nodes = new ArrayList<>();
        final List<OnnxProto.Tensor> initializers = new ArrayList<>();
        String current = INPUT;

        void node(String op, String name, List<String> inputs, List<OnnxProto.Attribute> attributes) {
            nodes.add(new OnnxProto.Node(name, op, inputs, List.of(name), attributes));
            current = name;
        }

        /** An element-wise node of the chain's tensor and a constant vector, broadcast over the batch. */
        void binary(String op, String name, OnnxProto.Tensor constant) {
            initializers.add(constant);
            node(op, name, List.of(current, constant.name()), List.of());
        }

        void renameLastOutput(String name) {
            OnnxProto.Node last = nodes.remove(nodes.size() - 1);
            nodes.add(new OnnxProto.Node(last.name(), last.opType(), last.inputs(), List.of(name), last.attributes()));
            current = name;
        }
    }
}
