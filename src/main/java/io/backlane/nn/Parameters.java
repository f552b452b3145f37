package io.backlane.nn;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The values of a network's parameters: one contiguous float array holding W[1], b[1], W[2],
 * b[2], ... at the offsets {@link Network} documents. Optimizers, snapshots and model files all work
 * on this one array.
 *
 * <p>Not thread-safe for writing. To serve while training, give predictors a {@link #copy()} and
 * swap it when training has produced a better one.
 *
 * <pre>{@code
 * Parameters p = Parameters.initialize(net, 42L);   // He for ReLU layers, Xavier otherwise
 * float w = p.weight(1, 0, 3);                      // W[1][0][3]
 * p.setBias(2, 0, 0.5f);
 * }</pre>
 */
public final class Parameters {
    private final Network network;
    private final float[] values;

    /** All zeros. */
    public Parameters(Network network) {
        this.network = requireNetwork(network);
        this.values = new float[network.parameterCount()];
    }

    /** Wraps a copy of {@code values}, which must have exactly {@code network.parameterCount()} floats. */
    public Parameters(Network network, float[] values) {
        this.network = requireNetwork(network);
        if (values == null || values.length != network.parameterCount()) {
            throw new IllegalArgumentException("values must have " + network.parameterCount() + " floats for "
                    + network + ", got " + (values == null ? "null" : values.length));
        }
        this.values = values.clone();
    }

    private static Network requireNetwork(Network network) {
        if (network == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        return network;
    }

    /** Per-layer default initializers ({@link Initializer#defaultFor}) and zero biases, from a seed. */
    public static Parameters initialize(Network network, long seed) {
        return initialize(network, null, seed);
    }

    /**
     * Draws every weight with {@code init} (or the per-layer default when null) from a
     * {@link SplittableRandom} seeded with {@code seed}; biases are zero.
     */
    public static Parameters initialize(Network network, Initializer init, long seed) {
        Parameters p = new Parameters(network);
        SplittableRandom random = new SplittableRandom(seed);
        for (int l = 1; l <= network.layerCount(); l++) {
            Initializer layerInit = init != null ? init : Initializer.defaultFor(network.activation(l));
            int fanIn = network.width(l - 1);
            int fanOut = network.width(l);
            int off = network.weightOffset(l);
            for (int i = 0; i < network.weightCount(l); i++) {
                p.values[off + i] = (float) layerInit.sample(random, fanIn, fanOut);
            }
        }
        return p;
    }

    public Network network() {
        return network;
    }

    /**
     * The backing array itself (not a copy), laid out as {@link Network} documents. Writing to it
     * changes these parameters.
     */
    public float[] values() {
        return values;
    }

    /** W[l][i][j]: the weight from unit j of layer l−1 to unit i of layer l. */
    public float weight(int l, int i, int j) {
        return values[weightIndex(l, i, j)];
    }

    public void setWeight(int l, int i, int j, float value) {
        values[weightIndex(l, i, j)] = value;
    }

    /** b[l][i]. */
    public float bias(int l, int i) {
        return values[biasIndex(l, i)];
    }

    public void setBias(int l, int i, float value) {
        values[biasIndex(l, i)] = value;
    }

    private int weightIndex(int l, int i, int j) {
        int rows = network.width(l);
        int cols = network.width(l - 1);
        if (i < 0 || i >= rows || j < 0 || j >= cols) {
            throw new IndexOutOfBoundsException("W[" + l + "] is " + rows + "x" + cols + "; no element (" + i + ", " + j + ")");
        }
        return network.weightOffset(l) + i * cols + j;
    }

    private int biasIndex(int l, int i) {
        int rows = network.width(l);
        if (i < 0 || i >= rows) {
            throw new IndexOutOfBoundsException("b[" + l + "] has " + rows + " elements; no element " + i);
        }
        return network.biasOffset(l) + i;
    }

    /** A deep copy. */
    public Parameters copy() {
        return new Parameters(network, values);
    }

    /** Overwrites these values with {@code other}'s (same network); allocates nothing. */
    public void copyFrom(Parameters other) {
        if (other == null || !other.network.equals(network)) {
            throw new IllegalArgumentException("cannot copy parameters of " + (other == null ? "null" : other.network)
                    + " into parameters of " + network);
        }
        System.arraycopy(other.values, 0, values, 0, values.length);
    }

    /** Whether every value is finite (no NaN, no infinity). */
    public boolean isFinite() {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parameters other && other.network.equals(network) && Arrays.equals(other.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * network.hashCode() + Arrays.hashCode(values);
    }
}
