package io.backlane.train;

/**
 * Called by {@link Trainer#fit} after each epoch and, when asked with
 * {@link Trainer.Builder#listener(TrainingListener, boolean)}, after each step. The command-line
 * tool's progress display is one.
 */
public interface TrainingListener {
    /** After each epoch, with its statistics. */
    void onEpoch(EpochStats stats);

    /**
     * After each step, with primitives only so that the step stays allocation-free.
     *
     * @param epoch 1-based epoch
     * @param step  1-based step within the epoch
     * @param loss  the step's loss (before its update)
     */
    default void onStep(int epoch, long step, double loss) {
    }
}
