package io.backlane.nn;

import io.backlane.kernel.GemmWorkspace;
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
        check(theta, x, xOff, 0, m, state);
        runUnchecked(k, theta, null, x, xOff, 0, m, state, state.gemm);
    }

    /**
     * {@link #run} into rows {@code row0 .. row0 + m} of the state's buffers, packing into
     * {@code gemm}: for data-parallel training, where each thread runs its own rows of one batch
     * into one state, with GEMM buffers of its own. With {@code packed} (W[l] at l − 1, packed by
     * {@code k} from theta's weights, as they are now) the products read those, and each row's
     * results do not depend on the other rows; where {@code packed} or its entry is null, W is read
     * from theta.
     */
    public static void runRows(Kernels k, float[] theta, PackedWeights[] packed, float[] x, int xOff, int row0, int m,
                               ForwardState state, GemmWorkspace gemm) {
        check(theta, x, xOff, row0, m, state);
        if (gemm == null) {
            throw new IllegalArgumentException("gemm must not be null");
        }
        Network net = state.network();
        if (packed != null) {
            if (packed.length != net.layerCount()) {
                throw new IllegalArgumentException("packed must hold the network's " + net.layerCount() + " layers, got "
                        + packed.length);
            }
            for (int l = 1; l <= packed.length; l++) {
                PackedWeights w = packed[l - 1];
                if (w != null && (w.outputs() != net.width(l) || w.inputs() != net.width(l - 1))) {
                    throw new IllegalArgumentException("packed[" + (l - 1) + "] must be layer " + l + "'s "
                            + net.width(l) + " x " + net.width(l - 1) + " weights, got " + w.outputs() + " x " + w.inputs());
                }
            }
        }
        runUnchecked(k, theta, packed, x, xOff, row0, m, state, gemm);
    }

    private static void check(float[] theta, float[] x, int xOff, int row0, int m, ForwardState state) {
        Network net = state.network();
        if (theta == null || theta.length != net.parameterCount()) {
            throw new IllegalArgumentException("theta must hold the network's " + net.parameterCount() + " parameters, got "
                    + (theta == null ? "null" : theta.length));
        }
        if (row0 < 0 || m < 1 || m > state.maxBatch() - row0) {
            throw new IllegalArgumentException("rows " + row0 + " .. " + ((long) row0 + m) + " (m = " + m
                    + ") must lie in [0, " + state.maxBatch() + "] with m >= 1");
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
        check(model.theta, x, xOff, 0, m, state);
        runUnchecked(k, model.theta, model.packedWeights(k), x, xOff, 0, m, state, state.gemm);
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

    /**
     * The pass into rows row0 .. row0 + m; with {@code packed} (W[l] at l − 1, where not null) the
     * products read those, else W from theta.
     */
    private static void runUnchecked(Kernels k, float[] theta, PackedWeights[] packed, float[] x, int xOff,
                                     int row0, int m, ForwardState state, GemmWorkspace gemm) {
        Network net = state.network();
        int layers = net.layerCount();
        float[] in = x;
        int inOff = xOff;
        for (int l = 1; l <= layers; l++) {
            int nIn = net.width(l - 1);
            int nOut = net.width(l);
            int off = row0 * nOut;
            float[] a = state.a[l];
            float[] z = l == layers ? state.logits : a;
            Layer layer = net.layer(l);
            // Z[l] (m × n[l]) = A[l-1] (m × n[l-1]) · W[l]ᵀ (n[l-1] × n[l]) + b[l]
            boolean activated = false;
            if (packed != null && packed[l - 1] != null) {
                // the bias, and ReLU where it is the activation, added to each tile as the GEMM writes it
                activated = layer.activation() == Activation.RELU && z == a;
                k.multiplyPackedAddBias(m, in, inOff, packed[l - 1], theta, net.biasOffset(l), activated, z, off, gemm);
            } else {
                k.sgemm(false, true, m, nOut, nIn, 1f, in, inOff, nIn, theta, net.weightOffset(l), nIn,
                        0f, z, off, nOut, gemm);
                k.addBiasRows(m, nOut, theta, net.biasOffset(l), z, off);
            }
            if (layer.activation() == Activation.SOFTMAX) {
                k.softmaxRows(m, nOut, z, off, a, off);
            } else if (!activated) {
                k.activate(layer.activation().pointwise, layer.slope(), m * nOut, z, off, a, off);
            }
            in = a;
            inOff = off;
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
