package io.backlane.train;

import io.backlane.nn.Activation;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** An optimizer is a specification: one instance serves any number of trainers, each with its own state. */
class OptimizerSpecTest {
    private static final Network NET = Network.builder(3).dense(5, Activation.TANH).dense(2, Activation.SOFTMAX)
            .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();

    private static float[] trainAlone(Optimizer optimizer, Examples data, int steps) {
        Parameters p = Parameters.initialize(NET, 9);
        Trainer t = Trainer.builder(p).optimizer(optimizer).batchSize(10).build();
        for (int s = 0; s < steps; s++) {
            t.step(data.x(), (s % 4) * 10 * 3, data.y(), (s % 4) * 10 * 2, 10);
        }
        return p.values();
    }

    @Test
    void oneSpecGivenToTwoTrainersGivesEachItsOwnState() {
        Examples data = TestData.random(40, 3, 2, Loss.CATEGORICAL_CROSS_ENTROPY, 3);
        List<Supplier<Optimizer>> specs = List.of(() -> Optimizer.sgd(0.1f), () -> Optimizer.momentum(0.05f, 0.9f),
                () -> Optimizer.nesterov(0.05f, 0.9f), () -> Optimizer.adam(0.01f), () -> Optimizer.adamW(0.01f, 0.1f));
        for (Supplier<Optimizer> spec : specs) {
            float[] expected = trainAlone(spec.get(), data, 12);

            Optimizer shared = spec.get();
            Parameters pa = Parameters.initialize(NET, 9);
            Parameters pb = Parameters.initialize(NET, 9);
            Trainer a = Trainer.builder(pa).optimizer(shared).batchSize(10).build();
            Trainer b = Trainer.builder(pb).optimizer(shared).batchSize(10).build();
            for (int s = 0; s < 12; s++) { // interleaved: shared state (Adam's step count, moments) would show
                a.step(data.x(), (s % 4) * 30, data.y(), (s % 4) * 20, 10);
                b.step(data.x(), (s % 4) * 30, data.y(), (s % 4) * 20, 10);
            }
            assertArrayEquals(expected, pa.values(), shared.toString());
            assertArrayEquals(expected, pb.values(), shared.toString());
            assertFalse(java.util.Arrays.equals(expected, Parameters.initialize(NET, 9).values()), "training moved");
        }
    }

    @Test
    void aSpecCanBeUsedAgainAfterItsTrainerIsClosed() {
        Examples data = TestData.random(40, 3, 2, Loss.CATEGORICAL_CROSS_ENTROPY, 4);
        Optimizer adam = Optimizer.adam(0.01f);
        float[] first = trainAlone(adam, data, 8);
        float[] second = trainAlone(adam, data, 8);
        assertArrayEquals(first, second, "a second run starts from fresh moments and step count");
    }
}
