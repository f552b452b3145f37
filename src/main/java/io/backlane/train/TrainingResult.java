package io.backlane.train;

import java.util.List;

/**
 * The outcome of {@link Trainer#fit}.
 *
 * @param history      one entry per epoch run
 * @param bestEpoch    the epoch whose parameters were kept (the best validation loss with early
 *                     stopping, else the last epoch)
 * @param stoppedEarly whether training stopped before the planned number of epochs
 */
public record TrainingResult(List<EpochStats> history, int bestEpoch, boolean stoppedEarly) {
    public TrainingResult {
        history = List.copyOf(history);
    }

    /** The last epoch's statistics. */
    public EpochStats last() {
        return history.get(history.size() - 1);
    }
}
