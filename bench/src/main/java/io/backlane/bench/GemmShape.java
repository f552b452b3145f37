package io.backlane.bench;

/**
 * One sgemm problem, C(m×n) = alpha · op(A) · op(B), row-major, named by a {@code shape} parameter of
 * {@link GemmBenchmark}:
 *
 * <ul>
 *   <li>{@code sq-N}: square NN product, m = n = k = N, alpha 1;</li>
 *   <li>{@code fwd-IxO-bB}: forward pass of a dense layer with I inputs and O outputs at batch B,
 *       Z = A_prev · Wᵀ: NT with m = B, n = O, k = I, alpha 1;</li>
 *   <li>{@code dW-IxO-bB}: weight gradient dW = dZᵀ · A_prev / B: TN with m = O, n = I, k = B,
 *       alpha 1/B;</li>
 *   <li>{@code dA-IxO-bB}: gradient of the layer's input dA_prev = dZ · W: NN with m = B, n = I,
 *       k = O, alpha 1.</li>
 * </ul>
 *
 * <p>Storage: A_prev is B×I, W is O×I, dZ is B×O, all row-major with contiguous rows; every leading
 * dimension is the stored row length. beta is always 0.
 */
record GemmShape(String name, boolean transA, boolean transB, int m, int n, int k, float alpha) {

    static GemmShape parse(String name) {
        String[] parts = name.split("-");
        try {
            if (parts.length == 2 && parts[0].equals("sq")) {
                int s = Integer.parseInt(parts[1]);
                return new GemmShape(name, false, false, s, s, s, 1f);
            }
            if (parts.length == 3 && parts[2].startsWith("b")) {
                String[] io = parts[1].split("x");
                if (io.length == 2) {
                    int in = Integer.parseInt(io[0]);
                    int out = Integer.parseInt(io[1]);
                    int batch = Integer.parseInt(parts[2].substring(1));
                    switch (parts[0]) {
                        case "fwd":
                            return new GemmShape(name, false, true, batch, out, in, 1f);
                        case "dW":
                            return new GemmShape(name, true, false, out, in, batch, 1f / batch);
                        case "dA":
                            return new GemmShape(name, false, false, batch, in, out, 1f);
                        default:
                            break;
                    }
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("shape: '" + name + "' is not sq-N, fwd-IxO-bB, dW-IxO-bB or dA-IxO-bB");
    }

    /** Leading dimension of A: stored A is m×k, or k×m when transposed. */
    int lda() {
        return transA ? m : k;
    }

    /** Leading dimension of B: stored B is k×n, or n×k when transposed. */
    int ldb() {
        return transB ? k : n;
    }

    int ldc() {
        return n;
    }

    int aSize() {
        return m * k;
    }

    int bSize() {
        return k * n;
    }

    int cSize() {
        return m * n;
    }

    /** Floating-point operations of one call, counted as 2·m·n·k (one multiply and one add per term). */
    double flop() {
        return 2.0 * m * n * k;
    }

    @Override
    public String toString() {
        return name + " (" + (transA ? 'T' : 'N') + (transB ? 'T' : 'N') + " m=" + m + " n=" + n + " k=" + k
                + " alpha=" + alpha + ")";
    }
}
