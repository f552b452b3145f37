package io.backlane.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OutputHeadTest {
    @Test
    void theHeadFollowsTheTask() {
        assertEquals(new OutputHead(1, Activation.SIGMOID, Loss.BINARY_CROSS_ENTROPY), OutputHead.forClasses(2));
        assertEquals(new OutputHead(5, Activation.SOFTMAX, Loss.CATEGORICAL_CROSS_ENTROPY), OutputHead.forClasses(5));
        assertEquals(new OutputHead(2, Activation.SOFTMAX, Loss.CATEGORICAL_CROSS_ENTROPY),
                OutputHead.forClasses(2, Loss.CATEGORICAL_CROSS_ENTROPY));
        assertEquals(new OutputHead(4, Activation.SIGMOID, Loss.BINARY_CROSS_ENTROPY),
                OutputHead.forClasses(4, Loss.BINARY_CROSS_ENTROPY));
        assertEquals(new OutputHead(1, Activation.SIGMOID, Loss.MEAN_SQUARED_ERROR),
                OutputHead.forClasses(2, Loss.MEAN_SQUARED_ERROR));
        assertEquals(new OutputHead(1, Activation.IDENTITY, Loss.MEAN_SQUARED_ERROR), OutputHead.forRegression());
        assertEquals(new OutputHead(3, Activation.IDENTITY, Loss.MEAN_SQUARED_ERROR),
                OutputHead.forOutputs(3, Loss.MEAN_SQUARED_ERROR));
        assertEquals(new OutputHead(1, Activation.SIGMOID, Loss.BINARY_CROSS_ENTROPY), OutputHead.forOutputs(1, null));
        assertEquals(new OutputHead(3, Activation.SOFTMAX, Loss.CATEGORICAL_CROSS_ENTROPY), OutputHead.forOutputs(3, null));
    }

    @Test
    void badTasksAreRefusedWithAMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputHead.forClasses(1));
        assertEquals("classification needs at least 2 classes, got 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OutputHead.forOutputs(0, null));
        assertThrows(IllegalArgumentException.class, () -> new OutputHead(1, null, Loss.BINARY_CROSS_ENTROPY));
    }

    @Test
    void everyDefaultHeadBuildsAValidNetwork() {
        for (OutputHead head : new OutputHead[] {OutputHead.forClasses(2), OutputHead.forClasses(7),
                OutputHead.forRegression(), OutputHead.forClasses(3, Loss.MEAN_SQUARED_ERROR)}) {
            Network net = Network.builder(4).dense(3, Activation.RELU).output(head).build();
            assertEquals(head.width(), net.outputWidth());
            assertEquals(head.activation(), net.activation(2));
            assertEquals(head.loss(), net.loss());
        }
    }
}
