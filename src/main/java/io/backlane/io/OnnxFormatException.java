package io.backlane.io;

/**
 * An ONNX file that backlane cannot read as a {@link io.backlane.nn.Model}: bytes that are not a
 * well-formed ONNX {@code ModelProto} (cut short, a length or varint running past its message, a
 * wrong wire type, malformed UTF-8, a tensor whose data does not match its shape), or a well-formed
 * graph that is not a chain of dense layers backlane can represent exactly (an unsupported operator,
 * attribute or opset, a branch, a weight of the wrong shape or type, a non-finite weight). The
 * message names the source, the field path or the node, and {@link #offset()} the byte offset where
 * the problem was found (see {@code docs/onnx.md}).
 *
 * <pre>{@code
 * try {
 *     Model model = OnnxReader.load(Path.of("mlp.onnx"));
 * } catch (OnnxFormatException e) {
 *     // "mlp.onnx: node 'conv1' (Conv): operator Conv is not supported; supported: Gemm, MatMul, ..."
 * }
 * }</pre>
 */
public final class OnnxFormatException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    OnnxFormatException(String source, long offset, String detail) {
        super(source, offset, detail);
    }
}
