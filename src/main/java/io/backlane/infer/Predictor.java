package io.backlane.infer;

import io.backlane.kernel.Kernels;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Forward;
import io.backlane.nn.ForwardState;
import io.backlane.nn.Model;
import io.backlane.nn.Network;

/**
 * Predicts with a {@link Model}: applies the model's feature transform to raw inputs, runs the
 * forward pass, and answers with the output activations, one probability per class, the predicted
 * class or label, or the top k classes.
 *
 * <p>A predictor owns its buffers (one {@link ForwardState}) and belongs to one thread; make one
 * per serving thread (they are cheap). Many predictors share one model, which is immutable. Once a
 * predictor has served a model of a given shape, every method allocates nothing.
 *
 * <p>Inputs are checked on every call: their length, and that every feature is finite (a NaN or an
 * infinity would give NaN outputs and an arbitrary class). So are the results: finite features far
 * outside the range a model was trained on can overflow the float range inside the network, and an
 * example whose logits or outputs are then NaN or infinite is refused too, with an
 * {@link IllegalArgumentException} naming its row; its outputs and those of the rows after it are
 * not written.
 * {@link #acceptNonFinite} turns both of these checks off. A two-class model predicts class 1 when
 * its probability is at least the {@link #decisionThreshold} (0.5 by default).
 *
 * <pre>{@code
 * Predictor predictor = Predictor.of(model);
 * String label = predictor.predictLabel(features);           // a classifier: its class label
 * float[] p = new float[model.classLabels().size()];
 * predictor.probabilities(features, p);                       // one per class, also for 1 sigmoid unit
 * Prediction answer = new Prediction();                       // reused: carries the model that answered
 * predictor.predict(features, answer);
 * }</pre>
 */
public final class Predictor {
    private final ServingModel source;
    private final int maxBatch;
    private final Kernels k = Kernels.get();

    private ForwardState state; // sized for the network of the last model served
    private final Prediction scratch = new Prediction(); // for the methods that answer with one value
    // (n[L]) one example's outputs, computed here before an answer is touched: a refused prediction
    // leaves the caller's Prediction as it was, never naming one model with another's results
    private float[] oneOutput = new float[0];
    private float threshold = 0.5f;
    private boolean acceptNonFinite;

    Predictor(ServingModel source, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        int widest = source.current().network().maxWidth();
        if ((long) maxBatch * widest > Integer.MAX_VALUE - 16) { // refused now, not at every later call
            throw new IllegalArgumentException("maxBatch " + maxBatch + " x the model's widest layer (" + widest
                    + ") does not fit in one float array; use a smaller batch");
        }
        this.source = source;
        this.maxBatch = maxBatch;
    }

    /** A predictor for a fixed model. */
    public static Predictor of(Model model) {
        return new ServingModel(model).newPredictor();
    }

    /**
     * Sets the probability of class 1 from which a two-class model predicts class 1 (default 0.5):
     * lower it to catch more positives at the cost of more false alarms. Models with more classes
     * predict the most probable class whatever this is.
     */
    public Predictor decisionThreshold(float threshold) {
        if (!(threshold > 0f && threshold < 1f)) {
            throw new IllegalArgumentException("the decision threshold must be in (0, 1), got " + threshold);
        }
        this.threshold = threshold;
        return this;
    }

    /** The decision threshold of two-class models. */
    public float decisionThreshold() {
        return threshold;
    }

    /**
     * Whether features may be NaN or infinite (default false: such an input is refused with an
     * {@link IllegalArgumentException} naming the feature), and outputs with them. Accepting them
     * gives NaN outputs, as does an example that overflows inside the network, which is otherwise
     * refused naming its row.
     */
    public Predictor acceptNonFinite(boolean accept) {
        this.acceptNonFinite = accept;
        return this;
    }

