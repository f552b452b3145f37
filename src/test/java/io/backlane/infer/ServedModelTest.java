package io.backlane.infer;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.train.Examples;
import io.backlane.train.Optimizer;
import io.backlane.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A served model is a snapshot: training on, and writing to, the parameters it came from change nothing. */
class ServedModelTest {
    private static final Network NET = Network.builder(4).dense(8, Activation.RELU)
            .output(OutputHead.forClasses(3)).build();

    private static Examples data(int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[rows * 4];
        float[] y = new float[rows * 3];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < 4; j++) {
                x[i * 4 + j] = (float) r.nextGaussian();
            }
            y[i * 3 + (x[i * 4] > 0 ? 0 : x[i * 4 + 1] > 0 ? 1 : 2)] = 1f;
        }
        return new Examples(x, y, rows);
    }

    @Test
    void writingToTheTrainersParametersAfterTheSnapshotChangesNoPrediction() {
        Parameters params = Parameters.initialize(NET, 5);
        Examples train = data(64, 1);
        Model model = new Model(params, FeatureScaler.identity(4), List.of("a", "b", "c"));
        Predictor predictor = Predictor.of(model);
        float[] before = new float[64 * 3];
        predictor.predict(train.x(), 0, before, 0, 64);

        try (Trainer trainer = Trainer.builder(params).optimizer(Optimizer.adam(0.05f)).epochs(5).build()) {
            trainer.fit(train); // writes params in place
        }
        float[] trained = params.values().clone();
        Arrays.fill(params.values(), Float.NaN); // and then garbage, directly
        params.setWeight(1, 0, 0, 1e30f);

        float[] after = new float[64 * 3];
        predictor.predict(train.x(), 0, after, 0, 64);
        assertArrayEquals(before, after);
        assertFalse(Arrays.equals(trained, model.parameters().values()), "the trainer did move its own parameters");
        for (float v : after) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void theParametersAModelHandsOutAreACopy() {
        Model model = new Model(Parameters.initialize(NET, 5), FeatureScaler.identity(4), List.of());
        float[] x = {0.5f, -1, 2, 0.25f};
        float[] before = new float[3];
        Predictor.of(model).predict(x, before);
        Parameters copy = model.parameters();
        Arrays.fill(copy.values(), 3f);
        float[] after = new float[3];
        Predictor.of(model).predict(x, after);
        assertArrayEquals(before, after);
        assertEquals(Parameters.initialize(NET, 5), model.parameters());
    }

    @Test
    void meanLossNeedsNoTrainerAndAgreesWithTraining() {
        Parameters params = Parameters.initialize(NET, 7);
        Examples raw = data(300, 2);
        FeatureScaler scaler = FeatureScaler.fit(FeatureScaler.Kind.STANDARDIZE, raw.x(), 300, 4);
        float[] scaled = raw.x().clone();
        scaler.apply(scaled, 0, 300);
        Model model = new Model(params, scaler, List.of("a", "b", "c"));

        double loss = new ServingModel(model).newPredictor(64).meanLoss(raw.x(), 0, raw.y(), 0, 300);
        double single = Predictor.of(model).meanLoss(raw.x(), 0, raw.y(), 0, 300);
        double expected;
        try (Trainer t = Trainer.builder(params).batchSize(64).build()) {
            expected = t.evaluate(new Examples(scaled, raw.y(), 300)).loss();
        }
        assertEquals(expected, loss, 1e-9 * Math.abs(expected));
        assertEquals(expected, single, 1e-5 * Math.abs(expected), "batch and single-row forward passes round alike");
        assertTrue(loss > 0.5, "an untrained 3-class model: loss near log 3, got " + loss);
        assertThrows(IllegalArgumentException.class, () -> Predictor.of(model).meanLoss(raw.x(), 0, raw.y(), 1, 300));
    }

    @Test
    void aRegressionModelHasNoLabelToPredict() {
        Network reg = Network.builder(2).dense(3, Activation.TANH).output(OutputHead.forRegression()).build();
        Model model = new Model(Parameters.initialize(reg, 1), FeatureScaler.identity(2), List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Predictor.of(model).predictLabel(new float[2]));
        assertTrue(e.getMessage().contains("regression"), e.getMessage());
        assertEquals(Loss.MEAN_SQUARED_ERROR, model.network().loss());
    }
}
