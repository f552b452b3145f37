package io.backlane.kernel;

/**
 * The portable part of a Goto/BLIS GEMM: the five loops around a register-tile micro-kernel, and
 * the packing that makes every transpose look alike to it.
 *
 * <pre>
 * for jc in 0..n step NC            B panel (KC×NC): packed once, then read by every A block
 *   for pc in 0..k step KC          pack op(B)[pc:pc+KC, jc:jc+NC] into NR-wide strips
 *     for ic in 0..m step MC        pack op(A)[ic:ic+MC, pc:pc+KC] into MR-tall strips (the A block)
 *       for jr in 0..NC step NR     one B strip (KC×NR) is read by ...
 *         for ir in 0..MC step MR   ... each A strip (KC×MR) of the block in turn
 *           micro-kernel: C[ir:ir+MR, jr:jr+NR] = alpha·A_strip·B_strip + beta·C
 * </pre>
 *
 * <p>The sizes come from the micro-kernel's {@link Blocking} table, which gives the reason for each.
 * Where the data lives, for the vector kernel at 512 bits (MR×NR = 4×64, KC 512, MC 192, NC 4096) on
 * the AMD Zen 4 / Zen 5 cores it is tuned for (L1D 32 / 48 KiB, L2 1 MiB per core, L3 32 MiB per
 * CCD), 4 bytes a float:
 * <ul>
 *   <li>C tile, 4×64 = 1 KiB: in 16 vector registers for a whole KC block; C in memory is loaded
 *       (unless beta is 0) and stored once per tile and KC block.</li>
 *   <li>B strip, 512×64 = 128 KiB, and A strip, 512×4 = 8 KiB: the B strip is larger than L1D, so it
 *       cannot stay in L1 from one A strip to the next; every micro-kernel call streams both strips
 *       from L2, in order. The reuse is in registers: each B vector loaded feeds 4 FMAs (one per row
 *       of the tile), each broadcast element of A feeds 4 (one per vector).</li>
 *   <li>A block, 192×512 = 384 KiB: in L2 beside the B strip being read (512 KiB of 1 MiB), where
 *       every B strip of the panel reads it once more.</li>
 *   <li>B panel, 512×4096 = 8 MiB: more than L2, so it lives in L3; each A block streams it from
 *       there once, a strip at a time, and each strip then serves the block's 48 A strips from L2.</li>
 * </ul>
 *
 * <p>Around this nest, {@link #gemm} picks one of three other paths by shape: the narrow kernel for
 * at most {@link Blocking#narrowMaxN()} columns ({@link #useNarrow}), unpacked row updates or dot
 * products for few rows or a short k ({@link #useUnpacked}), and an engine's own packed loop nest
 * ({@link #packedProduct}: the scalar engine's, which C2 vectorizes). Where A is not transposed and
 * the engine has a {@link #rowsKernel}, the innermost loops read A's rows where they lie.
 *
 * <p>Subclasses supply the micro-kernel and its table. Packed panels are zero-padded to whole tiles,
 * so the micro-kernel always runs a full tile; partial tiles are written back through
 * {@link GemmWorkspace#tile}.
 */
abstract class BlockedGemm {
    /** The micro-kernel's tile, block sizes and path thresholds. */
    final Blocking blocking;

    BlockedGemm(Blocking blocking) {
        this.blocking = blocking;
    }

    /**
     * Computes one MR×NR tile over kc rank-1 updates of the packed strips
     * {@code pa[paOff ..]} (kc × MR, k-major) and {@code pb[pbOff ..]} (kc × NR, k-major), and writes
     * alpha·acc + beta·C to the full tile of C at {@code cOff} (beta 0: C not read).
     */
    abstract void microKernel(int kc, float[] pa, int paOff, float[] pb, int pbOff,
                              float alpha, float beta, float[] c, int cOff, int ldc);

    /**
     * Computes a partial tile, the last {@code cols} (≤ NR) columns of a panel, as alpha·A_strip·B_strip
     * into {@code tile} (MR rows, {@code ldt} apart; beta 0): only its first {@code cols} columns are
     * used. This version runs the full micro-kernel; a subclass may run a narrower one.
     */
    void edgeKernel(int cols, int kc, float[] pa, int paOff, float[] pb, int pbOff, float alpha, float[] tile, int ldt) {
        microKernel(kc, pa, paOff, pb, pbOff, alpha, 0f, tile, 0, ldt);
    }

