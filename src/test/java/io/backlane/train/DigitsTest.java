package io.backlane.train;

import io.backlane.data.BundledDatasets;
import io.backlane.data.DataSplit;
import io.backlane.data.Dataset;
import io.backlane.data.Preprocessing;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine on real data: 8×8 handwritten digits (1797 examples, 10 classes). */
class DigitsTest {

    static Examples examples(Dataset d) {
        float[] y = new float[d.rows() * d.classCount()];
        d.oneHotTargets(y);
        return new Examples(d.features(), y, d.rows());
    }

    @Test
    void network64x32x10ReachesNinetyFivePercentOnAFixed80x20Split() throws Exception {
        Dataset digits = BundledDatasets.load("digits");
        DataSplit split = Preprocessing.split(digits, 0.0, 0.2, 42).scaled(FeatureScaler.Kind.STANDARDIZE).split();
        assertEquals(1797, split.train().rows() + split.test().rows());
        Network net = Network.builder(64).dense(32, Activation.RELU).dense(10, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        Parameters params = Parameters.initialize(net, 7);
        Trainer trainer = Trainer.builder(params).optimizer(Optimizer.adam(0.005f)).batchSize(32).epochs(30)
                .l2(1e-3f).seed(3).build();
        Examples test = examples(split.test());
        double before = trainer.evaluate(test).accuracy();
        trainer.fit(examples(split.train()));
        Evaluation after = trainer.evaluate(test);
        assertTrue(before < 0.3, "untrained accuracy " + before);
        assertTrue(after.accuracy() >= 0.95, "test accuracy " + after);
    }
}
