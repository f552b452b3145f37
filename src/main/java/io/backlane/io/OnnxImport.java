package io.backlane.io;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Layer;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a decoded ONNX graph into a {@link Model}: walks the nodes in file order (ONNX requires
 * topological order) along the one chain from the graph's input to its output, and collects the
 * input scaling, the dense layers with their activations, and the output scaling. Every node must
 * take the chain's current tensor and otherwise only constants (initializers or {@code Constant}
 * nodes); anything else is refused, naming the node.
 */
final class OnnxImport {
    static final int MIN_OPSET = 9;
    static final int MAX_OPSET = 21;

    static final String SUPPORTED = "Gemm, MatMul, Add, Sub, Mul, Div, Relu, LeakyRelu, Sigmoid, Tanh, Softmax,"
            + " Identity, Flatten, Reshape, Constant";
    private static final Set<String> SUPPORTED_OPS = Set.of(SUPPORTED.split(", "));
    /** The operators that take constants besides the chain's tensor; every other one takes just that tensor. */
    private static final Set<String> WITH_CONSTANTS = Set.of("Reshape", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div");

    /** Where the walk is: what the chain's tensor is, which decides what each operator means there. */
    private enum Stage {
        /** Before the first dense layer: the raw input, being reshaped or normalized. */
        INPUT,
        /** After a Gemm or MatMul: a layer's pre-activation Z (a bias Add may still come). */
        DENSE,
        /** After a layer's activation. */
        ACTIVATED,
        /** After the last layer: constant Mul/Add/Sub/Div of the outputs (a regression target scaler). */
        OUTPUT_SCALING
    }

    /** A dense layer being collected: W (out × in, row-major), b, and its activation. */
    private static final class PendingLayer {
        final int in;
        final int out;
        final float[] w;
        final float[] b;
        final boolean biasByAdd;     // a MatMul: the bias comes from the Add that follows
        boolean biasAdded;
        Activation activation = Activation.IDENTITY;
        float slope;
        String activationNode;

        PendingLayer(int in, int out, float[] w, float[] b, boolean biasByAdd) {
            this.in = in;
            this.out = out;
            this.w = w;
            this.b = b;
            this.biasByAdd = biasByAdd;
        }
    }

    private final OnnxProto.Model proto;
    private final String src;
    private final OnnxReader.Options options;
    private final long opset;
    private final Map<String, OnnxProto.Tensor> constants = new HashMap<>();
    // Every tensor name given a value so far (initializers, the graph's input, nodes' outputs): ONNX
    // assigns each name once, and a second value under a name would make the graph mean two things.
    private final Set<String> assigned = new HashSet<>();
    /**
     * Each weight tensor taken by a layer, and how that layer's node is named. Each layer copies its
     * weights, so a tensor shared by many layers would let a small file claim far more memory than it
     * holds: a tensor is the weights of one layer only (by identity: each decoded tensor is its own bytes).
     */
    private final Map<OnnxProto.Tensor, String> weightTensors = new IdentityHashMap<>();
    private final List<PendingLayer> layers = new ArrayList<>();

    private Stage stage = Stage.INPUT;
    private String current;
    /** The current tensor's dimensions after the batch dimension; null when the input declares no shape. */
    private long[] exampleShape;
    private long declaredBatch = -1;   // the input's batch dimension when it is a fixed number

    // The input scaler x' = (x − shift)·scale and the target scaler y = y'/scale + shift, in double while
    // being folded; length 1 (a scalar, broadcast) until a per-feature constant makes it per feature.
    private double[] inputShift = {0};
    private double[] inputScale = {1};
    private double[] targetShift = {0};
    private double[] targetScale = {1};

    OnnxImport(OnnxProto.Model proto, String src, OnnxReader.Options options) throws OnnxFormatException {
        this.proto = proto;
        this.src = src;
        this.options = options;
        this.opset = defaultOpset();
    }

    private OnnxFormatException error(long offset, String detail) {
        return new OnnxFormatException(src, offset, detail);
    }

    private long defaultOpset() throws OnnxFormatException {
        long version = -1;
        for (OnnxProto.OpsetId id : proto.opsets()) {
            if (id.domain().isEmpty() || id.domain().equals("ai.onnx")) {
                version = Math.max(version, id.version());
            }
        }
        if (version < 0) {
            throw error(-1, "no opset_import of the default ONNX domain: the operators' versions are unknown");
        }
        if (version < MIN_OPSET || version > MAX_OPSET) {
            throw error(-1, "opset " + version + " is not supported; supported: " + MIN_OPSET + " to " + MAX_OPSET);
        }
        return version;
    }

    Model model() throws OnnxFormatException {
        OnnxProto.Graph graph = proto.graph();
        for (OnnxProto.Tensor t : graph.initializers()) {
            if (constants.put(t.name(), t) != null) {
                throw error(t.offset(), "two initializers are named '" + t.name() + "'; ONNX names each tensor once");
            }
            assigned.add(t.name());
        }
        OnnxProto.ValueInfo input = graphInput(graph);
        OnnxProto.ValueInfo output = graphOutput(graph);
        current = input.name();
        assigned.add(current);
        List<OnnxProto.Node> nodes = graph.nodes();
        for (int k = 0; k < nodes.size(); k++) {
            apply(nodes.get(k), k);
        }
        if (!current.equals(output.name())) {
            throw error(graph.offset(), "the graph's output '" + output.name() + "' is not the end of the chain of"
                    + " layers from its input '" + input.name() + "' (which ends at '" + current + "')");
        }
        if (layers.isEmpty()) {
            throw error(graph.offset(), "the graph has no dense layer (Gemm or MatMul)");
        }
        PendingLayer last = layers.get(layers.size() - 1);
        checkDeclaredWidth(output, last.out, "output");
        return build(graph);
    }

    // ------------------------------------------------------------------------------ graph input/output

    private OnnxProto.ValueInfo graphInput(OnnxProto.Graph graph) throws OnnxFormatException {
        // Before IR version 4 every initializer was also listed as a graph input: those are not data.
        List<OnnxProto.ValueInfo> inputs = new ArrayList<>();
        for (OnnxProto.ValueInfo v : graph.inputs()) {
            if (!constants.containsKey(v.name())) {
                inputs.add(v);
            }
        }
        if (inputs.size() != 1) {
            throw error(graph.offset(), "the graph has " + inputs.size() + " inputs besides its initializers;"
                    + " a backlane model has exactly one (a batch of feature rows)");
        }
        OnnxProto.ValueInfo input = inputs.get(0);
        checkFloat(input, "input");
        if (input.shape() != null) {
            if (input.shape().size() < 2) {
                throw error(input.offset(), "the input '" + input.name() + "' has rank " + input.shape().size()
                        + "; expected a batch of examples, [batch, features]");
            }
            declaredBatch = input.shape().get(0).value();
            exampleShape = new long[input.shape().size() - 1];
            for (int d = 1; d < input.shape().size(); d++) {
                exampleShape[d - 1] = input.shape().get(d).value();
                if (exampleShape[d - 1] < 1) {
                    throw error(input.offset(), "dimension " + d + " of the input '" + input.name() + "' is "
                            + describe(input.shape().get(d)) + "; every dimension but the batch must be a fixed size");
                }
            }
        }
        return input;
    }

    private OnnxProto.ValueInfo graphOutput(OnnxProto.Graph graph) throws OnnxFormatException {
        if (graph.outputs().size() != 1) {
            throw error(graph.offset(), "the graph has " + graph.outputs().size() + " outputs; a backlane model has"
                    + " exactly one");
        }
        OnnxProto.ValueInfo output = graph.outputs().get(0);
        checkFloat(output, "output");
        return output;
    }

    private void checkFloat(OnnxProto.ValueInfo v, String what) throws OnnxFormatException {
        if (v.elemType() != OnnxProto.FLOAT && v.elemType() != 0) {
            throw error(v.offset(), "the " + what + " '" + v.name() + "' has element type " + v.elemType()
                    + "; backlane models compute in float (type 1)");
        }
    }

    private void checkDeclaredWidth(OnnxProto.ValueInfo output, int width, String what) throws OnnxFormatException {
        List<OnnxProto.Dim> shape = output.shape();
        if (shape != null && (shape.size() != 2 || shape.get(1).value() >= 0 && shape.get(1).value() != width)) {
            throw error(output.offset(), "the " + what + " '" + output.name() + "' is declared with shape "
                    + describe(shape) + " but the layers give [batch, " + width + "]");
        }
    }

    private static String describe(OnnxProto.Dim d) {
        return d.value() >= 0 ? Long.toString(d.value()) : d.param().isEmpty() ? "unknown" : "'" + d.param() + "'";
    }

    private static String describe(List<OnnxProto.Dim> shape) {
        List<String> dims = new ArrayList<>();
        for (OnnxProto.Dim d : shape) {
            dims.add(describe(d));
        }
        return "[" + String.join(", ", dims) + "]";
    }

    // ------------------------------------------------------------------------------------ nodes

    private void apply(OnnxProto.Node node, int index) throws OnnxFormatException {
        String what = node.describe(index);
        if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")) {
            throw error(node.offset(), what + ": operator " + node.domain() + "." + node.opType()
                    + " is not supported; supported (default domain): " + SUPPORTED);
        }
        if (!SUPPORTED_OPS.contains(node.opType())) {
            throw error(node.offset(), what + ": operator " + node.opType() + " is not supported; supported: "
                    + SUPPORTED);
        }
        if (node.outputs().size() != 1 || node.outputs().get(0).isEmpty()) {
            throw error(node.offset(), what + " has " + node.outputs().size() + " outputs; expected one");
        }
        if (!assigned.add(node.outputs().get(0))) {
            throw error(node.offset(), what + ": its output '" + node.outputs().get(0) + "' is already the name of"
                    + " another tensor (an initializer, the graph's input or an earlier node's output); ONNX names"
                    + " each tensor once");
        }
        if (node.opType().equals("Constant")) {
            constants.put(node.outputs().get(0), constant(node, what));
            return;
        }
        Operands operands = operands(node, what);
        boolean unary = !WITH_CONSTANTS.contains(node.opType());
        if (unary && node.inputs().size() != 1) {
            throw error(node.offset(), what + " has " + node.inputs().size() + " inputs; " + node.opType()
                    + " takes one");
        }
        switch (node.opType()) {
            case "Identity" -> {
                attributes(node, what);
            }
            case "Flatten" -> flatten(node, what);
            case "Reshape" -> reshape(node, what, operands);
            case "Gemm" -> gemm(node, what, operands);
            case "MatMul" -> matMul(node, what, operands);
            case "Add", "Sub", "Mul", "Div" -> elementwise(node, what, operands);
            default -> activation(node, what);
        }
        current = node.outputs().get(0);
    }

