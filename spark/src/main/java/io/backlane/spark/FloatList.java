package io.backlane.spark;

import java.util.Arrays;

/** A growable float array: a partition's rows are read without knowing how many there are. */
final class FloatList {
    /** The most floats one Java array holds here (a few below Integer.MAX_VALUE: VMs reserve header words). */
    static final int MAX_FLOATS = Integer.MAX_VALUE - 16;

    private final int limit;
    private float[] values = new float[1024];
    private int size;

    FloatList() {
        this(MAX_FLOATS);
    }

    /** A list that refuses to grow beyond {@code limit} floats (a small limit lets a test reach it). */
    FloatList(int limit) {
        this.limit = limit;
    }

    void add(float value) {
        ensure(1);
        values[size++] = value;
    }

    /** Adds {@code count} values of {@code src} from index 0. */
    void add(float[] src, int count) {
        ensure(count);
        System.arraycopy(src, 0, values, size, count);
        size += count;
    }

    /**
     * Room for {@code more} values: the size in long arithmetic, so that a partition too large for one
     * array is refused with advice rather than overflowing into a negative size.
     */
    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed > limit) {
            throw new IllegalArgumentException("a partition's rows need more than " + limit + " floats, more than"
                    + " one Java array holds; repartition the DataFrame into more partitions");
        }
        if (needed > values.length) {
            values = Arrays.copyOf(values, (int) Math.max(needed, Math.min(limit, 2L * values.length)));
        }
    }

    int size() {
        return size;
    }

    float[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
