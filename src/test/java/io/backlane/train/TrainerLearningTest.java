package io.backlane.train;

import io.backlane.nn.Activation;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TrainerLearningTest {

    private static Network twoLayer(int hidden, Activation g) {
        // The notes' network: one hidden layer, a sigmoid output, binary cross-entropy.
        return Network.builder(2).dense(hidden, g).dense(1, Activation.SIGMOID)
                .loss(Loss.BINARY_CROSS_ENTROPY).build();
    }

    @Test
    void notesTwoLayerNetworkLearnsTheFlowerFullBatch() {
        Examples flower = TestData.flower(400, 3);
        Parameters p = Parameters.initialize(twoLayer(8, Activation.TANH), 1);
        Trainer trainer = Trainer.builder(p).optimizer(Optimizer.sgd(1.2f)).batchSize(Trainer.FULL_BATCH)
                .epochs(4000).build();
        Evaluation before = trainer.evaluate(flower);
        TrainingResult result = trainer.fit(flower);
        Evaluation after = trainer.evaluate(flower);
        assertEquals(4000, result.history().size());
        assertEquals(1, result.last().steps(), "full batch: one step per epoch");
        assertTrue(before.accuracy() < 0.75, "a fresh network should not already solve it: " + before);
        assertTrue(after.accuracy() > 0.95, "flower accuracy " + after);
        assertTrue(after.loss() < before.loss());
    }

    @Test
    void learnsXorWithMinibatchAdam() {
        Examples xor = TestData.xor(16);
        Parameters p = Parameters.initialize(twoLayer(4, Activation.TANH), 5);
        Trainer trainer = Trainer.builder(p).optimizer(Optimizer.adam(0.05f)).batchSize(8).epochs(200).seed(2).build();
        trainer.fit(xor);
        assertEquals(1.0, trainer.evaluate(xor).accuracy(), 1e-9);
    }

    @Test
    void linearModelCannotLearnXor() {
        // Guards the test above: the problem needs the hidden layer.
        Network linear = Network.builder(2).dense(1, Activation.SIGMOID).loss(Loss.BINARY_CROSS_ENTROPY).build();
        Examples xor = TestData.xor(16);
        Trainer trainer = Trainer.builder(Parameters.initialize(linear, 5)).optimizer(Optimizer.adam(0.05f))
                .batchSize(8).epochs(200).build();
        trainer.fit(xor);
        assertTrue(trainer.evaluate(xor).accuracy() <= 0.75);
    }

    @Test
    void sameSeedGivesIdenticalParametersAnotherSeedDoesNot() {
        Network net = Network.builder(5).dense(7, Activation.RELU).dense(3, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        Examples data = TestData.random(50, 5, 3, Loss.CATEGORICAL_CROSS_ENTROPY, 9);
        Parameters a = train(net, data, 11, 4);
        Parameters b = train(net, data, 11, 4);
        Parameters c = train(net, data, 12, 4);
        Parameters d = train(net, data, 11, 5);
        assertArrayEquals(a.values(), b.values(), "same seeds must give bit-identical parameters");
        assertFalse(java.util.Arrays.equals(a.values(), c.values()), "another init seed must differ");
        assertFalse(java.util.Arrays.equals(a.values(), d.values()), "another shuffle seed must differ");
    }

    private static Parameters train(Network net, Examples data, long initSeed, long shuffleSeed) {
        Parameters p = Parameters.initialize(net, initSeed);
        Trainer.builder(p).optimizer(Optimizer.momentum(0.05f, 0.9f)).batchSize(8).epochs(3).seed(shuffleSeed)
                .build().fit(data);
        return p;
    }

    @Test
    void lastPartialBatchIsTrainedOn() {
        Network net = Network.builder(3).dense(2, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        Examples data = TestData.random(10, 3, 2, Loss.MEAN_SQUARED_ERROR, 1);
        Parameters p = Parameters.initialize(net, 1);
        TrainingResult r = Trainer.builder(p).batchSize(4).epochs(1).build().fit(data);
        assertEquals(3, r.last().steps(), "10 examples in batches of 4: 4 + 4 + 2");

        // Without shuffling, one epoch equals three explicit steps on rows 0-3, 4-7 and 8-9.
        Parameters q = Parameters.initialize(net, 1);
        Trainer.builder(q).batchSize(4).epochs(1).shuffle(false).build().fit(data);
        Parameters s = Parameters.initialize(net, 1);
        Trainer manual = Trainer.builder(s).batchSize(4).build();
        manual.step(data.x(), 0, data.y(), 0, 4);
        manual.step(data.x(), 12, data.y(), 8, 4);
        manual.step(data.x(), 24, data.y(), 16, 2);
        assertArrayEquals(s.values(), q.values());
    }

    @Test
    void aStepWithL2RowsDecaysTheLastPartialBatchAsFitDoes() {
        // fit scales L2 by the configured batch size on every step, the last 2 rows of 10 included;
        // step(..., l2Rows) lets a caller walking its own batches (Spark's local SGD) do the same.
        Network net = Network.builder(3).dense(2, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        Examples data = TestData.random(10, 3, 2, Loss.MEAN_SQUARED_ERROR, 1);
        for (Optimizer optimizer : new Optimizer[] {Optimizer.sgd(0.1f), Optimizer.adam(0.01f)}) {
            Parameters fitted = Parameters.initialize(net, 1);
            Trainer.builder(fitted).optimizer(optimizer).batchSize(4).epochs(1).shuffle(false).l2(0.5f).build().fit(data);
            Parameters stepped = Parameters.initialize(net, 1);
            Parameters byRows = Parameters.initialize(net, 1);
            try (Trainer manual = Trainer.builder(stepped).optimizer(optimizer).batchSize(4).l2(0.5f).build();
                 Trainer plain = Trainer.builder(byRows).optimizer(optimizer).batchSize(4).l2(0.5f).build()) {
                for (int from = 0; from < 10; from += 4) {
                    int m = Math.min(4, 10 - from);
                    manual.step(data.x(), from * 3, data.y(), from * 2, m, 4);
                    plain.step(data.x(), from * 3, data.y(), from * 2, m);
                }
                assertThrows(IllegalArgumentException.class, () -> manual.step(data.x(), 0, data.y(), 0, 4, 0));
            }
            assertArrayEquals(fitted.values(), stepped.values(), optimizer.toString());
            assertFalse(java.util.Arrays.equals(fitted.values(), byRows.values()),
                    optimizer + ": L2 over the step's own 2 rows decays harder");
        }
    }

    @Test
    void aValidationLossThatIsNotFiniteStopsTrainingInsteadOfNeverImproving() {
        Network net = Network.builder(5).dense(16, Activation.RELU).dense(3, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        Examples train = TestData.random(30, 5, 3, Loss.CATEGORICAL_CROSS_ENTROPY, 1);
        Examples far = TestData.random(30, 5, 3, Loss.CATEGORICAL_CROSS_ENTROPY, 2);
        java.util.Arrays.fill(far.x(), 3e38f); // finite features whose products overflow
        Trainer trainer = Trainer.builder(Parameters.initialize(net, 3)).batchSize(10).epochs(20).earlyStopping(3, 0).build();
        TrainingDivergedException e = org.junit.jupiter.api.Assertions.assertThrows(TrainingDivergedException.class,
                () -> trainer.fit(train, far));
        assertTrue(e.getMessage().contains("the validation loss is") && e.epoch() == 1, e.getMessage());
    }

    @Test
    void earlyStoppingRestoresTheBestValidationParameters() {
        // A wide network on few noisy examples overfits: validation loss turns up.
        Network net = Network.builder(5).dense(64, Activation.RELU).dense(3, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        Examples train = TestData.random(30, 5, 3, Loss.CATEGORICAL_CROSS_ENTROPY, 1);
        Examples val = TestData.random(30, 5, 3, Loss.CATEGORICAL_CROSS_ENTROPY, 2);
        Parameters p = Parameters.initialize(net, 3);
        Trainer trainer = Trainer.builder(p).optimizer(Optimizer.adam(0.01f)).batchSize(10).epochs(300)
                .earlyStopping(5, 0).build();
        TrainingResult r = trainer.fit(train, val);
        assertTrue(r.stoppedEarly(), "should stop early when validation loss stops improving");
        double bestSeen = r.history().stream().mapToDouble(EpochStats::validationLoss).min().orElseThrow();
        assertEquals(bestSeen, r.history().get(r.bestEpoch() - 1).validationLoss(), 0.0);
        assertEquals(bestSeen, trainer.evaluate(val).loss(), 1e-6, "parameters of the best epoch are restored");
        assertEquals(r.bestEpoch() + 5, r.history().size());
    }

    @Test
    void l2ShrinksWeightsAndNeverTouchesTheCostOfBiasesAlone() {
        Network net = Network.builder(4).dense(3, Activation.TANH).dense(1, Activation.IDENTITY)
                .loss(Loss.MEAN_SQUARED_ERROR).build();
        Examples data = TestData.random(20, 4, 1, Loss.MEAN_SQUARED_ERROR, 4);
        Parameters plain = Parameters.initialize(net, 1);
        Parameters reg = Parameters.initialize(net, 1);
        Trainer.builder(plain).batchSize(20).epochs(50).build().fit(data);
        Trainer.builder(reg).batchSize(20).epochs(50).l2(5f).build().fit(data);
        double normPlain = 0, normReg = 0;
        for (int l = 1; l <= 2; l++) {
            for (int i = 0; i < net.weightCount(l); i++) {
                normPlain += Math.pow(plain.values()[net.weightOffset(l) + i], 2);
                normReg += Math.pow(reg.values()[net.weightOffset(l) + i], 2);
            }
        }
        assertTrue(normReg < 0.5 * normPlain, "L2 must shrink weights: " + normReg + " vs " + normPlain);

        // Cost: J(λ) − J(0) = (λ/2m)·ΣW², exactly the regularization term.
        Parameters p = Parameters.initialize(net, 2);
        double j0 = Trainer.builder(p).batchSize(20).build().computeGradient(data.x(), 0, data.y(), 0, 20);
        double j1 = Trainer.builder(p).batchSize(20).l2(0.3f).build().computeGradient(data.x(), 0, data.y(), 0, 20);
        double sumW2 = 0;
        for (int l = 1; l <= 2; l++) {
            for (int i = 0; i < net.weightCount(l); i++) {
                sumW2 += Math.pow(p.values()[net.weightOffset(l) + i], 2);
            }
        }
        assertEquals(0.3 / (2 * 20) * sumW2, j1 - j0, 1e-6);
    }

    @Test
    void listenerSeesEveryEpochAndStep() {
        Network net = Network.builder(3).dense(2, Activation.SIGMOID).loss(Loss.BINARY_CROSS_ENTROPY).build();
        Examples data = TestData.random(10, 3, 2, Loss.BINARY_CROSS_ENTROPY, 1);
        java.util.List<EpochStats> epochs = new java.util.ArrayList<>();
        int[] steps = {0};
        Trainer.builder(Parameters.initialize(net, 1)).batchSize(3).epochs(4).listener(new TrainingListener() {
            @Override
            public void onEpoch(EpochStats stats) {
                epochs.add(stats);
            }

            @Override
            public void onStep(int epoch, long step, double loss) {
                assertTrue(epoch >= 1 && step >= 1 && Double.isFinite(loss));
                steps[0]++;
            }
        }, true).build().fit(data);
        assertEquals(4, epochs.size());
        assertEquals(16, steps[0], "4 epochs of 4 steps (3 + 3 + 3 + 1)");
        for (int e = 0; e < 4; e++) {
            EpochStats s = epochs.get(e);
            assertEquals(e + 1, s.epoch());
            assertEquals(4, s.epochs());
            assertTrue(s.samplesPerSecond() > 0 && s.elapsedNanos() > 0);
            assertTrue(Double.isNaN(s.validationLoss()));
        }
    }

    @Test
    void schedulesChangeTheRate() {
        assertEquals(1.0, LearningRateSchedule.stepDecay(2, 0.5).factor(1, 10));
        assertEquals(0.25, LearningRateSchedule.stepDecay(2, 0.5).factor(4, 10));
        assertEquals(1.0, LearningRateSchedule.cosine(0.1).factor(0, 11), 1e-12);
        assertEquals(0.55, LearningRateSchedule.cosine(0.1).factor(5, 11), 1e-12);
        assertEquals(0.1, LearningRateSchedule.cosine(0.1).factor(10, 11), 1e-12);
        Network net = Network.builder(2).dense(1, Activation.SIGMOID).loss(Loss.BINARY_CROSS_ENTROPY).build();
        java.util.List<Double> rates = new java.util.ArrayList<>();
        Trainer.builder(Parameters.initialize(net, 1)).optimizer(Optimizer.sgd(0.8f)).epochs(4)
                .schedule(LearningRateSchedule.stepDecay(1, 0.5)).listener(s -> rates.add(s.learningRate()))
                .build().fit(TestData.xor(2));
        assertEquals(java.util.List.of(0.8, 0.4, 0.2, 0.1), rates.stream().map(r -> Math.round(r * 1000) / 1000.0).toList());
    }

    @Test
    void clippingBoundsTheUpdate() {
        Network net = Network.builder(3).dense(2, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        Examples data = TestData.random(4, 3, 2, Loss.MEAN_SQUARED_ERROR, 3);
        for (int i = 0; i < data.y().length; i++) {
            data.y()[i] *= 1000; // a huge error gives a huge gradient
        }
        Parameters p = Parameters.initialize(net, 1);
        float[] before = p.values().clone();
        Trainer.builder(p).optimizer(Optimizer.sgd(1f)).batchSize(4).clipNorm(0.5f).build().step(data.x(), 0, data.y(), 0, 4);
        double moved = 0;
        for (int i = 0; i < before.length; i++) {
            moved += Math.pow(p.values()[i] - before[i], 2);
        }
        assertEquals(0.5, Math.sqrt(moved), 1e-4, "SGD with lr 1 moves by exactly the clipped norm");
    }

    @Test
    void fusedGradientDescentEqualsTheGeneralUpdate() {
        // Plain SGD is fused into the backward GEMMs; momentum with mu = 0 is the same update done
        // the general way (gradient written out, then the optimizer). With L2, both batch sizes.
        Network net = Network.builder(6).dense(9, Activation.RELU).dense(4, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        Examples data = TestData.random(40, 6, 4, Loss.CATEGORICAL_CROSS_ENTROPY, 8);
        for (int batch : new int[] {1, 7}) {
            Parameters fused = Parameters.initialize(net, 2);
            Parameters general = Parameters.initialize(net, 2);
            Trainer.builder(fused).optimizer(Optimizer.sgd(0.05f)).l2(0.5f).batchSize(batch).epochs(3).build().fit(data);
            Trainer.builder(general).optimizer(Optimizer.momentum(0.05f, 0f)).l2(0.5f).batchSize(batch).epochs(3)
                    .build().fit(data);
            assertArrayEquals(general.values(), fused.values(), 1e-5f, "batch " + batch);
            assertFalse(java.util.Arrays.equals(Parameters.initialize(net, 2).values(), fused.values()));
        }
    }

    @Test
    void fullBatchStopsWhenTheCostStopsImproving() {
        // The notes' loop: iterate until the cost stops improving (patience without validation).
        Network net = Network.builder(3).dense(1, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        Examples data = TestData.random(30, 3, 1, Loss.MEAN_SQUARED_ERROR, 5);
        Parameters p = Parameters.initialize(net, 1);
        TrainingResult r = Trainer.builder(p).optimizer(Optimizer.sgd(0.3f)).batchSize(Trainer.FULL_BATCH)
                .epochs(100_000).earlyStopping(3, 1e-7).build().fit(data);
        assertTrue(r.stoppedEarly(), "a linear least-squares fit converges long before 100000 iterations");
        assertTrue(r.history().size() < 5_000, "iterations: " + r.history().size());
        double last = r.last().trainLoss();
        double previous = r.history().get(r.history().size() - 4).trainLoss();
        assertTrue(previous - last <= 1e-7 * 3 + 1e-12, "stopped because the cost no longer improved");
    }

    @Test
    void theLastPartialBatchIsRegularizedLikeTheOthers() {
        // x = y = 0: only the L2 decay moves the weight. 33 examples in batches of 32: two steps,
        // each decaying by 1 − α·λ/32, whatever the size of the second batch.
        Network net = Network.builder(1).dense(1, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        Examples zeros = new Examples(new float[33], new float[33], 33);
        for (Optimizer optimizer : new Optimizer[] {Optimizer.sgd(0.1f), Optimizer.momentum(0.1f, 0f)}) {
            Parameters p = new Parameters(net, new float[] {1f, 0f});
            Trainer.builder(p).optimizer(optimizer).batchSize(32).epochs(1).l2(16f).shuffle(false).build().fit(zeros);
            assertEquals(0.95f * 0.95f, p.weight(1, 0, 0), 1e-6f, optimizer.toString());
        }
    }

    @Test
    void aScheduleThatGivesNaNIsRefused() {
        Network net = Network.builder(2).dense(1, Activation.SIGMOID).loss(Loss.BINARY_CROSS_ENTROPY).build();
        Trainer t = Trainer.builder(Parameters.initialize(net, 1)).schedule((epoch, epochs) -> Double.NaN).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.fit(TestData.xor(2)));
        assertTrue(e.getMessage().contains("schedule"), e.getMessage());
    }

    @Test
    void aClosedThreadedTrainerRefusesWorkInsteadOfHanging() {
        Network net = Network.builder(4).dense(8, Activation.RELU).dense(2, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        Examples data = TestData.random(64, 4, 2, Loss.CATEGORICAL_CROSS_ENTROPY, 1);
        Trainer t = Trainer.builder(Parameters.initialize(net, 1)).batchSize(64).threads(2).epochs(2).build();
        t.fit(data);
        t.close();
        assertThrows(IllegalStateException.class, () -> t.fit(data));
        assertThrows(IllegalStateException.class, () -> t.step(data.x(), 0, data.y(), 0, 64));
    }
}