    /** A node's inputs: where the chain's tensor is among them, and the constants (null where none). */
    private record Operands(int dataIndex, List<OnnxProto.Tensor> constants) {
        /** The constant at input position {@code i}; null when that optional input is absent. */
        OnnxProto.Tensor at(int i) {
            return i < constants.size() ? constants.get(i) : null;
        }
    }

    /** The constant at input position {@code i}, which the operator requires. */
    private OnnxProto.Tensor required(Operands operands, int i, String what, OnnxProto.Node node)
            throws OnnxFormatException {
        OnnxProto.Tensor t = operands.at(i);
        if (t == null) {
            throw error(node.offset(), what + ": input " + i + " must be a constant, and is "
                    + (i < operands.constants().size() ? "left out" : "missing"));
        }
        return t;
    }

    private Operands operands(OnnxProto.Node node, String what) throws OnnxFormatException {
        int dataIndex = -1;
        List<OnnxProto.Tensor> values = new ArrayList<>();
        for (int i = 0; i < node.inputs().size(); i++) {
            String name = node.inputs().get(i);
            if (name.equals(current)) {
                if (dataIndex >= 0) {
                    throw error(node.offset(), what + " takes the chain's tensor '" + current + "' twice");
                }
                dataIndex = i;
                values.add(null);
            } else if (name.isEmpty()) {
                values.add(null);      // an optional input left out
            } else if (constants.containsKey(name)) {
                values.add(constants.get(name));
            } else {
                throw error(node.offset(), what + " takes '" + name + "', which is neither the output of the node"
                        + " before it ('" + current + "') nor a constant: only a single chain of layers from the"
                        + " input to the output is supported");
            }
        }
        if (dataIndex < 0) {
            throw error(node.offset(), what + " does not take the chain's tensor '" + current + "': only a single"
                    + " chain of layers from the input to the output is supported");
        }
        return new Operands(dataIndex, values);
    }

