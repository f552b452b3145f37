package io.backlane.train;

/**
 * What one epoch of {@link Trainer#fit} did.
 *
 * @param epoch              1-based epoch number
 * @param epochs             the planned number of epochs
 * @param steps              steps taken in this epoch
 * @param trainLoss          mean training loss over the epoch's steps (each measured before its update), with the L2 term
 * @param trainAccuracy      training accuracy over the epoch's forward passes (NaN for regression)
 * @param validationLoss     loss on the validation examples after the epoch (NaN without validation)
 * @param validationAccuracy accuracy on the validation examples (NaN without validation or for regression)
 * @param learningRate       the learning rate used in this epoch
 * @param elapsedNanos       time since fit started
 * @param samplesPerSecond   training examples processed per second in this epoch
 */
public record EpochStats(int epoch, int epochs, long steps, double trainLoss, double trainAccuracy,
                         double validationLoss, double validationAccuracy, double learningRate,
                         long elapsedNanos, double samplesPerSecond) {
}
