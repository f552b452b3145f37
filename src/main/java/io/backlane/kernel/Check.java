package io.backlane.kernel;

/** Argument checks shared by the public kernel entry points; each message names the argument. */
final class Check {
    private Check() {
    }

    static void nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    static void finite(String name, float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, got " + value);
        }
    }

    /**
     * x[off .. off + n) must lie inside x (when n is 0, only that off is in [0, length]). n is a long so
     * that a rows·cols count too big for an int is reported as this argument's error, not an overflow.
     */
    static void vector(String name, float[] x, int off, long n) {
        if (x == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (off < 0 || off > x.length) {
            throw new IllegalArgumentException(name + " offset " + off + " is outside [0, " + x.length + "]");
        }
        if (off + n > x.length) {
            throw new IllegalArgumentException(name + " needs " + n + " elements from offset " + off
                    + " but has length " + x.length);
        }
    }

    /**
     * A stored rows×cols row-major matrix at {@code off} with leading dimension {@code ld}: ld must be
     * at least max(1, cols) and the last element touched, off + (rows−1)·ld + cols − 1, inside x.
     */
    static void matrix(String name, float[] x, int off, String ldName, int ld, int rows, int cols) {
        if (x == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(ldName + " must be >= max(1, " + cols + ") for a "
                    + rows + "x" + cols + " " + name + ", got " + ld);
        }
        if (off < 0 || off > x.length) {
            throw new IllegalArgumentException(name + " offset " + off + " is outside [0, " + x.length + "]");
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long last = off + (long) (rows - 1) * ld + cols - 1;
        if (last >= x.length) {
            throw new IllegalArgumentException(name + " is too short: a " + rows + "x" + cols + " matrix at offset "
                    + off + " with " + ldName + " " + ld + " ends at index " + last + " but length is " + x.length);
        }
    }
}