    /** The node's attributes by name, refusing any not in {@code known}: nothing is silently ignored. */
    private Map<String, OnnxProto.Attribute> attributes(OnnxProto.Node node, String what, String... known)
            throws OnnxFormatException {
        Map<String, OnnxProto.Attribute> byName = new HashMap<>();
        List<String> allowed = List.of(known);
        for (OnnxProto.Attribute a : node.attributes()) {
            if (!allowed.contains(a.name())) {
                throw error(a.offset(), what + ": attribute '" + a.name() + "' is not supported"
                        + (allowed.isEmpty() ? "" : "; supported: " + String.join(", ", allowed)));
            }
            if (byName.put(a.name(), a) != null) {
                throw error(a.offset(), what + ": attribute '" + a.name() + "' is given twice");
            }
        }
        return byName;
    }

    private long intAttribute(Map<String, OnnxProto.Attribute> attributes, String name, long otherwise)
            throws OnnxFormatException {
        OnnxProto.Attribute a = typed(attributes, name, OnnxProto.ATTRIBUTE_TYPE_INT, "INT");
        return a == null ? otherwise : a.i();
    }

    private float floatAttribute(Map<String, OnnxProto.Attribute> attributes, String name, float otherwise)
            throws OnnxFormatException {
        OnnxProto.Attribute a = typed(attributes, name, OnnxProto.ATTRIBUTE_TYPE_FLOAT, "FLOAT");
        return a == null ? otherwise : a.f();
    }

    /** The attribute {@code name} (null when absent), which must be of {@code type}: its value is read from that field. */
    private OnnxProto.Attribute typed(Map<String, OnnxProto.Attribute> attributes, String name, int type,
                                      String typeName) throws OnnxFormatException {
        OnnxProto.Attribute a = attributes.get(name);
        if (a != null && a.type() != type) {
            throw error(a.offset(), "attribute '" + name + "' has type " + a.type() + "; expected " + typeName
                    + " (" + type + ")");
        }
        return a;
    }

    private OnnxProto.Tensor constant(OnnxProto.Node node, String what) throws OnnxFormatException {
        if (!node.inputs().isEmpty()) {
            throw error(node.offset(), what + " has inputs; a Constant has none");
        }
        Map<String, OnnxProto.Attribute> a = attributes(node, what, "value", "value_float", "value_floats",
                "value_int", "value_ints");
        if (a.size() != 1) {
            throw error(node.offset(), what + " has " + a.size() + " value attributes; expected one");
        }
        String name = node.outputs().get(0);
        OnnxProto.Attribute value = a.values().iterator().next();
        switch (value.name()) {
            case "value" -> typed(a, "value", OnnxProto.ATTRIBUTE_TYPE_TENSOR, "TENSOR");
            case "value_float" -> typed(a, "value_float", OnnxProto.ATTRIBUTE_TYPE_FLOAT, "FLOAT");
            case "value_floats" -> typed(a, "value_floats", OnnxProto.ATTRIBUTE_TYPE_FLOATS, "FLOATS");
            case "value_int" -> typed(a, "value_int", OnnxProto.ATTRIBUTE_TYPE_INT, "INT");
            default -> typed(a, "value_ints", OnnxProto.ATTRIBUTE_TYPE_INTS, "INTS");
        }
        return switch (value.name()) {
            case "value" -> {
                if (value.t() == null) {
                    throw error(value.offset(), what + ": attribute 'value' holds no tensor");
                }
                OnnxProto.Tensor t = value.t();
                yield new OnnxProto.Tensor(name, t.dims(), t.dataType(), t.floatData(), t.int64Data(), t.rawData(),
                        t.external(), t.offset());
            }
            case "value_float" -> OnnxProto.Tensor.ofFloats(name, new long[0], new float[]{value.f()});
            case "value_floats" -> OnnxProto.Tensor.ofFloats(name, new long[]{value.floats().length}, value.floats());
            case "value_int" -> OnnxProto.Tensor.ofInt64s(name, new long[0], new long[]{value.i()});
            default -> OnnxProto.Tensor.ofInt64s(name, new long[]{value.ints().length}, value.ints());
        };
    }

    // ------------------------------------------------------------------------------------ shapes

    /** The example's width when the current tensor is rank 2 and its width known; -1 when unknown. */
    private long width() {
        if (stage != Stage.INPUT) {
            return layers.get(layers.size() - 1).out;
        }
        return exampleShape == null || exampleShape.length != 1 ? -1 : exampleShape[0];
    }

    /** The number of values per example, when the current tensor's shape is known; else -1. */
    private long valuesPerExample() {
        if (stage != Stage.INPUT) {
            return width();
        }
        if (exampleShape == null) {
            return -1;
        }
        long n = 1;
        for (long d : exampleShape) {
            // Saturates at 2^32, more than any layer takes, so that a huge declared shape is refused, not wrapped.
            n = n > (1L << 31) || d > (1L << 31) ? 1L << 32 : n * d;
        }
        return n;
    }

