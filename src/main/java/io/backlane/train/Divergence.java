package io.backlane.train;

/**
 * A NaN or infinity met by {@link Backprop}, handed to the thread that runs the training loop
 * (which knows the epoch and step and reports a {@link TrainingDivergedException}). Carries no stack
 * trace: it is a value, not a bug report.
 */
final class Divergence extends RuntimeException {
    final int layer;     // the first layer with a non-finite value; 0 when not known
    final String what;   // what was not finite, for example "loss" or "gradient dZ"
    final double value;

    Divergence(int layer, String what, double value) {
        super(what + " is " + value, null, false, false);
        this.layer = layer;
        this.what = what;
        this.value = value;
    }
}