    /**
     * Computes the first rows of a panel's last strip when it is partial ({@code cols} &lt; NR), on a
     * kernel of the engine's own: C[0:rows, 0:cols] = alpha·A·B_strip + beta·C, A being the packed
     * block from {@code pa[0]} (whole MR-row strips, kc deep) and C at {@code cOff}. Returns how many
     * rows it computed, a multiple of MR; the rest of the strip runs {@link #edgeKernel} tile by
     * tile. This version computes none.
     */
    int edgeStrip(int mc, int cols, int kc, float[] pa, float[] pb, int pbOff, float alpha, float beta,
                  float[] c, int cOff, int ldc, GemmWorkspace ws) {
        return 0;
    }

    /**
     * Whether to skip packing, in the form {@link #unpacked} then takes: too few rows to fill a tile
     * (a batch of 1 is a matrix-vector product), a rank-k update with tiny k (the weight gradient of
     * a batch of 1 is an outer product: writing C dominates, and packing would only add a pass), or
     * a tiny product; else too few columns to fill half a tile (an output layer of width 10), or
     * A·Bᵀ with at most {@link Blocking#dotMaxM()} rows of at least {@link Blocking#dotMinVectors()}
     * vectors, whose rows are contiguous in k, so tiled dot products need no packing while the
     * packed path would pack all of B (a layer's whole weight matrix) for a few rows of A. Unless
     * the inner loop would run mostly in its scalar tail: row updates over n (a 30-16-1 network's
     * products ran 4 to 8 times slower that way than packed), or dot products that do not pay
     * ({@link #dotsPay}: k = 30 is one vector of 16 and 14 scalar steps; shorter than 4 vectors,
     * their horizontal sums outweigh their FMAs, except for very few columns).
     */
    final boolean useUnpacked(boolean transA, boolean transB, int m, int n, int k) {
        if (m < blocking.mr() || k <= blocking.unpackedMaxK() || (long) m * n * k <= blocking.unpackedMaxVolume()) {
            return true;
        }
        boolean dot = !transA && transB;
        if (transA && transB) {
            return false; // unpacked, Aᵀ·Bᵀ is a plain scalar loop
        }
        if (dot ? !dotsPay(n, k) : n % vectorLength() > n / vectorLength()) {
            return false;
        }
        return 2 * n <= blocking.nr() || (dot && m <= blocking.dotMaxM() && k >= blocking.dotMinVectors() * vectorLength());
    }

    /**
     * Whether dot products of length k run in whole vectors: a scalar tail shorter than the vector
     * part, and at least 4 vectors, since each dot product ends in a horizontal sum that would
     * otherwise cost more than its few FMAs.
     */
    final boolean dotProductsPay(int k) {
        int lanes = vectorLength();
        return k % lanes <= k / lanes && k >= 4 * lanes;
    }

    /**
     * Whether A·Bᵀ with n columns runs as n dot products of length k per row of A rather than on
     * the narrow kernel (or packed): where the dot products run in whole vectors
     * ({@link #dotProductsPay}); for a single column, always, since the narrow kernel would compute
     * a whole vector for one useful lane; and for up to a quarter of a vector of columns, where k
     * is at least one vector and its scalar tail no longer than its vector part. Measured on Zen 4
     * at 512 bits, 4096 rows (dot products against the narrow kernel): one column, 1.6–3.9× at k
     * 12 to 50; two to four columns, 1.3–1.9× at k 16 and 50, but 0.6–0.75× at k 30, whose dot
     * products are one vector and 14 scalar steps. The one rule for both {@link #useUnpacked} and
     * {@link #weightsLayout}, so that sgemm and prepacked weights multiply a layer alike.
     */
    final boolean dotsPay(int n, int k) {
        int lanes = vectorLength();
        if (n == 1 || dotProductsPay(k)) {
            return true;
        }
        return 4 * n <= lanes && k >= lanes && k % lanes <= k / lanes;
    }

    /**
     * Whether to run the narrow kernel ({@link #narrow}): op(B) at most {@link Blocking#narrowMaxN()}
     * columns wide (a small network's layers: 30-16-1 has n = 16, 30 and 1). The packed path would
     * pad each B strip to NR columns (4 times the multiply-adds at n = 16) and pack both operands;
     * the row updates of the unpacked path sum through memory, one row of C per call. Not
     * transposed, B is read as it is; transposed, Bᵀ must first be copied (n·k floats), so A·Bᵀ
     * runs narrow only where it would otherwise have been packed: dot products of at least four
     * whole vectors beat rank-1 updates of one mostly padded vector.
     */
    final boolean useNarrow(boolean transA, boolean transB, int m, int n, int k) {
        return n <= blocking.narrowMaxN() && (!transB || !useUnpacked(transA, transB, m, n, k));
    }

    /**
     * The narrow path (n ≤ {@link Blocking#narrowMaxN()}): a subclass with a narrow kernel
     * overrides this; the portable version runs the packed path.
     */
    void narrow(boolean transA, boolean transB, int m, int n, int k, float alpha,
                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                float beta, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        blocked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
    }

