package io.backlane.infer;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.testing.AllocationProbe;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a prediction promises: one probability per class, thresholds, top k, finite inputs, the answering model. */
class PredictionContractTest {
    private static Model binary(long seed) {
        Network net = Network.builder(3).dense(5, Activation.TANH).output(OutputHead.forClasses(2)).build();
        return new Model(Parameters.initialize(net, seed), FeatureScaler.identity(3), List.of("no", "yes"));
    }

    private static Model threeClasses(long seed) {
        Network net = Network.builder(3).dense(5, Activation.TANH).output(OutputHead.forClasses(3)).build();
        return new Model(Parameters.initialize(net, seed), FeatureScaler.identity(3), List.of("a", "b", "c"));
    }

    private static float[] input(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return new float[] {(float) r.nextGaussian() * 3, (float) r.nextGaussian() * 3, (float) r.nextGaussian() * 3};
    }

    @Test
    void aRefusedPredictionLeavesTheAnswerAsItWas() {
        // The answer used to be prepared for the new model before the forward pass, then refused: it named
        // the new model with the old one's probabilities, and class -1 (label() threw).
        Network net = Network.builder(2).dense(3, Activation.IDENTITY).output(OutputHead.forClasses(3)).build();
        Model good = new Model(Parameters.initialize(net, 1), FeatureScaler.identity(2), List.of("a", "b", "c"));
        Parameters big = Parameters.initialize(net, 2);
        Arrays.fill(big.values(), 1e30f);
        Model overflowing = new Model(big, FeatureScaler.identity(2), List.of("x", "y", "z"));
        ServingModel serving = new ServingModel(good);
        Predictor predictor = serving.newPredictor();
        Prediction answer = new Prediction();
        predictor.predict(new float[] {0.5f, 0.25f}, answer);
        String label = answer.label();
        float p0 = answer.probability(0);
        serving.swap(overflowing);
        assertThrows(IllegalArgumentException.class, () -> predictor.predict(new float[] {1e10f, 1e10f}, answer));
        assertSame(good, answer.model());
        assertEquals(label, answer.label());
        assertEquals(p0, answer.probability(0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> serving.newPredictor(Integer.MAX_VALUE))
                .getMessage().contains("does not fit in one float array"));
    }

    @Test
    void aSingleSigmoidUnitGivesOneProbabilityPerClass() {
        Model model = binary(1);
        Predictor predictor = Predictor.of(model);
        for (int i = 0; i < 50; i++) {
            float[] x = input(i);
            float[] out = new float[1];
            predictor.predict(x, out);
            float[] p = new float[2];
            predictor.probabilities(x, p);
            assertArrayEquals(new float[] {1f - out[0], out[0]}, p);
            assertEquals(out[0] >= 0.5f ? "yes" : "no", predictor.predictLabel(x));
        }
        assertThrows(IllegalArgumentException.class, () -> predictor.probabilities(input(1), new float[1]));
    }

    @Test
    void theDecisionThresholdMovesTheBinaryDecision() {
        Predictor predictor = Predictor.of(binary(2));
        int flipped = 0;
        for (int i = 0; i < 200; i++) {
            float[] x = input(i);
            float[] p = new float[2];
            predictor.probabilities(x, p);
            predictor.decisionThreshold(0.5f);
            int atHalf = predictor.predictClass(x);
            predictor.decisionThreshold(0.9f);
            int atNinety = predictor.predictClass(x);
            assertEquals(p[1] >= 0.5f ? 1 : 0, atHalf);
            assertEquals(p[1] >= 0.9f ? 1 : 0, atNinety);
            flipped += atHalf != atNinety ? 1 : 0;
        }
        assertTrue(flipped > 0, "some examples lie between the two thresholds");
        assertThrows(IllegalArgumentException.class, () -> predictor.decisionThreshold(1f));
        assertThrows(IllegalArgumentException.class, () -> predictor.decisionThreshold(Float.NaN));
    }

