package io.backlane.kernel;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Every kind of bad argument to the public kernels is an {@link IllegalArgumentException} whose
 * message starts with the argument's name, thrown before anything is written: the output array is
 * compared with a copy. Each case changes one argument of a call that is otherwise valid (checked by
 * a "valid" case run on the same arrays), so the exception can only come from that argument.
 */
class KernelValidationTest {
    private static final int M = 3, N = 4, K = 5;

    @TestFactory
    Stream<DynamicContainer> rejectsBadArguments() {
        Kernels vector = Kernels.get();
        Stream<Kernels> impls = vector.isVectorized()
                ? Stream.of(KernelProvider.scalar(), vector) : Stream.of(KernelProvider.scalar());
        return impls.map(k -> dynamicContainer(k.name(), Stream.concat(sgemmCases(k), elementwiseCases(k))));
    }

    /** A call that must fail naming {@code argument}, leaving {@code output} as it was. */
    private static DynamicNode rejects(String title, String argument, float[] output, Runnable call) {
        return dynamicTest(title + " -> " + argument, () -> {
            float[] before = output == null ? null : output.clone();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
            assertTrue(Pattern.compile("^" + Pattern.quote(argument) + "\\b").matcher(e.getMessage()).find(),
                    "message should start with '" + argument + "': " + e.getMessage());
            if (output != null) {
                assertTrue(Arrays.equals(before, output), title + ": output was written before the check");
            }
        });
    }

    private static DynamicNode accepts(String title, Runnable call) {
        return dynamicTest(title + " is valid", call::run);
    }

