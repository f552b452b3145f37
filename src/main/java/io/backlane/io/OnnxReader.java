package io.backlane.io;

import io.backlane.nn.Loss;
import io.backlane.nn.Model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;

/**
 * Reads an ONNX model file ({@code ModelProto}) into a {@link Model}, when its graph is a chain of
 * dense layers with activations, as {@code torch.onnx.export} writes for an {@code nn.Sequential} of
 * {@code Linear} layers and activations, and as {@link OnnxWriter} writes. The decoder is the
 * library's own (no protobuf dependency) and treats the bytes as hostile: every length is checked
 * against the bytes present before anything is allocated, every repeated field is capped, what is
 * decoded is charged against a budget proportional to the file's size, and any malformed input is an
 * {@link OnnxFormatException} naming the field or node and the byte offset.
 *
 * <p>Supported ({@code docs/onnx.md} has the details): opsets 9 to 21 of the default domain;
 * {@code Gemm} (alpha, beta, transB; not transA), {@code MatMul} followed by a bias {@code Add},
 * {@code Relu}, {@code LeakyRelu} (alpha in [0, 1)), {@code Sigmoid}, {@code Tanh}, {@code Softmax}
 * over the last axis (with each opset's own axis semantics), {@code Identity}, {@code Flatten} and
 * {@code Reshape} where they only make the input rank 2, {@code Constant} nodes, and constant
 * {@code Sub}/{@code Div}/{@code Mul}/{@code Add} at the input (folded into the feature scaler) and
 * after the last layer (folded into a regression model's target scaler). Anything else is refused
 * with an error naming the operator, the node and the supported list; nothing is approximated.
 *
 * <p>The imported model's loss follows its output activation (softmax: categorical cross-entropy;
 * sigmoid: binary cross-entropy; anything else: squared error) unless the file's metadata or the
 * options say otherwise. Its class labels and feature names come from the options, else from the
 * file's {@code metadata_props} (as {@link OnnxWriter} writes them), else the defaults: for a
 * softmax or single sigmoid output without output scaling, the labels {@code "0"}, {@code "1"}, ...;
 * otherwise a regression model; features {@code x0}, {@code x1}, ...
 *
 * <pre>{@code
 * Model model = OnnxReader.load(Path.of("mlp.onnx"),
 *         OnnxReader.Options.defaults().withClassLabels(List.of("cat", "dog", "bird")));
 * Predictor predictor = Predictor.of(model);
 * }</pre>
 *
 * <p>Thread-safe: it has no state.
 */
public final class OnnxReader {
    private OnnxReader() {
    }

    /**
     * What the file may not say about the model: class labels, feature names and the loss. Each
     * given option overrides what the file says. Immutable; start from {@link #defaults()}.
     */
    public static final class Options {
        private static final Options DEFAULTS = new Options(null, null, null);

        private final List<String> classLabels;
        private final List<String> featureNames;
        private final Loss loss;

        private Options(List<String> classLabels, List<String> featureNames, Loss loss) {
            this.classLabels = classLabels;
            this.featureNames = featureNames;
            this.loss = loss;
        }

        /** No overrides: everything from the file, or the defaults. */
        public static Options defaults() {
            return DEFAULTS;
        }

        /**
         * These class labels, by output index (for a single sigmoid output, the names of class 0 and
         * class 1); an empty list makes the model a regression model.
         */
        public Options withClassLabels(List<String> labels) {
            return new Options(copy(labels, "labels"), featureNames, loss);
        }

        /** These feature names, one per input, in input order. */
        public Options withFeatureNames(List<String> names) {
            return new Options(classLabels, copy(names, "names"), loss);
        }

        /** This loss (for fine-tuning) instead of the one the output activation implies. */
        public Options withLoss(Loss loss) {
            if (loss == null) {
                throw new IllegalArgumentException("loss must not be null");
            }
            return new Options(classLabels, featureNames, loss);
        }

        /** The class labels given, or null to take them from the file. */
        List<String> classLabels() {
            return classLabels;
        }

        /** The feature names given, or null to take them from the file. */
        List<String> featureNames() {
            return featureNames;
        }

        /** The loss given, or null for the file's or the default. */
        Loss loss() {
            return loss;
        }

        private static List<String> copy(List<String> values, String what) {
            if (values == null) {
                throw new IllegalArgumentException(what + " must not be null");
            }
            for (String v : values) {   // not values.contains(null): immutable lists throw on it
                if (v == null) {
                    throw new IllegalArgumentException(what + " must not hold null: " + values);
                }
            }
            return List.copyOf(values);
        }
    }

    /** Reads the ONNX file at {@code path}, with the defaults for what the file does not say. */
    public static Model load(Path path) throws IOException {
        return load(path, Options.defaults());
    }