    @Test
    void topKListsTheMostProbableClassesFirst() {
        Model model = threeClasses(3);
        Predictor predictor = Predictor.of(model);
        float[] x = input(7);
        float[] p = new float[3];
        predictor.probabilities(x, p);
        int[] classes = new int[2];
        float[] scores = new float[2];
        assertEquals(2, predictor.topK(x, classes, scores));
        assertTrue(scores[0] >= scores[1]);
        assertEquals(p[classes[0]], scores[0]);
        assertEquals(p[classes[1]], scores[1]);
        for (int c = 0; c < 3; c++) {
            if (c != classes[0] && c != classes[1]) {
                assertTrue(p[c] <= scores[1], "the class left out is the least probable");
            }
        }
        assertEquals(predictor.predictClass(x), classes[0]);
        int[] all = new int[5];
        assertEquals(3, predictor.topK(x, all, new float[5]), "k is capped at the number of classes");
    }

    @Test
    void nonFiniteFeaturesAreRefusedWithTheirIndexUnlessAccepted() {
        Predictor predictor = Predictor.of(threeClasses(4));
        float[] x = {1f, Float.NaN, 2f};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> predictor.predictClass(x));
        assertTrue(e.getMessage().startsWith("feature 1 (x1) is NaN"), e.getMessage());
        float[] rows = {0, 0, 0, 1, 2, Float.POSITIVE_INFINITY};
        e = assertThrows(IllegalArgumentException.class, () -> predictor.predict(rows, 0, new float[6], 0, 2));
        assertTrue(e.getMessage().startsWith("row 1, feature 2 (x2) is Infinity"), e.getMessage());
        float[] out = new float[3];
        predictor.acceptNonFinite(true).predict(x, out);
        assertTrue(Float.isNaN(out[0]), "accepted: the NaN goes through");
    }

    /** Every weight and bias 1, ReLU: three features of 3·10³⁸ (finite) add up past Float.MAX_VALUE in layer 1. */
    private static Model allOnes(OutputHead head, List<String> labels) {
        Network net = Network.builder(3).dense(4, Activation.RELU).output(head).build();
        float[] theta = new float[net.parameterCount()];
        Arrays.fill(theta, 1f);
        return new Model(new Parameters(net, theta), FeatureScaler.identity(3), labels);
    }

    private static final float HUGE = 3e38f;

    @Test
    void anExampleThatOverflowsInsideTheNetworkIsRefusedWithItsRowAndItsOutputsAreNotWritten() {
        Predictor predictor = new ServingModel(allOnes(OutputHead.forRegression(), List.of())).newPredictor(4);
        float[] out = {-7f};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> predictor.predict(new float[] {HUGE, HUGE, HUGE}, out));
        assertTrue(e.getMessage().startsWith("the model's logit 0 is Infinity for finite features"), e.getMessage());
        assertEquals(-7f, out[0], "nothing written");

        float[] rows = {1, 2, 3, HUGE, HUGE, HUGE, 4, 5, 6};
        float[] outs = {-7f, -7f, -7f};
        e = assertThrows(IllegalArgumentException.class, () -> predictor.predict(rows, 0, outs, 0, 3));
        assertTrue(e.getMessage().startsWith("row 1: the model's logit 0 is Infinity"), e.getMessage());
        assertArrayEquals(new float[] {-7f, -7f, -7f}, outs, "the batch's outputs are not written");
        e = assertThrows(IllegalArgumentException.class, () -> predictor.meanLoss(rows, 0, new float[3], 0, 3));
        assertTrue(e.getMessage().startsWith("row 1: "), e.getMessage());

        predictor.predict(new float[] {1e37f, 1e37f, 1e37f}, out); // large, but inside the range: answered
        assertEquals(4 * (3e37f + 1f) + 1f, out[0], 1e32f);
        predictor.acceptNonFinite(true).predict(new float[] {HUGE, HUGE, HUGE}, out);
        assertEquals(Float.POSITIVE_INFINITY, out[0], "accepted: the infinity goes through");
    }

    @Test
    void classifiersRefuseOverflowingLogitsInsteadOfAnsweringNaNOrACertainty() {
        float[] x = {HUGE, HUGE, HUGE};
        // softmax of infinite logits is NaN: before the check, every probability came back NaN
        Predictor three = Predictor.of(allOnes(OutputHead.forClasses(3), List.of("a", "b", "c")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> three.probabilities(x, new float[3]));
        assertTrue(e.getMessage().startsWith("the model's logit 0 is Infinity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> three.predictLabel(x));
        // one sigmoid unit: an infinite logit gives a finite output, 1, caught by its logit
        Predictor two = Predictor.of(allOnes(OutputHead.forClasses(2), List.of("no", "yes")));
        e = assertThrows(IllegalArgumentException.class, () -> two.predictClass(x));
        assertTrue(e.getMessage().startsWith("the model's logit 0 is Infinity"), e.getMessage());
    }

    @Test
    void anOutputThatOverflowsInTheTargetsUnitsIsRefused() {
        // outputs of about 1.2e38, divided by the target scale 0.1 on the way back to the targets' units
        Model model = allOnes(OutputHead.forRegression(), List.of())
                .withTargetScaler(new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, new float[] {0f}, new float[] {0.1f}));
        Predictor predictor = Predictor.of(model);
        float[] out = {-7f};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> predictor.predict(new float[] {1e37f, 1e37f, 1e37f}, out));
        assertTrue(e.getMessage().startsWith("the model's output 0 is Infinity"), e.getMessage());
        assertEquals(-7f, out[0]);
        predictor.predict(new float[] {1f, 1f, 1f}, out);
        assertEquals(4 * (3f + 1f) + 1f, out[0] * 0.1f, 1e-5f);
    }

    @Test
    void aPredictionCarriesTheModelThatAnswered() {
        Model two = binary(5);
        Model three = threeClasses(5);
        ServingModel serving = new ServingModel(two);
        Predictor predictor = serving.newPredictor();
        Prediction answer = new Prediction();
        predictor.predict(input(1), answer);
        assertSame(two, answer.model());
        assertEquals(2, answer.classCount());
        assertEquals(1f, answer.probability(0) + answer.probability(1), 1e-6f);
        assertEquals(two.classLabels().get(answer.classIndex()), answer.label());

        serving.swap(three);
        predictor.predict(input(1), answer);
        assertSame(three, answer.model());
        assertEquals(3, answer.classCount());
        assertEquals(3, answer.outputCount());
        assertEquals(predictor.predictLabel(input(1)), answer.label());
        assertThrows(IllegalStateException.class, answer::value);
    }

    @Test
    void aRegressionPredictionHasAValueAndNoClasses() {
        Network net = Network.builder(3).dense(4, Activation.RELU).output(OutputHead.forRegression()).build();
        Model model = new Model(Parameters.initialize(net, 6), FeatureScaler.identity(3), List.of());
        Prediction answer = new Prediction();
        Predictor.of(model).predict(input(2), answer);
        float[] out = new float[1];
        Predictor.of(model).predict(input(2), out);
        assertEquals(out[0], answer.value());
        assertEquals(0, answer.classCount());
        assertThrows(IllegalStateException.class, answer::label);
        assertThrows(IllegalStateException.class, () -> Predictor.of(model).probabilities(input(2), new float[2]));
        assertThrows(IllegalStateException.class, () -> new Prediction().label());
    }

    @Test
    void answeringAllocatesNothing() {
        Predictor predictor = Predictor.of(threeClasses(8));
        Prediction answer = new Prediction();
        float[] x = input(3);
        float[] p = new float[3];
        int[] classes = new int[2];
        float[] scores = new float[2];
        AllocationProbe.assertSteadyStateAllocatesNothing(() -> {
            for (int i = 0; i < 100; i++) {
                predictor.predict(x, answer);
                predictor.probabilities(x, p);
                predictor.topK(x, classes, scores);
                predictor.predictLabel(x);
            }
        });
        assertNotEquals(-1, answer.classIndex());
    }

    @Test
    void warmingUpChangesNoAnswer() {
        Model model = threeClasses(9);
        float[] x = input(4);
        float[] cold = new float[3];
        Predictor.of(model).predict(x, cold);
        Predictor warm = Predictor.of(model).warmUp(5_000);
        float[] out = new float[3];
        warm.predict(x, out);
        assertArrayEquals(cold, out, 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> warm.warmUp(-1));
    }
}
