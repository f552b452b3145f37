package io.backlane.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Kernels#sgemm} of both implementations against the naive triple loop, over transposes,
 * alpha and beta, awkward sizes, padded layouts and the block boundaries of {@link BlockedGemm}.
 * Every case also checks that C outside its window and A and B are left alone (see {@link GemmCase}).
 */
class SgemmTest {
    /** Sizes around the tile widths (4, 16, 32, 64) and one past a power of two. */
    static final int[] DIMS = {1, 2, 3, 15, 16, 17, 31, 33, 64, 127, 257};
    private static final String[] TRANSPOSES = {"NN", "NT", "TN", "TT"};

    /** The engine's own packed loop nest ({@link BlockedGemm#blocked}), whatever path sgemm would take. */
    private static GemmCase.Gemm viaBlocked(BlockedGemm engine, GemmWorkspace ws) {
        return (tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) ->
                engine.blocked(tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
    }

    private static GemmCase.Gemm viaKernels(Kernels kernels) {
        return kernels::sgemm;
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void everyTransposeAlphaAndBeta(String impl) {
        Kernels kernels = Implementations.named(impl);
        BlockedGemm engine = Implementations.engineOf(kernels);
        // One shape per path, so that each combination runs through both.
        int longRows = Math.max(engine.blocking.dotMinVectors() * engine.vectorLength(), 32) + 3;
        int[][] shapes = {{17, 33, 31}, {70, 90, 45}, {40, 90, longRows}};
        assertTrue(engine.useUnpacked(false, false, 17, 33, 31));
        assertFalse(engine.useUnpacked(false, false, 70, 90, 45));
        assertEquals(engine.blocking.dotMaxM() >= 40, engine.useUnpacked(false, true, 40, 90, longRows),
                "A·Bᵀ with few long rows: dot products where tiled");
        assertFalse(engine.useUnpacked(false, true, 40, 90, 64), "A·Bᵀ with short rows: packed");
        assertFalse(engine.useUnpacked(false, true, 70, 90, 64));
        assertFalse(engine.useUnpacked(false, true, 300, 90, 64));
        assertTrue(engine.useUnpacked(false, true, 5000, 1, 2 * engine.vectorLength() - 1), "a single column: dot products, whatever k");
        // A dot product or row update mostly in its scalar tail (2L − 1 long) takes the packed path instead.
        int lanes = engine.vectorLength();
        assertEquals(lanes > 2, !engine.useUnpacked(false, true, 600, 16, 2 * lanes - 1), "dot products of length 2L - 1");
        assertEquals(lanes > 2, !engine.useUnpacked(true, false, 16, 2 * lanes - 1, 569), "row updates of length 2L - 1");
        Random rnd = new Random(1);
        for (int[] s : shapes) {
            for (String t : TRANSPOSES) {
                for (float alpha : GemmCase.ALPHAS) {
                    for (float beta : GemmCase.BETAS) {
                        GemmCase.of(t, s[0], s[1], s[2], alpha, beta).check(viaKernels(kernels), rnd, true);
                    }
                }
            }
        }
    }

    /** Each of m, n, k over the whole of {@link #DIMS} while the other two take a few values. */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void eachDimensionOverAllSizes(String impl) {
        Kernels kernels = Implementations.named(impl);
        Random rnd = new Random(2);
        int[] others = {2, 17, 64};
        for (int v : DIMS) {
            for (int x : others) {
                for (int y : others) {
                    for (String t : TRANSPOSES) {
                        for (int[] mnk : new int[][] {{v, x, y}, {x, v, y}, {x, y, v}}) {
                            GemmCase c = GemmCase.random(rnd, mnk[0], mnk[1], mnk[2]);
                            GemmCase.of(t, c.m(), c.n(), c.k(), c.alpha(), c.beta())
                                    .check(viaKernels(kernels), rnd, true);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void randomSampleOfSizeTriples(String impl) {
        Kernels kernels = Implementations.named(impl);
        Random rnd = new Random(3);
        for (int i = 0; i < 60; i++) {
            GemmCase.random(rnd, DIMS[rnd.nextInt(DIMS.length)], DIMS[rnd.nextInt(DIMS.length)],
                    DIMS[rnd.nextInt(DIMS.length)]).check(viaKernels(kernels), rnd, true);
        }
    }

    /** Dense layouts (offset 0, leading dimension = row width), the way the network calls sgemm. */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void tightLayouts(String impl) {
        Kernels kernels = Implementations.named(impl);
        Random rnd = new Random(4);
        for (int i = 0; i < 40; i++) {
            GemmCase.random(rnd, DIMS[rnd.nextInt(DIMS.length)], DIMS[rnd.nextInt(DIMS.length)],
                    DIMS[rnd.nextInt(DIMS.length)]).check(viaKernels(kernels), rnd, false);
        }
    }

    /**
     * Shapes that cross MC (192 rows), KC (256 or 512: beta must apply in the first k-block only)
     * and NC (4096 columns) of the engine's {@link Blocking}, through one shared workspace that grows and is
     * reused.
     */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void blockBoundaries(String impl) {
        Kernels kernels = Implementations.named(impl);
        BlockedGemm engine = Implementations.engineOf(kernels);
        GemmWorkspace ws = new GemmWorkspace();
        GemmCase.Gemm gemm = (tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) ->
                kernels.sgemm(tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
        Blocking blocking = engine.blocking;
        assertTrue(blocking.mc() < 193 && blocking.kc() < 513 && blocking.nc() < 4097,
                "the shapes below no longer cross the block boundaries of " + blocking);
        Random rnd = new Random(5);
        GemmCase[] cases = {
            GemmCase.of("NN", 300, 520, 600, 1f, 0f),
            GemmCase.of("TT", 300, 520, 600, -0.5f, 0.3f),
            GemmCase.of("NT", 193, 130, 513, 2f, 1f),
            GemmCase.of("TN", 193, 130, 513, 1f, 0.3f),
            GemmCase.of("NN", 5, 4100, 6, 1f, 0f),
            GemmCase.of("TN", 5, 4100, 6, 2f, 0.3f),
            GemmCase.of("NT", 133, 4100, 260, -0.5f, 0f),
            GemmCase.of("TT", 6, 4097, 257, 1f, 1f),
            GemmCase.of("TN", 204, 784, 600, -0.5f, 1f), // a last strip of 16 columns, two KC blocks
        };
        for (GemmCase c : cases) {
            assertFalse(engine.useUnpacked(c.transA(), c.transB(), c.m(), c.n(), c.k()), c + " should take the packed path");
            c.check(gemm, rnd, true);
        }
    }

    /**
     * The unpacked and packed paths of the engine, each forced on shapes the heuristic would send to
     * the other: both must be correct everywhere, whatever {@link BlockedGemm#useUnpacked} decides.
     */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void packedAndUnpackedPathsExplicitly(String impl) {
        BlockedGemm engine = Implementations.engineOf(Implementations.named(impl));
        GemmWorkspace ws = new GemmWorkspace();
        GemmCase.Gemm unpacked = engine::unpacked;
        GemmCase.Gemm packed = viaBlocked(engine, ws);
        int[][] shapes = {{1, 1, 1}, {3, 70, 5}, {5, 7, 300}, {17, 16, 2}, {33, 65, 17}, {64, 64, 64},
            {200, 33, 260}, {127, 257, 31}};
        float[] alphas = {1f, -0.5f, 2f}; // the engine is only called with alpha != 0
        Random rnd = new Random(6);
        int i = 0;
        for (int[] s : shapes) {
            for (String t : TRANSPOSES) {
                float alpha = alphas[i % alphas.length];
                float beta = GemmCase.BETAS[i++ % GemmCase.BETAS.length];
                GemmCase c = GemmCase.of(t, s[0], s[1], s[2], alpha, beta);
                c.check(unpacked, rnd, true);
                c.check(packed, rnd, true);
            }
        }
    }

    /**
     * The packed path with the engine's own strip copies (the vector engine transposes 4-row strips
     * of A in registers, L values of k at a time, and copies B row by row, a vector at a time) and edge
     * kernels: k around multiples of the vector length (vector body and scalar tail), m and n with
     * and without a partial last strip (of one vector, less, or more), every transpose, padded
     * layouts whose NaN surroundings would show any read past a strip, and beta 0 over a C of NaN.
     */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void packedStripsOverEveryRemainder(String impl) {
        BlockedGemm engine = Implementations.engineOf(Implementations.named(impl));
        GemmWorkspace ws = new GemmWorkspace();
        GemmCase.Gemm packed = viaBlocked(engine, ws);
        int[] ms = {4, 7, 12, 13, 16};
        int[] ns = {64, 65, 72, 80, 100, 130}; // last strips of 1, 8, 16, 36 and 2 columns at 512 bits
        int[] ks = {3, 15, 16, 17, 47, 64, 300};
        float[] alphas = {1f, -0.5f, 2f};
        Random rnd = new Random(8);
        int i = 0;
        for (int m : ms) {
            for (int n : ns) {
                for (int k : ks) {
                    String t = TRANSPOSES[i % TRANSPOSES.length];
                    GemmCase.of(t, m, n, k, alphas[i % alphas.length], GemmCase.BETAS[i % GemmCase.BETAS.length])
                            .check(packed, rnd, true);
                    GemmCase.of(TRANSPOSES[(i + 1) % TRANSPOSES.length], m, n, k, 1f, 0f).check(packed, rnd, i % 2 == 0);
                    i++;
                }
            }
        }
    }

    /**
     * The narrow path forced ({@link BlockedGemm#narrow}, where the engine has one): n around one and
     * two vectors, m around its 8-row tiles, k from a rank-1 update to several hundred, every
     * transpose; alpha 1 with beta 0 or 1 (sums straight into C where its rows are whole vectors)
     * and other alpha and beta (through the tile); padded layouts, whose last rows of B cannot be
     * read as whole vectors in place, and tight ones, where they can.
     */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void narrowPathOverEveryRemainder(String impl) {
        BlockedGemm engine = Implementations.engineOf(Implementations.named(impl));
        int lanes = engine.vectorLength();
        int widest = engine.blocking.narrowMaxN();
        assertEquals(widest >= 16, engine.useNarrow(false, true, 569, 16, 30), "30 inputs to 16 units at batch 569");
        assertEquals(widest >= 30, engine.useNarrow(true, false, 16, 30, 569), "their weight gradient");
        assertFalse(engine.useNarrow(false, true, 569, 10, 128), "dot products in whole vectors stay unpacked");
        assertFalse(engine.useNarrow(false, false, 64, widest + 1, 30), "wider than the narrow kernels");
        GemmWorkspace ws = new GemmWorkspace();
        GemmCase.Gemm narrow = (tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) ->
                engine.narrow(tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
        int[] ms = {1, 7, 8, 9, 17, 70};
        int[] ns = {1, lanes - 1, lanes, lanes + 1, 2 * lanes - 1, 2 * lanes};
        int[] ks = {1, 2, 5, 30, 257};
        float[][] alphaBeta = {{1f, 0f}, {1f, 1f}, {-0.5f, 0.3f}, {2f, 0f}};
        Random rnd = new Random(9);
        int i = 0;
        for (int m : ms) {
            for (int n : ns) {
                if (n < 1) {
                    continue;
                }
                for (int k : ks) {
                    for (String t : TRANSPOSES) {
                        float[] ab = alphaBeta[i++ % alphaBeta.length];
                        GemmCase.of(t, m, n, k, ab[0], ab[1]).check(narrow, rnd, i % 3 != 0);
                    }
                }
            }
        }
    }

    /**
     * The packed path where A's rows are read as they are ({@link BlockedGemm#rowsKernel}: A not
     * transposed, whole tiles, alpha 1, beta 0 or 1), across MC (192 rows), KC and NC (4096
     * columns), beside the shapes one step off it, which pack A.
     */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void packedPathOnUnpackedRowsOfA(String impl) {
        BlockedGemm engine = Implementations.engineOf(Implementations.named(impl));
        GemmWorkspace ws = new GemmWorkspace();
        GemmCase.Gemm packed = viaBlocked(engine, ws);
        int nr = engine.blocking.nr();
        int kc = engine.blocking.kc();
        int[][] shapes = {{4, nr, 1}, {8, 2 * nr, 17}, {200, nr, kc + 44}, {196, 3 * nr, kc}, {8, 4096 + nr, 5},
            {9, nr, 17}, {8, nr + 1, 17}};
        Random rnd = new Random(10);
        for (int[] sh : shapes) {
            for (String t : new String[] {"NN", "NT"}) {
                for (float beta : new float[] {0f, 1f}) {
                    GemmCase.of(t, sh[0], sh[1], sh[2], 1f, beta).check(packed, rnd, true);
                    GemmCase.of(t, sh[0], sh[1], sh[2], 1f, beta).check(packed, rnd, false);
                }
            }
        }
    }

    /** k = 0, alpha = 0 and empty C: C = beta·C without reading A or B; nothing at all when C is empty. */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void degenerateShapes(String impl) {
        Kernels kernels = Implementations.named(impl);
        Random rnd = new Random(7);
        int[][] shapes = {{0, 5, 3}, {4, 0, 3}, {0, 0, 0}, {4, 5, 0}, {1, 1, 0}};
        for (int[] s : shapes) {
            for (String t : TRANSPOSES) {
                for (float beta : GemmCase.BETAS) {
                    GemmCase.of(t, s[0], s[1], s[2], 1f, beta).check(viaKernels(kernels), rnd, true);
                }
            }
        }
        for (String t : TRANSPOSES) {
            for (float beta : GemmCase.BETAS) {
                GemmCase.of(t, 40, 50, 60, 0f, beta).check(viaKernels(kernels), rnd, true);
            }
        }
    }

    /** The BLAS rule in isolation: beta = 0 overwrites C, even when C holds NaN and infinities. */
    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void betaZeroDoesNotReadC(String impl) {
        Kernels kernels = Implementations.named(impl);
        for (int[] s : new int[][] {{3, 3, 3}, {100, 100, 100}, {4, 40, 40}}) {
            int m = s[0], n = s[1], k = s[2];
            float[] a = new float[m * k];
            float[] b = new float[k * n];
            Arrays.fill(a, 1f);
            Arrays.fill(b, 2f);
            for (float poison : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
                for (float alpha : new float[] {1f, 0f}) {
                    float[] c = new float[m * n];
                    Arrays.fill(c, poison);
                    kernels.sgemm(false, false, m, n, k, alpha, a, 0, k, b, 0, n, 0f, c, 0, n);
                    for (float v : c) {
                        assertEquals(alpha * 2f * k, v, m + "x" + n + "x" + k + " alpha " + alpha + " over " + poison);
                    }
                }
            }
        }
    }
}
