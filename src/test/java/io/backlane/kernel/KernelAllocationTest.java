package io.backlane.kernel;

import io.backlane.testing.AllocationProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every kernel, GEMM on its packed and unpacked paths with every transpose, allocates nothing once
 * compiled. Interpreted and C1 code box vectors; C2 must not (a vector that crosses a non-inlined
 * call or a phi is boxed: this test catches such a regression).
 */
class KernelAllocationTest {

    @ParameterizedTest
    @ValueSource(strings = {Implementations.SCALAR, Implementations.VECTOR})
    void kernelsAllocateNothingInSteadyState(String impl) {
        Kernels k = Implementations.named(impl);
        int n = 33 * 64;
        float[] a = new float[n], b = new float[n], c = new float[4 * n], w = new float[64 * 64];
        for (int i = 0; i < n; i++) {
            a[i] = (i % 7) * 0.1f - 0.3f;
            b[i] = (i % 5) * 0.1f;
        }
        GemmWorkspace ws = new GemmWorkspace();
        Map<String, Runnable> ops = new LinkedHashMap<>();
        ops.put("sgemm NT dot products", () -> k.sgemm(false, true, 33, 64, 40, 1f, a, 0, 40, w, 0, 40, 0f, c, 0, 64, ws));
        float[] big = new float[200 * 40], bigC = new float[200 * 64];
        ops.put("sgemm NT packed", () -> k.sgemm(false, true, 200, 64, 40, 1f, big, 0, 40, w, 0, 40, 0f, bigC, 0, 64, ws));
        ops.put("sgemm NT unpacked", () -> k.sgemm(false, true, 1, 64, 40, 1f, a, 0, 40, w, 0, 40, 0f, c, 0, 64, ws));
        ops.put("sgemm TN packed", () -> k.sgemm(true, false, 64, 40, 33, 0.1f, a, 0, 64, b, 0, 40, 0f, c, 0, 40, ws));
        ops.put("sgemm NN packed beta", () -> k.sgemm(false, false, 33, 40, 64, 1f, a, 0, 64, w, 0, 40, 0.5f, c, 0, 40, ws));
        ops.put("sgemm NN packed narrow edge", () -> k.sgemm(false, false, 33, 70, 64, 1f, a, 0, 64, big, 0, 70, 0f, bigC, 0, 70, ws));
        ops.put("sgemm TT", () -> k.sgemm(true, true, 20, 20, 20, 1f, a, 0, 20, w, 0, 20, 0f, c, 0, 20, ws));
        BlockedGemm engine = Implementations.engineOf(k);
        int narrowN = Math.max(1, engine.blocking.narrowMaxN()), narrowK = 3 * engine.vectorLength() - 1; // the narrow layout, where there is one
        PackedWeights wide = k.packWeights(64, 40, w, 0), narrow = k.packWeights(narrowN, narrowK, w, 0);
        ops.put("multiplyPacked 200 rows", () -> k.multiplyPacked(200, big, 0, wide, bigC, 0, ws));
        ops.put("multiplyPacked 1 row", () -> k.multiplyPacked(1, big, 0, wide, bigC, 0, ws));
        ops.put("multiplyPacked narrow", () -> k.multiplyPacked(100, big, 0, narrow, bigC, 0, ws));
        ops.put("multiplyPackedAddBias 200 rows, ReLU", () -> k.multiplyPackedAddBias(200, big, 0, wide, b, 0, true, bigC, 0, ws));
        ops.put("multiplyPackedAddBias 1 row", () -> k.multiplyPackedAddBias(1, big, 0, wide, b, 0, false, bigC, 0, ws));
        ops.put("multiplyPackedAddBias narrow, ReLU", () -> k.multiplyPackedAddBias(100, big, 0, narrow, b, 0, true, bigC, 0, ws));
        ops.put("repackWeights", () -> k.repackWeights(wide, w, 0));
        ops.put("addBiasRows", () -> k.addBiasRows(33, 64, b, 0, c, 0));
        ops.put("columnSums", () -> k.columnSums(33, 64, 0.1f, a, 0, 0f, c, 0));
        for (Pointwise g : new Pointwise[] {Pointwise.SIGMOID, Pointwise.TANH, Pointwise.RELU,
                Pointwise.LEAKY_RELU, Pointwise.IDENTITY}) {
            ops.put("activate " + g, () -> k.activate(g, 0.01f, n, a, 0, c, 0));
            ops.put("activateBackward " + g, () -> k.activateBackward(g, 0.01f, n, a, 0, b, 0, c, 0));
        }
        ops.put("softmaxRows", () -> k.softmaxRows(33, 64, a, 0, c, 0));
        ops.put("axpy", () -> k.axpy(n, 0.5f, a, 0, c, 0));
        ops.put("scale", () -> k.scale(n, 0.5f, c, 0));
        ops.put("sumOfSquares", () -> k.sumOfSquares(n, a, 0));
        ops.put("allFinite", () -> k.allFinite(n, a, 0));
        ops.put("hadamard", () -> k.hadamard(n, a, 0, b, 0, c, 0));
        // Warm every kernel together, so that each is compiled with the mixed profile a network gives it.
        for (int round = 0; round < 500; round++) {
            for (Runnable op : ops.values()) {
                op.run();
            }
        }
        Map<String, String> allocating = new LinkedHashMap<>();
        for (Map.Entry<String, Runnable> op : ops.entrySet()) {
            try {
                AllocationProbe.assertSteadyStateAllocatesNothing(() -> {
                    for (int i = 0; i < 20; i++) {
                        op.getValue().run();
                    }
                });
            } catch (AssertionError e) {
                allocating.put(op.getKey(), e.getMessage());
            }
        }
        assertEquals(Map.of(), allocating, impl + " kernels that still allocate after warm-up");
    }
}