    /** The arguments of one sgemm call, each replaced in turn by a bad value. */
    private record Gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                        float beta, float[] c, int cOff, int ldc, GemmWorkspace ws) {

        /** A valid M×N×K call on tightly sized arrays with offset 1 and leading dimensions padded by 1. */
        static Gemm valid(boolean transA, boolean transB) {
            int lda = (transA ? M : K) + 1, ldb = (transB ? K : N) + 1, ldc = N + 1;
            float[] a = filled(1 + ((transA ? K : M) - 1) * lda + (transA ? M : K));
            float[] b = filled(1 + ((transB ? N : K) - 1) * ldb + (transB ? K : N));
            float[] c = filled(1 + (M - 1) * ldc + N);
            return new Gemm(transA, transB, M, N, K, 1f, a, 1, lda, b, 1, ldb, 0.5f, c, 1, ldc, new GemmWorkspace());
        }

        void run(Kernels kernels) {
            kernels.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
        }

        Gemm with(Consumer<Builder> change) {
            Builder x = new Builder(this);
            change.accept(x);
            return x.build();
        }
    }

    /** Mutable copy of a {@link Gemm}, so that each case reads as "valid call, but lda = 2". */
    private static final class Builder {
        boolean transA, transB;
        int m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
        float alpha, beta;
        float[] a, b, c;
        GemmWorkspace ws;

        Builder(Gemm g) {
            transA = g.transA(); transB = g.transB(); m = g.m(); n = g.n(); k = g.k(); alpha = g.alpha();
            a = g.a(); aOff = g.aOff(); lda = g.lda(); b = g.b(); bOff = g.bOff(); ldb = g.ldb();
            beta = g.beta(); c = g.c(); cOff = g.cOff(); ldc = g.ldc(); ws = g.ws();
        }

        Gemm build() {
            return new Gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
        }
    }

    private static float[] filled(int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = 0.25f * (i % 7) - 0.5f;
        }
        return x;
    }

    private static Stream<DynamicNode> sgemmCases(Kernels kernels) {
        List<DynamicNode> cases = new ArrayList<>();
        for (String t : new String[] {"NN", "NT", "TN", "TT"}) {
            boolean transA = t.charAt(0) == 'T', transB = t.charAt(1) == 'T';
            String name = "sgemm " + t;
            Gemm valid = Gemm.valid(transA, transB);
            cases.add(accepts(name, () -> valid.with(x -> x.c = x.c.clone()).run(kernels)));
            // Each case builds on fresh arrays, so that no case can see another's output.
            cases.add(gemmCase(kernels, name + ": lda one too small", "lda", transA, transB, x -> x.lda = transA ? M - 1 : K - 1));
            cases.add(gemmCase(kernels, name + ": ldb one too small", "ldb", transA, transB, x -> x.ldb = transB ? K - 1 : N - 1));
            cases.add(gemmCase(kernels, name + ": ldc one too small", "ldc", transA, transB, x -> x.ldc = N - 1));
            cases.add(gemmCase(kernels, name + ": a one element short", "a", transA, transB, x -> x.a = Arrays.copyOf(x.a, x.a.length - 1)));
            cases.add(gemmCase(kernels, name + ": b one element short", "b", transA, transB, x -> x.b = Arrays.copyOf(x.b, x.b.length - 1)));
            cases.add(gemmCase(kernels, name + ": c one element short", "c", transA, transB, x -> x.c = Arrays.copyOf(x.c, x.c.length - 1)));
            cases.add(gemmCase(kernels, name + ": aOff pushes the end past a", "a", transA, transB, x -> x.aOff = 2));
            cases.add(gemmCase(kernels, name + ": cOff pushes the end past c", "c", transA, transB, x -> x.cOff = 2));
        }
        cases.add(gemmCase(kernels, "sgemm: m < 0", "m", false, false, x -> x.m = -1));
        cases.add(gemmCase(kernels, "sgemm: n < 0", "n", false, false, x -> x.n = -1));
        cases.add(gemmCase(kernels, "sgemm: k < 0", "k", false, false, x -> x.k = -1));
        cases.add(gemmCase(kernels, "sgemm: alpha NaN", "alpha", false, false, x -> x.alpha = Float.NaN));
        cases.add(gemmCase(kernels, "sgemm: alpha infinite", "alpha", false, false, x -> x.alpha = Float.POSITIVE_INFINITY));
        cases.add(gemmCase(kernels, "sgemm: beta NaN", "beta", false, false, x -> x.beta = Float.NaN));
        cases.add(gemmCase(kernels, "sgemm: a null", "a", false, false, x -> x.a = null));
        cases.add(gemmCase(kernels, "sgemm: b null", "b", false, false, x -> x.b = null));
        cases.add(gemmCase(kernels, "sgemm: c null", "c", true, true, x -> x.c = null));
        cases.add(gemmCase(kernels, "sgemm: ws null", "ws", false, false, x -> x.ws = null));
        cases.add(gemmCase(kernels, "sgemm: aOff negative", "a", false, true, x -> x.aOff = -1));
        cases.add(gemmCase(kernels, "sgemm: bOff negative", "b", true, false, x -> x.bOff = -1));
        cases.add(gemmCase(kernels, "sgemm: cOff negative", "c", false, false, x -> x.cOff = -1));
        cases.add(gemmCase(kernels, "sgemm: aOff past the end", "a", false, false, x -> x.aOff = x.a.length + 1));
        cases.add(gemmCase(kernels, "sgemm: bOff past the end", "b", false, false, x -> x.bOff = x.b.length + 1));
        cases.add(gemmCase(kernels, "sgemm: cOff past the end", "c", false, false, x -> x.cOff = x.c.length + 1));
        cases.add(gemmCase(kernels, "sgemm: empty C, ldc 0", "ldc", false, false, x -> {
            x.m = 0;
            x.ldc = 0;
        }));
        return cases.stream();
    }

    private static DynamicNode gemmCase(Kernels kernels, String title, String argument,
                                        boolean transA, boolean transB, Consumer<Builder> change) {
        Gemm bad = Gemm.valid(transA, transB).with(change);
        return rejects(title, argument, bad.c(), () -> bad.run(kernels));
    }

    private static Stream<DynamicNode> elementwiseCases(Kernels k) {
        List<DynamicNode> cases = new ArrayList<>();
        int n = 10;
        float[] x = filled(n), y = filled(n), dst = filled(n), shortArray = filled(n - 1);

        cases.add(accepts("axpy", () -> k.axpy(n, 2f, x, 0, y.clone(), 0)));
        cases.add(rejects("axpy: n < 0", "n", y, () -> k.axpy(-1, 2f, x, 0, y, 0)));
        cases.add(rejects("axpy: x null", "x", y, () -> k.axpy(n, 2f, null, 0, y, 0)));
        cases.add(rejects("axpy: y null", "y", null, () -> k.axpy(n, 2f, x, 0, null, 0)));
        cases.add(rejects("axpy: x too short", "x", y, () -> k.axpy(n, 2f, shortArray, 0, y, 0)));
        cases.add(rejects("axpy: y too short from its offset", "y", y, () -> k.axpy(n, 2f, x, 0, y, 1)));
        cases.add(rejects("axpy: xOff negative", "x", y, () -> k.axpy(n, 2f, x, -1, y, 0)));
        cases.add(rejects("axpy: yOff past the end", "y", y, () -> k.axpy(0, 2f, x, 0, y, n + 1)));

        cases.add(accepts("scale", () -> k.scale(n, 2f, x.clone(), 0)));
        cases.add(rejects("scale: n < 0", "n", x, () -> k.scale(-1, 2f, x, 0)));
        cases.add(rejects("scale: x null", "x", null, () -> k.scale(n, 2f, null, 0)));
        cases.add(rejects("scale: x too short", "x", shortArray, () -> k.scale(n, 2f, shortArray, 0)));
        cases.add(rejects("scale: xOff negative", "x", x, () -> k.scale(1, 2f, x, -1)));

        cases.add(accepts("sumOfSquares", () -> k.sumOfSquares(n, x, 0)));
        cases.add(rejects("sumOfSquares: n < 0", "n", null, () -> k.sumOfSquares(-1, x, 0)));
        cases.add(rejects("sumOfSquares: x null", "x", null, () -> k.sumOfSquares(n, null, 0)));
        cases.add(rejects("sumOfSquares: x too short", "x", null, () -> k.sumOfSquares(n, x, 1)));

        cases.add(accepts("hadamard", () -> k.hadamard(n, x, 0, y, 0, dst.clone(), 0)));
        cases.add(rejects("hadamard: n < 0", "n", dst, () -> k.hadamard(-1, x, 0, y, 0, dst, 0)));
        cases.add(rejects("hadamard: x null", "x", dst, () -> k.hadamard(n, null, 0, y, 0, dst, 0)));
        cases.add(rejects("hadamard: y too short", "y", dst, () -> k.hadamard(n, x, 0, shortArray, 0, dst, 0)));
        cases.add(rejects("hadamard: dst too short", "dst", shortArray, () -> k.hadamard(n, x, 0, y, 0, shortArray, 0)));
        cases.add(rejects("hadamard: dstOff negative", "dst", dst, () -> k.hadamard(n, x, 0, y, 0, dst, -1)));

        int rows = 2, cols = 5; // rows·cols = n
        cases.add(accepts("addBiasRows", () -> k.addBiasRows(rows, cols, x, 0, dst.clone(), 0)));
        cases.add(rejects("addBiasRows: rows < 0", "rows", dst, () -> k.addBiasRows(-1, cols, x, 0, dst, 0)));
        cases.add(rejects("addBiasRows: cols < 0", "cols", dst, () -> k.addBiasRows(rows, -1, x, 0, dst, 0)));
        cases.add(rejects("addBiasRows: bias null", "bias", dst, () -> k.addBiasRows(rows, cols, null, 0, dst, 0)));
        cases.add(rejects("addBiasRows: bias too short", "bias", dst, () -> k.addBiasRows(rows, cols, x, 6, dst, 0)));
        cases.add(rejects("addBiasRows: c too short", "c", dst, () -> k.addBiasRows(rows, cols, x, 0, dst, 1)));
        cases.add(rejects("addBiasRows: rows·cols overflows int", "c", dst, () -> k.addBiasRows(1 << 30, cols, x, 0, dst, 0)));

        cases.add(accepts("columnSums", () -> k.columnSums(rows, cols, 1f, x, 0, 0f, dst.clone(), 0)));
        cases.add(rejects("columnSums: rows < 0", "rows", dst, () -> k.columnSums(-1, cols, 1f, x, 0, 0f, dst, 0)));
        cases.add(rejects("columnSums: cols < 0", "cols", dst, () -> k.columnSums(rows, -1, 1f, x, 0, 0f, dst, 0)));
        cases.add(rejects("columnSums: a null", "a", dst, () -> k.columnSums(rows, cols, 1f, null, 0, 0f, dst, 0)));
        cases.add(rejects("columnSums: a too short", "a", dst, () -> k.columnSums(rows, cols, 1f, x, 1, 0f, dst, 0)));
        cases.add(rejects("columnSums: dst too short", "dst", dst, () -> k.columnSums(rows, cols, 1f, x, 0, 0f, dst, 6)));
        cases.add(rejects("columnSums: rows·cols overflows int", "a", dst, () -> k.columnSums(1 << 30, cols, 1f, x, 0, 0f, dst, 0)));
        cases.add(accepts("columnSums with lda", () -> k.columnSums(rows - 1, cols - 1, 1f, x, 0, cols, 0f, dst.clone(), 0)));
        cases.add(rejects("columnSums: lda < cols", "lda", dst, () -> k.columnSums(rows, cols, 1f, x, 0, cols - 1, 0f, dst, 0)));
        cases.add(rejects("columnSums: a too short for lda", "a", dst, () -> k.columnSums(rows, cols, 1f, x, 0, cols + 1, 0f, dst, 0)));

        for (Pointwise g : Pointwise.values()) {
            cases.add(accepts("activate " + g, () -> k.activate(g, 0.1f, n, x, 0, dst.clone(), 0)));
            cases.add(accepts("activateBackward " + g, () -> k.activateBackward(g, 0.1f, n, x, 0, y, 0, dst.clone(), 0)));
        }
        cases.add(rejects("activate: g null", "g", dst, () -> k.activate(null, 0f, n, x, 0, dst, 0)));
        cases.add(rejects("activate: n < 0", "n", dst, () -> k.activate(Pointwise.RELU, 0f, -1, x, 0, dst, 0)));
        cases.add(rejects("activate: src null", "src", dst, () -> k.activate(Pointwise.RELU, 0f, n, null, 0, dst, 0)));
        cases.add(rejects("activate: src too short", "src", dst, () -> k.activate(Pointwise.RELU, 0f, n, shortArray, 0, dst, 0)));
        cases.add(rejects("activate: dst too short", "dst", shortArray, () -> k.activate(Pointwise.RELU, 0f, n, x, 0, shortArray, 0)));
        cases.add(rejects("activate: dstOff past the end", "dst", dst, () -> k.activate(Pointwise.RELU, 0f, 0, x, 0, dst, n + 1)));
        cases.add(rejects("activateBackward: g null", "g", dst, () -> k.activateBackward(null, 0f, n, x, 0, y, 0, dst, 0)));
        cases.add(rejects("activateBackward: n < 0", "n", dst, () -> k.activateBackward(Pointwise.TANH, 0f, -1, x, 0, y, 0, dst, 0)));
        cases.add(rejects("activateBackward: dA too short", "dA", dst, () -> k.activateBackward(Pointwise.TANH, 0f, n, shortArray, 0, y, 0, dst, 0)));
        cases.add(rejects("activateBackward: a null", "a", dst, () -> k.activateBackward(Pointwise.TANH, 0f, n, x, 0, null, 0, dst, 0)));
        cases.add(rejects("activateBackward: a too short", "a", dst, () -> k.activateBackward(Pointwise.TANH, 0f, n, x, 0, shortArray, 0, dst, 0)));
        cases.add(rejects("activateBackward: dZ too short", "dZ", shortArray, () -> k.activateBackward(Pointwise.TANH, 0f, n, x, 0, y, 0, shortArray, 0)));
        cases.add(rejects("activateBackward: dZOff negative", "dZ", dst, () -> k.activateBackward(Pointwise.TANH, 0f, n, x, 0, y, 0, dst, -1)));

        cases.add(accepts("softmaxRows", () -> k.softmaxRows(rows, cols, x, 0, dst.clone(), 0)));
        cases.add(rejects("softmaxRows: rows < 0", "rows", dst, () -> k.softmaxRows(-1, cols, x, 0, dst, 0)));
        cases.add(rejects("softmaxRows: cols 0", "cols", dst, () -> k.softmaxRows(rows, 0, x, 0, dst, 0)));
        cases.add(rejects("softmaxRows: src null", "src", dst, () -> k.softmaxRows(rows, cols, null, 0, dst, 0)));
        cases.add(rejects("softmaxRows: src too short", "src", dst, () -> k.softmaxRows(rows, cols, shortArray, 0, dst, 0)));
        cases.add(rejects("softmaxRows: dst too short", "dst", dst, () -> k.softmaxRows(rows, cols, x, 0, dst, 1)));
        cases.add(rejects("softmaxRows: rows·cols overflows int", "src", dst, () -> k.softmaxRows(1 << 30, cols, x, 0, dst, 0)));
        return cases.stream();
    }
}
