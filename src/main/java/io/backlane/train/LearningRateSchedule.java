package io.backlane.train;

/**
 * A multiplier of the optimizer's base learning rate, as a function of the epoch (0-based) and
 * the total number of epochs.
 *
 * <pre>{@code
 * LearningRateSchedule.stepDecay(10, 0.5)   // halve every 10 epochs
 * LearningRateSchedule.cosine(0.01)        // cosine from 1 down to 0.01 over the run
 * }</pre>
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /** The factor for {@code epoch} of {@code epochs}; must be finite and ≥ 0. */
    double factor(int epoch, int epochs);

    /** The base rate throughout. */
    static LearningRateSchedule constant() {
        return (epoch, epochs) -> 1.0;
    }

    /** Multiplies the rate by {@code gamma} every {@code every} epochs. */
    static LearningRateSchedule stepDecay(int every, double gamma) {
        if (every < 1) {
            throw new IllegalArgumentException("step decay period must be >= 1 epoch, got " + every);
        }
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("step decay gamma must be in (0, 1], got " + gamma);
        }
        return (epoch, epochs) -> Math.pow(gamma, epoch / every);
    }

    /**
     * Cosine annealing from 1 at the first epoch to {@code minFactor} at the last:
     * f = min + (1 − min)·(1 + cos(π·epoch/(epochs − 1)))/2.
     */
    static LearningRateSchedule cosine(double minFactor) {
        if (!(minFactor >= 0 && minFactor <= 1)) {
            throw new IllegalArgumentException("cosine minimum factor must be in [0, 1], got " + minFactor);
        }
        return (epoch, epochs) -> epochs <= 1 ? 1.0
                : minFactor + (1 - minFactor) * (1 + Math.cos(Math.PI * epoch / (epochs - 1))) / 2;
    }
}
