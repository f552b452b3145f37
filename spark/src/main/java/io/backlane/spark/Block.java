package io.backlane.spark;

import java.io.Serializable;

/**
 * One partition's rows, row-major, as the trainer reads them: training inputs x (rows × n[0]) and
 * targets y (rows × n[L]), and the rows held out for validation likewise. Read once from the
 * DataFrame and cached, so that every iteration of training reads floats, not Spark rows.
 */
final class Block implements Serializable {
    private static final long serialVersionUID = 1L;

    final float[] x;
    final float[] y;
    final int rows;
    final float[] validationX;
    final float[] validationY;
    final int validationRows;
    /** Rows of the partition dropped as invalid (handleInvalid "skip"), for the log. */
    final long skipped;

    Block(float[] x, float[] y, int rows, float[] validationX, float[] validationY, int validationRows, long skipped) {
        this.x = x;
        this.y = y;
        this.rows = rows;
        this.validationX = validationX;
        this.validationY = validationY;
        this.validationRows = validationRows;
        this.skipped = skipped;
    }
}
