package io.backlane.nn;

import io.backlane.kernel.Kernels;
import io.backlane.kernel.PackedWeights;

/**
 * The forward pass, shared by training and prediction: for l = 1..L,
 * Z[l] = A[l-1]·W[l]ᵀ + b[l] (docs/backpropagation.md: the notes' Z = W A + b with examples as
 * rows), A[l] = g(Z[l]); and the one backward step that depends on the activation,
 * dZ = dA ⊙ g'(A).
 *
 * <p>Hidden layers compute Z[l] into the A[l] buffer and activate it in place: every derivative used
 * is a function of A (sigmoid a(1−a), tanh 1−a², ReLU a &gt; 0), so Z[l] need not be kept. The
 * output layer keeps its logits Z[L] apart from A[L], because the losses are computed from them.
 */
public final class Forward {
    private Forward() {
    }

    /**
     * Runs the forward pass of {@code state}'s network on m examples: rows of {@code x} from
     * {@code xOff} (m × n[0]), with the parameters {@code theta} (in {@link Parameters}' layout).
     * The outputs land in {@link ForwardState#output()} and the logits in
     * {@link ForwardState#logits()}. Allocates nothing once the state has served a pass of m rows.
     */
    public static void run(Kernels k, float[] theta, float[] x, int xOff, int m, ForwardState state) {
        check(theta, x, xOff, m, state);
        runUnchecked(k, theta, null, x, xOff, m, state);
    }

    private static void check(float[] theta, float[] x, int xOff, int m, ForwardState state) {
        Network net = state.network();
        if (theta == null || theta.length != net.parameterCount()) {
            throw new IllegalArgumentException("theta must hold the network's " + net.parameterCount() + " parameters, got "
                    + (theta == null ? "null" : theta.length));
        }
        if (m < 1 || m > state.maxBatch()) {
            throw new IllegalArgumentException("m must be in [1, " + state.maxBatch() + "], got " + m);
        }
        if (x == null || xOff < 0 || (long) xOff + (long) m * net.inputWidth() > x.length) {
            throw new IllegalArgumentException("x needs " + m + " rows of " + net.inputWidth() + " values from offset "
                    + xOff + (x == null ? " but is null" : " but has length " + x.length));
        }
    }

    /**
     * {@link #run} with {@code model}'s parameters, its weights packed once for {@code k}
     * ({@link Kernels#multiplyPacked}): a prediction packs only its activations, and each example's
     * outputs have the same bits whatever the batch it comes in.
     */
    public static void run(Kernels k, Model model, float[] x, int xOff, int m, ForwardState state) {
        if (!model.network().equals(state.network())) {
            throw new IllegalArgumentException("the state is for " + state.network() + ", not for " + model.network());
        }
        check(model.theta, x, xOff, m, state);
        runUnchecked(k, model.theta, model.packedWeights(k), x, xOff, m, state);
    }

    /**
     * Packs {@code model}'s weights for {@code k} now, as its first {@link #run} would: a service
     * calls it (through {@code ServingModel.swap}) before publishing a model, so that no request pays
     * for packing or allocates.
     */
    public static void prepare(Kernels k, Model model) {
        if (k == null || model == null) {
            throw new IllegalArgumentException("k and model must not be null");
        }
        model.packedWeights(k);
    }

    /** The pass; with {@code packed} (W[l] at l − 1) the products read those, else W from theta. */
    private static void runUnchecked(Kernels k, float[] theta, PackedWeights[] packed, float[] x, int xOff, int m,
                                     ForwardState state) {
        Network net = state.network();
        int layers = net.layerCount();
        float[] in = x;
        int inOff = xOff;
        for (int l = 1; l <= layers; l++) {
            int nIn = net.width(l - 1);
            int nOut = net.width(l);
            float[] a = state.a[l];
            float[] z = l == layers ? state.logits : a;
            // Z[l] (m × n[l]) = A[l-1] (m × n[l-1]) · W[l]ᵀ (n[l-1] × n[l])
            if (packed != null) {
                k.multiplyPacked(m, in, inOff, packed[l - 1], z, 0, state.gemm);
            } else {
                k.sgemm(false, true, m, nOut, nIn, 1f, in, inOff, nIn, theta, net.weightOffset(l), nIn,
                        0f, z, 0, nOut, state.gemm);
            }
            k.addBiasRows(m, nOut, theta, net.biasOffset(l), z, 0);
            Layer layer = net.layer(l);
            if (layer.activation() == Activation.SOFTMAX) {
                k.softmaxRows(m, nOut, z, 0, a, 0);
            } else {
                k.activate(layer.activation().pointwise, layer.slope(), m * nOut, z, 0, a, 0);
            }
            in = a;
            inOff = 0;
        }
    }

    /**
     * dZ = dA ⊙ g'(A) for {@code layer}'s activation, over n elements, in one pass; dZ may be dA.
     * Softmax has no element-wise derivative: it is paired with cross-entropy, whose dZ is A − Y.
     */
    public static void activationBackward(Kernels k, Layer layer, int n, float[] dA, int dAOff,
                                          float[] a, int aOff, float[] dZ, int dZOff) {
        if (layer.activation() == Activation.SOFTMAX) {
            throw new IllegalArgumentException("softmax has no element-wise derivative; pair it with"
                    + " categorical cross-entropy, whose dZ[L] is A - Y");
        }
        k.activateBackward(layer.activation().pointwise, layer.slope(), n, dA, dAOff, a, aOff, dZ, dZOff);
    }
}
