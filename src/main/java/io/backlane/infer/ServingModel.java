package io.backlane.infer;

import io.backlane.kernel.Kernels;
import io.backlane.nn.Forward;
import io.backlane.nn.Model;

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
 * <p>A model is immutable (it holds its own copy of the parameters), so training may go on while
 * its last snapshot serves: {@code serving.swap(new Model(params, scaler, labels))} after each round.
 */
public final class ServingModel {
    private volatile Model current;

    /** Serves {@code model} until the first {@link #swap}. */
    public ServingModel(Model model) {
        swap(model);
    }

    /**
     * Publishes {@code model}; predictors use it from their next call. The model's weights are packed
     * for the kernels here, on the calling thread, before it is published: no request pays for it.
     */
    public void swap(Model model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        Forward.prepare(Kernels.get(), model);
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
