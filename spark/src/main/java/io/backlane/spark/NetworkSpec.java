package io.backlane.spark;

import io.backlane.nn.Activation;
import io.backlane.nn.Layer;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;

import java.io.Serializable;

/**
 * A {@link Network} in a form that Spark can ship to executors inside a task ({@link Network} is not
 * {@link Serializable}): the input width, each layer's width, activation and slope, and the loss.
 */
final class NetworkSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int inputs;
    private final int[] widths;
    private final Activation[] activations;
    private final float[] slopes;
    private final Loss loss;
    private transient Network network;   // built once per JVM that uses it

    NetworkSpec(Network net) {
        inputs = net.inputWidth();
        int layers = net.layerCount();
        widths = new int[layers];
        activations = new Activation[layers];
        slopes = new float[layers];
        for (int l = 1; l <= layers; l++) {
            Layer layer = net.layer(l);
            widths[l - 1] = layer.width();
            activations[l - 1] = layer.activation();
            slopes[l - 1] = layer.slope();
        }
        loss = net.loss();
        network = net;
    }

    /** The network described. */
    Network network() {
        Network n = network;
        if (n == null) {
            Network.Builder b = Network.builder(inputs);
            for (int l = 0; l < widths.length; l++) {
                b.dense(new Layer(widths[l], activations[l], slopes[l]));
            }
            n = b.loss(loss).build();
            network = n;
        }
        return n;
    }
}
