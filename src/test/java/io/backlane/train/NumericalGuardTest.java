package io.backlane.train;

import io.backlane.nn.Activation;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class NumericalGuardTest {

    @Test
    void hugeLearningRateStopsWithLayerEpochAndStepAndFiniteParameters() {
        Network net = Network.builder(4).dense(16, Activation.RELU).dense(16, Activation.RELU)
                .dense(1, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        Examples data = TestData.random(64, 4, 1, Loss.MEAN_SQUARED_ERROR, 1);
        Parameters p = Parameters.initialize(net, 1);
        Trainer trainer = Trainer.builder(p).optimizer(Optimizer.sgd(1e4f)).batchSize(8).epochs(50).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.fit(data));
        assertTrue(e.epoch() >= 1, "epoch is named: " + e.getMessage());
        assertTrue(e.step() >= 1, "step is named: " + e.getMessage());
        assertTrue(e.layer() >= 0 && e.layer() <= net.layerCount());
        assertTrue(e.getMessage().contains("epoch " + e.epoch() + ", step " + e.step()), e.getMessage());
        assertTrue(p.isFinite(), "parameters handed back must be finite");
        // The restored parameters are those of the start of the failing epoch: they still give a finite loss.
        assertTrue(Double.isFinite(trainer.evaluate(data).loss()));
    }

    @Test
    void aFiniteBlowUpOfTheLossStopsAdamToo() {
        // Adam's steps have the size of the learning rate whatever the gradient: with lr 1e6 the loss
        // explodes to ~1e13 but stays finite, which the per-step NaN/infinity guard never sees.
        Network net = Network.builder(2).dense(8, Activation.RELU).dense(1, Activation.SIGMOID)
                .loss(Loss.BINARY_CROSS_ENTROPY).build();
        Examples data = TestData.flower(200, 3);
        Parameters p = Parameters.initialize(net, 1);
        Trainer trainer = Trainer.builder(p).optimizer(Optimizer.adam(1e6f)).batchSize(16).epochs(20).build();
        float[] initial = p.values().clone();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.fit(data));
        assertEquals(1, e.epoch(), e.getMessage());
        assertTrue(e.getMessage().contains("the epoch's mean training loss"), e.getMessage());
        assertTrue(e.getMessage().contains("initial loss"), e.getMessage());
        assertTrue(e.getMessage().contains("lower the learning rate"), e.getMessage());
        // Restored to the start of the failing epoch, the first: the initial parameters.
        assertArrayEquals(initial, p.values());
    }

    @Test
    void nanInputIsCaughtAndParametersAreUntouched() {
        Network net = Network.builder(3).dense(4, Activation.TANH).dense(2, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        Examples data = TestData.random(4, 3, 2, Loss.CATEGORICAL_CROSS_ENTROPY, 1);
        data.x()[5] = Float.NaN;
        Parameters p = Parameters.initialize(net, 1);
        float[] before = p.values().clone();
        Trainer trainer = Trainer.builder(p).batchSize(4).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> trainer.step(data.x(), 0, data.y(), 0, 4));
        assertEquals(1, e.layer(), "the NaN enters at layer 1: " + e.getMessage());
        assertEquals(1, e.step());
        assertArrayEquals(before, p.values());
    }

    /** x = 1e19 and y = 0: loss and errors are finite in double, but the update overflows float. */
    private static Examples overflowing() {
        return new Examples(new float[] {1e19f}, new float[] {0f}, 1);
    }

    private static Network linear() {
        return Network.builder(1).dense(1, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
    }

    @Test
    void anUpdateThatOverflowsIsRolledBackInFullBatchTraining() {
        Parameters p = new Parameters(linear(), new float[] {1f, 0f});
        Trainer trainer = Trainer.builder(p).optimizer(Optimizer.sgd(10f)).batchSize(Trainer.FULL_BATCH).epochs(3).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.fit(overflowing()));
        assertEquals(1, e.epoch());
        assertEquals(1, e.layer(), e.getMessage());
        assertTrue(e.getMessage().contains("parameter"), e.getMessage());
        assertArrayEquals(new float[] {1f, 0f}, p.values(), "the last good parameters");
    }

    @Test
    void anUpdateThatOverflowsIsRolledBackInAStepForEveryOptimizer() {
        for (Optimizer optimizer : new Optimizer[] {Optimizer.sgd(10f), Optimizer.momentum(10f, 0.9f), Optimizer.adam(1e38f)}) {
            Parameters p = new Parameters(linear(), new float[] {1f, 0f});
            Trainer trainer = Trainer.builder(p).optimizer(optimizer).batchSize(1).build();
            Examples d = overflowing();
            assertThrows(TrainingDivergedException.class, () -> trainer.step(d.x(), 0, d.y(), 0, 1), optimizer.toString());
            assertArrayEquals(new float[] {1f, 0f}, p.values(), optimizer + ": parameters as before the step");
        }
    }

    @Test
    void anUpdateThatOverflowsIsRolledBackInALargeBatchOnTwoThreads() {
        // 300 rows: two shares on the worker pool, and more activations than parameters, so the
        // fused update is made on a copy and checked rather than bounded first.
        float[] x = new float[300];
        java.util.Arrays.fill(x, 1e19f);
        Examples d = new Examples(x, new float[300], 300);
        Parameters p = new Parameters(linear(), new float[] {1f, 0f});
        try (Trainer trainer = Trainer.builder(p).optimizer(Optimizer.sgd(10f)).batchSize(300).threads(2).build()) {
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> trainer.step(d.x(), 0, d.y(), 0, 300));
            assertEquals(1, e.layer(), e.getMessage());
        }
        assertArrayEquals(new float[] {1f, 0f}, p.values(), "parameters as before the step");
    }
}