    private int rank() {
        return stage == Stage.INPUT && exampleShape != null ? exampleShape.length + 1 : 2;
    }

    /** Whether the chain's tensor has an unknown rank: the input, when it declares no shape. */
    private boolean rankUnknown() {
        return stage == Stage.INPUT && exampleShape == null;
    }

    private void flatten(OnnxProto.Node node, String what) throws OnnxFormatException {
        long axis = intAttribute(attributes(node, what, "axis"), "axis", 1);
        if (rankUnknown() && axis != 1) {
            // A negative axis counts from a rank the file does not declare: it may split a row.
            throw error(node.offset(), what + ": Flatten with axis " + axis + " on an input of undeclared rank;"
                    + " only axis 1 is known to keep one row per example there (or declare the input's shape)");
        }
        int rank = rank();
        long normalized = axis < 0 ? axis + rank : axis;
        if (normalized != 1) {
            throw error(node.offset(), what + ": Flatten with axis " + axis + " on a rank-" + rank + " tensor would"
                    + " mix examples of the batch; only axis 1 (one row per example) is supported");
        }
        if (exampleShape != null && stage == Stage.INPUT) {
            exampleShape = new long[]{valuesPerExample()};
        }
    }

    private void reshape(OnnxProto.Node node, String what, Operands operands) throws OnnxFormatException {
        long allowZero = intAttribute(attributes(node, what, "allowzero"), "allowzero", 0);
        if (operands.dataIndex() != 0 || operands.constants().size() != 2) {
            throw error(node.offset(), what + ": expected the data, then a constant shape");
        }
        long[] shape = int64s(required(operands, 1, what, node), what + " shape");
        if (shape.length != 2) {
            throw error(node.offset(), what + ": reshape to rank " + shape.length + " " + Arrays.toString(shape)
                    + "; only a reshape to [batch, features] is supported");
        }
        long perExample = valuesPerExample();
        long first = shape[0];
        long second = shape[1];
        if (rankUnknown() && !(second > 0 && (first == -1 || first == 0 && allowZero == 0)
                || second == -1 && first == 0 && allowZero == 0)) {
            // Without the input's shape only these keep one row per example whatever it is: [-1, n] and
            // [0, n] (rows of n values, as the layer after takes) and [0, -1] (a plain flatten).
            throw error(node.offset(), what + ": reshape to " + Arrays.toString(shape) + " of an input of undeclared"
                    + " shape; only [-1, n], [0, n] and [0, -1] are known to keep one row per example there"
                    + " (or declare the input's shape)");
        }
        boolean batchKept = first == -1 || (first == 0 && allowZero == 0) || (first > 0 && first == declaredBatch);
        long newWidth;
        if (second == -1) {
            newWidth = first == -1 ? -2 : perExample;
        } else if (second == 0 && allowZero == 0) {
            newWidth = stage == Stage.INPUT ? (exampleShape == null ? -1 : exampleShape[0]) : width();
        } else {
            newWidth = second;
        }
        if (!batchKept || second < -1 || newWidth == -2 || newWidth == 0
                || (perExample >= 0 && newWidth >= 0 && newWidth != perExample)) {
            throw error(node.offset(), what + ": reshape to " + Arrays.toString(shape) + " is not a no-op on"
                    + " [batch, " + (perExample >= 0 ? perExample : "features") + "] rows; only a reshape that keeps"
                    + " one row per example is supported");
        }
        if (stage == Stage.INPUT && newWidth > 0) {
            exampleShape = new long[]{newWidth};
        }
    }

    // ------------------------------------------------------------------------------------ layers

    private void gemm(OnnxProto.Node node, String what, Operands operands) throws OnnxFormatException {
        Map<String, OnnxProto.Attribute> a = attributes(node, what, "alpha", "beta", "transA", "transB");
        if (intAttribute(a, "transA", 0) != 0) {
            throw error(node.offset(), what + ": transA = 1 would transpose the batch; not supported");
        }
        if (operands.dataIndex() != 0) {
            throw error(node.offset(), what + ": expected the data as input A and constant weights as input B");
        }
        boolean transB = intAttribute(a, "transB", 0) != 0;
        float alpha = floatAttribute(a, "alpha", 1f);
        float beta = floatAttribute(a, "beta", 1f);
        if (!Float.isFinite(alpha) || !Float.isFinite(beta)) {
            throw error(node.offset(), what + ": alpha " + alpha + " and beta " + beta + " must be finite");
        }
        OnnxProto.Tensor b = required(operands, 1, what, node);
        long[] dims = matrixDims(b, what);
        int in = (int) (transB ? dims[1] : dims[0]);
        int out = (int) (transB ? dims[0] : dims[1]);
        if (operands.constants().size() > 3) {
            throw error(node.offset(), what + ": " + operands.constants().size() + " inputs; Gemm has at most 3");
        }
        float[] w = weights(node, b, what, transB, alpha);
        float[] bias = new float[out];
        OnnxProto.Tensor c = operands.at(2);
        if (c != null) {
            float[] values = perFeature(c, out, what + " input C");
            for (int i = 0; i < out; i++) {
                bias[i] = beta * values[i];
                checkFinite(bias[i], node, what, "bias " + i + " (beta·C)");
            }
        }
        startLayer(node, what, new PendingLayer(in, out, w, bias, false));
    }

    private void matMul(OnnxProto.Node node, String what, Operands operands) throws OnnxFormatException {
        attributes(node, what);
        if (operands.dataIndex() != 0 || operands.constants().size() != 2) {
            throw error(node.offset(), what + ": expected the data times constant weights");
        }
        OnnxProto.Tensor b = required(operands, 1, what, node);
        long[] dims = matrixDims(b, what);
        startLayer(node, what, new PendingLayer((int) dims[0], (int) dims[1], weights(node, b, what, false, 1f),
                new float[(int) dims[1]], true));
    }

