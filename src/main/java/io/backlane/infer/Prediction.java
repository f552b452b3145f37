package io.backlane.infer;

import io.backlane.nn.Model;

/**
 * The answer to one prediction, made to be reused: {@link Predictor#predict(float[], Prediction)}
 * fills it in place, so a call allocates nothing once the prediction has the model's shape. It
 * carries the model that answered, so that outputs, probabilities and labels always belong to one
 * model, even when a {@link ServingModel#swap} races the call.
 *
 * <pre>{@code
 * Prediction p = new Prediction();             // one per serving thread, reused
 * predictor.predict(features, p);
 * String label = p.label();                    // from p.model(), the model that answered
 * float confidence = p.probability(p.classIndex());
 * }</pre>
 */
public final class Prediction {
    private Model model;
    private float[] outputs = new float[0];       // (n[L]) the output activations
    private float[] probabilities = new float[0]; // (classes) one per class; empty for regression
    private int classIndex = -1;

    /** An empty prediction, to be filled by {@link Predictor#predict(float[], Prediction)}. */
    public Prediction() {
    }

    /** Sizes the arrays for {@code model} (allocates only when its shape differs from the last one). */
    void prepare(Model model) {
        this.model = model;
        int nOut = model.network().outputWidth();
        if (outputs.length != nOut) {
            outputs = new float[nOut];
        }
        int classes = model.classLabels().size();
        if (probabilities.length != classes) {
            probabilities = new float[classes];
        }
        classIndex = -1;
    }

    float[] outputs() {
        return outputs;
    }

    float[] probabilities() {
        return probabilities;
    }

    void classIndex(int c) {
        classIndex = c;
    }

    /** The model that answered (null before the first prediction). */
    public Model model() {
        return model;
    }

    /** The number of output activations, n[L]. */
    public int outputCount() {
        return outputs.length;
    }

    /** Output activation j: a probability for classifiers, the predicted value for regression. */
    public float output(int j) {
        return outputs[java.util.Objects.checkIndex(j, outputs.length)];
    }

    /** The predicted value of a regression model (its one output). */
    public float value() {
        requireAnswered();
        if (model.isClassifier()) {
            throw new IllegalStateException("a classifier predicts classes: use classIndex(), label() or probability(c)");
        }
        return outputs[0];
    }

    /** The number of classes; 0 for regression. */
    public int classCount() {
        return probabilities.length;
    }

    /** The probability of class c (for a single sigmoid unit p: class 1 has p, class 0 has 1 − p). */
    public float probability(int c) {
        return probabilities[java.util.Objects.checkIndex(c, probabilities.length)];
    }

    /** The predicted class index of a classifier. */
    public int classIndex() {
        requireClassifier();
        return classIndex;
    }

    /** The predicted class label of a classifier. */
    public String label() {
        requireClassifier();
        return model.classLabels().get(classIndex);
    }

    private void requireAnswered() {
        if (model == null) {
            throw new IllegalStateException("no prediction yet: pass this object to Predictor.predict first");
        }
    }

    private void requireClassifier() {
        requireAnswered();
        if (!model.isClassifier()) {
            throw new IllegalStateException("the model is a regression model; it has no classes (use value())");
        }
    }
}
