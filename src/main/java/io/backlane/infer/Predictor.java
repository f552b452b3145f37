package io.backlane.infer;

import io.backlane.kernel.Kernels;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Forward;
import io.backlane.nn.ForwardState;
import io.backlane.nn.Model;
import io.backlane.nn.Network;

/**
 * Predicts with a {@link Model}: applies the model's feature transform to raw inputs, runs the
 * forward pass, and returns the output activations (class probabilities for classifiers), the
 * predicted class, or its label.
 *
 * <p>A predictor owns its buffers (one {@link ForwardState}) and belongs to one thread; make one
 * per serving thread (they are cheap). Many predictors share one model, which is immutable. Once a
 * predictor has served a model of a given shape, every method allocates nothing.
 *
 * <pre>{@code
 * Predictor predictor = Predictor.of(model);
 * String label = predictor.predictLabel(features);        // a classifier: its class label
 * float[] out = new float[model.network().outputWidth()];
 * predictor.predict(features, out);                        // the output activations
 * }</pre>
 */
public final class Predictor {
    private final ServingModel source;
    private final int maxBatch;
    private final Kernels k = Kernels.get();

    private ForwardState state; // sized for the network of the last model served
    private float[] classScratch = new float[0]; // (n[L]) outputs for predictClass

    Predictor(ServingModel source, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.source = source;
        this.maxBatch = maxBatch;
    }

    /** A predictor for a fixed model. */
    public static Predictor of(Model model) {
        return new ServingModel(model).newPredictor();
    }

    /** The model this predictor uses now. */
    public Model model() {
        return source.current();
    }

    /** The state for {@code net}: kept while the served network keeps its shape, else made anew. */
    private ForwardState stateFor(Network net) {
        if (state == null || !state.network().equals(net)) {
            state = new ForwardState(net, maxBatch);
        }
        return state;
    }

    /**
     * Writes the outputs for one example: {@code input} holds n[0] raw features (before the model's
     * transform), {@code output} receives n[L] values.
     */
    public void predict(float[] input, float[] output) {
        Model model = source.current();
        requireOneExample(model, input);
        int nOut = model.network().outputWidth();
        if (output == null || output.length != nOut) {
            throw new IllegalArgumentException("output must have room for the model's " + nOut + " outputs, got "
                    + (output == null ? "null" : "length " + output.length));
        }
        predict(model, input, 0, output, 0, 1);
    }

    /**
     * Predicts {@code rows} examples: raw inputs row-major from {@code inOff}, outputs row-major
     * from {@code outOff}. Processed in chunks of this predictor's batch size.
     */
    public void predict(float[] input, int inOff, float[] output, int outOff, int rows) {
        Model model = source.current(); // one read: the whole call uses one model
        checkRows(model, "input", input, inOff, rows, model.network().inputWidth());
        checkRows(model, "output", output, outOff, rows, model.network().outputWidth());
        predict(model, input, inOff, output, outOff, rows);
    }

    private void predict(Model model, float[] input, int inOff, float[] output, int outOff, int rows) {
        Network net = model.network();
        int nOut = net.outputWidth();
        ForwardState s = stateFor(net);
        for (int from = 0; from < rows; from += maxBatch) {
            int m = Math.min(maxBatch, rows - from);
            forward(model, s, input, inOff + from * net.inputWidth(), m);
            System.arraycopy(s.output(), 0, output, outOff + from * nOut, m * nOut);
        }
    }

    /** The model's transform of m raw rows into the state's input, then the forward pass. */
    private void forward(Model model, ForwardState s, float[] input, int inOff, int m) {
        int nIn = model.network().inputWidth();
        FeatureScaler scaler = model.scaler();
        float[] x = s.input();
        for (int i = 0; i < m; i++) {
            scaler.apply(input, inOff + i * nIn, x, i * nIn);
        }
        Forward.run(k, model, x, 0, m, s);
    }

    /**
     * The predicted class index of one example: the argmax for several outputs, or output ≥ 0.5
     * for a single sigmoid output.
     */
    public int predictClass(float[] input) {
        Model model = source.current();
        requireOneExample(model, input);
        return predictClass(model, input);
    }

    private int predictClass(Model model, float[] input) {
        int nOut = model.network().outputWidth();
        if (classScratch.length < nOut) {
            classScratch = new float[nOut];
        }
        predict(model, input, 0, classScratch, 0, 1);
        return classOf(classScratch, 0, nOut);
    }

    /**
     * The predicted class label of one example (a classifier's {@link Model#classLabels()} at
     * {@link #predictClass}), from the model that answered the call.
     *
     * @throws IllegalStateException when the model is a regression model (it has no labels)
     */
    public String predictLabel(float[] input) {
        Model model = source.current();
        requireOneExample(model, input);
        if (!model.isClassifier()) {
            throw new IllegalStateException("the model is a regression model; it has no class labels (use predict)");
        }
        return model.classLabels().get(predictClass(model, input));
    }

    /**
     * The mean data loss of the model on {@code rows} raw examples (no L2 term), computed as training
     * computes it, from the logits: inputs row-major from {@code inOff}, target rows (n[L] values
     * each, encoded as {@link io.backlane.train.Examples#of} encodes them) from {@code targetOff}.
     */
    public double meanLoss(float[] input, int inOff, float[] targets, int targetOff, int rows) {
        Model model = source.current();
        Network net = model.network();
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        checkRows(model, "input", input, inOff, rows, net.inputWidth());
        checkRows(model, "targets", targets, targetOff, rows, net.outputWidth());
        int nOut = net.outputWidth();
        ForwardState s = stateFor(net);
        double sum = 0;
        for (int from = 0; from < rows; from += maxBatch) {
            int m = Math.min(maxBatch, rows - from);
            forward(model, s, input, inOff + from * net.inputWidth(), m);
            sum += net.loss().sum(s.logits(), s.output(), targets, targetOff + from * nOut, m, nOut);
        }
        return sum / rows;
    }

    private static void requireOneExample(Model model, float[] input) {
        int nIn = model.network().inputWidth();
        if (input == null || input.length != nIn) {
            throw new IllegalArgumentException("input must hold the model's " + nIn + " features, got "
                    + (input == null ? "null" : input.length + " values"));
        }
    }

    private static void checkRows(Model model, String name, float[] a, int off, int rows, int width) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (rows < 0 || off < 0) {
            throw new IllegalArgumentException("rows and offsets must be >= 0");
        }
        if ((long) off + (long) rows * width > a.length) {
            throw new IllegalArgumentException(name + " needs " + rows + " rows of " + width + " values from offset "
                    + off + " but has length " + a.length + " (model " + model.network() + ")");
        }
    }

    /** The class index that outputs {@code out[off .. off + n)} predict. */
    public static int classOf(float[] out, int off, int n) {
        if (n == 1) {
            return out[off] >= 0.5f ? 1 : 0;
        }
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (out[off + j] > out[off + best]) {
                best = j;
            }
        }
        return best;
    }
}