    private long[] matrixDims(OnnxProto.Tensor t, String what) throws OnnxFormatException {
        if (t.dims().length != 2 || t.dims()[0] < 1 || t.dims()[1] < 1) {
            throw error(t.offset(), what + ": the weights '" + t.name() + "' have shape " + Arrays.toString(t.dims())
                    + "; expected a matrix");
        }
        if (t.dims()[0] > ModelFormat.MAX_WIDTH || t.dims()[1] > ModelFormat.MAX_WIDTH) {
            throw error(t.offset(), what + ": the weights '" + t.name() + "' have shape " + Arrays.toString(t.dims())
                    + "; layers are at most " + ModelFormat.MAX_WIDTH + " wide");
        }
        return t.dims();
    }

    /**
     * W (out × in, row-major) from the tensor B of {@code Y = A·B'}: B' = B (B is in × out, so W = Bᵀ),
     * or with transB B' = Bᵀ (B is already out × in). alpha is folded into the weights, which must
     * stay finite. B must not be another layer's weights (see {@link #weightTensors}).
     */
    private float[] weights(OnnxProto.Node node, OnnxProto.Tensor b, String what, boolean transB, float alpha)
            throws OnnxFormatException {
        String owner = weightTensors.putIfAbsent(b, what);
        if (owner != null) {
            throw error(node.offset(), what + ": the weights '" + b.name() + "' are already those of " + owner
                    + "; a tensor shared by two layers is not supported");
        }
        float[] values = floats(b, what);
        int rows = (int) b.dims()[0];
        int cols = (int) b.dims()[1];
        float[] w = transB ? values.clone() : new float[values.length];
        if (!transB) {
            for (int r = 0; r < rows; r++) {
                for (int col = 0; col < cols; col++) {
                    w[col * rows + r] = values[r * cols + col];
                }
            }
        }
        if (alpha != 1f) {
            for (int i = 0; i < w.length; i++) {
                w[i] *= alpha;
                checkFinite(w[i], node, what, "weight " + i + " (alpha·B, row-major out × in)");
            }
        }
        return w;
    }

    /** Refuses a weight or bias that folding a constant made infinite: such a model cannot predict. */
    private void checkFinite(float v, OnnxProto.Node node, String what, String which) throws OnnxFormatException {
        if (!Float.isFinite(v)) {
            throw error(node.offset(), what + ": " + which + " is " + v + " after folding its constants");
        }
    }

    private void startLayer(OnnxProto.Node node, String what, PendingLayer layer) throws OnnxFormatException {
        switch (stage) {
            case INPUT -> finishInput(node, what, layer.in);
            case OUTPUT_SCALING -> throw error(node.offset(), what + ": constant scaling between layers is not"
                    + " supported (only at the input and after the last layer)");
            default -> {
                PendingLayer previous = layers.get(layers.size() - 1);
                if (previous.out != layer.in) {
                    throw error(node.offset(), what + ": the weights take " + layer.in + " inputs but the layer"
                            + " before gives " + previous.out);
                }
                if (previous.activation == Activation.SOFTMAX) {
                    throw error(node.offset(), previous.activationNode + ": softmax is only supported on the"
                            + " output layer");
                }
            }
        }
        if (layers.size() == ModelFormat.MAX_LAYERS) {
            throw error(node.offset(), what + ": more than " + ModelFormat.MAX_LAYERS + " layers");
        }
        layers.add(layer);
        stage = Stage.DENSE;
    }

    private void finishInput(OnnxProto.Node node, String what, int in) throws OnnxFormatException {
        long perExample = valuesPerExample();
        if (rank() != 2) {
            throw error(node.offset(), what + ": the input is rank " + rank() + "; flatten it to [batch, features]"
                    + " first (Flatten with axis 1)");
        }
        if (perExample >= 0 && perExample != in) {
            throw error(node.offset(), what + ": the weights take " + in + " inputs but the input gives " + perExample);
        }
        for (double[] values : new double[][]{inputShift, inputScale}) {
            if (values.length != 1 && values.length != in) {
                throw error(node.offset(), what + ": the input normalization has " + values.length
                        + " values but the layer takes " + in + " inputs");
            }
        }
        exampleShape = new long[]{in};
    }

    private void activation(OnnxProto.Node node, String what) throws OnnxFormatException {
        Activation activation;
        float slope = 0f;
        switch (node.opType()) {
            case "Relu" -> {
                attributes(node, what);
                activation = Activation.RELU;
            }
            case "Sigmoid" -> {
                attributes(node, what);
                activation = Activation.SIGMOID;
            }
            case "Tanh" -> {
                attributes(node, what);
                activation = Activation.TANH;
            }
            case "LeakyRelu" -> {
                slope = floatAttribute(attributes(node, what, "alpha"), "alpha", 0.01f);
                if (!(slope >= 0f && slope < 1f)) {
                    throw error(node.offset(), what + ": alpha " + slope + " is not supported; backlane's leaky ReLU"
                            + " slope is in [0, 1)");
                }
                activation = Activation.LEAKY_RELU;
            }
            default -> {   // Softmax
                softmaxAxis(node, what);
                activation = Activation.SOFTMAX;
            }
        }
        if (stage != Stage.DENSE) {
            throw error(node.offset(), what + ": " + node.opType() + " is only supported right after a dense layer"
                    + " (Gemm, or MatMul and Add)" + (stage == Stage.ACTIVATED ? ", once" : ""));
        }
        PendingLayer layer = layers.get(layers.size() - 1);
        layer.activation = activation;
        layer.slope = slope;
        layer.activationNode = what;
        stage = Stage.ACTIVATED;
    }

