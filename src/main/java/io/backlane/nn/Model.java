package io.backlane.nn;

import io.backlane.kernel.Kernels;
import io.backlane.kernel.PackedWeights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained network, ready to predict on raw inputs and to be saved: the network, a snapshot of its
 * parameters, the feature transform fitted on the training data, the class labels (empty for
 * regression), and what a service needs to check its inputs and to say which model answered: the
 * feature names, for regression the transform of the targets, creation metadata, and an
 * {@link #id()} computed from the content. The unit that model files store and that predictors serve.
 *
 * <p>Immutable: the constructor copies the parameters, so training may go on writing its own
 * {@link Parameters} while this model serves, and no reader ever sees a half-updated weight. The
 * {@code with...} methods return a new model that shares this one's parameters.
 *
 * <pre>{@code
 * Model model = new Model(params, scaler, List.of("benign", "malignant"))   // a snapshot of params
 *         .withFeatureNames(data.featureNames());
 * trainer.fit(moreExamples);                                                  // model is unchanged
 * }</pre>
 */
public final class Model {
    private final Network network;
    final float[] theta;                    // (P) the parameters' snapshot, never written after construction
    private final FeatureScaler scaler;     // (n[0]) raw features → network inputs
    private final List<String> classLabels; // by class index; empty for regression
    private final List<String> featureNames;  // (n[0]) distinct
    private final FeatureScaler targetScaler; // (n[L]) network outputs → target units, by its inverse
    private final Map<String, String> metadata;
    private String id;                      // computed on first use (a benign race: same value)
    private volatile PackedLayers packed;   // theta's weights packed for the kernels that predict, on first use

    /**
     * A model of a copy of {@code parameters}, with features named {@code x0, x1, ...}, outputs in
     * the network's own units, and no metadata.
     *
     * @param parameters  the trained values; copied
     * @param scaler      the input transform, of the network's input width
     *                    ({@link FeatureScaler#identity} when there is none)
     * @param classLabels class names by class index for classification (for a single sigmoid output,
     *                    the names of class 0 and class 1); empty for regression
     */
    public Model(Parameters parameters, FeatureScaler scaler, List<String> classLabels) {
        this(requireParameters(parameters).network(), parameters.values().clone(), scaler, classLabels,
                defaultNames(parameters.network().inputWidth()),
                FeatureScaler.identity(parameters.network().outputWidth()), Map.of());
    }

    private Model(Network network, float[] theta, FeatureScaler scaler, List<String> classLabels,
                  List<String> featureNames, FeatureScaler targetScaler, Map<String, String> metadata) {
        if (scaler == null || classLabels == null) {
            throw new IllegalArgumentException("scaler and classLabels must not be null");
        }
        this.network = network;
        if (scaler.width() != network.inputWidth()) {
            throw new IllegalArgumentException("scaler has " + scaler.width() + " features but the network expects "
                    + network.inputWidth());
        }
        this.classLabels = copyOfStrings(classLabels, "class labels");
        if (!this.classLabels.isEmpty()) {
            int expected = network.outputWidth() == 1 ? 2 : network.outputWidth();
            if (this.classLabels.size() != expected) {
                throw new IllegalArgumentException(this.classLabels.size() + " class labels for a network with "
                        + network.outputWidth() + " outputs; expected " + expected);
            }
        }
        this.theta = theta;
        this.scaler = scaler;
        this.featureNames = copyOfStrings(featureNames, "feature names");
        if (this.featureNames.size() != network.inputWidth()) {
            throw new IllegalArgumentException(this.featureNames.size() + " feature names for a network with "
                    + network.inputWidth() + " inputs");
        }
        if (new HashSet<>(this.featureNames).size() != this.featureNames.size()) {
            throw new IllegalArgumentException("feature names must be distinct: " + this.featureNames);
        }
        if (targetScaler == null || targetScaler.width() != network.outputWidth()) {
            throw new IllegalArgumentException("the target scaler must have the network's " + network.outputWidth()
                    + " outputs, got " + (targetScaler == null ? "null" : targetScaler.width()));
        }
        float[] targetScales = targetScaler.scale();
        for (int j = 0; j < targetScales.length; j++) {
            if (targetScales[j] == 0f) {
                throw new IllegalArgumentException("the target scaler's scale " + j + " is 0; predictions are divided"
                        + " by it");
            }
        }
        if (!classLabels.isEmpty() && !targetScaler.isIdentity()) {
            throw new IllegalArgumentException("a classifier's outputs are probabilities: only a regression model has"
                    + " a target scaler");
        }
        this.targetScaler = targetScaler;
        if (metadata == null) {
            throw new IllegalArgumentException("metadata must not be null");
        }
        Map<String, String> m = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new IllegalArgumentException("metadata keys and values must not be null: " + metadata);
            }
            m.put(k, v);
        });
        this.metadata = Collections.unmodifiableMap(m);
    }

    private static Parameters requireParameters(Parameters parameters) {
        if (parameters == null) {
            throw new IllegalArgumentException("parameters must not be null");
        }
        return parameters;
    }

    private static List<String> defaultNames(int width) {
        List<String> names = new ArrayList<>(width);
        for (int j = 0; j < width; j++) {
            names.add("x" + j);
        }
        return names;
    }

    private static List<String> copyOfStrings(List<String> values, String what) {
        if (values == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        for (String v : values) {
            if (v == null) {
                throw new IllegalArgumentException(what + " must not be null: " + values);
            }
        }
        return List.copyOf(values);
    }

    /** This model with its features named (for example a CSV file's header); one distinct name per input. */
    public Model withFeatureNames(List<String> names) {
        return new Model(network, theta, scaler, classLabels, names, targetScaler, metadata);
    }

    /**
     * This regression model with the transform its targets were trained in (for example
     * standardized): predictions are mapped back through its inverse, into the targets' units.
     */
    public Model withTargetScaler(FeatureScaler targetScaler) {
        return new Model(network, theta, scaler, classLabels, featureNames, targetScaler, metadata);
    }

    /**
     * The weights packed for {@code k}'s forward product, W[l] at index l − 1: made on the first
     * prediction (or {@code warmUp}), then shared by every prediction with this model. (A benign race:
     * two threads may both pack, and either result serves.)
     */
    PackedWeights[] packedWeights(Kernels k) {
        PackedLayers p = packed;
        if (p == null || p.kernels() != k) {
            PackedWeights[] layers = new PackedWeights[network.layerCount()];
            for (int l = 1; l <= layers.length; l++) {
                layers[l - 1] = k.packWeights(network.width(l), network.width(l - 1), theta, network.weightOffset(l));
            }
            p = new PackedLayers(k, layers);
            packed = p;
        }
        return p.layers();
    }

    private record PackedLayers(Kernels kernels, PackedWeights[] layers) {
    }

    /** This model with {@code metadata} (for example the backlane version, the time, the training command). */
    public Model withMetadata(Map<String, String> metadata) {
        return new Model(network, theta, scaler, classLabels, featureNames, targetScaler, metadata);
    }

    public Network network() {
        return network;
    }

    /** A fresh copy of the parameters (allocates): to save, inspect, or train further. */
    public Parameters parameters() {
        return new Parameters(network, theta);
    }

    /** The input transform. */
    public FeatureScaler scaler() {
        return scaler;
    }

    /** Class names by class index; empty for regression. */
    public List<String> classLabels() {
        return classLabels;
    }

    /** Whether the model predicts classes (it has class labels). */
    public boolean isClassifier() {
        return !classLabels.isEmpty();
    }

    /** The names of the n[0] input features, in input order. */
    public List<String> featureNames() {
        return featureNames;
    }

    /** The transform the targets were trained in; its inverse maps outputs to target units (identity when none). */
    public FeatureScaler targetScaler() {
        return targetScaler;
    }

    /** Creation metadata, in insertion order (empty when none); not part of the {@link #id()}. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The model's identity: 32 hex digits of a SHA-256 of everything that decides a prediction
     * (architecture, parameters, both scalers, class labels and feature names; not the metadata). Two
     * models with the same id answer every input alike; a retrained model gets a new id.
     */
    public String id() {
        String s = id;
        if (s == null) {
            s = computeId();
            id = s;
        }
        return s;
    }

    /**
     * SHA-256 of a canonical binary form (docs/model-format.md, "Section 7: model id"): raw bits and
     * length-prefixed UTF-8 only, so that a reader in any language can compute it.
     */
    private String computeId() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        string(sha, b, "backlane model id 1");
        u32(sha, b, network.inputWidth());
        u32(sha, b, network.layerCount());
        for (int l = 1; l <= network.layerCount(); l++) {
            Layer layer = network.layer(l);
            u32(sha, b, layer.width());
            string(sha, b, layer.activation().name());
            u32(sha, b, Float.floatToRawIntBits(layer.slope()));
        }
        string(sha, b, network.loss().name());
        ByteBuffer floats = ByteBuffer.allocate(4 * theta.length).order(ByteOrder.LITTLE_ENDIAN);
        floats.asFloatBuffer().put(theta);
        sha.update(floats.array());
        for (FeatureScaler f : new FeatureScaler[] {scaler, targetScaler}) {
            string(sha, b, f.kind().name());
            u32(sha, b, f.width());
            for (float[] values : new float[][] {f.shift(), f.scale()}) {
                for (float v : values) {
                    u32(sha, b, Float.floatToRawIntBits(v));
                }
            }
        }
        for (List<String> strings : List.of(classLabels, featureNames)) {
            u32(sha, b, strings.size());
            for (String v : strings) {
                string(sha, b, v);
            }
        }
        byte[] digest = sha.digest();
        StringBuilder hex = new StringBuilder(32);
        for (int i = 0; i < 16; i++) {
            hex.append(Character.forDigit((digest[i] >> 4) & 0xF, 16)).append(Character.forDigit(digest[i] & 0xF, 16));
        }
        return hex.toString();
    }

    private static void u32(MessageDigest sha, ByteBuffer b, int value) {
        b.clear();
        sha.update(b.putInt(value).array(), 0, 4);
    }

    /** A string as its UTF-8 byte length (u32, little-endian) and its UTF-8 bytes. */
    private static void string(MessageDigest sha, ByteBuffer b, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        u32(sha, b, utf8.length);
        sha.update(utf8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Model m && m.network.equals(network) && Arrays.equals(m.theta, theta)
                && m.scaler.equals(scaler) && m.classLabels.equals(classLabels) && m.featureNames.equals(featureNames)
                && m.targetScaler.equals(targetScaler) && m.metadata.equals(metadata);
    }

    @Override
    public int hashCode() {
        return ((network.hashCode() * 31 + Arrays.hashCode(theta)) * 31 + scaler.hashCode()) * 31 + classLabels.hashCode();
    }

    @Override
    public String toString() {
        return "Model[" + network + (isClassifier() ? ", classes " + classLabels : ", regression") + ", "
                + scaler.kind().name().toLowerCase(java.util.Locale.ROOT) + " scaling, id " + id() + "]";
    }
}
