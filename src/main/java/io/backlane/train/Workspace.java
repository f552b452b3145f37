package io.backlane.train;

import io.backlane.kernel.GemmWorkspace;
import io.backlane.nn.Network;

/**
 * Every buffer one training thread needs, allocated once for a maximum batch size. Training only
 * writes into it: after the first step (which sizes the GEMM packing buffers), a step allocates
 * nothing.
 *
 * <p>Shapes (m ≤ {@link #maxBatch()}, n[l] = {@code network.width(l)}, P = parameter count):
 */
public final class Workspace {
    final Network network;
    final int maxBatch;

    final float[] x;        // (maxBatch, n[0])  A[0]: the gathered input batch
    final float[] y;        // (maxBatch, n[L])  the gathered targets
    final float[][] a;      // a[l]: (maxBatch, n[l]) for l = 1..L: Z[l] then A[l] = g(Z[l]) in place (a[0] unused)
    final float[] zOut;     // (maxBatch, n[L])  Z[L]: output logits, kept for the loss
    final float[][] delta;  // delta[l]: (maxBatch, n[l]) for l = 1..L: dA[l], then dZ[l] in place
    final float[] gradient; // (P)               dW[1], db[1], dW[2], ... in the parameter layout
    final GemmWorkspace gemm = new GemmWorkspace();

    /** Allocates every buffer for batches of up to {@code maxBatch} examples. */
    public Workspace(Network network, int maxBatch) {
        if (network == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        long widest = (long) maxBatch * network.maxWidth();
        if (widest > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxBatch " + maxBatch + " x widest layer " + network.maxWidth()
                    + " does not fit in one float array; use a smaller batch");
        }
        this.network = network;
        this.maxBatch = maxBatch;
        int layers = network.layerCount();
        x = new float[maxBatch * network.inputWidth()];
        y = new float[maxBatch * network.outputWidth()];
        zOut = new float[maxBatch * network.outputWidth()];
        a = new float[layers + 1][];
        delta = new float[layers + 1][];
        a[0] = new float[0];
        delta[0] = new float[0];
        for (int l = 1; l <= layers; l++) {
            a[l] = new float[maxBatch * network.width(l)];
            delta[l] = new float[maxBatch * network.width(l)];
        }
        gradient = new float[network.parameterCount()];
    }

    public Network network() {
        return network;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /**
     * The gradient of J from the last {@link Trainer#computeGradient}, or from the last step of an
     * optimizer other than plain SGD without clipping (plain SGD is fused into the backward pass and
     * never writes the gradient out), in the parameter layout (the backing array, not a copy).
     */
    public float[] gradient() {
        return gradient;
    }

    /** The output activations A[L] of the last forward pass: (m, n[L]) row-major (backing array). */
    public float[] output() {
        return a[network.layerCount()];
    }
}
