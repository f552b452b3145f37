package io.backlane.kernel;

/**
 * The packing buffers of {@code sgemm}: a packed block of op(A) (MC×KC, in MR-tall strips), a packed
 * panel of op(B) (KC×NC, in NR-wide strips), and one MR×NR tile for partial edge tiles; for the
 * scalar kernels also a block of op(B) as separate rows and 4 rows of sums.
 *
 * <p>Buffers grow to the largest problem seen and are then reused: once a workspace has served a
 * shape, later calls of that shape or smaller allocate nothing. They never exceed one block of each
 * kind: with the vector kernel's block sizes, 384 KiB for A, 8 MiB for B and 1 KiB for the tile;
 * the scalar kernels' rows, 256 KiB and 4 KiB.
 * A workspace belongs to one thread at a time; create one per training or serving thread, or let
 * {@link Kernels#sgemm} use the one cached for the current thread.
 *
 * <pre>{@code
 * GemmWorkspace ws = new GemmWorkspace();
 * Kernels.get().sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, n, ws);
 * }</pre>
 */
public final class GemmWorkspace {
    private static final ThreadLocal<GemmWorkspace> PER_THREAD = ThreadLocal.withInitial(GemmWorkspace::new);

    float[] packedA = new float[0]; // (MC rounded up to MR) × KC, MR-tall strips, each k-major
    float[] packedB = new float[0]; // KC × (NC rounded up to NR), NR-wide strips, each k-major
    float[] tile = new float[0];    // MR × NR: a partial edge tile before it is merged into C
    float[][] bRows = new float[0][];   // the scalar engine's B block: ROWS_KC rows of up to ROWS_STRIP floats, each an array of its own
    float[][] sumRows = new float[0][]; // its 4 rows of sums, STRIP floats each (ScalarGemm.packedProduct)

    /** An empty workspace; its buffers are sized by the first call that uses it. */
    public GemmWorkspace() {
    }

    static GemmWorkspace forCurrentThread() {
        return PER_THREAD.get();
    }

    /** Grows the scalar engine's row buffers to {@code rows} rows of B and {@code sums} rows of sums, {@code width} floats each. */
    void ensureRows(int rows, int sums, int width) {
        bRows = grown(bRows, rows, width);
        ensureSums(sums, width);
    }

    /** Grows the scalar engine's rows of sums alone (a product with weights prepacked as rows reads no other buffer). */
    void ensureSums(int sums, int width) {
        sumRows = grown(sumRows, sums, width);
    }

    private static float[][] grown(float[][] current, int rows, int width) {
        int have = current.length == 0 ? 0 : current[0].length;
        if (current.length >= rows && have >= width) {
            return current;
        }
        return new float[Math.max(rows, current.length)][Math.max(width, have)];
    }

    /** Grows the buffers to hold the given sizes (in floats); never shrinks them. */
    void ensure(int packedASize, int packedBSize, int tileSize) {
        if (packedA.length < packedASize) {
            packedA = new float[packedASize];
        }
        if (packedB.length < packedBSize) {
            packedB = new float[packedBSize];
        }
        if (tile.length < tileSize) {
            tile = new float[tileSize];
        }
    }
}
