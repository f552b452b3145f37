package io.backlane.reference;

import io.backlane.nn.Activation;
import io.backlane.nn.Loss;

/**
 * The scalar functions of the reference implementation, in double precision: activations g(z),
 * their derivatives g'(z), softmax, and the loss of one example. Plain loops and {@link Math}; no
 * kernels. Slow on purpose: this is the readable definition the fast float engine is checked against.
 *
 * <p>Notation is that of docs/backpropagation.md (the notes this project grew from): z is a
 * pre-activation, a = g(z) an activation, y a target; "ERRATA n" is its section 7, "Errata n".
 */
final class ReferenceMath {
    private ReferenceMath() {
    }

    /**
     * σ(z) = 1 / (1 + e^−z), evaluated so that e^x never overflows: for z &lt; 0 it uses the equal
     * form e^z / (1 + e^z).
     */
    public static double sigmoid(double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));     // σ(z) = 1 / (1 + e^−z)
        }
        double e = Math.exp(z);
        return e / (1.0 + e);                      // σ(z) = e^z / (1 + e^z), the same function
    }

    /**
     * a = g(z) for one unit of an element-wise activation.
     *
     * @param g     the activation; {@link Activation#SOFTMAX} is not element-wise, use {@link #softmax}
     * @param slope the negative-side slope of {@link Activation#LEAKY_RELU} (ignored otherwise)
     * @param z     the pre-activation
     * @throws IllegalArgumentException for {@link Activation#SOFTMAX}
     */
    public static double activate(Activation g, double slope, double z) {
        return switch (g) {
            case SIGMOID -> sigmoid(z);                       // a = σ(z)
            case TANH -> Math.tanh(z);                        // a = tanh(z)
            case RELU -> z > 0 ? z : 0.0;                     // a = max(0, z)
            case LEAKY_RELU -> z > 0 ? z : slope * z;         // a = z if z > 0, else slope·z
            case IDENTITY -> z;                               // a = z
            case SOFTMAX -> throw new IllegalArgumentException("softmax is not element-wise: use softmax(double[])");
        };
    }

    /**
     * g'(z) for one unit of an element-wise activation, from the stored activation a where that saves
     * work (ERRATA 5: the sigmoid derivative is a(1 − a), no second exponential).
     *
     * @param g     the activation; not {@link Activation#SOFTMAX} (its Jacobian is not diagonal; the
     *              softmax output is only used with categorical cross-entropy, where dZ = A − Y)
     * @param slope the negative-side slope of {@link Activation#LEAKY_RELU}
     * @param z     the pre-activation
     * @param a     the activation g(z)
     */
    public static double derivative(Activation g, double slope, double z, double a) {
        return switch (g) {
            case SIGMOID -> a * (1.0 - a);                    // σ'(z) = a(1 − a)        (ERRATA 5)
            case TANH -> 1.0 - a * a;                         // tanh'(z) = 1 − a²       (ERRATA 5)
            case RELU -> z > 0 ? 1.0 : 0.0;                   // relu'(z) = 1 where z > 0, else 0 (ERRATA 5)
            case LEAKY_RELU -> z > 0 ? 1.0 : slope;           // 1 where z > 0, else slope
            case IDENTITY -> 1.0;                             // identity'(z) = 1
            case SOFTMAX -> throw new IllegalArgumentException(
                    "softmax has no element-wise derivative; it is only used as output with categorical cross-entropy");
        };
    }

    /** softmax(z)_j = e^(z_j − max z) / Σ_k e^(z_k − max z): the row maximum is subtracted (ERRATA 6). */
    public static double[] softmax(double[] z) {
        double max = max(z);
        double[] a = new double[z.length];
        double sum = 0;
        for (int j = 0; j < z.length; j++) {
            a[j] = Math.exp(z[j] - max);                      // e^(z_j − max), in (0, 1]
            sum += a[j];                                      // Σ_k e^(z_k − max) ≥ 1
        }
        for (int j = 0; j < z.length; j++) {
            a[j] /= sum;
        }
        return a;
    }

    /**
     * log softmax(z)_j = (z_j − max z) − log Σ_k e^(z_k − max z), finite for any finite z (no log of
     * an underflowed probability).
     */
    public static double[] logSoftmax(double[] z) {
        double max = max(z);
        double sum = 0;
        for (double zk : z) {
            sum += Math.exp(zk - max);                        // ≥ 1: the maximum contributes e^0
        }
        double logSum = Math.log(sum);
        double[] out = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            out[j] = (z[j] - max) - logSum;
        }
        return out;
    }

    /**
     * The binary cross-entropy of one sigmoid unit, from its logit z (ERRATA 6):
     * −[y log σ(z) + (1 − y) log(1 − σ(z))] = max(z, 0) − z·y + log(1 + e^−|z|).
     * Finite for every finite z; its derivative with respect to z is σ(z) − y.
     */
    public static double binaryCrossEntropyFromLogit(double z, double y) {
        return Math.max(z, 0.0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
    }

    /**
     * L(a, y) for one example: the loss summed over the output units.
     * <ul>
     *   <li>BCE: Σ_j max(z_j,0) − z_j y_j + log(1 + e^−|z_j|), from the logits (ERRATA 6);</li>
     *   <li>CCE: −Σ_j y_j log softmax(z)_j, with log-softmax computed stably;</li>
     *   <li>MSE: ½ Σ_j (a_j − y_j)².</li>
     * </ul>
     *
     * @param loss the loss
     * @param z    the output pre-activations z[L] of the example
     * @param a    the output activations a[L] of the example
     * @param y    the targets of the example
     */
    public static double exampleLoss(Loss loss, double[] z, double[] a, double[] y) {
        double sum = 0;
        switch (loss) {
            case BINARY_CROSS_ENTROPY -> {
                for (int j = 0; j < z.length; j++) {
                    sum += binaryCrossEntropyFromLogit(z[j], y[j]);   // L = max(z,0) − z·y + log(1 + e^−|z|)
                }
            }
            case CATEGORICAL_CROSS_ENTROPY -> {
                double[] logA = logSoftmax(z);
                for (int j = 0; j < z.length; j++) {
                    if (y[j] != 0) {                                  // 0 · log a = 0, even where a underflows
                        sum -= y[j] * logA[j];                        // L = −Σ_j y_j log a_j
                    }
                }
            }
            case MEAN_SQUARED_ERROR -> {
                for (int j = 0; j < a.length; j++) {
                    double d = a[j] - y[j];
                    sum += 0.5 * d * d;                               // L = ½ Σ_j (a_j − y_j)²
                }
            }
        }
        return sum;
    }

    private static double max(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        return max;
    }
}
