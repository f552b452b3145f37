package io.backlane.io;

import java.util.ArrayList;
import java.util.List;

/**
 * The subset of the ONNX protobuf schema ({@code onnx.proto}) that backlane reads and writes, as
 * plain records, with their decoder and encoder. Fields outside the subset are skipped on reading
 * (their bytes are still bounds-checked) and never written. Field numbers are those of
 * {@code onnx.proto}; they are stable by ONNX's own compatibility rules.
 *
 * <p>Nesting is fixed by the schema (model → graph → node → attribute → tensor; value info → type →
 * shape → dimension): sub-graphs of control-flow attributes are skipped, never decoded, so decoding
 * never recurses on what the input says and its depth is bounded.
 *
 * <p>Every repeated field is capped while it is decoded (the {@code MAX_} constants: far above what
 * an MLP backlane can represent needs), and {@link ProtoReader} charges what is decoded against a
 * budget proportional to the file's size, so memory follows the bytes present. A single-valued
 * message field that appears twice is refused: protobuf would merge the two copies field by field,
 * which this decoder does not do, and taking either one alone could import another model than a
 * protobuf library reads.
 */
final class OnnxProto {
    private OnnxProto() {
    }

    // ModelProto
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_PRODUCER_NAME = 2;
    private static final int MODEL_PRODUCER_VERSION = 3;
    private static final int MODEL_DOC_STRING = 6;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    private static final int MODEL_METADATA_PROPS = 14;
    // OperatorSetIdProto
    private static final int OPSET_DOMAIN = 1;
    private static final int OPSET_VERSION = 2;
    // StringStringEntryProto
    private static final int ENTRY_KEY = 1;
    private static final int ENTRY_VALUE = 2;
    // GraphProto
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_NAME = 2;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    // NodeProto
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int NODE_DOMAIN = 7;
    // AttributeProto
    private static final int ATTRIBUTE_NAME = 1;
    private static final int ATTRIBUTE_F = 2;
    private static final int ATTRIBUTE_I = 3;
    private static final int ATTRIBUTE_T = 5;
    private static final int ATTRIBUTE_FLOATS = 7;
    private static final int ATTRIBUTE_INTS = 8;
    private static final int ATTRIBUTE_TYPE = 20;
    // TensorProto
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_FLOAT_DATA = 4;
    private static final int TENSOR_INT64_DATA = 7;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int TENSOR_EXTERNAL_DATA = 13;
    private static final int TENSOR_DATA_LOCATION = 14;
    // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto, TensorShapeProto.Dimension
    private static final int VALUE_INFO_NAME = 1;
    private static final int VALUE_INFO_TYPE = 2;
    private static final int TYPE_TENSOR_TYPE = 1;
    private static final int TENSOR_TYPE_ELEM_TYPE = 1;
    private static final int TENSOR_TYPE_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;

    /** The most dimensions of a tensor or a declared shape. */
    static final int MAX_DIMS = 64;
    /** The most attributes of one node (the supported operators have at most 5). */
    static final int MAX_ATTRIBUTES = 64;
    /** The most inputs, and the most outputs, of one node (the supported operators have at most 3 and 1). */
    static final int MAX_NODE_IO = 16;
    /** The most nodes, and the most initializers, of the graph: a few per layer, and then some. */
    static final int MAX_NODES = 4 * ModelFormat.MAX_LAYERS + 1024;
    /** The most graph inputs: before IR version 4 every initializer is listed as an input too. */
    static final int MAX_GRAPH_INPUTS = MAX_NODES + 16;
    /** The most graph outputs, and the most opset_import entries. */
    static final int MAX_GRAPH_OUTPUTS = 16;
    static final int MAX_OPSETS = 64;
    /** The most metadata_props entries: the model's own, and room for backlane's keys. */
    static final int MAX_METADATA = ModelFormat.MAX_METADATA_ENTRIES + 16;

    /** AttributeProto.AttributeType values. */
    static final int ATTRIBUTE_TYPE_FLOAT = 1;
    static final int ATTRIBUTE_TYPE_INT = 2;
    static final int ATTRIBUTE_TYPE_TENSOR = 4;
    static final int ATTRIBUTE_TYPE_FLOATS = 6;
    static final int ATTRIBUTE_TYPE_INTS = 7;

    /** TensorProto.DataType values. */
    static final int FLOAT = 1;
    static final int INT64 = 7;

