package io.backlane.train;

/**
 * Training produced a NaN or an infinity in the loss, a gradient or an update, or a loss that grew
 * far past where it started. The message names the layer, the epoch and the step. What is left of
 * the parameters and the optimizer's state is as {@link Trainer}'s class comment says: a non-finite
 * loss or gradient is caught before anything changes; an optimizer's state is never rolled back.
 */
public final class TrainingDivergedException extends ArithmeticException {
    private final int layer;
    private final int epoch;
    private final long step;

    TrainingDivergedException(String message, int layer, int epoch, long step) {
        super(message);
        this.layer = layer;
        this.epoch = epoch;
        this.step = step;
    }

    /** The first layer (1..L) whose activations or gradients were not finite; 0 when only the loss was. */
    public int layer() {
        return layer;
    }

    /** The epoch (1-based) in which it happened; 0 for a step outside {@link Trainer#fit}. */
    public int epoch() {
        return epoch;
    }

    /** The step (1-based) within the epoch, or the count of {@link Trainer#step} calls outside fit. */
    public long step() {
        return step;
    }
}
