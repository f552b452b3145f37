package io.backlane.spark;

import io.backlane.train.Optimizer;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * The estimator's training settings as the executors need them ({@link Optimizer} is not
 * {@link Serializable}, so the optimizer travels as its name and learning rate).
 *
 * @param optimizer    one of {@link #OPTIMIZERS}
 * @param learningRate the optimizer's base learning rate
 * @param epochs       passes over the data (the exact mode: full-batch steps)
 * @param batchSize    rows per local step (the averaging mode)
 * @param l2           L2 strength λ
 * @param seed         seed of the initial parameters, the validation draw and the shuffles
 * @param localSteps   local steps between two averagings (the averaging mode)
 */
record TrainingConfig(String optimizer, float learningRate, int epochs, int batchSize, float l2, long seed,
                      int localSteps) implements Serializable {
    /** The optimizer names, as the command line's {@code --optimizer} takes them. */
    static final List<String> OPTIMIZERS = List.of("sgd", "momentum", "nesterov", "adam", "adamw");
    /** μ of momentum and Nesterov, and the weight decay of AdamW: the command line's defaults. */
    static final float MOMENTUM = 0.9f;
    static final float WEIGHT_DECAY = 0.01f;

    /** The optimizer this config names. */
    Optimizer buildOptimizer() {
        return switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "sgd" -> Optimizer.sgd(learningRate);
            case "momentum" -> Optimizer.momentum(learningRate, MOMENTUM);
            case "nesterov" -> Optimizer.nesterov(learningRate, MOMENTUM);
            case "adam" -> Optimizer.adam(learningRate);
            case "adamw" -> Optimizer.adamW(learningRate, WEIGHT_DECAY);
            default -> throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'; valid: "
                    + String.join(", ", OPTIMIZERS));
        };
    }
}