    /**
     * Runs {@code calls} predictions of a zero input through this predictor's own buffers and
     * discards them, so that its buffers exist and the JIT has had the chance to compile the forward
     * pass before the first real request (C2 compiles in the background after some 10,000 calls):
     * call it before serving, and after a swap to a model of another shape. Returns this predictor.
     */
    public Predictor warmUp(int calls) {
        if (calls < 0) {
            throw new IllegalArgumentException("calls must be >= 0, got " + calls);
        }
        Model model = source.current();
        float[] x = new float[model.network().inputWidth()];
        float[] out = new float[model.network().outputWidth()];
        for (int i = 0; i < calls; i++) {
            predict(model, x, 0, out, 0, 1);
        }
        return this;
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
     * from {@code outOff}. Processed in chunks of this predictor's batch size. The two windows may be
     * the same (in place, when the model has as many outputs as inputs), but not overlap otherwise.
     */
    public void predict(float[] input, int inOff, float[] output, int outOff, int rows) {
        Model model = source.current(); // one read: the whole call uses one model
        int in = model.network().inputWidth(), out = model.network().outputWidth();
        checkRows(model, "input", input, inOff, rows, in);
        checkRows(model, "output", output, outOff, rows, out);
        boolean samePlace = inOff == outOff && in == out;
        if (input == output && rows > 0 && !samePlace
                && inOff < outOff + (long) rows * out && outOff < inOff + (long) rows * in) {
            // chunk by chunk, outputs written would overwrite inputs not yet read: garbage, by batch size
            throw new IllegalArgumentException("input (from " + inOff + ") and output (from " + outOff + ") overlap in one"
                    + " array; predict into another array, or in place at the same offset");
        }
        requireFinite(model, input, inOff, rows);
        predict(model, input, inOff, output, outOff, rows);
    }

    /**
     * Predicts one example into {@code answer}: the model that answered, its outputs, and for a
     * classifier one probability per class and the predicted class. Allocates nothing once
     * {@code answer} has served a model of this shape.
     */
    public void predict(float[] input, Prediction answer) {
        if (answer == null) {
            throw new IllegalArgumentException("answer must not be null");
        }
        Model model = source.current();
        requireOneExample(model, input);
        answer(model, input, answer);
    }

    private void answer(Model model, float[] input, Prediction answer) {
        int width = model.network().outputWidth();
        if (oneOutput.length < width) {
            oneOutput = new float[width]; // once per wider model than before
        }
        predict(model, input, 0, oneOutput, 0, 1); // may refuse: nothing of the answer is changed yet
        answer.prepare(model);
        float[] out = answer.outputs();
        System.arraycopy(oneOutput, 0, out, 0, width);
        if (model.isClassifier()) {
            float[] p = answer.probabilities();
            if (out.length == 1) { // one sigmoid unit: p(class 1)
                p[0] = 1f - out[0];
                p[1] = out[0];
            } else {
                System.arraycopy(out, 0, p, 0, out.length);
            }
            answer.classIndex(p.length == 2 ? (p[1] >= threshold ? 1 : 0) : argmax(p, 0, p.length));
        }
    }

    /**
     * Writes one probability per class of one example into {@code probabilities} (length: the
     * number of class labels). A single sigmoid unit's output p gives 1 − p and p.
     *
     * @throws IllegalStateException when the model is a regression model
     */
    public void probabilities(float[] input, float[] probabilities) {
        Model model = source.current();
        requireOneExample(model, input);
        requireClassifier(model);
        int classes = model.classLabels().size();
        if (probabilities == null || probabilities.length != classes) {
            throw new IllegalArgumentException("probabilities must have room for the model's " + classes + " classes, got "
                    + (probabilities == null ? "null" : "length " + probabilities.length));
        }
        answer(model, input, scratch);
        System.arraycopy(scratch.probabilities(), 0, probabilities, 0, classes);
    }

    /**
     * The k = {@code classes.length} most probable classes of one example, most probable first:
     * their indices into {@code classes} and their probabilities into {@code scores} (same length).
     * Returns k, or the number of classes when that is smaller (the arrays' tails are then left
     * as they were).
     */
    public int topK(float[] input, int[] classes, float[] scores) {
        Model model = source.current();
        requireOneExample(model, input);
        requireClassifier(model);
        if (classes == null || scores == null || classes.length != scores.length || classes.length == 0) {
            throw new IllegalArgumentException("classes and scores must be non-null arrays of the same length k >= 1");
        }
        answer(model, input, scratch);
        float[] p = scratch.probabilities();
        int k = Math.min(classes.length, p.length);
        for (int r = 0; r < k; r++) { // selection: k is small, and nothing is allocated
            int best = -1;
            for (int c = 0; c < p.length; c++) {
                if (!taken(classes, r, c) && (best < 0 || p[c] > p[best])) {
                    best = c;
                }
            }
            classes[r] = best;
            scores[r] = p[best];
        }
        return k;
    }

    private static boolean taken(int[] classes, int count, int c) {
        for (int i = 0; i < count; i++) {
            if (classes[i] == c) {
                return true;
            }
        }
        return false;
    }

    private void predict(Model model, float[] input, int inOff, float[] output, int outOff, int rows) {
        Network net = model.network();
        int nOut = net.outputWidth();
        ForwardState s = stateFor(net);
        for (int from = 0; from < rows; from += maxBatch) {
            int m = Math.min(maxBatch, rows - from);
            forward(model, s, input, inOff + from * net.inputWidth(), from, m, rows > 1);
            System.arraycopy(s.output(), 0, output, outOff + from * nOut, m * nOut);
        }
    }

    /**
     * Rows {@code row0 .. row0 + m} of a call: the model's transform of the raw rows into the state's
     * input, the forward pass, and for a regression model trained on transformed targets the inverse
     * of that transform, so that the state's outputs are in the targets' units. Then the check of
     * the logits and outputs (the class comment), which names rows by {@code row0 + i} where
     * {@code rowsNamed}.
     */
    private void forward(Model model, ForwardState s, float[] input, int inOff, int row0, int m, boolean rowsNamed) {
        FeatureScaler scaler = model.scaler();
        if (scaler.isIdentity()) { // no transform: the forward pass reads the caller's rows as they are
            Forward.run(k, model, input, inOff, m, s);
        } else {
            int nIn = model.network().inputWidth();
            float[] x = s.input();
            for (int i = 0; i < m; i++) {
                scaler.apply(input, inOff + i * nIn, x, i * nIn);
            }
            Forward.run(k, model, x, 0, m, s);
        }
        FeatureScaler targets = model.targetScaler();
        if (!targets.isIdentity()) {
            targets.invert(s.output(), 0, m);
        }
        requireFiniteResults(model, s, row0, m, rowsNamed);
    }

    /**
     * Refuses (unless non-finite values are accepted) the first of m examples whose logits or
     * outputs are not all finite: with finite features, a value beyond the float range somewhere in
     * the network. Two short vector passes over m·n[L] values each.
     */
    private void requireFiniteResults(Model model, ForwardState s, int row0, int m, boolean rowsNamed) {
        int nOut = model.network().outputWidth();
        if (acceptNonFinite || (k.allFinite(m * nOut, s.logits(), 0) && k.allFinite(m * nOut, s.output(), 0))) {
            return;
        }
        float[] logits = s.logits(), outputs = s.output();
        for (int j = 0; j < m * nOut; j++) {
            boolean logit = !Float.isFinite(logits[j]);
            if (logit || !Float.isFinite(outputs[j])) {
                throw new IllegalArgumentException((rowsNamed ? "row " + (row0 + j / nOut) + ": " : "") + "the model's "
                        + (logit ? "logit " + j % nOut + " is " + logits[j] : "output " + j % nOut + " is " + outputs[j])
                        + " for finite features: a value overflowed the float range inside the network (features far"
                        + " outside the range the model was trained on?); Predictor.acceptNonFinite(true) lets such"
                        + " outputs through");
            }
        }
    }

    /**
     * The predicted class index of one example: the most probable class, or for two classes class
     * 1 when its probability reaches the {@link #decisionThreshold}. For a model without class labels
     * (outputs only), the argmax of several outputs or output ≥ the threshold for one.
     */
    public int predictClass(float[] input) {
        Model model = source.current();
        requireOneExample(model, input);
        if (!model.isClassifier()) {
            int nOut = model.network().outputWidth();
            scratch.prepare(model);
            predict(model, input, 0, scratch.outputs(), 0, 1);
            return nOut == 1 ? (scratch.outputs()[0] >= threshold ? 1 : 0) : argmax(scratch.outputs(), 0, nOut);
        }
        answer(model, input, scratch);
        return scratch.classIndex();
    }

    /**
     * The predicted class label of one example, from the model that answered the call.
     *
     * @throws IllegalStateException when the model is a regression model (it has no labels)
     */
    public String predictLabel(float[] input) {
        Model model = source.current();
        requireOneExample(model, input);
        requireClassifier(model);
        answer(model, input, scratch);
        return scratch.label();
    }

    private static void requireClassifier(Model model) {
        if (!model.isClassifier()) {
            throw new IllegalStateException("the model is a regression model; it has no class labels (use predict)");
        }
    }

    /**
     * The mean data loss of the model on {@code rows} raw examples (no L2 term), computed as training
     * computes it, from the logits: inputs row-major from {@code inOff}, target rows (n[L] values
     * each, encoded as {@link io.backlane.train.Examples#of} encodes them) from {@code targetOff}.
     * For a regression model with a {@link Model#targetScaler()}, the squared error is in the
     * targets' own units.
     */
    public double meanLoss(float[] input, int inOff, float[] targets, int targetOff, int rows) {
        Model model = source.current();
        Network net = model.network();
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        checkRows(model, "input", input, inOff, rows, net.inputWidth());
        checkRows(model, "targets", targets, targetOff, rows, net.outputWidth());
        requireFinite(model, input, inOff, rows);
        int nOut = net.outputWidth();
        // a NaN target made the mean loss NaN, silently; as requireFinite: one vector pass, then the culprit
        if (!k.allFinite(rows * nOut, targets, targetOff)) {
            for (int i = 0; i < rows * nOut; i++) {
                if (!Float.isFinite(targets[targetOff + i])) {
                    throw new IllegalArgumentException("row " + i / nOut + ": target " + i % nOut + " is "
                            + targets[targetOff + i] + "; targets must be finite");
                }
            }
        }
        ForwardState s = stateFor(net);
        double sum = 0;
        for (int from = 0; from < rows; from += maxBatch) {
            int m = Math.min(maxBatch, rows - from);
            forward(model, s, input, inOff + from * net.inputWidth(), from, m, rows > 1);
            sum += net.loss().sum(s.logits(), s.output(), targets, targetOff + from * nOut, m, nOut);
        }
        return sum / rows;
    }

    private void requireOneExample(Model model, float[] input) {
        int nIn = model.network().inputWidth();
        if (input == null || input.length != nIn) {
            throw new IllegalArgumentException("input must hold the model's " + nIn + " features, got "
                    + (input == null ? "null" : input.length + " values"));
        }
        requireFinite(model, input, 0, 1);
    }

    /** Refuses NaN and infinite features (unless accepted), naming the row and feature. */
    private void requireFinite(Model model, float[] input, int off, int rows) {
        if (acceptNonFinite) {
            return;
        }
        int nIn = model.network().inputWidth();
        int end = off + rows * nIn;
        if (k.allFinite(end - off, input, off)) { // the common case, in one vector pass
            return;
        }
        for (int i = off; i < end; i++) {
            if (!Float.isFinite(input[i])) {
                int row = (i - off) / nIn;
                int j = i - off - row * nIn;
                throw new IllegalArgumentException((rows > 1 ? "row " + row + ", " : "") + "feature " + j
                        + " (" + model.featureNames().get(j) + ") is " + input[i]
                        + "; features must be finite (Predictor.acceptNonFinite(true) lets them through)");
            }
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

    /** The class index that outputs {@code out[off .. off + n)} predict at the default threshold 0.5. */
    public static int classOf(float[] out, int off, int n) {
        if (out == null || n < 1 || off < 0 || (long) off + n > out.length) {
            throw new IllegalArgumentException("out must hold n = " + n + " >= 1 outputs from " + off + ", got "
                    + (out == null ? "null" : "length " + out.length));
        }
        if (n == 1) {
            return out[off] >= 0.5f ? 1 : 0;
        }
        return argmax(out, off, n);
    }

    private static int argmax(float[] out, int off, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (out[off + j] > out[off + best]) {
                best = j;
            }
        }
        return best;
    }
}
