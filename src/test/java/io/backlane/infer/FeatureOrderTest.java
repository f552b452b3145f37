package io.backlane.infer;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.testing.AllocationProbe;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Named input: a caller's columns, or name → value pairs, put in the model's feature order. */
class FeatureOrderTest {
    private static final Model MODEL = new Model(Parameters.initialize(
            Network.builder(3).dense(4, Activation.RELU).output(OutputHead.forClasses(2)).build(), 1),
            FeatureScaler.identity(3), List.of("no", "yes")).withFeatureNames(List.of("age", "dose", "weight"));

    @Test
    void reorderedColumnsGiveTheSamePrediction() {
        FeatureOrder order = FeatureOrder.of(MODEL, List.of("weight", "age", "dose"));
        float[] row = {70f, 42f, 1.5f};
        float[] features = new float[3];
        order.arrange(row, 0, features, 0);
        assertArrayEquals(new float[] {42f, 1.5f, 70f}, features);
        float[] byHand = {42f, 1.5f, 70f};
        Predictor p = Predictor.of(MODEL);
        assertEquals(p.predictLabel(byHand), p.predictLabel(features));
        AllocationProbe.assertSteadyStateAllocatesNothing(() -> {
            for (int i = 0; i < 100; i++) {
                order.arrange(row, 0, features, 0);
            }
        });
    }

    @Test
    void namesAreCheckedAgainstTheModels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureOrder.of(MODEL, List.of("age", "dose", "height")));
        assertEquals("unknown features [height]; missing features [weight]; the model's features are [age, dose, weight]",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FeatureOrder.of(MODEL, List.of("age", "age", "dose", "weight")));
        float[] dst = new float[3];
        FeatureOrder.byName(MODEL, Map.of("weight", 70, "dose", 1.5, "age", 42), dst);
        assertArrayEquals(new float[] {42f, 1.5f, 70f}, dst);
        e = assertThrows(IllegalArgumentException.class, () -> FeatureOrder.byName(MODEL, Map.of("age", 42), dst));
        assertEquals("missing features [dose, weight]; the model's features are [age, dose, weight]", e.getMessage());
    }
}
