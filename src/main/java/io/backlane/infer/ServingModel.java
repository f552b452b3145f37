package io.backlane.infer;

/**
 * A model that can be replaced while it serves: training (or a reload) publishes a new
 * {@link Model} with {@link #swap}, and every {@link Predictor} made from this serving model picks
 * it up at its next call. Publishing is one volatile write; a prediction sees either the old model
 * or the new one, never a mix.
 *
 * <pre>{@code
 * ServingModel serving = new ServingModel(model);
 * Predictor predictor = serving.newPredictor();     // one per serving thread
 * predictor.predict(features, probabilities);
 * serving.swap(retrainedModel);                    // from any thread
 * }</pre>
 *
 * <p>The published model's parameters must not be written afterwards: publish a copy
 * ({@link io.backlane.nn.Parameters#copy()}) and keep training the original.
 */
public final class ServingModel {
    private volatile Model current;

    public ServingModel(Model model) {
        swap(model);
    }

    /** Publishes {@code model}; predictors use it from their next call. */
    public void swap(Model model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        current = model;
    }

    /** The model now being served. */
    public Model current() {
        return current;
    }

    /** A predictor for single examples. */
    public Predictor newPredictor() {
        return new Predictor(this, 1);
    }

    /** A predictor with buffers for up to {@code maxBatch} examples per forward pass. */
    public Predictor newPredictor(int maxBatch) {
        return new Predictor(this, maxBatch);
    }
}