    /**
     * Softmax must normalize each example's row. Before opset 13 the input is coerced to 2-D at
     * {@code axis} (default 1) and normalized over the second dimension; from opset 13 it is
     * normalized along {@code axis} (default −1). On the rank-2 tensors of a dense chain, axis 1 and −1
     * mean one row in both; axis 0 (or −2) normalizes across the batch in both, and is refused.
     */
    private void softmaxAxis(OnnxProto.Node node, String what) throws OnnxFormatException {
        long axis = intAttribute(attributes(node, what, "axis"), "axis", opset < 13 ? 1 : -1);
        long normalized = axis < 0 ? axis + 2 : axis;
        if (normalized != 1) {
            throw error(node.offset(), what + ": softmax over axis " + axis + " at opset " + opset
                    + (opset < 13 ? " (coerced to 2-D at that axis)" : "") + " would normalize across the batch;"
                    + " only one row per example (axis 1 or -1) is supported");
        }
    }

    // ------------------------------------------------------------------------------------ element-wise

    private void elementwise(OnnxProto.Node node, String what, Operands operands) throws OnnxFormatException {
        attributes(node, what);
        String op = node.opType();
        if (operands.constants().size() != 2) {
            throw error(node.offset(), what + ": expected two inputs");
        }
        if (operands.dataIndex() != 0 && (op.equals("Sub") || op.equals("Div"))) {
            throw error(node.offset(), what + ": a constant " + (op.equals("Sub") ? "minus" : "divided by")
                    + " the data is not supported; only the data " + (op.equals("Sub") ? "minus" : "divided by")
                    + " a constant");
        }
        OnnxProto.Tensor c = required(operands, 1 - operands.dataIndex(), what, node);
        if (stage == Stage.INPUT) {
            if (rank() != 2 && elementCount(c, what) != 1) {
                throw error(node.offset(), what + ": per-feature normalization of a rank-" + rank() + " input is not"
                        + " supported; flatten it to [batch, features] first");
            }
            double[] values = doubles(perFeatureLoose(c, what));
            long w = width();
            if (values.length > 1 && (w >= 0 && values.length != w
                    || inputShift.length > 1 && values.length != inputShift.length)) {
                throw error(node.offset(), what + ": " + values.length + " values for "
                        + (w >= 0 ? w : inputShift.length) + " features");
            }
            if (values.length > 1) {
                exampleShape = new long[]{values.length};   // now known, if the input did not declare it
            }
            fold(op, values, node, what, true);
            return;
        }
        PendingLayer layer = layers.get(layers.size() - 1);
        if (stage == Stage.DENSE && op.equals("Add") && !layer.biasAdded) {
            // The bias of MatMul + Add, or one Add right after a Gemm: folded into the layer's bias.
            float[] bias = perFeature(c, layer.out, what);
            for (int i = 0; i < layer.out; i++) {
                layer.b[i] += bias[i];
                checkFinite(layer.b[i], node, what, "bias " + i);
            }
            layer.biasAdded = true;
            return;
        }
        if (layer.activation == Activation.SOFTMAX) {
            throw error(node.offset(), what + ": scaling softmax probabilities is not supported");
        }
        stage = Stage.OUTPUT_SCALING;
        fold(op, doubles(perFeature(c, layer.out, what)), node, what, false);
    }

    /**
     * Folds x op c into the input scaler x' = (x − shift)·scale, or into the target scaler
     * y = y'/scale + shift, keeping each exact where it can be: Sub then Mul (as backlane writes the
     * input) and Div then Add (as it writes the target) give back their constants unchanged.
     */
    private void fold(String op, double[] c, OnnxProto.Node node, String what, boolean input)
            throws OnnxFormatException {
        double[] shift = grow(input ? inputShift : targetShift, c.length);
        double[] scale = grow(input ? inputScale : targetScale, c.length);
        for (int j = 0; j < shift.length; j++) {
            double v = c[c.length == 1 ? 0 : j];
            // Input: x' = (x − shift)·scale takes a scale of 0 (the feature is ignored; backlane writes it
            // as Mul by 0), but not a shift after it. Target: y = y'/scale + shift takes no scale of 0.
            if (v == 0 && (op.equals("Div") || op.equals("Mul") && !input)) {
                throw error(node.offset(), what + ": " + op + " by 0 cannot be represented as a feature scaler");
            }
            if (input && scale[j] == 0 && (op.equals("Sub") || op.equals("Add"))) {
                throw error(node.offset(), what + ": " + op + " after feature " + j + " was multiplied by 0"
                        + " cannot be represented as a feature scaler");
            }
            if (input) {
                switch (op) {
                    case "Sub" -> shift[j] += v / scale[j];
                    case "Add" -> shift[j] -= v / scale[j];
                    case "Mul" -> scale[j] *= v;
                    default -> scale[j] /= v;
                }
            } else {
                switch (op) {
                    case "Add" -> shift[j] += v;
                    case "Sub" -> shift[j] -= v;
                    case "Mul" -> {
                        scale[j] /= v;
                        shift[j] *= v;
                    }
                    default -> {
                        scale[j] *= v;
                        shift[j] /= v;
                    }
                }
            }
        }
        if (input) {
            inputShift = shift;
            inputScale = scale;
        } else {
            targetShift = shift;
            targetScale = scale;
        }
    }

    private static double[] grow(double[] values, int length) {
        if (values.length >= length) {
            return values;
        }
        double[] grown = new double[length];
        Arrays.fill(grown, values[0]);
        return grown;
    }

    // ------------------------------------------------------------------------------------ tensors

    /** A constant that broadcasts per feature against [batch, width]: shape [], [1], [width], [1, 1] or [1, width]. */
    private float[] perFeature(OnnxProto.Tensor t, int width, String what) throws OnnxFormatException {
        float[] values = perFeatureLoose(t, what);
        if (values.length == width) {
            return values;
        }
        if (values.length == 1) {
            float[] expanded = new float[width];
            Arrays.fill(expanded, values[0]);
            return expanded;
        }
        throw error(t.offset(), what + ": the constant '" + t.name() + "' has " + values.length + " values for "
                + width + " features");
    }

