package io.backlane.io;

import io.backlane.nn.Model;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Well-formed protobuf, wrong graphs: seeded mutations of the decoded messages (operators swapped,
 * inputs dropped, added or renamed, attributes retyped or renamed, shapes and data types changed,
 * initializers dropped, opsets moved, the graph input reshaped, metadata rewritten), encoded again. Byte-level fuzzing rarely gets past the decoder
 * to these; each must load or fail with {@link OnnxFormatException}, never another exception.
 */
class OnnxGraphFuzzTest {
    private static final long SEED = 20240611L;
    private static final int CASES = 3000;
    private static final String[] OPS = {"Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "LeakyRelu", "Sigmoid",
            "Tanh", "Softmax", "Identity", "Flatten", "Reshape", "Constant", "Conv"};
    private static final long[] DIMS = {-1, 0, 1, 2, 3, 4, 5, 1L << 31, 1L << 40, Long.MAX_VALUE};

    @Test
    void mutatedGraphsLoadOrFailAsDocumented() throws Exception {
        List<OnnxProto.Model> goods = new ArrayList<>();
        for (Model m : OnnxTestModels.all().values()) {
            goods.add(OnnxProto.decode(OnnxWriter.toBytes(m, 13), "good"));
        }
        for (String name : OnnxPyTorchFixturesTest.fixtureNames()) {
            goods.add(OnnxProto.decode(OnnxPyTorchFixturesTest.resource(name + ".onnx"), name));
        }
        for (int i = 0; i < CASES; i++) {
            SplittableRandom r = new SplittableRandom(SEED + i);
            OnnxProto.Model good = goods.get(i % goods.size());
            OnnxProto.Model bad = mutate(good, r, 1 + r.nextInt(3));
            byte[] bytes = OnnxProto.encode(bad);
            try {
                OnnxReader.read(bytes, "case");
            } catch (OnnxFormatException expected) {
                // documented
            } catch (Throwable t) {
                throw new AssertionError("graph case " + i + " (seed " + (SEED + i) + "): expected OnnxFormatException"
                        + " or success, got " + t, t);
            }
        }
    }

