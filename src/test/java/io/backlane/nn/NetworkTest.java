package io.backlane.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class NetworkTest {

    @Test
    void offsetsFollowTheDocumentedLayout() {
        Network net = Network.builder(4).dense(3, Activation.TANH).dense(2, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        assertEquals(2, net.layerCount());
        assertEquals(4, net.width(0));
        assertEquals(0, net.weightOffset(1));   // W[1]: 3 x 4
        assertEquals(12, net.biasOffset(1));    // b[1]: 3
        assertEquals(15, net.weightOffset(2));  // W[2]: 2 x 3
        assertEquals(21, net.biasOffset(2));    // b[2]: 2
        assertEquals(23, net.parameterCount());
        assertEquals(6, net.weightCount(2));
        assertEquals("4-3(tanh)-2(softmax) categorical_cross_entropy", net.toString());
        assertThrows(IndexOutOfBoundsException.class, () -> net.layer(0));
        assertThrows(IndexOutOfBoundsException.class, () -> net.width(3));
    }

    private static String refusal(Runnable build) {
        return assertThrows(IllegalArgumentException.class, build::run).getMessage();
    }

    @Test
    void invalidCombinationsAreRefusedWithAHint() {
        assertTrue(refusal(() -> Network.builder(3).dense(2, Activation.SOFTMAX).loss(Loss.BINARY_CROSS_ENTROPY).build())
                .contains("categorical_cross_entropy"));
        assertTrue(refusal(() -> Network.builder(3).dense(1, Activation.RELU).loss(Loss.BINARY_CROSS_ENTROPY).build())
                .contains("sigmoid"));
        assertTrue(refusal(() -> Network.builder(3).dense(2, Activation.SIGMOID).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build())
                .contains("softmax"));
        assertTrue(refusal(() -> Network.builder(3).dense(1, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build())
                .contains("at least 2"));
        assertTrue(refusal(() -> Network.builder(3).dense(2, Activation.SOFTMAX).loss(Loss.MEAN_SQUARED_ERROR).build())
                .contains("categorical_cross_entropy"));
        assertTrue(refusal(() -> Network.builder(3).dense(4, Activation.SOFTMAX).dense(2, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build()).contains("only allowed on the output layer"));
        assertTrue(refusal(() -> Network.builder(3).loss(Loss.MEAN_SQUARED_ERROR).build()).contains("at least one layer"));
        assertTrue(refusal(() -> Network.builder(3).dense(2, Activation.IDENTITY).build()).contains("no loss"));
        assertTrue(refusal(() -> Network.builder(3).dense(0, Activation.RELU)).contains("width must be >= 1"));
        assertTrue(refusal(() -> Network.builder(0)).contains("input width"));
        assertTrue(refusal(() -> Network.builder(3).leakyRelu(4, 1.5f)).contains("slope"));
    }

    @Test
    void equalDescriptionsAreEqual() {
        Network a = Network.builder(2).leakyRelu(3, 0.1f).dense(1, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        Network b = Network.builder(2).leakyRelu(3, 0.1f).dense(1, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        Network c = Network.builder(2).leakyRelu(3, 0.2f).dense(1, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, c);
    }
}
