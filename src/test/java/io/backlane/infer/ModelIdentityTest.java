package io.backlane.infer;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Feature names, the target transform of a regression model, metadata, and the content id. */
class ModelIdentityTest {
    private static final Network REGRESSION = Network.builder(2).dense(3, Activation.TANH)
            .output(OutputHead.forRegression()).build();
    private static final Network CLASSIFIER = Network.builder(2).dense(3, Activation.TANH)
            .output(OutputHead.forClasses(2)).build();

    @Test
    void theIdFollowsWhatDecidesAPredictionAndNothingElse() {
        Parameters p = Parameters.initialize(CLASSIFIER, 1);
        Model a = new Model(p, FeatureScaler.identity(2), List.of("no", "yes"));
        Model same = new Model(p.copy(), FeatureScaler.identity(2), List.of("no", "yes"));
        assertEquals(32, a.id().length());
        assertTrue(a.id().matches("[0-9a-f]{32}"), a.id());
        assertEquals(a.id(), same.id());
        assertEquals(a.id(), a.withMetadata(Map.of("created", "2026-12-03T12:00:00Z")).id(), "metadata is not content");
        assertNotEquals(a.id(), a.withFeatureNames(List.of("age", "dose")).id());
        assertNotEquals(a.id(), new Model(p, FeatureScaler.identity(2), List.of("yes", "no")).id());
        Parameters moved = p.copy();
        moved.setBias(2, 0, moved.bias(2, 0) + 1e-6f);
        assertNotEquals(a.id(), new Model(moved, FeatureScaler.identity(2), List.of("no", "yes")).id());
    }

    @Test
    void featureNamesAreOnePerInputAndDistinct() {
        Model m = new Model(Parameters.initialize(CLASSIFIER, 1), FeatureScaler.identity(2), List.of("a", "b"));
        assertEquals(List.of("x0", "x1"), m.featureNames());
        assertEquals(List.of("age", "dose"), m.withFeatureNames(List.of("age", "dose")).featureNames());
        assertThrows(IllegalArgumentException.class, () -> m.withFeatureNames(List.of("age")));
        assertThrows(IllegalArgumentException.class, () -> m.withFeatureNames(List.of("age", "age")));
        assertThrows(IllegalArgumentException.class, () -> m.withMetadata(null));
    }

    @Test
    void aRegressionModelPredictsInTheTargetsUnits() {
        Model raw = new Model(Parameters.initialize(REGRESSION, 3), FeatureScaler.identity(2), List.of());
        // trained on targets standardized with mean 200,000 and standard deviation 50,000
        FeatureScaler targets = new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, new float[] {200_000f},
                new float[] {1f / 50_000f});
        Model houses = raw.withTargetScaler(targets);
        float[] x = {0.3f, -1.2f};
        float[] z = new float[1];
        float[] price = new float[1];
        Predictor.of(raw).predict(x, z);
        Predictor.of(houses).predict(x, price);
        assertEquals(z[0] * 50_000f + 200_000f, price[0], 0.02f);
        Prediction answer = new Prediction();
        Predictor.of(houses).predict(x, answer);
        assertEquals(price[0], answer.value());
        double loss = Predictor.of(houses).meanLoss(x, 0, new float[] {price[0] + 10f}, 0, 1);
        assertEquals(0.5 * 10 * 10, loss, 0.5, "the squared error is in the targets' units");

        Model classifier = new Model(Parameters.initialize(CLASSIFIER, 1), FeatureScaler.identity(2), List.of("a", "b"));
        assertThrows(IllegalArgumentException.class, () -> classifier.withTargetScaler(targets));
        // Predictions are divided by the target scale: 0 would make every one infinite, and no file could hold it.
        FeatureScaler zero = new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, new float[] {1f}, new float[] {0f});
        String message = assertThrows(IllegalArgumentException.class, () -> raw.withTargetScaler(zero)).getMessage();
        assertTrue(message.contains("scale 0 is 0"), message);
    }

    /** The recipe of docs/model-format.md ("Section 7: model id"), written out again: it is the id. */
    @Test
    void theIdIsTheDocumentedRecipe() throws Exception {
        Network net = Network.builder(2).leakyRelu(3, 0.05f).output(OutputHead.forRegression()).build();
        FeatureScaler in = new FeatureScaler(FeatureScaler.Kind.MIN_MAX, new float[] {1, -2}, new float[] {0.5f, 4});
        FeatureScaler out = new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, new float[] {1e5f}, new float[] {2e-5f});
        Parameters p = Parameters.initialize(net, 8);
        Model m = new Model(p, in, List.of()).withFeatureNames(List.of("größe", "x")).withTargetScaler(out)
                .withMetadata(Map.of("note", "not hashed"));

        java.io.ByteArrayOutputStream form = new java.io.ByteArrayOutputStream();
        java.util.function.IntConsumer u32 = v -> {
            for (int i = 0; i < 4; i++) {
                form.write(v >>> (8 * i));
            }
        };
        java.util.function.Consumer<String> string = v -> {
            byte[] utf8 = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            u32.accept(utf8.length);
            form.writeBytes(utf8);
        };
        string.accept("backlane model id 1");
        u32.accept(2);
        u32.accept(2);
        u32.accept(3);
        string.accept("LEAKY_RELU");
        u32.accept(Float.floatToRawIntBits(0.05f));
        u32.accept(1);
        string.accept("IDENTITY");
        u32.accept(0);
        string.accept("MEAN_SQUARED_ERROR");
        for (float v : p.values()) {
            u32.accept(Float.floatToRawIntBits(v));
        }
        for (FeatureScaler f : new FeatureScaler[] {in, out}) {
            string.accept(f.kind().name());
            u32.accept(f.width());
            for (float v : f.shift()) {
                u32.accept(Float.floatToRawIntBits(v));
            }
            for (float v : f.scale()) {
                u32.accept(Float.floatToRawIntBits(v));
            }
        }
        u32.accept(0);
        u32.accept(2);
        string.accept("größe");
        string.accept("x");
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(form.toByteArray());
        assertEquals(java.util.HexFormat.of().formatHex(digest, 0, 16), m.id());
    }
}