    /** ModelProto. */
    record Model(long irVersion, List<OpsetId> opsets, String producerName, String producerVersion, String docString,
                 Graph graph, List<Entry> metadata) {
    }

    /** OperatorSetIdProto: the empty domain is the default ONNX operator set. */
    record OpsetId(String domain, long version) {
    }

    /** StringStringEntryProto. */
    record Entry(String key, String value) {
    }

    /** GraphProto; {@code offset} is where the graph starts in the file. */
    record Graph(String name, List<Node> nodes, List<Tensor> initializers, List<ValueInfo> inputs,
                 List<ValueInfo> outputs, long offset) {
    }

    /** NodeProto. */
    record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                List<Attribute> attributes, long offset) {
        Node(String name, String opType, List<String> inputs, List<String> outputs, List<Attribute> attributes) {
            this(name, opType, "", inputs, outputs, attributes, -1);
        }

        /** How messages name the node: its name and operator, or its position when unnamed. */
        String describe(int index) {
            return "node " + (name.isEmpty() ? "#" + index : "'" + name + "'") + " (" + opType + ")";
        }
    }

    /** AttributeProto: the fields the supported operators use. */
    record Attribute(String name, int type, float f, long i, Tensor t, float[] floats, long[] ints, long offset) {
        static Attribute ofFloat(String name, float value) {
            return new Attribute(name, ATTRIBUTE_TYPE_FLOAT, value, 0, null, new float[0], new long[0], -1);
        }

        static Attribute ofInt(String name, long value) {
            return new Attribute(name, ATTRIBUTE_TYPE_INT, 0f, value, null, new float[0], new long[0], -1);
        }

        static Attribute ofTensor(String name, Tensor value) {
            return new Attribute(name, ATTRIBUTE_TYPE_TENSOR, 0f, 0, value, new float[0], new long[0], -1);
        }
    }

    /**
     * TensorProto: its values are in {@code floatData}, {@code int64Data} or {@code rawData}
     * (little-endian), as the writer chose; {@code external} when they live in another file.
     */
    record Tensor(String name, long[] dims, int dataType, float[] floatData, long[] int64Data, byte[] rawData,
                  boolean external, long offset) {
        static Tensor ofFloats(String name, long[] dims, float[] values) {
            return new Tensor(name, dims, FLOAT, values, new long[0], null, false, -1);
        }

        static Tensor ofInt64s(String name, long[] dims, long[] values) {
            return new Tensor(name, dims, INT64, new float[0], values, null, false, -1);
        }
    }

    /** ValueInfoProto of a tensor: element type (0 when not a tensor) and shape (null when not given). */
    record ValueInfo(String name, int elemType, List<Dim> shape, long offset) {
    }

    /** TensorShapeProto.Dimension: a value (−1 when absent) or a symbolic name (empty when absent). */
    record Dim(long value, String param) {
    }

    // ------------------------------------------------------------------------------------ decoding

    static Model decode(byte[] bytes, String source) throws OnnxFormatException {
        ProtoReader r = new ProtoReader(bytes, source);
        long irVersion = 0;
        String producerName = "";
        String producerVersion = "";
        String docString = "";
        Graph graph = null;
        List<OpsetId> opsets = new ArrayList<>();
        List<Entry> metadata = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case MODEL_IR_VERSION -> irVersion = r.int64("ir_version");
                case MODEL_PRODUCER_NAME -> producerName = r.string("producer_name");
                case MODEL_PRODUCER_VERSION -> producerVersion = r.string("producer_version");
                case MODEL_DOC_STRING -> docString = r.string("doc_string");
                case MODEL_GRAPH -> {
                    once(r, graph, "graph");
                    graph = graph(r.message("graph"));
                }
                case MODEL_OPSET_IMPORT -> repeated(r, opsets, MAX_OPSETS, "opset_import", "opset_import entries",
                        OnnxProto::opset);
                case MODEL_METADATA_PROPS -> repeated(r, metadata, MAX_METADATA, "metadata_props",
                        "metadata_props entries", OnnxProto::entry);
                default -> r.skip();
            }
        }
        if (graph == null) {
            throw r.error(bytes.length, "no graph (field 7): not an ONNX model");
        }
        return new Model(irVersion, opsets, producerName, producerVersion, docString, graph, metadata);
    }

    /** Decodes one message, for {@link #repeated}. */
    @FunctionalInterface
    private interface Decoder<T> {
        T decode(ProtoReader r) throws OnnxFormatException;
    }

    /**
     * Decodes the current field as one more element of the repeated message field {@code name}
     * (whose path element is {@code name[index]}), refusing more than {@code max}, which the error
     * calls {@code plural}.
     */
    private static <T> void repeated(ProtoReader r, List<T> list, int max, String name, String plural,
                                     Decoder<T> decoder) throws OnnxFormatException {
        r.limit(list.size(), max, plural);
        list.add(decoder.decode(r.message(name + "[" + list.size() + "]")));
    }

    /** Refuses a second copy of a single-valued message field (see the class comment). */
    private static void once(ProtoReader r, Object previous, String name) throws OnnxFormatException {
        if (previous != null) {
            throw r.error(r.fieldOffset(), name + " appears twice; protobuf would merge the copies, which is not"
                    + " supported: write it once");
        }
    }

    private static OpsetId opset(ProtoReader r) throws OnnxFormatException {
        String domain = "";
        long version = 0;
        while (r.next()) {
            switch (r.field()) {
                case OPSET_DOMAIN -> domain = r.string("domain");
                case OPSET_VERSION -> version = r.int64("version");
                default -> r.skip();
            }
        }
        return new OpsetId(domain, version);
    }

    private static Entry entry(ProtoReader r) throws OnnxFormatException {
        String key = "";
        String value = "";
        while (r.next()) {
            switch (r.field()) {
                case ENTRY_KEY -> key = r.string("key");
                case ENTRY_VALUE -> value = r.string("value");
                default -> r.skip();
            }
        }
        return new Entry(key, value);
    }

    private static Graph graph(ProtoReader r) throws OnnxFormatException {
        long offset = r.fieldOffset();
        String name = "";
        List<Node> nodes = new ArrayList<>();
        List<Tensor> initializers = new ArrayList<>();
        List<ValueInfo> inputs = new ArrayList<>();
        List<ValueInfo> outputs = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case GRAPH_NODE -> repeated(r, nodes, MAX_NODES, "node", "nodes", OnnxProto::node);
                case GRAPH_NAME -> name = r.string("name");
                case GRAPH_INITIALIZER -> repeated(r, initializers, MAX_NODES, "initializer", "initializers",
                        OnnxProto::tensor);
                case GRAPH_INPUT -> repeated(r, inputs, MAX_GRAPH_INPUTS, "input", "inputs", OnnxProto::valueInfo);
                case GRAPH_OUTPUT -> repeated(r, outputs, MAX_GRAPH_OUTPUTS, "output", "outputs", OnnxProto::valueInfo);
                default -> r.skip();
            }
        }
        return new Graph(name, nodes, initializers, inputs, outputs, offset);
    }

    private static Node node(ProtoReader r) throws OnnxFormatException {
        long offset = r.fieldOffset();
        String name = "";
        String opType = "";
        String domain = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        List<Attribute> attributes = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case NODE_INPUT -> {
                    r.limit(inputs.size(), MAX_NODE_IO, "inputs");
                    inputs.add(r.string("input[" + inputs.size() + "]"));
                }
                case NODE_OUTPUT -> {
                    r.limit(outputs.size(), MAX_NODE_IO, "outputs");
                    outputs.add(r.string("output[" + outputs.size() + "]"));
                }
                case NODE_NAME -> name = r.string("name");
                case NODE_OP_TYPE -> opType = r.string("op_type");
                case NODE_DOMAIN -> domain = r.string("domain");
                case NODE_ATTRIBUTE -> repeated(r, attributes, MAX_ATTRIBUTES, "attribute", "attributes",
                        OnnxProto::attribute);
                default -> r.skip();
            }
        }
        return new Node(name, opType, domain, inputs, outputs, attributes, offset);
    }

    private static Attribute attribute(ProtoReader r) throws OnnxFormatException {
        long offset = r.fieldOffset();
        String name = "";
        int type = 0;
        float f = 0f;
        long i = 0;
        Tensor t = null;
        ProtoReader.FloatList floats = new ProtoReader.FloatList();
        ProtoReader.LongList ints = new ProtoReader.LongList();
        while (r.next()) {
            switch (r.field()) {
                case ATTRIBUTE_NAME -> name = r.string("name");
                case ATTRIBUTE_TYPE -> type = r.int32("type");
                case ATTRIBUTE_F -> f = r.float32("f");
                case ATTRIBUTE_I -> i = r.int64("i");
                case ATTRIBUTE_T -> {
                    once(r, t, "t");
                    t = tensor(r.message("t"));
                }
                case ATTRIBUTE_FLOATS -> r.floats(floats, "floats");
                case ATTRIBUTE_INTS -> r.int64s(ints, "ints", Integer.MAX_VALUE);
                default -> r.skip();   // strings, graphs (sub-graphs are never decoded), sparse tensors, types
            }
        }
        return new Attribute(name, type, f, i, t, floats.toArray(), ints.toArray(), offset);
    }

    private static Tensor tensor(ProtoReader r) throws OnnxFormatException {
        long offset = r.fieldOffset();
        String name = "";
        int dataType = 0;
        ProtoReader.LongList dims = new ProtoReader.LongList();
        ProtoReader.FloatList floatData = new ProtoReader.FloatList();
        ProtoReader.LongList int64Data = new ProtoReader.LongList();
        byte[] raw = null;
        boolean external = false;
        while (r.next()) {
            switch (r.field()) {
                case TENSOR_DIMS -> r.int64s(dims, "dims", MAX_DIMS);
                case TENSOR_DATA_TYPE -> dataType = r.int32("data_type");
                case TENSOR_FLOAT_DATA -> r.floats(floatData, "float_data");
                case TENSOR_INT64_DATA -> r.int64s(int64Data, "int64_data", Integer.MAX_VALUE);
                case TENSOR_NAME -> name = r.string("name");
                case TENSOR_RAW_DATA -> raw = r.bytes("raw_data");
                case TENSOR_EXTERNAL_DATA -> {
                    external = true;
                    r.skip();
                }
                case TENSOR_DATA_LOCATION -> external |= r.int32("data_location") == 1;
                default -> r.skip();
            }
        }
        return new Tensor(name, dims.toArray(), dataType, floatData.toArray(), int64Data.toArray(), raw, external, offset);
    }

    private static ValueInfo valueInfo(ProtoReader r) throws OnnxFormatException {
        long offset = r.fieldOffset();
        String name = "";
        int elemType = 0;
        List<Dim> shape = null;
        ProtoReader type = null;
        while (r.next()) {
            if (r.field() == VALUE_INFO_NAME) {
                name = r.string("name");
            } else if (r.field() == VALUE_INFO_TYPE) {
                once(r, type, "type");
                type = r.message("type");
                ProtoReader tensorType = null;
                while (type.next()) {
                    if (type.field() != TYPE_TENSOR_TYPE) {
                        type.skip();
                        continue;
                    }
                    once(type, tensorType, "tensor_type");
                    tensorType = type.message("tensor_type");
                    while (tensorType.next()) {
                        switch (tensorType.field()) {
                            case TENSOR_TYPE_ELEM_TYPE -> elemType = tensorType.int32("elem_type");
                            case TENSOR_TYPE_SHAPE -> {
                                once(tensorType, shape, "shape");
                                shape = shape(tensorType.message("shape"));
                            }
                            default -> tensorType.skip();
                        }
                    }
                }
            } else {
                r.skip();
            }
        }
        return new ValueInfo(name, elemType, shape, offset);
    }

    private static List<Dim> shape(ProtoReader r) throws OnnxFormatException {
        List<Dim> dims = new ArrayList<>();
        while (r.next()) {
            if (r.field() != SHAPE_DIM) {
                r.skip();
                continue;
            }
            r.limit(dims.size(), MAX_DIMS, "dimensions");
            ProtoReader dim = r.message("dim[" + dims.size() + "]");
            long value = -1;
            String param = "";
            while (dim.next()) {
                switch (dim.field()) {
                    case DIM_VALUE -> value = dim.int64("dim_value");
                    case DIM_PARAM -> param = dim.string("dim_param");
                    default -> dim.skip();
                }
            }
            dims.add(new Dim(value, param));
        }
        return dims;
    }

    // ------------------------------------------------------------------------------------ encoding

    static byte[] encode(Model model) {
        ProtoWriter w = new ProtoWriter().int64(MODEL_IR_VERSION, model.irVersion());
        if (!model.producerName().isEmpty()) {
            w.string(MODEL_PRODUCER_NAME, model.producerName());
        }
        if (!model.producerVersion().isEmpty()) {
            w.string(MODEL_PRODUCER_VERSION, model.producerVersion());
        }
        if (!model.docString().isEmpty()) {
            w.string(MODEL_DOC_STRING, model.docString());
        }
        w.message(MODEL_GRAPH, graph(model.graph()));
        for (OpsetId opset : model.opsets()) {
            w.message(MODEL_OPSET_IMPORT, new ProtoWriter().string(OPSET_DOMAIN, opset.domain())
                    .int64(OPSET_VERSION, opset.version()));
        }
        for (Entry e : model.metadata()) {
            w.message(MODEL_METADATA_PROPS, new ProtoWriter().string(ENTRY_KEY, e.key()).string(ENTRY_VALUE, e.value()));
        }
        return w.toByteArray();
    }

    private static ProtoWriter graph(Graph graph) {
        ProtoWriter w = new ProtoWriter();
        for (Node node : graph.nodes()) {
            w.message(GRAPH_NODE, node(node));
        }
        w.string(GRAPH_NAME, graph.name());
        for (Tensor t : graph.initializers()) {
            w.message(GRAPH_INITIALIZER, tensor(t));
        }
        for (ValueInfo v : graph.inputs()) {
            w.message(GRAPH_INPUT, valueInfo(v));
        }
        for (ValueInfo v : graph.outputs()) {
            w.message(GRAPH_OUTPUT, valueInfo(v));
        }
        return w;
    }

    private static ProtoWriter node(Node node) {
        ProtoWriter w = new ProtoWriter();
        for (String input : node.inputs()) {
            w.string(NODE_INPUT, input);
        }
        for (String output : node.outputs()) {
            w.string(NODE_OUTPUT, output);
        }
        w.string(NODE_NAME, node.name()).string(NODE_OP_TYPE, node.opType());
        for (Attribute a : node.attributes()) {
            w.message(NODE_ATTRIBUTE, attribute(a));
        }
        if (!node.domain().isEmpty()) {
            w.string(NODE_DOMAIN, node.domain());
        }
        return w;
    }

    private static ProtoWriter attribute(Attribute a) {
        ProtoWriter w = new ProtoWriter().string(ATTRIBUTE_NAME, a.name());
        switch (a.type()) {
            case ATTRIBUTE_TYPE_FLOAT -> w.float32(ATTRIBUTE_F, a.f());
            case ATTRIBUTE_TYPE_INT -> w.int64(ATTRIBUTE_I, a.i());
            case ATTRIBUTE_TYPE_TENSOR -> w.message(ATTRIBUTE_T, tensor(a.t()));
            case ATTRIBUTE_TYPE_FLOATS -> w.packedFloats(ATTRIBUTE_FLOATS, a.floats());
            case ATTRIBUTE_TYPE_INTS -> w.packedInt64s(ATTRIBUTE_INTS, a.ints());
            default -> throw new IllegalArgumentException("attribute type " + a.type() + " is not written");
        }
        return w.int64(ATTRIBUTE_TYPE, a.type());
    }

    private static ProtoWriter tensor(Tensor t) {
        ProtoWriter w = new ProtoWriter();
        if (t.dims().length > 0) {
            w.packedInt64s(TENSOR_DIMS, t.dims());
        }
        w.int64(TENSOR_DATA_TYPE, t.dataType());
        if (t.floatData().length > 0) {
            w.packedFloats(TENSOR_FLOAT_DATA, t.floatData());
        }
        if (t.int64Data().length > 0) {
            w.packedInt64s(TENSOR_INT64_DATA, t.int64Data());
        }
        w.string(TENSOR_NAME, t.name());
        if (t.rawData() != null) {
            w.bytes(TENSOR_RAW_DATA, t.rawData());
        }
        if (t.external()) {
            w.int64(TENSOR_DATA_LOCATION, 1);
        }
        return w;
    }

    private static ProtoWriter valueInfo(ValueInfo v) {
        ProtoWriter tensorType = new ProtoWriter().int64(TENSOR_TYPE_ELEM_TYPE, v.elemType());
        if (v.shape() != null) {
            ProtoWriter shape = new ProtoWriter();
            for (Dim d : v.shape()) {
                ProtoWriter dim = new ProtoWriter();
                if (d.value() >= 0) {
                    dim.int64(DIM_VALUE, d.value());
                } else {
                    dim.string(DIM_PARAM, d.param());
                }
                shape.message(SHAPE_DIM, dim);
            }
            tensorType.message(TENSOR_TYPE_SHAPE, shape);
        }
        return new ProtoWriter().string(VALUE_INFO_NAME, v.name())
                .message(VALUE_INFO_TYPE, new ProtoWriter().message(TYPE_TENSOR_TYPE, tensorType));
    }
}