    /** A constant of shape [], [n], [1, n] (any n): one value per feature, or one for all. */
    private float[] perFeatureLoose(OnnxProto.Tensor t, String what) throws OnnxFormatException {
        long[] d = t.dims();
        boolean rowShaped = d.length <= 1 || d.length == 2 && d[0] == 1;
        if (!rowShaped) {
            throw error(t.offset(), what + ": the constant '" + t.name() + "' has shape " + Arrays.toString(d)
                    + "; expected one value per feature ([features] or [1, features]) or a scalar");
        }
        float[] values = floats(t, what);
        if (values.length == 0) {
            throw error(t.offset(), what + ": the constant '" + t.name() + "' is empty");
        }
        return values;
    }

    private static double[] doubles(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = values[i];
        }
        return d;
    }

    /** The number of elements the dims declare (each ≥ 0; the product at most 2^31 − 1). */
    private int elementCount(OnnxProto.Tensor t, String what) throws OnnxFormatException {
        long n = 1;
        for (long d : t.dims()) {
            if (d < 0) {
                throw error(t.offset(), what + ": the tensor '" + t.name() + "' has a negative dimension "
                        + Arrays.toString(t.dims()));
            }
            if (d != 0 && n > Integer.MAX_VALUE / d) {
                throw error(t.offset(), what + ": the tensor '" + t.name() + "' of shape " + Arrays.toString(t.dims())
                        + " is too large");
            }
            n *= d;
        }
        return (int) n;
    }

    /** A float tensor's values, checked against its shape before they are copied, and finite. */
    private float[] floats(OnnxProto.Tensor t, String what) throws OnnxFormatException {
        int n = checkedCount(t, what, OnnxProto.FLOAT, "float (type 1)", 4, t.floatData().length, "float_data");
        float[] values = new float[n];
        if (t.rawData() != null) {
            ByteBuffer.wrap(t.rawData()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        } else {
            System.arraycopy(t.floatData(), 0, values, 0, n);
        }
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(values[i])) {
                throw error(t.offset(), what + ": element " + i + " of the tensor '" + t.name() + "' is " + values[i]
                        + "; a model with non-finite weights cannot predict");
            }
        }
        return values;
    }

    private long[] int64s(OnnxProto.Tensor t, String what) throws OnnxFormatException {
        int n = checkedCount(t, what, OnnxProto.INT64, "int64 (type 7)", 8, t.int64Data().length, "int64_data");
        long[] values = new long[n];
        if (t.rawData() != null) {
            ByteBuffer.wrap(t.rawData()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(values);
        } else {
            System.arraycopy(t.int64Data(), 0, values, 0, n);
        }
        return values;
    }

    /**
     * The element count of a tensor of {@code dataType}, after checking that its values are in the file
     * and that there are exactly as many as its shape declares: {@code width} bytes each in raw_data,
     * else {@code typedCount} in the typed field.
     */
    private int checkedCount(OnnxProto.Tensor t, String what, int dataType, String typeName, int width, int typedCount,
                             String typedField) throws OnnxFormatException {
        if (t.external()) {
            throw error(t.offset(), what + ": the tensor '" + t.name() + "' is stored in an external file, which is"
                    + " not supported; save the model with its weights inside");
        }
        if (t.dataType() != dataType) {
            throw error(t.offset(), what + ": the tensor '" + t.name() + "' has data type " + t.dataType()
                    + "; expected " + typeName);
        }
        int n = elementCount(t, what);
        long found = t.rawData() != null ? t.rawData().length : typedCount;
        long needed = t.rawData() != null ? (long) width * n : n;
        if (found != needed) {
            throw error(t.offset(), what + ": the tensor '" + t.name() + "' of shape " + Arrays.toString(t.dims())
                    + " needs " + needed + (t.rawData() != null ? " bytes of raw_data" : " values of " + typedField)
                    + ", found " + found);
        }
        return n;
    }

    // ------------------------------------------------------------------------------------ the model

    private Model build(OnnxProto.Graph graph) throws OnnxFormatException {
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, String> ours = new HashMap<>();
        for (OnnxProto.Entry e : proto.metadata()) {
            Map<String, String> target = e.key().startsWith(OnnxMetadata.PREFIX) ? ours : metadata;
            if (target.put(e.key(), e.value()) != null) {
                throw error(-1, "metadata_props: the key '" + e.key() + "' appears twice");
            }
            if (target == metadata) {
                // The model's own metadata, as a .bkln file holds it. Our keys' values are checked as what
                // they hold: a list of names is limited by name, not as a whole (it grows with the inputs).
                checkLength(e.key(), ModelFormat.MAX_NAME_BYTES, "the metadata key '" + e.key() + "'");
                checkLength(e.value(), ModelFormat.MAX_METADATA_VALUE_BYTES, "the metadata value of '" + e.key() + "'");
            }
        }
        if (metadata.size() > ModelFormat.MAX_METADATA_ENTRIES) {
            throw error(-1, "metadata_props: " + metadata.size() + " entries; at most " + ModelFormat.MAX_METADATA_ENTRIES);
        }

        PendingLayer last = layers.get(layers.size() - 1);
        boolean targetScaled = stage == Stage.OUTPUT_SCALING;
        Loss loss = options.loss() != null ? options.loss()
                : ours.containsKey(OnnxMetadata.LOSS) ? enumValue(Loss.class, ours, OnnxMetadata.LOSS)
                : switch (last.activation) {
                    case SOFTMAX -> Loss.CATEGORICAL_CROSS_ENTROPY;
                    case SIGMOID -> Loss.BINARY_CROSS_ENTROPY;
                    default -> Loss.MEAN_SQUARED_ERROR;
                };
        if (last.activation == Activation.SOFTMAX && last.out < 2) {
            throw error(graph.offset(), last.activationNode + ": softmax over a single output is always 1;"
                    + " not supported");
        }
        Network.Builder builder = Network.builder(layers.get(0).in);
        for (PendingLayer layer : layers) {
            builder.dense(new Layer(layer.out, layer.activation, layer.slope));
        }
        Network network;
        try {
            network = builder.loss(loss).build();
        } catch (IllegalArgumentException e) {
            if (options.loss() != null) {
                throw new IllegalArgumentException("the loss option does not fit this model: " + e.getMessage(), e);
            }
            throw error(graph.offset(), "the layers do not make a backlane network: " + e.getMessage());
        }
        float[] theta = new float[network.parameterCount()];
        for (int l = 1; l <= layers.size(); l++) {
            PendingLayer layer = layers.get(l - 1);
            System.arraycopy(layer.w, 0, theta, network.weightOffset(l), layer.w.length);
            System.arraycopy(layer.b, 0, theta, network.biasOffset(l), layer.b.length);   // each value checked finite
        }

        FeatureScaler scaler = scaler(inputShift, inputScale, network.inputWidth(), ours, OnnxMetadata.SCALER_KIND,
                true, graph);
        FeatureScaler target = scaler(targetShift, targetScale, network.outputWidth(), ours,
                OnnxMetadata.TARGET_SCALER_KIND, false, graph);

        List<String> labels = labels(ours, last, targetScaled);
        Model model;
        try {
            model = new Model(new Parameters(network, theta), scaler, labels).withTargetScaler(target)
                    .withMetadata(metadata);
        } catch (IllegalArgumentException e) {
            if (options.classLabels() != null) {
                throw new IllegalArgumentException("the class labels option does not fit this model: " + e.getMessage(), e);
            }
            throw error(-1, "inconsistent model: " + e.getMessage());
        }
        List<String> names = options.featureNames() != null ? options.featureNames()
                : ours.containsKey(OnnxMetadata.FEATURE_NAMES) ? stringList(ours, OnnxMetadata.FEATURE_NAMES) : null;
        if (names == null) {
            return model;
        }
        try {
            return model.withFeatureNames(names);
        } catch (IllegalArgumentException e) {
            if (options.featureNames() != null) {
                throw new IllegalArgumentException("the feature names option does not fit this model: " + e.getMessage(), e);
            }
            throw error(-1, "metadata_props '" + OnnxMetadata.FEATURE_NAMES + "': " + e.getMessage());
        }
    }

    private List<String> labels(Map<String, String> ours, PendingLayer last, boolean targetScaled)
            throws OnnxFormatException {
        if (options.classLabels() != null) {
            return options.classLabels();
        }
        if (ours.containsKey(OnnxMetadata.CLASS_LABELS)) {
            return stringList(ours, OnnxMetadata.CLASS_LABELS);
        }
        boolean classifier = !targetScaled && (last.activation == Activation.SOFTMAX
                || last.activation == Activation.SIGMOID && last.out == 1);
        if (!classifier) {
            return List.of();
        }
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < Math.max(2, last.out); k++) {
            labels.add(Integer.toString(k));
        }
        return labels;
    }

    private FeatureScaler scaler(double[] shift, double[] scale, int width, Map<String, String> ours, String key,
                                 boolean input, OnnxProto.Graph graph) throws OnnxFormatException {
        float[] s = new float[width];
        float[] m = new float[width];
        for (int j = 0; j < width; j++) {
            s[j] = (float) shift[shift.length == 1 ? 0 : j];
            m[j] = (float) scale[scale.length == 1 ? 0 : j];
            if (!Float.isFinite(s[j]) || !Float.isFinite(m[j]) || (!input && m[j] == 0f)) {
                throw error(graph.offset(), "the constant " + (input ? "input normalization" : "output scaling")
                        + " of feature " + j + " does not fold into a finite scaler (shift " + s[j] + ", scale "
                        + m[j] + ")");
            }
        }
        FeatureScaler folded = new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, s, m);
        FeatureScaler.Kind kind = ours.containsKey(key) ? enumValue(FeatureScaler.Kind.class, ours, key)
                : folded.isIdentity() ? FeatureScaler.Kind.NONE : FeatureScaler.Kind.STANDARDIZE;
        if (kind == FeatureScaler.Kind.NONE && !folded.isIdentity()) {
            // NONE means shift 0 and scale 1: a model labelled so would claim to leave its data as it is.
            throw error(-1, "metadata_props '" + key + "' says NONE, but the graph's constant "
                    + (input ? "input normalization" : "output scaling") + " is not the identity");
        }
        return new FeatureScaler(kind, s, m);
    }

    private <E extends Enum<E>> E enumValue(Class<E> type, Map<String, String> ours, String key)
            throws OnnxFormatException {
        try {
            return Enum.valueOf(type, ours.get(key));
        } catch (IllegalArgumentException e) {
            throw error(-1, "metadata_props '" + key + "': unknown value '" + ours.get(key) + "'; known: "
                    + Arrays.toString(type.getEnumConstants()));
        }
    }

    private List<String> stringList(Map<String, String> ours, String key) throws OnnxFormatException {
        List<String> values;
        try {
            values = JsonStrings.decode(ours.get(key));
        } catch (IllegalArgumentException e) {
            throw error(-1, "metadata_props '" + key + "' is not a JSON array of strings: " + e.getMessage());
        }
        for (String v : values) {
            checkLength(v, ModelFormat.MAX_NAME_BYTES, "an entry of metadata_props '" + key + "'");
        }
        return values;
    }

    private void checkLength(String s, int limit, String what) throws OnnxFormatException {
        // UTF-8 length without encoding: at most 3 bytes a char (a surrogate pair, 4 bytes, is 2 chars).
        if (s.length() > limit / 3 && s.getBytes(StandardCharsets.UTF_8).length > limit) {
            throw error(-1, what + " is longer than " + limit + " bytes of UTF-8");
        }
    }
}
