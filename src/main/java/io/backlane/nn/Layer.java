package io.backlane.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One dense layer: {@code width} units, z = W·a_prev + b, a = g(z).
 *
 * @param width      n[l], the number of units (≥ 1)
 * @param activation g, the activation function
 * @param slope      the negative-side slope of {@link Activation#LEAKY_RELU}; 0 for other activations
 */
public record Layer(int width, Activation activation, float slope) {
    /** Default slope of leaky ReLU. */
    public static final float DEFAULT_LEAKY_SLOPE = 0.01f;

    /** The activations a hidden layer may have (softmax belongs to the output layer only). */
    private static final List<Activation> HIDDEN_ACTIVATIONS = List.of(Activation.RELU, Activation.LEAKY_RELU,
            Activation.TANH, Activation.SIGMOID, Activation.IDENTITY);

    public Layer {
        if (width < 1) {
            throw new IllegalArgumentException("layer width must be >= 1, got " + width);
        }
        if (activation == null) {
            throw new IllegalArgumentException("layer activation must not be null");
        }
        if (!Float.isFinite(slope) || slope < 0f || slope >= 1f) {
            throw new IllegalArgumentException("leaky ReLU slope must be in [0, 1), got " + slope);
        }
        if (activation != Activation.LEAKY_RELU) {
            slope = 0f;
        }
    }

    /**
     * Hidden layers as the command line's {@code --layers} writes them: comma-separated
     * {@code WIDTH:ACTIVATION[:SLOPE]} (SLOPE for leaky_relu only; activation names in any case, '-'
     * for '_'), for example {@code 32:relu,16:tanh}, or {@code none} for no hidden layer (an empty
     * list). An empty value and a width without an activation are refused rather than guessed (as no
     * layer, and as relu).
     *
     * @throws IllegalArgumentException naming the bad layer and saying what would be right
     */
    public static List<Layer> parseHidden(String text) {
        if (text == null) {
            throw new IllegalArgumentException("the layer list must not be null");
        }
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("the layer list is empty; write WIDTH:ACTIVATION separated by commas,"
                    + " for example 32:relu,16:tanh, or none for no hidden layer");
        }
        if (t.equalsIgnoreCase("none")) {
            return List.of();
        }
        List<Layer> layers = new ArrayList<>();
        int index = 0;
        for (String part : t.split(",", -1)) {
            index++;
            String p = part.strip();
            String where = "layer " + index + " ('" + p + "')";
            if (p.isEmpty()) {
                throw new IllegalArgumentException(where + " is empty; write WIDTH:ACTIVATION separated by commas,"
                        + " for example 32:relu,16:tanh");
            }
            Iterator<String> fields = Arrays.asList(p.split(":", -1)).iterator();
            int width;
            String w = fields.next().strip();
            try {
                width = Integer.parseInt(w);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": width '" + w + "' is not a whole number; write"
                        + " WIDTH:ACTIVATION, for example 32:relu");
            }
            if (width < 1) {
                throw new IllegalArgumentException(where + ": width must be >= 1, got " + width);
            }
            if (!fields.hasNext()) {
                throw new IllegalArgumentException(where + " has no activation; write WIDTH:ACTIVATION, for example "
                        + width + ":relu (activations: " + hiddenActivationNames() + ")");
            }
            Activation g = hiddenActivation(fields.next());
            float slope = g == Activation.LEAKY_RELU ? DEFAULT_LEAKY_SLOPE : 0f;
            if (fields.hasNext()) {
                String s = fields.next().strip();
                if (g != Activation.LEAKY_RELU) {
                    throw new IllegalArgumentException(where + ": only leaky_relu takes a slope (WIDTH:leaky_relu:SLOPE)");
                }
                try {
                    slope = Float.parseFloat(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": slope '" + s + "' is not a number");
                }
                if (!(slope >= 0f && slope < 1f)) {
                    throw new IllegalArgumentException(where + ": leaky_relu slope must be in [0, 1), got " + s);
                }
            }
            if (fields.hasNext()) {
                throw new IllegalArgumentException(where + ": too many ':' fields; write WIDTH:ACTIVATION");
            }
            layers.add(new Layer(width, g, slope));
        }
        return List.copyOf(layers);
    }

    /** {@code relu}, {@code leaky_relu}, ... in any case, '-' for '_'; softmax is refused (hidden layers). */
    private static Activation hiddenActivation(String text) {
        String key = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Activation g : Activation.values()) {
            if (g.name().equals(key)) {
                if (!HIDDEN_ACTIVATIONS.contains(g)) {
                    throw new IllegalArgumentException("softmax is only used on the output layer, which is chosen from"
                            + " the task (or --loss); use one of " + hiddenActivationNames() + " for hidden layers");
                }
                return g;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + text.strip() + "'; valid for hidden layers: "
                + hiddenActivationNames());
    }

    private static String hiddenActivationNames() {
        return HIDDEN_ACTIVATIONS.stream().map(g -> g.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
    }
}