    /** The lanes of the unpacked path's vector loops, whose scalar tails are shorter than this (1: no tails). */
    int vectorLength() {
        return 1;
    }

    /** Unchecked GEMM; m, n, k ≥ 1 and alpha ≠ 0. */
    final void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float beta, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        if (useNarrow(transA, transB, m, n, k)) {
            narrow(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
        } else if (useUnpacked(transA, transB, m, n, k)) {
            unpacked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            packedProduct(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
        }
    }

    /**
     * The unpacked path, in the form that keeps the inner loop contiguous: row updates
     * C[i,:] += alpha·op(A)[i,p]·B[p,:] when B is not transposed, dot products of rows of A and B
     * when only B is, and a plain loop for the rare Aᵀ·Bᵀ.
     */
    final void unpacked(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                        float beta, float[] c, int cOff, int ldc) {
        if (!transB) {
            for (int i = 0; i < m; i++) {
                int cRow = cOff + i * ldc;
                int first = 0;
                if (beta != 1f) { // fold beta into the first term, so that C's row is written once
                    float ai0 = transA ? a[aOff + i] : a[aOff + i * lda];
                    if (ai0 != 0f) {
                        axpby(n, alpha * ai0, b, bOff, beta, c, cRow);
                    } else {
                        Kernels.scaleMatrix(1, n, beta, c, cRow, ldc);
                    }
                    first = 1;
                }
                for (int p = first; p < k; p++) {
                    float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    if (aip != 0f) {
                        axpy(n, alpha * aip, b, bOff + p * ldb, c, cRow);
                    }
                }
            }
        } else if (!transA) {
            dotProducts(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            for (int i = 0; i < m; i++) {
                int cRow = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        s += a[aOff + p * lda + i] * b[bOff + j * ldb + p];
                    }
                    c[cRow + j] = beta == 0f ? alpha * s : alpha * s + beta * c[cRow + j];
                }
            }
        }
    }

    /**
     * C = alpha·A·Bᵀ + beta·C as m·n dot products of rows of A and rows of B, both contiguous:
     * the form of a forward pass (Z = A·Wᵀ), which needs no packing at all.
     */
    abstract void dotProducts(int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                              float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);

    /** y[yOff + j] += alpha · x[xOff + j] for j in [0, n). */
    abstract void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    /** y[yOff + j] = alpha · x[xOff + j] + beta · y[yOff + j] for j in [0, n); beta 0: y is not read. */
    abstract void axpby(int n, float alpha, float[] x, int xOff, float beta, float[] y, int yOff);

    /**
     * The packed path of {@link #gemm}: {@link #blocked} here; an engine with a loop nest of its own
     * for it overrides this (the scalar engine, whose micro-kernel C2 does not vectorize).
     */
    void packedProduct(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float beta, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        blocked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
    }

