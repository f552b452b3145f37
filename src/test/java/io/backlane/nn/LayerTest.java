package io.backlane.nn;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Layer#parseHidden}: the layer language of the command line, for library users (the Spark estimators). */
class LayerTest {
    @Test
    void parsesWidthsActivationsAndSlopes() {
        assertEquals(List.of(new Layer(32, Activation.RELU, 0f), new Layer(16, Activation.TANH, 0f)),
                Layer.parseHidden(" 32:relu, 16:TANH "));
        assertEquals(List.of(new Layer(4, Activation.LEAKY_RELU, 0.2f), new Layer(3, Activation.LEAKY_RELU, 0.01f)),
                Layer.parseHidden("4:leaky_relu:0.2,3:leaky-relu"));
        assertEquals(List.of(), Layer.parseHidden("None"));
    }

    @Test
    void refusesWithIllegalArgumentExceptionsNamingTheLayer() {
        assertTrue(message(null).contains("must not be null"));
        assertTrue(message("").contains("the layer list is empty"));
        assertTrue(message("8:relu,x:tanh").startsWith("layer 2 ('x:tanh'): width 'x' is not a whole number"));
        assertTrue(message("8").contains("has no activation; write WIDTH:ACTIVATION, for example 8:relu"));
        assertTrue(message("8:softmax").contains("softmax is only used on the output layer"));
        assertTrue(message("8:swish").contains("unknown activation 'swish'; valid for hidden layers: relu, leaky_relu"));
        assertTrue(message("8:relu:1:2").contains("only leaky_relu takes a slope"));
        assertTrue(message("8:leaky_relu:0.1:2").contains("too many ':' fields"));
    }

    private static String message(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> Layer.parseHidden(spec)).getMessage();
    }
}