    private static OnnxProto.Model mutate(OnnxProto.Model m, SplittableRandom r, int times) {
        OnnxProto.Graph g = m.graph();
        List<OnnxProto.Node> nodes = new ArrayList<>(g.nodes());
        List<OnnxProto.Tensor> inits = new ArrayList<>(g.initializers());
        List<OnnxProto.OpsetId> opsets = m.opsets();
        List<OnnxProto.ValueInfo> inputs = g.inputs();
        List<OnnxProto.Entry> metadata = new ArrayList<>(m.metadata());
        for (int t = 0; t < times; t++) {
            int k = nodes.isEmpty() ? 0 : r.nextInt(nodes.size());
            switch (r.nextInt(11)) {
                case 9 -> {   // the input with another shape or element type
                    OnnxProto.ValueInfo v = inputs.get(0);
                    List<OnnxProto.Dim> shape = new ArrayList<>();
                    for (int d = r.nextInt(5); d > 0; d--) {
                        shape.add(r.nextInt(4) == 0 ? new OnnxProto.Dim(-1, "n") : new OnnxProto.Dim(DIMS[r.nextInt(DIMS.length)], ""));
                    }
                    inputs = List.of(new OnnxProto.ValueInfo(v.name(), r.nextInt(4) == 0 ? r.nextInt(12) : v.elemType(),
                            r.nextInt(5) == 0 ? null : shape, -1));
                }
                case 10 -> {   // one of our metadata keys with another value
                    String[] keys = {"backlane.class_labels", "backlane.feature_names", "backlane.loss",
                            "backlane.scaler_kind", "backlane.target_scaler_kind"};
                    String[] values = {"[]", "[\"a\"]", "[\"a\", \"a\"]", "[\"a\", \"b\", \"c\", \"d\"]", "NONE",
                            "MEAN_SQUARED_ERROR", "BINARY_CROSS_ENTROPY", "CATEGORICAL_CROSS_ENTROPY", "[", "\"x\"", ""};
                    metadata.add(new OnnxProto.Entry(keys[r.nextInt(keys.length)], values[r.nextInt(values.length)]));
                }
                case 0 -> {   // another operator
                    if (!nodes.isEmpty()) {
                        OnnxProto.Node n = nodes.get(k);
                        nodes.set(k, node(n, OPS[r.nextInt(OPS.length)], n.inputs(), n.attributes()));
                    }
                }
                case 1 -> {   // an input dropped, repeated, emptied or renamed
                    if (!nodes.isEmpty() && !nodes.get(k).inputs().isEmpty()) {
                        OnnxProto.Node n = nodes.get(k);
                        List<String> in = new ArrayList<>(n.inputs());
                        int j = r.nextInt(in.size());
                        switch (r.nextInt(4)) {
                            case 0 -> in.remove(j);
                            case 1 -> in.add(in.get(j));
                            case 2 -> in.set(j, "");
                            default -> in.set(j, inits.isEmpty() ? "nowhere" : inits.get(r.nextInt(inits.size())).name());
                        }
                        nodes.set(k, node(n, n.opType(), in, n.attributes()));
                    }
                }
                case 2 -> {   // an attribute retyped, renamed or given an odd value
                    if (!nodes.isEmpty()) {
                        OnnxProto.Node n = nodes.get(k);
                        List<OnnxProto.Attribute> attributes = new ArrayList<>(n.attributes());
                        String[] names = {"alpha", "beta", "transA", "transB", "axis", "allowzero", "value"};
                        String name = names[r.nextInt(names.length)];
                        attributes.add(switch (r.nextInt(3)) {
                            case 0 -> OnnxProto.Attribute.ofInt(name, r.nextInt(5) - 2);
                            case 1 -> OnnxProto.Attribute.ofFloat(name, (float) r.nextDouble(-2, 2));
                            default -> OnnxProto.Attribute.ofTensor(name, OnnxProto.Tensor.ofFloats("", new long[]{1},
                                    new float[]{1}));
                        });
                        nodes.set(k, node(n, n.opType(), n.inputs(), attributes));
                    }
                }
                case 3 -> {   // a node dropped or repeated
                    if (!nodes.isEmpty()) {
                        if (r.nextBoolean()) {
                            nodes.remove(k);
                        } else {
                            nodes.add(k, nodes.get(k));
                        }
                    }
                }
                case 4 -> {   // an initializer dropped
                    if (!inits.isEmpty()) {
                        inits.remove(r.nextInt(inits.size()));
                    }
                }
                case 5 -> {   // an initializer with other dims
                    if (!inits.isEmpty()) {
                        int j = r.nextInt(inits.size());
                        OnnxProto.Tensor x = inits.get(j);
                        long[] dims = new long[r.nextInt(4)];
                        for (int d = 0; d < dims.length; d++) {
                            dims[d] = DIMS[r.nextInt(DIMS.length)];
                        }
                        inits.set(j, new OnnxProto.Tensor(x.name(), dims, x.dataType(), x.floatData(), x.int64Data(),
                                x.rawData(), x.external(), -1));
                    }
                }
                case 6 -> {   // an initializer of another data type
                    if (!inits.isEmpty()) {
                        int j = r.nextInt(inits.size());
                        OnnxProto.Tensor x = inits.get(j);
                        inits.set(j, new OnnxProto.Tensor(x.name(), x.dims(), r.nextInt(17), x.floatData(),
                                x.int64Data(), x.rawData(), x.external(), -1));
                    }
                }
                case 7 -> opsets = List.of(new OnnxProto.OpsetId("", 7 + r.nextInt(17)));
                default -> {   // two nodes swapped
                    if (nodes.size() > 1) {
                        int j = r.nextInt(nodes.size());
                        OnnxProto.Node n = nodes.get(k);
                        nodes.set(k, nodes.get(j));
                        nodes.set(j, n);
                    }
                }
            }
        }
        return new OnnxProto.Model(m.irVersion(), opsets, m.producerName(), m.producerVersion(), m.docString(),
                new OnnxProto.Graph(g.name(), nodes, inits, inputs, g.outputs(), -1), metadata);
    }

    private static OnnxProto.Node node(OnnxProto.Node n, String op, List<String> inputs,
                                       List<OnnxProto.Attribute> attributes) {
        return new OnnxProto.Node(n.name(), op, n.domain(), inputs, n.outputs(), attributes, -1);
    }
}
