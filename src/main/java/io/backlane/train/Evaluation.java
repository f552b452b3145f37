package io.backlane.train;

/**
 * Loss and accuracy of a network on a set of examples.
 *
 * @param loss     mean data loss (without the L2 term)
 * @param accuracy fraction correct: argmax for softmax, threshold 0.5 per output for sigmoid;
 *                 NaN for regression
 * @param count    the number of examples
 */
public record Evaluation(double loss, double accuracy, int count) {
}
