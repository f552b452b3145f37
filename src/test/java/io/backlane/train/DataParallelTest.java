package io.backlane.train;

import io.backlane.kernel.KernelProvider;
import io.backlane.kernel.Kernels;
import io.backlane.nn.Activation;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hooks of data-parallel training: gradient sums computed on parts of the data
 * ({@link Trainer#addGradientSum}) and applied once ({@link Trainer#applyGradientSum}) make the same
 * step as full-batch training on all of it; an optimizer's state copied out and back in
 * ({@link Trainer#optimizerState}, {@link Trainer#restoreOptimizerState}) continues the same run.
 */
class DataParallelTest {
    /** Bit-for-bit comparisons run on the scalar kernels (see ThreadDeterminismTest). */
    private static final Kernels SCALAR = KernelProvider.scalar();
    private static final Network NET = Network.builder(6).dense(10, Activation.TANH).dense(7, Activation.RELU)
            .dense(3, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();

    @Test
    void gradientSumsOverPartsMakeTheFullBatchStep() {
        Examples data = TestData.random(300, 6, 3, Loss.CATEGORICAL_CROSS_ENTROPY, 11);
        int[] parts = {0, 120, 121, 300};  // uneven, one of a single row
        for (Optimizer optimizer : new Optimizer[] {Optimizer.sgd(0.5f), Optimizer.adam(0.01f), Optimizer.nesterov(0.1f, 0.9f)}) {
            Parameters single = Parameters.initialize(NET, 5);
            Parameters coordinator = single.copy();
            try (Trainer full = Trainer.builder(single).optimizer(optimizer).batchSize(Trainer.FULL_BATCH).l2(0.3f)
                         .shuffle(false).epochs(20).build();
                 Trainer driver = Trainer.builder(coordinator).optimizer(optimizer).l2(0.3f).build()) {
                double[] losses = full.fit(data).history().stream().mapToDouble(EpochStats::trainLoss).toArray();
                for (int step = 0; step < 20; step++) {
                    double[] sum = new double[NET.parameterCount()];
                    double lossSum = 0;
                    for (int k = 0; k + 1 < parts.length; k++) {
                        // each worker: its own trainer on a copy of the coordinator's parameters, batches of 50
                        try (Trainer worker = Trainer.builder(coordinator.copy()).batchSize(50).l2(0.3f).build()) {
                            int from = parts[k];
                            int m = parts[k + 1] - from;
                            lossSum += worker.addGradientSum(data.x(), from * 6, data.y(), from * 3, m, sum);
                        }
                    }
                    double j = driver.applyGradientSum(sum, lossSum, 300);
                    assertEquals(losses[step], j, 1e-5 * Math.abs(losses[step]), optimizer + ", loss of step " + (step + 1));
                }
                float[] a = single.values();
                float[] b = coordinator.values();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 1e-4f * Math.max(1f, Math.abs(a[i])), optimizer + ", " + NET.parameterName(i));
                }
                assertNotEquals(Parameters.initialize(NET, 5), coordinator, "the parameters moved");
            }
        }
    }

    @Test
    void aGradientSumIsTheMeanGradientTimesTheRowsInAnyChunking() {
        Examples data = TestData.random(130, 6, 3, Loss.CATEGORICAL_CROSS_ENTROPY, 12);
        Parameters p = Parameters.initialize(NET, 6);
        try (Trainer whole = Trainer.builder(p).batchSize(130).kernels(SCALAR).build();
             Trainer chunked = Trainer.builder(p).batchSize(16).kernels(SCALAR).build()) {
            double mean = whole.computeGradient(data.x(), 0, data.y(), 0, 130);
            float[] g = whole.gradient().clone();
            double[] sum = new double[NET.parameterCount()];
            sum[0] = 1;   // sums are added to what is there
            double lossSum = chunked.addGradientSum(data.x(), 0, data.y(), 0, 130, sum);
            // The whole batch (weights packed first) and the chunks (dot products) take different
            // GEMM paths: the logits may differ in their last bits.
            assertEquals(mean * 130, lossSum, 1e-6 * lossSum);
            sum[0] -= 1;
            for (int i = 0; i < g.length; i++) {
                assertEquals(g[i] * 130.0, sum[i], 1e-4 * Math.max(1, Math.abs(sum[i])), NET.parameterName(i));
            }
            assertEquals(p, Parameters.initialize(NET, 6), "no update");
        }
    }

    @Test
    void theOptimizerStateCopiedOutAndBackInContinuesTheRun() {
        Examples data = TestData.random(64, 6, 3, Loss.CATEGORICAL_CROSS_ENTROPY, 13);
        for (Optimizer optimizer : new Optimizer[] {Optimizer.adamW(0.01f, 0.1f), Optimizer.momentum(0.1f, 0.9f), Optimizer.sgd(0.1f)}) {
            Parameters p = Parameters.initialize(NET, 7);
            try (Trainer first = Trainer.builder(p).optimizer(optimizer).batchSize(16).kernels(SCALAR).build()) {
                for (int s = 0; s < 3; s++) {
                    first.step(data.x(), s * 16 * 6, data.y(), s * 16 * 3, 16);
                }
                float[] state = first.optimizerState();
                int arrays = optimizer.stateArrays();
                assertEquals(arrays * NET.parameterCount(), state.length, optimizer.toString());
                assertEquals(3, first.optimizerUpdates());
                Parameters q = p.copy();
                try (Trainer second = Trainer.builder(q).optimizer(optimizer).batchSize(16).kernels(SCALAR).build()) {
                    second.restoreOptimizerState(state, first.optimizerUpdates());
                    if (state.length > 0) {
                        state[0] = 1e9f;  // restored from a copy
                    }
                    first.step(data.x(), 48 * 6, data.y(), 48 * 3, 16);
                    second.step(data.x(), 48 * 6, data.y(), 48 * 3, 16);
                    assertArrayEquals(p.values(), q.values(), optimizer.toString());
                    assertArrayEquals(first.optimizerState(), second.optimizerState(), optimizer.toString());
                    assertEquals(4, second.optimizerUpdates());
                }
            }
        }
    }

    @Test
    void badArgumentsAreRefusedByName() {
        Parameters p = Parameters.initialize(NET, 8);
        Examples data = TestData.random(4, 6, 3, Loss.CATEGORICAL_CROSS_ENTROPY, 14);
        try (Trainer t = Trainer.builder(p).optimizer(Optimizer.adam(0.01f)).batchSize(4).build()) {
            int count = NET.parameterCount();
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> t.addGradientSum(data.x(), 0, data.y(), 0, 4, new double[3])).getMessage()
                    .contains("gradientSum must have " + count + " doubles"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> t.addGradientSum(data.x(), 0, data.y(), 0, 5, new double[count])).getMessage().contains("x needs 5 rows"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> t.applyGradientSum(new double[count], 0, 0)).getMessage().contains("n must be >= 1"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> t.applyGradientSum(null, 0, 1)).getMessage().contains("gradientSum must have"));
            assertTrue(assertThrows(TrainingDivergedException.class,
                    () -> t.applyGradientSum(new double[count], Double.NaN, 1)).getMessage().contains("summed loss"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> t.restoreOptimizerState(new float[count], 1)).getMessage().contains("has " + 2 * count + " floats"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> t.restoreOptimizerState(new float[2 * count], -1)).getMessage().contains("updates must be >= 0"));
            assertEquals(Parameters.initialize(NET, 8), p, "nothing changed");
        }
    }
}
