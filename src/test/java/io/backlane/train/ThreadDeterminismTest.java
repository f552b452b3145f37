package io.backlane.train;

import io.backlane.kernel.KernelProvider;
import io.backlane.kernel.Kernels;
import io.backlane.nn.Activation;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import io.backlane.reference.ReferenceNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The thread count changes the speed of training, never its result: shares depend on the batch size
 * only.
 *
 * <p>The bit-for-bit comparisons run on the scalar kernels and on the vector kernels this JVM chose.
 * The first run of each comparison meets the kernels cold (interpreted, then C1) and the later ones
 * warm (C2): the vector kernels' horizontal sums run in a fixed order and their exp and tanh are
 * backlane's own ({@code Transcendentals}), so the JIT tier changes no bit either (once the Vector
 * API's {@code reduceLanes}, EXP and TANH made this gap, and these tests ran on the scalar kernels only).
 */
class ThreadDeterminismTest {
    private static final Kernels SCALAR = KernelProvider.scalar();
    private static final Network NET = Network.builder(20).dense(24, Activation.TANH).dense(16, Activation.SIGMOID)
            .dense(5, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();

    @Test
    void sharesDependOnTheBatchSizeOnly() {
        assertEquals(1, WorkerPool.sharesFor(1));
        assertEquals(1, WorkerPool.sharesFor(255));
        assertEquals(2, WorkerPool.sharesFor(256));
        assertEquals(7, WorkerPool.sharesFor(1000));
        assertEquals(8, WorkerPool.sharesFor(1024));
        assertEquals(8, WorkerPool.sharesFor(60_000));
    }

    @ParameterizedTest(name = "scalar kernels: {0}")
    @ValueSource(booleans = {true, false})
    void theGradientOfSeveralSharesIsBitIdenticalForAnyThreadCountAndRight(boolean scalar) {
        Kernels kernels = scalar ? SCALAR : Kernels.get();
        Examples data = TestData.random(1000, 20, 5, Loss.CATEGORICAL_CROSS_ENTROPY, 4);
        Parameters p = Parameters.initialize(NET, 3);
        float[] expected = null;
        double expectedJ = 0;
        for (int threads : new int[] {1, 2, 3, 8}) {
            try (Trainer t = Trainer.builder(p).batchSize(1000).l2(0.1f).threads(threads).kernels(kernels).build()) {
                double j = t.computeGradient(data.x(), 0, data.y(), 0, 1000);
                if (expected == null) {
                    expected = t.gradient().clone();
                    expectedJ = j;
                } else {
                    assertArrayEquals(expected, t.gradient(), "threads " + threads);
                    assertEquals(expectedJ, j, 0.0, "threads " + threads);
                }
            }
        }
        // and the 7 shares' errors give the gradient of the whole batch (double-precision reference)
        double[] reference = ReferenceNetwork.of(p).gradient(ReferenceNetwork.toRows(data.x(), 1000, 20),
                ReferenceNetwork.toRows(data.y(), 1000, 5), 0.1);
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < reference.length; i++) {
            worst = Math.max(worst, Math.abs(reference[i] - expected[i]));
            scale = Math.max(scale, Math.abs(reference[i]));
        }
        assertTrue(worst <= 1e-5 * scale, "max |fast - reference| " + worst + " of max |g| " + scale);
    }

    @ParameterizedTest(name = "scalar kernels: {0}")
    @ValueSource(booleans = {true, false})
    void trainingIsBitIdenticalForAnyThreadCount(boolean scalar) {
        Kernels kernels = scalar ? SCALAR : Kernels.get();
        Examples data = TestData.random(1200, 20, 5, Loss.CATEGORICAL_CROSS_ENTROPY, 5); // 2 batches of 600: 4 shares of 150
        for (Optimizer optimizer : new Optimizer[] {Optimizer.adam(0.01f), Optimizer.sgd(0.1f)}) {
            float[] expected = null;
            for (int threads : new int[] {1, 2, 4}) {
                Parameters p = Parameters.initialize(NET, 6);
                try (Trainer t = Trainer.builder(p).batchSize(600).epochs(3).l2(0.05f).optimizer(optimizer)
                        .threads(threads).kernels(kernels).build()) {
                    t.fit(data);
                }
                if (expected == null) {
                    expected = p.values();
                    assertFalse(Arrays.equals(expected, Parameters.initialize(NET, 6).values()), "training moved");
                } else {
                    assertArrayEquals(expected, p.values(), optimizer + ", threads " + threads);
                }
            }
        }
    }

    @ParameterizedTest(name = "scalar kernels: {0}")
    @ValueSource(booleans = {true, false})
    void anSgdStepOnALayerOfSeveralTasksIsBitIdenticalForAnyThreadCountAndRight(boolean scalar) {
        // Tasks of the second phase: 300 units in three (128, 128, 44 rows of W[1]), 100 in two
        // (52, 48), 5 in one; 512 rows: 4 shares.
        Kernels kernels = scalar ? SCALAR : Kernels.get();
        Network wide = Network.builder(20).dense(300, Activation.RELU).dense(100, Activation.TANH)
                .dense(5, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        assertEquals(128, WorkerPool.unitsPerTask(300));
        assertEquals(52, WorkerPool.unitsPerTask(100));
        assertEquals(128, WorkerPool.unitsPerTask(5));
        Examples data = TestData.random(512, 20, 5, Loss.CATEGORICAL_CROSS_ENTROPY, 9);
        float lr = 0.5f, lambda = 0.2f;
        float[] expected = null;
        for (int threads : new int[] {1, 2, 3}) {
            Parameters p = Parameters.initialize(wide, 10);
            try (Trainer t = Trainer.builder(p).batchSize(512).optimizer(Optimizer.sgd(lr)).l2(lambda)
                    .threads(threads).kernels(kernels).build()) {
                t.step(data.x(), 0, data.y(), 0, 512);
            }
            if (expected == null) {
                expected = p.values();
            } else {
                assertArrayEquals(expected, p.values(), "threads " + threads);
            }
        }
        // θ − α·∇J, with ∇J (L2 included) from the double-precision reference
        Parameters before = Parameters.initialize(wide, 10);
        double[] g = ReferenceNetwork.of(before).gradient(ReferenceNetwork.toRows(data.x(), 512, 20),
                ReferenceNetwork.toRows(data.y(), 512, 5), lambda);
        float[] theta = before.values();
        double worst = 0;
        double step = 0;
        for (int i = 0; i < g.length; i++) {
            worst = Math.max(worst, Math.abs(theta[i] - lr * g[i] - expected[i]));
            step = Math.max(step, Math.abs(lr * g[i]));
        }
        assertTrue(step > 0 && worst <= 1e-5 * Math.max(step, 1), "max |fast - reference| " + worst + ", max step " + step);
    }

    @Test
    void aNaNInAWorkersShareIsReportedAsDivergence() {
        Examples data = TestData.random(600, 20, 5, Loss.CATEGORICAL_CROSS_ENTROPY, 7);
        float[] x = data.x().clone();
        x[599 * 20 + 3] = Float.NaN; // the last row: the last of 2 shares, run by the second thread
        Parameters p = Parameters.initialize(NET, 8);
        float[] before = p.values().clone();
        try (Trainer t = Trainer.builder(p).batchSize(600).optimizer(Optimizer.adam(0.01f)).threads(2).build()) {
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> t.step(x, 0, data.y(), 0, 600));
            assertTrue(e.getMessage().contains("training diverged"), e.getMessage());
        }
        assertArrayEquals(before, p.values(), "nothing was written");
    }
}
