package io.backlane.cli;

import io.backlane.nn.Activation;
import io.backlane.nn.Layer;
import io.backlane.nn.Network;

import java.util.Locale;

/**
 * A network's computation graph in Graphviz DOT, drawn like the graph in the notes this project grew
 * from (docs/backpropagation.md, errata 7): left to right, per layer a box
 * {@code z[l] = W[l] a[l-1] + b[l]} fed by the plain-text parameters W[l] and b[l], then a box {@code a[l] = g(z[l])} with the layer's activation,
 * and at the end the loss {@code L(a[L], y)}; the backward pass runs the other way in red: da[l]
 * into each a box, dz[l] into each z box, and dW[l], db[l] out to the parameters.
 *
 * <p>Node names: {@code x}, {@code y}, {@code loss}, and per layer l {@code z<l>}, {@code a<l>},
 * {@code W<l>}, {@code b<l>}.
 */
final class DotGraph {
    private DotGraph() {
    }

    static String dot(Network net) {
        int layers = net.layerCount();
        StringBuilder s = new StringBuilder();
        s.append("digraph network {\n");
        s.append("  label=\"").append(esc(net.toString() + ", " + net.parameterCount() + " parameters"))
                .append("\";\n  labelloc=t;\n");
        s.append("  rankdir=LR;\n");
        s.append("  node [fontsize=9, shape=rect, margin=0.05];\n");
        s.append("  edge [arrowsize=0.5, fontsize=9];\n\n");
        s.append("  // forward pass\n");
        s.append("  x [shape=plaintext, label=\"x = a[0]\\n(").append(net.inputWidth()).append(" inputs)\"];\n");
        for (int l = 1; l <= layers; l++) {
            Layer layer = net.layer(l);
            String prev = l == 1 ? "x" : "a" + (l - 1);
            s.append("  subgraph layer").append(l).append(" {   // the layer's inputs, one above the other\n");
            s.append("    rank=same;\n");
            s.append("    ").append(prev).append(";\n");
            s.append("    W").append(l).append(" [shape=plaintext, label=\"W[").append(l).append("]\\n(")
                    .append(net.width(l)).append("x").append(net.width(l - 1)).append(")\"];\n");
            s.append("    b").append(l).append(" [shape=plaintext, label=\"b[").append(l).append("]\\n(")
                    .append(net.width(l)).append(")\"];\n");
            s.append("  }\n");
            s.append("  z").append(l).append(" [label=\"z[").append(l).append("] = W[").append(l).append("] a[")
                    .append(l - 1).append("] + b[").append(l).append("]\"];\n");
            s.append("  a").append(l).append(" [label=\"a[").append(l).append("] = ").append(activation(layer))
                    .append("(z[").append(l).append("])\\n(").append(net.width(l)).append(" units)\"];\n");
            s.append("  ").append(prev).append(" -> z").append(l).append(";\n");
            s.append("  W").append(l).append(" -> z").append(l).append(";\n");
            s.append("  b").append(l).append(" -> z").append(l).append(";\n");
            s.append("  z").append(l).append(" -> a").append(l).append(";\n");
        }
        s.append("  subgraph targets {\n    rank=same;\n    a").append(layers).append(";\n    y [shape=plaintext, label=\"y\"];\n  }\n");
        s.append("  loss [label=\"L(a[").append(layers).append("], y)\\n").append(Specs.name(net.loss()))
                .append("\"];\n");
        s.append("  a").append(layers).append(" -> loss;\n");
        s.append("  y -> loss;\n\n");
        s.append("  // backward pass\n");
        for (int l = layers; l >= 1; l--) {
            String from = l == layers ? "loss" : "z" + (l + 1);
            s.append("  ").append(from).append(" -> a").append(l).append(" [label=\"da[").append(l)
                    .append("]\", color=red, fontcolor=red, tailport=s, headport=s, constraint=false];\n");
            s.append("  a").append(l).append(" -> z").append(l).append(" [label=\"dz[").append(l)
                    .append("]\", color=red, fontcolor=red, tailport=s, headport=s, constraint=false];\n");
            s.append("  z").append(l).append(" -> W").append(l).append(" [label=\"dW[").append(l)
                    .append("]\", color=red, fontcolor=red, constraint=false];\n");
            s.append("  z").append(l).append(" -> b").append(l).append(" [label=\"db[").append(l)
                    .append("]\", color=red, fontcolor=red, constraint=false];\n");
        }
        s.append("}\n");
        return s.toString();
    }

    private static String activation(Layer layer) {
        String name = Specs.name(layer.activation());
        return layer.activation() == Activation.LEAKY_RELU
                ? name + "[" + String.format(Locale.ROOT, "%s", layer.slope()) + "]" : name;
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
