package io.backlane.reference;

/**
 * The values of one forward pass of a {@link ReferenceNetwork} over a batch: Z[l] and A[l] for
 * every layer, in the row layout (one row per example): {@code z(l)[e][i]} is z_i of layer l for
 * example e, so Z[l] is m × n[l], the transpose of the notes' n[l] × m (docs/backpropagation.md).
 *
 * <p>The accessors return the pass's own arrays, not copies; {@code a(0)} is the input batch X
 * itself.
 */
final class ForwardPass {
    private final double[][][] z;   // z[l] for l = 1..L; z[0] is null (the input has no pre-activation)
    private final double[][][] a;   // a[l] for l = 0..L; a[0] = X

    ForwardPass(double[][][] z, double[][][] a) {
        this.z = z;
        this.a = a;
    }

    /** L, the number of layers with parameters. */
    public int layerCount() {
        return a.length - 1;
    }

    /** m, the number of examples. */
    public int batchSize() {
        return a[0].length;
    }

    /** Z[l] = A[l−1]·W[l]ᵀ + b[l] (rows = examples), for l in 1..L. */
    public double[][] z(int l) {
        if (l < 1 || l > layerCount()) {
            throw new IndexOutOfBoundsException("Z[" + l + "] does not exist: layers are 1.." + layerCount());
        }
        return z[l];
    }

    /** A[l] = g[l](Z[l]) (rows = examples), for l in 0..L; A[0] = X. */
    public double[][] a(int l) {
        if (l < 0 || l > layerCount()) {
            throw new IndexOutOfBoundsException("A[" + l + "] does not exist: layers are 0.." + layerCount());
        }
        return a[l];
    }

    /** A[L], the network's output (m × n[L]). */
    public double[][] output() {
        return a[layerCount()];
    }
}
