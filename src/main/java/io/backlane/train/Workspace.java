package io.backlane.train;

import io.backlane.nn.ForwardState;
import io.backlane.nn.Network;

/**
 * Every buffer of a training step, allocated once for a maximum batch size: the forward state and
 * what the backward pass adds to it. The {@link WorkerPool}'s threads share it, each writing rows
 * or units of its own. Training only writes into it: after the first step (which sizes the GEMM
 * packing buffers), a step allocates nothing.
 *
 * <p>Shapes (m ≤ maxBatch, n[l] = {@code network.width(l)}, P = parameter count), in the names of
 * docs/backpropagation.md:
 */
final class Workspace {
    final int maxBatch;
    final ForwardState forward; // A[0] (the gathered input batch), A[1..L], Z[L], GEMM packing buffers
    final float[] y;            // (maxBatch, n[L])  Y: the gathered targets
    final float[][] dZ;         // dZ[l]: (maxBatch, n[l]) for l = 1..L: dA[l], then dZ[l] in place (dZ[0] unused)
    final float[] gradient;     // (P)               dW[1], db[1], dW[2], ... in the parameter layout

    Workspace(Network network, int maxBatch) {
        this.maxBatch = maxBatch;
        this.forward = new ForwardState(network, maxBatch);
        int layers = network.layerCount();
        y = new float[maxBatch * network.outputWidth()];
        dZ = new float[layers + 1][];
        dZ[0] = new float[0];
        for (int l = 1; l <= layers; l++) {
            dZ[l] = new float[maxBatch * network.width(l)];
        }
        gradient = new float[network.parameterCount()];
    }
}
