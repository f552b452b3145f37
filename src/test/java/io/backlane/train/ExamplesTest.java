package io.backlane.train;

import io.backlane.data.Dataset;
import io.backlane.nn.Activation;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Examples#of}: the target encoding follows the network's output layer, for every task. */
class ExamplesTest {
    private static final List<String> FEATURES = List.of("f0", "f1");
    private static final float[] X = {1, 2, 3, 4, 5, 6};

    private static Network net(OutputHead head) {
        return Network.builder(2).dense(4, Activation.TANH).output(head).build();
    }

    @Test
    void twoClassesWithOneSigmoidUnitGetTheClassIndex() {
        Dataset d = Dataset.classification(FEATURES, X, new int[] {1, 0, 1}, List.of("no", "yes"), "label");
        Examples e = Examples.of(d, net(OutputHead.forClasses(2)));
        assertArrayEquals(X, e.x());
        assertArrayEquals(new float[] {1, 0, 1}, e.y());
        assertEquals(3, e.count());
    }

    @Test
    void twoClassesWithTwoSoftmaxUnitsGetOneHotRows() {
        Dataset d = Dataset.classification(FEATURES, X, new int[] {1, 0, 1}, List.of("no", "yes"), "label");
        Examples e = Examples.of(d, net(OutputHead.forClasses(2, Loss.CATEGORICAL_CROSS_ENTROPY)));
        assertArrayEquals(new float[] {0, 1, 1, 0, 0, 1}, e.y());
    }

    @Test
    void severalClassesGetOneHotRows() {
        Dataset d = Dataset.classification(FEATURES, X, new int[] {2, 0, 1}, List.of("a", "b", "c"), "label");
        Examples e = Examples.of(d, net(OutputHead.forClasses(3)));
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, e.y());
        Examples sigmoids = Examples.of(d, net(OutputHead.forClasses(3, Loss.BINARY_CROSS_ENTROPY)));
        assertArrayEquals(e.y(), sigmoids.y());
    }

    @Test
    void regressionGetsTheTargets() {
        Dataset d = Dataset.regression(FEATURES, X, new float[] {0.5f, -2f, 1e5f}, "price");
        Examples e = Examples.of(d, net(OutputHead.forRegression()));
        assertArrayEquals(new float[] {0.5f, -2f, 1e5f}, e.y());
    }

    @Test
    void mismatchesAreRefusedWithTheReason() {
        Dataset three = Dataset.classification(FEATURES, X, new int[] {2, 0, 1}, List.of("a", "b", "c"), "label");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Examples.of(three, net(OutputHead.forClasses(2))));
        assertTrue(e.getMessage().contains("3 classes but the network has 1 outputs"), e.getMessage());
        Dataset values = Dataset.regression(FEATURES, X, new float[3], "y");
        e = assertThrows(IllegalArgumentException.class, () -> Examples.of(values, net(OutputHead.forClasses(3))));
        assertTrue(e.getMessage().contains("one regression target but the network has 3 outputs"), e.getMessage());
        Dataset none = Dataset.unlabeled(FEATURES, X);
        e = assertThrows(IllegalArgumentException.class, () -> Examples.of(none, net(OutputHead.forRegression())));
        assertTrue(e.getMessage().contains("no targets"), e.getMessage());
        Network wide = Network.builder(3).output(OutputHead.forRegression()).build();
        e = assertThrows(IllegalArgumentException.class, () -> Examples.of(values, wide));
        assertTrue(e.getMessage().contains("2 features but the network expects 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Examples.of(null, wide));
    }
}
