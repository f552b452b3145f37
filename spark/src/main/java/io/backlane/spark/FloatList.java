package io.backlane.spark;

import java.util.Arrays;

/** A growable float array: a partition's rows are read without knowing how many there are. */
final class FloatList {
    private float[] values = new float[1024];
    private int size;

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

    private void ensure(int more) {
        if (size + more > values.length) {
            values = Arrays.copyOf(values, Math.max(size + more, (int) Math.min(Integer.MAX_VALUE - 16, 2L * values.length)));
        }
    }

    int size() {
        return size;
    }

    float[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