    /** The packed path: the loop nest above. */
    final void blocked(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float beta, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        int mr = blocking.mr(), nr = blocking.nr();
        int kcBlock = blocking.kc(), mcBlock = blocking.mc(), ncBlock = blocking.nc();
        int kcMax = Math.min(kcBlock, k);
        int mcMax = roundUp(Math.min(mcBlock, m), mr);
        int ncMax = roundUp(Math.min(ncBlock, n), nr);
        ws.ensure(mcMax * kcMax, kcMax * ncMax, mr * nr);
        float[] pa = ws.packedA;
        float[] pb = ws.packedB;

        for (int jc = 0; jc < n; jc += ncBlock) {
            int nc = Math.min(ncBlock, n - jc);
            for (int pc = 0; pc < k; pc += kcBlock) {
                int kc = Math.min(kcBlock, k - pc);
                float betaBlock = pc == 0 ? beta : 1f; // beta applies once; later blocks accumulate
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, pb, 0);
                for (int ic = 0; ic < m; ic += mcBlock) {
                    int mc = Math.min(mcBlock, m - ic);
                    if (!transA && readsRowsOf(mc, nc, alpha, betaBlock)) {
                        rowsMacroKernel(mc, nc, kc, a, aOff + ic * lda + pc, lda, pb, 0, betaBlock, c, cOff + ic * ldc + jc, ldc,
                                null, 0, false);
                    } else {
                        packA(transA, a, aOff, lda, ic, mc, pc, kc, pa);
                        macroKernel(mc, nc, kc, pa, pb, 0, alpha, betaBlock, c, cOff + ic * ldc + jc, ldc, ws);
                    }
                }
            }
        }
    }

    /**
     * Whether a block of A (not transposed) of mc rows against nc columns of packed B runs on
     * {@link #rowsKernel}, reading A's rows where they lie instead of packing them: where the engine
     * has that kernel, the block is whole tiles, and alpha is 1 with beta 0 or 1 (the forward
     * products and the errors of a network).
     */
    private boolean readsRowsOf(int mc, int nc, float alpha, float beta) {
        return readsRowsUnpacked() && mc % blocking.mr() == 0 && nc % blocking.nr() == 0
                && alpha == 1f && (beta == 0f || beta == 1f);
    }

    /**
     * The two innermost loops on A's own rows: mc × kc of A (from aOff, rows lda apart) times the packed
     * B panel at {@code pbBase}; with {@code bias} (the block's first column's entry at {@code biasOff};
     * null for none), each tile then gets {@link #addBiasRelu} while it is still in L1.
     */
    private void rowsMacroKernel(int mc, int nc, int kc, float[] a, int aOff, int lda, float[] pb, int pbBase, float beta,
                                 float[] c, int cBlock, int ldc, float[] bias, int biasOff, boolean relu) {
        int mr = blocking.mr(), nr = blocking.nr();
        for (int jr = 0; jr < nc; jr += nr) {
            int pbOff = pbBase + (jr / nr) * kc * nr;
            for (int ir = 0; ir < mc; ir += mr) {
                int cTile = cBlock + ir * ldc + jr;
                rowsKernel(kc, a, aOff + ir * lda, lda, pb, pbOff, beta, c, cTile, ldc);
                if (bias != null) {
                    addBiasRelu(mr, nr, bias, biasOff + jr, relu, c, cTile, ldc);
                }
            }
        }
    }

    /**
     * C[i][j] = max(C[i][j] + bias[biasOff + j], 0) over rows × cols of C (rows ldc apart), without
     * the max where {@code relu} is false: the same operations as {@code Kernels.addBiasRows} and then
     * {@code Kernels.activate} with ReLU, so the bits are theirs. This version runs one element at a
     * time.
     */
    void addBiasRelu(int rows, int cols, float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc) {
        for (int i = 0, row = cOff; i < rows; i++, row += ldc) {
            for (int j = 0; j < cols; j++) {
                float v = c[row + j] + bias[biasOff + j];
                c[row + j] = relu ? Math.max(v, 0f) : v;
            }
        }
    }

    /** The two innermost loops: the packed A block (mc × kc) times the packed B panel (kc × nc) at {@code pbBase}. */
    private void macroKernel(int mc, int nc, int kc, float[] pa, float[] pb, int pbBase, float alpha, float beta,
                             float[] c, int cBlock, int ldc, GemmWorkspace ws) {
        int mr = blocking.mr(), nr = blocking.nr();
        for (int jr = 0; jr < nc; jr += nr) {
            int nrEff = Math.min(nr, nc - jr);
            int pbOff = pbBase + (jr / nr) * kc * nr;
            int done = nrEff == nr ? 0 : edgeStrip(mc, nrEff, kc, pa, pb, pbOff, alpha, beta, c, cBlock + jr, ldc, ws);
            for (int ir = done; ir < mc; ir += mr) {
                int mrEff = Math.min(mr, mc - ir);
                int paOff = (ir / mr) * kc * mr;
                int cTile = cBlock + ir * ldc + jr;
                if (mrEff == mr && nrEff == nr) {
                    microKernel(kc, pa, paOff, pb, pbOff, alpha, beta, c, cTile, ldc);
                } else {
                    // A partial tile: the full tile into the workspace's MR×NR buffer, then its valid part into C.
                    edgeKernel(nrEff, kc, pa, paOff, pb, pbOff, alpha, ws.tile, nr);
                    mergeTile(ws.tile, nr, mrEff, nrEff, beta, c, cTile, ldc);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Prepacked weights: C = A·Wᵀ with W packed once (a model's layers), for prediction.

    /**
     * One row of A, unpacked ({@code a[aOff ..]}, kc contiguous values), times a packed B strip:
     * C[0, 0:NR] = Σ_p a_p·b_p + beta·C, beta 0 or 1 (0: C not read). Every element is computed by
     * the operations of {@link #microKernel} with alpha 1, in the same order, so that a row of a
     * product gets the same bits alone as inside a tile of MR rows.
     */
    abstract void rowKernel(int kc, float[] a, int aOff, float[] pb, int pbOff, float beta, float[] c, int cOff);

    /** The layouts of prepacked weights ({@link #packWeights}). */
    enum WeightsLayout {
        /** op(B) = Wᵀ in the micro-kernel's NR-wide strips. */
        TILED,
        /** op(B) = Wᵀ as k rows of {@link #narrowWidth} floats, zero-padded, for the narrow kernel. */
        NARROW,
        /** W as it is, for {@link #dotProducts}. */
        AS_IS,
        /**
         * op(B) = Wᵀ as rows, each an array of its own, in the engine's blocks of columns
         * ({@link #newWeightRows}): for an engine whose packed loop nest reads rows instead of tiles.
         */
        ROWS
    }

    /**
     * How W (n × k) is prepacked: tiled (or as rows, where the engine {@link #readsWeightRows}),
     * unless it has at most NR/2 outputs (an output layer of 1 or 10 units), where the strips would
     * pad every row of Wᵀ to NR columns, up to 64 times the memory and the multiply-adds. Such a W
     * is multiplied by dot products, as it is, where they pay ({@link #dotsPay}: the same rule as
     * sgemm's); else by the narrow kernel (16 units of 30 inputs: one vector and 14 scalar steps
     * per dot product, or 30 FMAs of whole vectors per row).
     */
    final WeightsLayout weightsLayout(int n, int k) {
        if (2 * n > blocking.nr()) {
            return readsWeightRows() ? WeightsLayout.ROWS : WeightsLayout.TILED;
        }
        return n <= blocking.narrowMaxN() && !dotsPay(n, k) ? WeightsLayout.NARROW : WeightsLayout.AS_IS;
    }

    /** Whether {@link #packWeights} lays W (n × k) out anew: in any {@link #weightsLayout} but {@link WeightsLayout#AS_IS}. */
    final boolean laysOutWeights(int n, int k) {
        return weightsLayout(n, k) != WeightsLayout.AS_IS;
    }

    /** The row width, in floats, of op(B) with n ≤ {@link Blocking#narrowMaxN()} columns for the narrow kernel: whole vectors. */
    final int narrowWidth(int n) {
        return roundUp(n, vectorLength());
    }

    /**
     * Whether this engine has a {@link #rowsKernel}: then a product with prepacked weights reads
     * the MR rows of each tile from A as they are, and packs nothing.
     */
    boolean readsRowsUnpacked() {
        return false;
    }

    /**
     * MR unpacked rows of A (row i at {@code a[aOff + i·lda ..]}, kc contiguous values each) times a
     * packed B strip: C[0:MR, 0:NR] = Σ_p a_p ⊗ b_p + beta·C, beta 0 or 1 (0: C not read), every
     * element by the operations of {@link #rowKernel} (and of the micro-kernel with alpha 1), so
     * that a row has the same bits in a tile as alone. Only where {@link #readsRowsUnpacked}.
     */
    void rowsKernel(int kc, float[] a, int aOff, int lda, float[] pb, int pbOff, float beta, float[] c, int cOff, int ldc) {
        throw new UnsupportedOperationException("no unpacked-rows kernel in " + getClass().getSimpleName());
    }

    /**
     * {@link #rowKernel} on four consecutive whole strips ({@code pb[pbOff ..]}, {@code stripLength}
     * apart) into 4·NR consecutive columns of C from {@code cOff}, each element computed as there.
     * This version runs two {@link #rowKernelPair pairs}.
     */
    void rowKernelQuad(int kc, float[] a, int aOff, float[] pb, int pbOff, int stripLength, float beta, float[] c, int cOff) {
        int nr = blocking.nr();
        rowKernelPair(kc, a, aOff, pb, pbOff, pbOff + stripLength, beta, c, cOff, cOff + nr);
        rowKernelPair(kc, a, aOff, pb, pbOff + 2 * stripLength, pbOff + 3 * stripLength, beta, c, cOff + 2 * nr, cOff + 3 * nr);
    }

    /**
     * {@link #rowKernel} on two whole strips at once ({@code pb[pbOff1 ..]} into {@code c[cOff1 ..]},
     * {@code pb[pbOff2 ..]} into {@code c[cOff2 ..]}), each element computed as there: a single row is
     * a chain of dependent FMAs per accumulator, so twice the accumulators keep twice the FMAs in flight.
     * This version runs the two strips one after the other.
     */
    void rowKernelPair(int kc, float[] a, int aOff, float[] pb, int pbOff1, int pbOff2, float beta,
                       float[] c, int cOff1, int cOff2) {
        rowKernel(kc, a, aOff, pb, pbOff1, beta, c, cOff1);
        rowKernel(kc, a, aOff, pb, pbOff2, beta, c, cOff2);
    }

    /**
     * Whether prepacked weights that would be tiled take the {@link WeightsLayout#ROWS} layout
     * instead: an engine whose loop nest reads rows rather than tiles says so (this version: no).
     */
    boolean readsWeightRows() {
        return false;
    }

    /** Empty rows for W (n × k) in the {@link WeightsLayout#ROWS} layout; only where the engine has it. */
    float[][] newWeightRows(int n, int k) {
        throw new UnsupportedOperationException("no row layout of weights in " + getClass().getSimpleName());
    }

    /** Packs W (n × k from {@code wOff}) into rows from {@link #newWeightRows}; only where the engine has them. */
    void packWeightRows(int n, int k, float[] w, int wOff, float[][] rows) {
        throw new UnsupportedOperationException("no row layout of weights in " + getClass().getSimpleName());
    }

    /** {@link #multiplyPacked} for W in the {@link WeightsLayout#ROWS} layout; only where the engine has it. */
    void multiplyWeightRows(int m, int n, int k, float[] a, int aOff, int lda, float[][] rows,
                            float[] c, int cOff, int ldc, GemmWorkspace ws) {
        throw new UnsupportedOperationException("no row layout of weights in " + getClass().getSimpleName());
    }

    /** The length of the flat storage of W (n × k) packed by {@link #packWeights} in its {@link #weightsLayout} (0 for rows). */
    final int packedWeightsLength(int n, int k) {
        return switch (weightsLayout(n, k)) {
            case TILED -> Math.multiplyExact(roundUp(n, blocking.nr()), k);
            case NARROW -> Math.multiplyExact(narrowWidth(n), k);
            case AS_IS -> Math.multiplyExact(n, k);
            case ROWS -> 0;
        };
    }

    /**
     * Packs W (n × k, row-major, {@code w[wOff ..]}) as op(B) = Wᵀ, every (jc, pc) panel of the loop
     * nest as {@link #packB} lays it out, panels in loop order: the panel at (jc, pc) starts at
     * {@code jc·k + pc·roundUp(nc, NR)}; or in the other {@link #weightsLayout layouts}: into
     * {@code rows} for {@link WeightsLayout#ROWS}, else into {@code packed}.
     */
    final void packWeights(int n, int k, float[] w, int wOff, float[] packed, float[][] rows) {
        WeightsLayout layout = weightsLayout(n, k);
        if (layout == WeightsLayout.ROWS) {
            packWeightRows(n, k, w, wOff, rows);
            return;
        }
        if (layout == WeightsLayout.AS_IS) {
            System.arraycopy(w, wOff, packed, 0, n * k);
            return;
        }
        if (layout == WeightsLayout.NARROW) {
            int width = narrowWidth(n);
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    packed[p * width + j] = w[wOff + j * k + p];
                }
                java.util.Arrays.fill(packed, p * width + n, (p + 1) * width, 0f);
            }
            return;
        }
        int kcBlock = blocking.kc(), ncBlock = blocking.nc();
        for (int jc = 0; jc < n; jc += ncBlock) {
            int nc = Math.min(ncBlock, n - jc);
            for (int pc = 0; pc < k; pc += kcBlock) {
                packB(true, w, wOff, k, pc, Math.min(kcBlock, k - pc), jc, nc, packed, panelOffset(jc, pc, k, nc));
            }
        }
    }

    private int panelOffset(int jc, int pc, int k, int nc) {
        return jc * k + pc * roundUp(nc, blocking.nr());
    }

    /**
     * C (m × n, rows ldc apart) = A (m × k, rows lda apart) · Wᵀ, W packed by {@link #packWeights}.
     * Whole MR-row groups of A run through {@link #rowsKernel} where the engine has it (else they
     * are packed for the micro-kernel), the last m % MR rows through {@link #rowKernel}; all compute
     * each element alike, so each row of C has the same bits whatever m is and wherever the row
     * sits in A. (So do the other layouts: dot products, each column by one kernel whatever the
     * row; the narrow kernel, each element one chain of FMAs in the same order, in a tile of 8 rows
     * as alone; rows, each element one chain of FMAs per block of k, whatever the rows around it.)
     * Then, with {@code bias} (n values from {@code biasOff}; null for none, and then no ReLU either),
     * {@link #addBiasRelu}: in the tiled layout on each tile of the last block of k as it is written,
     * while it is in L1, instead of two more passes over C; in the others, over C afterwards.
     */
    final void multiplyPacked(int m, int n, int k, float[] a, int aOff, int lda, float[] packed, float[][] rows,
                              float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        switch (weightsLayout(n, k)) {
            case ROWS -> multiplyWeightRows(m, n, k, a, aOff, lda, rows, c, cOff, ldc, ws);
            case AS_IS -> dotProducts(m, n, k, 1f, a, aOff, lda, packed, 0, k, 0f, c, cOff, ldc);
            // op(B) = the packed Wᵀ, every row read in place
            case NARROW -> narrow(false, false, m, n, k, 1f, a, aOff, lda, packed, 0, narrowWidth(n), 0f, c, cOff, ldc, ws);
            case TILED -> {
                multiplyTiled(m, n, k, a, aOff, lda, packed, bias, biasOff, relu, c, cOff, ldc, ws);
                return; // the tiles got their bias and ReLU as they were written
            }
        }
        if (bias != null) {
            addBiasRelu(m, n, bias, biasOff, relu, c, cOff, ldc);
        }
    }

    /** {@link #multiplyPacked} for W in the {@link WeightsLayout#TILED} layout, the epilogue in the loop nest's last block of k. */
    private void multiplyTiled(int m, int n, int k, float[] a, int aOff, int lda, float[] packed,
                               float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        int mr = blocking.mr(), nr = blocking.nr();
        int kcBlock = blocking.kc(), mcBlock = blocking.mc(), ncBlock = blocking.nc();
        int fullRows = m - m % mr;
        // Whole strips read A's rows where they lie (readsRowsOf): then no A block is packed.
        boolean packsA = !readsRowsUnpacked() || n % nr != 0;
        ws.ensure(packsA ? Math.min(mcBlock, fullRows) * Math.min(kcBlock, k) : 0, 0, mr * nr);
        float[] pa = ws.packedA;
        for (int jc = 0; jc < n; jc += ncBlock) {
            int nc = Math.min(ncBlock, n - jc);
            for (int pc = 0; pc < k; pc += kcBlock) {
                int kc = Math.min(kcBlock, k - pc);
                float beta = pc == 0 ? 0f : 1f; // later blocks accumulate
                float[] blockBias = pc + kc == k ? bias : null; // the epilogue, in the last block of k only
                int panel = panelOffset(jc, pc, k, nc);
                for (int ic = 0; ic < fullRows; ic += mcBlock) {
                    int mc = Math.min(mcBlock, fullRows - ic);
                    int cBlock = cOff + ic * ldc + jc;
                    if (readsRowsOf(mc, nc, 1f, beta)) {
                        rowsMacroKernel(mc, nc, kc, a, aOff + ic * lda + pc, lda, packed, panel, beta, c, cBlock, ldc,
                                blockBias, biasOff + jc, relu);
                    } else {
                        packA(false, a, aOff, lda, ic, mc, pc, kc, pa);
                        macroKernel(mc, nc, kc, pa, packed, panel, 1f, beta, c, cBlock, ldc, ws);
                        if (blockBias != null) {
                            addBiasRelu(mc, nc, blockBias, biasOff + jc, relu, c, cBlock, ldc);
                        }
                    }
                }
                for (int i = fullRows; i < m; i++) {
                    int aRow = aOff + i * lda + pc;
                    int cRow = cOff + i * ldc + jc;
                    int jr = 0;
                    for (; jr + 4 * nr <= nc; jr += 4 * nr) { // four whole strips at a time: four times the loads in flight
                        rowKernelQuad(kc, a, aRow, packed, panel + (jr / nr) * kc * nr, kc * nr, beta, c, cRow + jr);
                    }
                    for (; jr + 2 * nr <= nc; jr += 2 * nr) { // two whole strips at a time: twice the FMA chains
                        int pbOff = panel + (jr / nr) * kc * nr;
                        rowKernelPair(kc, a, aRow, packed, pbOff, pbOff + kc * nr, beta, c, cRow + jr, cRow + jr + nr);
                    }
                    for (; jr < nc; jr += nr) {
                        int cols = Math.min(nr, nc - jr);
                        int pbOff = panel + (jr / nr) * kc * nr;
                        if (cols == nr) {
                            rowKernel(kc, a, aRow, packed, pbOff, beta, c, cRow + jr);
                        } else {
                            rowKernel(kc, a, aRow, packed, pbOff, 0f, ws.tile, 0);
                            mergeTile(ws.tile, nr, 1, cols, beta, c, cRow + jr, ldc);
                        }
                    }
                    if (blockBias != null) {
                        addBiasRelu(1, nc, blockBias, biasOff + jc, relu, c, cRow, ldc);
                    }
                }
            }
        }
    }

    /** C[0:rows, 0:cols] = tile + beta·C, the tile's rows ldt apart (beta 0: C not read). */
    static void mergeTile(float[] tile, int ldt, int rows, int cols, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < rows; i++) {
            int row = cOff + i * ldc;
            int t = i * ldt;
            if (beta == 0f) {
                System.arraycopy(tile, t, c, row, cols);
            } else {
                for (int j = 0; j < cols; j++) {
                    c[row + j] = tile[t + j] + beta * c[row + j];
                }
            }
        }
    }

    /**
     * Packs op(B)[pc:pc+kc, jc:jc+nc] into NR-wide strips from {@code pb[pbOff]} on: element (p, j)
     * of strip s goes to {@code pb[pbOff + s·kc·NR + p·NR + j]}; columns past nc are zero.
     */
    final void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] pb, int pbOff) {
        int nr = blocking.nr();
        int packed = transB ? 0 : packRowsOfB(b, bOff, ldb, pc, kc, jc, nc - nc % nr, pb, pbOff);
        for (int jr = packed, strip = pbOff + packed * kc; jr < nc; jr += nr, strip += kc * nr) {
            packBStrip(transB, b, bOff, ldb, pc, kc, jc + jr, Math.min(nr, nc - jr), pb, strip);
        }
    }

    /**
     * Packs the whole strips of op(B) = B (not transposed), columns jc .. jc + cols with cols a
     * multiple of NR, row by row: each of the kc rows of B is read once, front to back, and its
     * NR-wide pieces go to their strips, instead of each strip reading its piece of every row.
     * Returns the columns packed; this version packs none, leaving them to {@link #packBStrip}.
     */
    int packRowsOfB(float[] b, int bOff, int ldb, int pc, int kc, int jc, int cols, float[] pb, int pbOff) {
        return 0;
    }

    /**
     * Packs one strip, op(B)[pc:pc+kc, j0:j0+cols] with cols ≤ NR, to {@code pb[strip ..]} (kc × NR,
     * k-major, zero past cols). This portable version copies element by element; a subclass may
     * override it with a faster copy for its tile.
     */
    void packBStrip(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int j0, int cols,
                    float[] pb, int strip) {
        int nr = blocking.nr();
        if (!transB) { // op(B)[p][j] = B[p][j]: rows of the strip are contiguous in B
            for (int p = 0; p < kc; p++) {
                int dst = strip + p * nr;
                System.arraycopy(b, bOff + (pc + p) * ldb + j0, pb, dst, cols);
                if (cols < nr) {
                    java.util.Arrays.fill(pb, dst + cols, dst + nr, 0f);
                }
            }
        } else { // op(B)[p][j] = B[j][p]: gather down the strip's columns, write each packed row once
            // p outer, j inner: the strip's cols rows of B stay in L1 (one cache line serves 16
            // consecutive p), and the packed buffer is written sequentially.
            int src = bOff + j0 * ldb + pc;
            for (int p = 0; p < kc; p++) {
                int dst = strip + p * nr;
                for (int j = 0; j < cols; j++) {
                    pb[dst + j] = b[src + j * ldb + p];
                }
                for (int j = cols; j < nr; j++) {
                    pb[dst + j] = 0f;
                }
            }
        }
    }

    /**
     * Packs op(A)[ic:ic+mc, pc:pc+kc] into MR-tall strips: element (i, p) of strip s goes to
     * {@code pa[s·kc·MR + p·MR + i]}; rows past mc are zero.
     */
    final void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc, float[] pa) {
        int mr = blocking.mr();
        for (int ir = 0, strip = 0; ir < mc; ir += mr, strip += kc * mr) {
            packAStrip(transA, a, aOff, lda, ic + ir, Math.min(mr, mc - ir), pc, kc, pa, strip);
        }
    }

    /**
     * Packs one strip, op(A)[i0:i0+rows, pc:pc+kc] with rows ≤ MR, to {@code pa[strip ..]} (kc × MR,
     * k-major, zero past rows). Portable element-by-element version; a subclass may override it.
     */
    void packAStrip(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int pc, int kc,
                    float[] pa, int strip) {
        int mr = blocking.mr();
        // Element (i, p) of op(A) is at src + i·iStride + p·pStride. p outer, i inner, as in
        // packBStrip: the packed strip is written sequentially.
        int src = transA ? aOff + pc * lda + i0 : aOff + i0 * lda + pc;
        int iStride = transA ? 1 : lda;
        int pStride = transA ? lda : 1;
        for (int p = 0; p < kc; p++) {
            int dst = strip + p * mr;
            int from = src + p * pStride;
            for (int i = 0; i < rows; i++) {
                pa[dst + i] = a[from + i * iStride];
            }
            for (int i = rows; i < mr; i++) {
                pa[dst + i] = 0f;
            }
        }
    }

    /** C[off .. off+4) = alpha·t + beta·C (C not read when beta is 0): a row of a 4-wide tile of scalars. */
    static void storeRow4(float t0, float t1, float t2, float t3, float alpha, float beta, float[] c, int off) {
        if (beta == 0f) {
            c[off] = alpha * t0;
            c[off + 1] = alpha * t1;
            c[off + 2] = alpha * t2;
            c[off + 3] = alpha * t3;
        } else {
            c[off] = alpha * t0 + beta * c[off];
            c[off + 1] = alpha * t1 + beta * c[off + 1];
            c[off + 2] = alpha * t2 + beta * c[off + 2];
            c[off + 3] = alpha * t3 + beta * c[off + 3];
        }
    }

    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
