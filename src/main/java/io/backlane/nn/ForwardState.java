package io.backlane.nn;

import io.backlane.kernel.GemmWorkspace;

/**
 * Every buffer of a forward pass over batches of up to {@link #maxBatch()} examples, allocated once
 * (in the manner of llama3.java's {@code State}); {@link Forward#run} only writes into them. Training
 * and prediction each own one per thread.
 *
 * <p>Shapes (m ≤ maxBatch, n[l] = {@code network.width(l)}, L = {@code network.layerCount()}):
 */
public final class ForwardState {
    private final Network network;
    private final int maxBatch;

    final float[] input;   // (maxBatch, n[0])  A[0]: a gathered or transformed input batch
    final float[][] a;     // a[l]: (maxBatch, n[l]) for l = 1..L: Z[l], then A[l] = g(Z[l]) in place (a[0] unused)
    final float[] logits;  // (maxBatch, n[L])  Z[L], kept apart from A[L] because the losses start from it
    final GemmWorkspace gemm = new GemmWorkspace(); // sgemm's packing buffers, sized by the first pass

    /** Allocates the buffers of {@code network} for batches of up to {@code maxBatch} examples. */
    public ForwardState(Network network, int maxBatch) {
        if (network == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        if ((long) maxBatch * network.maxWidth() > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("batches of " + maxBatch + " x the widest layer (" + network.maxWidth()
                    + ") do not fit in one float array; use a smaller batch");
        }
        this.network = network;
        this.maxBatch = maxBatch;
        int layers = network.layerCount();
        input = new float[maxBatch * network.inputWidth()];
        a = new float[layers + 1][];
        a[0] = new float[0];
        for (int l = 1; l <= layers; l++) {
            a[l] = new float[maxBatch * network.width(l)];
        }
        logits = new float[maxBatch * network.outputWidth()];
    }

    public Network network() {
        return network;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** A[0]'s buffer, (maxBatch, n[0]): where a caller gathers or transforms a batch before {@link Forward#run}. */
    public float[] input() {
        return input;
    }

    /** A[l] of the last pass, (m, n[l]) row-major, for l in 1..L (the backing array). */
    public float[] activations(int l) {
        if (l < 1 || l > network.layerCount()) {
            throw new IndexOutOfBoundsException("layer " + l + " is not in [1, " + network.layerCount() + "]");
        }
        return a[l];
    }

    /** A[L] of the last pass: the network's outputs, (m, n[L]) row-major (the backing array). */
    public float[] output() {
        return a[network.layerCount()];
    }

    /** Z[L] of the last pass: the output layer's pre-activations, (m, n[L]) row-major (the backing array). */
    public float[] logits() {
        return logits;
    }

    /** The GEMM packing buffers this state's passes use. */
    public GemmWorkspace gemm() {
        return gemm;
    }
}