    /**
     * Reads the ONNX file at {@code path}. The file is read whole (at most 2 GiB, protobuf's limit):
     * a regular file into one array of its size, checked first; a pipe or device as its bytes arrive.
     *
     * @throws OnnxFormatException      if the file is not an ONNX model backlane can represent
     * @throws IOException              if the file cannot be read (missing, a directory, no permission)
     * @throws IllegalArgumentException if an option does not fit the model (a wrong number of labels
     *                                  or names, or a loss the output activation does not allow)
     */
    public static Model load(Path path, Options options) throws IOException {
        if (path == null || options == null) {
            throw new IllegalArgumentException("path and options must not be null");
        }
        String source = path.toString();
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        byte[] bytes = attributes.isRegularFile() ? readRegularFile(path, attributes.size(), source)
                : readStream(path, source);
        return read(bytes, source, options);
    }

    /** A regular file's bytes, read straight into an array of its size: the file is held once, not copied. */
    private static byte[] readRegularFile(Path path, long size, String source) throws IOException {
        if (size > ModelFormat.MAX_FILE_BYTES) {
            throw tooLarge(source);
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = new byte[(int) size];
            int n = in.readNBytes(bytes, 0, bytes.length);
            if (n < bytes.length) {
                return Arrays.copyOf(bytes, n);   // it shrank since its size was read
            }
            // Usually nothing is left; a file that grew meanwhile, or a pseudo-file whose size reads 0
            // (under /proc), is read on as a stream.
            return readRest(in, bytes, source);
        }
    }

    /** A pipe's or device's bytes, which have no size to check first. */
    private static byte[] readStream(Path path, String source) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            // Its first byte must start a protobuf field (a field number above 0, a wire type ONNX uses),
            // which refuses /dev/zero at once; beyond that, readRest grows its buffer only as bytes
            // arrive, so memory follows what the input holds.
            int first = in.read();
            if (first < 0) {
                return new byte[0];
            }
            if (first >> 3 == 0 || (first & 7) > 2 && (first & 7) != ProtoReader.FIXED32) {
                throw new OnnxFormatException(source, 0, "model: the first byte 0x" + Integer.toHexString(first)
                        + " does not start a protobuf field: not an ONNX model");
            }
            return readRest(in, new byte[]{(byte) first}, source);
        }
    }

    /**
     * {@code head}, then what {@code in} still holds, up to the file size limit, in one buffer that
     * doubles as bytes arrive: at most about twice the input is held at once. An input that outgrows
     * the heap (a pipe that never ends) is refused with a message, not an OutOfMemoryError: the
     * allocation that fails is this buffer's next size, and the old one is then let go.
     */
    private static byte[] readRest(InputStream in, byte[] head, String source) throws IOException {
        byte[] buffer = head;
        int length = head.length;
        try {
            while (true) {
                if (length == buffer.length) { // full: grow only if another byte comes
                    int next = in.read();
                    if (next < 0) {
                        return buffer;
                    }
                    if (length == ModelFormat.MAX_FILE_BYTES) {
                        throw tooLarge(source);
                    }
                    buffer = Arrays.copyOf(buffer, (int) Math.min(ModelFormat.MAX_FILE_BYTES, Math.max(8192L, 2L * length)));
                    buffer[length++] = (byte) next;
                }
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
                }
                length += n;
            }
        } catch (OutOfMemoryError e) {
            throw new OnnxFormatException(source, -1, "the input goes on past " + length + " bytes, more than this"
                    + " JVM's heap can hold while it is read (an ONNX file is read whole)");
        }
    }

    /** Reads an ONNX model from the complete file contents {@code bytes}, with the defaults for what it does not say. */
    public static Model read(byte[] bytes, String source) throws OnnxFormatException {
        return read(bytes, source, Options.defaults());
    }

    /**
     * Reads an ONNX model from the complete file contents {@code bytes} (not modified).
     *
     * @param source how error messages name the data (null: {@code <bytes>})
     * @throws OnnxFormatException      if the bytes are not an ONNX model backlane can represent
     * @throws IllegalArgumentException if an option does not fit the model
     */
    public static Model read(byte[] bytes, String source, Options options) throws OnnxFormatException {
        if (bytes == null || options == null) {
            throw new IllegalArgumentException("bytes and options must not be null");
        }
        String src = source == null ? "<bytes>" : source;
        if (bytes.length > ModelFormat.MAX_FILE_BYTES) {
            throw tooLarge(src);
        }
        if (ModelFormat.hasMagic(bytes)) {
            throw new OnnxFormatException(src, 0, "this is a backlane model file (.bkln), not ONNX; read it with"
                    + " ModelReader");
        }
        return new OnnxImport(OnnxProto.decode(bytes, src), src, options).model();
    }

    private static OnnxFormatException tooLarge(String source) {
        return new OnnxFormatException(source, -1, "the file is larger than " + ModelFormat.MAX_FILE_BYTES
                + " bytes, more than a protobuf message can hold");
    }
}
