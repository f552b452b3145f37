package io.backlane.cli;

import io.backlane.nn.Activation;
import io.backlane.nn.Layer;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.train.LearningRateSchedule;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The small languages of the command line: hidden layers ({@code 32:relu,16:tanh}), activation and
 * loss names, learning-rate schedules ({@code step:10:0.5}), and the names of enumerated choices. Each
 * parser throws {@link TypeConversionException} with a message that says what was wrong and what
 * would be right; picocli turns it into a usage error (exit code 2).
 */
final class Specs {
    private Specs() {
    }

    /** Hidden layers as written, and parsed. */
    record Layers(String text, List<Layer> layers) {
        /** The network {@code inputs} → these hidden layers → {@code head}. */
        Network network(int inputs, OutputHead head) {
            Network.Builder b = Network.builder(inputs);
            layers.forEach(b::dense);
            return b.output(head).build();
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** A learning-rate schedule as written, and parsed. */
    record Schedule(String text, LearningRateSchedule schedule) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** The activations a hidden layer may have (softmax belongs to the output layer only). */
    static final List<Activation> HIDDEN_ACTIVATIONS = List.of(Activation.RELU, Activation.LEAKY_RELU,
            Activation.TANH, Activation.SIGMOID, Activation.IDENTITY);

    /** Lower-case name of an enum constant: {@code LEAKY_RELU} → {@code leaky_relu}. */
    static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    static String names(List<? extends Enum<?>> values) {
        return values.stream().map(Specs::name).collect(Collectors.joining(", "));
    }

    /** Accepts any case, and '-' for '_'. */
    private static String normalize(String s) {
        return s.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** An enum constant by its lower-case name (any case, '-' or '_'), or a message listing the choices. */
    static <E extends Enum<E>> E parseEnum(Class<E> type, String what, String text) {
        String key = normalize(text);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(key)) {
                return e;
            }
        }
        throw new TypeConversionException("unknown " + what + " '" + text + "'; valid: "
                + names(Arrays.asList(type.getEnumConstants())));
    }

    /** {@code relu}, {@code leaky_relu}, ...; softmax is refused here (hidden layers). */
    static Activation hiddenActivation(String text) {
        Activation g;
        try {
            g = parseEnum(Activation.class, "activation", text);
        } catch (TypeConversionException e) {
            throw new TypeConversionException("unknown activation '" + text.strip() + "'; valid for hidden layers: "
                    + names(HIDDEN_ACTIVATIONS));
        }
        if (!HIDDEN_ACTIVATIONS.contains(g)) {
            throw new TypeConversionException("softmax is only used on the output layer, which is chosen from the"
                    + " task (or --loss); use one of " + names(HIDDEN_ACTIVATIONS) + " for hidden layers");
        }
        return g;
    }

    /** Short and long loss names: {@code bce}, {@code binary_cross_entropy}, {@code cce}, {@code mse}, ... */
    static Loss loss(String text) {
        String key = normalize(text);
        switch (key) {
            case "BCE" -> {
                return Loss.BINARY_CROSS_ENTROPY;
            }
            case "CCE", "CROSS_ENTROPY" -> {
                return Loss.CATEGORICAL_CROSS_ENTROPY;
            }
            case "MSE" -> {
                return Loss.MEAN_SQUARED_ERROR;
            }
            default -> {
                try {
                    return parseEnum(Loss.class, "loss", text);
                } catch (TypeConversionException e) {
                    throw new TypeConversionException("unknown loss '" + text + "'; valid: binary_cross_entropy (bce),"
                            + " categorical_cross_entropy (cce), mean_squared_error (mse)");
                }
            }
        }
    }

    /**
     * Hidden layers: comma-separated {@code WIDTH:ACTIVATION[:SLOPE]} (SLOPE for leaky_relu only), or
     * {@code none} for no hidden layer. An empty value and a width without an activation are refused
     * rather than guessed (as no layer, and as relu).
     */
    static Layers layers(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new TypeConversionException("the layer list is empty; write WIDTH:ACTIVATION separated by commas,"
                    + " for example 32:relu,16:tanh, or none for no hidden layer");
        }
        if (t.equalsIgnoreCase("none")) {
            return new Layers("none", List.of());
        }
        List<Layer> layers = new ArrayList<>();
        int index = 0;
        for (String part : t.split(",", -1)) {
            index++;
            String p = part.strip();
            String where = "layer " + index + " ('" + p + "')";
            if (p.isEmpty()) {
                throw new TypeConversionException(where + " is empty; write WIDTH:ACTIVATION separated by commas,"
                        + " for example 32:relu,16:tanh");
            }
            Iterator<String> fields = Arrays.asList(p.split(":", -1)).iterator();
            int width;
            String w = fields.next().strip();
            try {
                width = Integer.parseInt(w);
            } catch (NumberFormatException e) {
                throw new TypeConversionException(where + ": width '" + w + "' is not a whole number; write"
                        + " WIDTH:ACTIVATION, for example 32:relu");
            }
            if (width < 1) {
                throw new TypeConversionException(where + ": width must be >= 1, got " + width);
            }
            if (!fields.hasNext()) {
                throw new TypeConversionException(where + " has no activation; write WIDTH:ACTIVATION, for example "
                        + width + ":relu (activations: " + names(HIDDEN_ACTIVATIONS) + ")");
            }
            Activation g = hiddenActivation(fields.next());
            float slope = g == Activation.LEAKY_RELU ? Layer.DEFAULT_LEAKY_SLOPE : 0f;
            if (fields.hasNext()) {
                String s = fields.next().strip();
                if (g != Activation.LEAKY_RELU) {
                    throw new TypeConversionException(where + ": only leaky_relu takes a slope (WIDTH:leaky_relu:SLOPE)");
                }
                try {
                    slope = Float.parseFloat(s);
                } catch (NumberFormatException e) {
                    throw new TypeConversionException(where + ": slope '" + s + "' is not a number");
                }
                if (!(slope >= 0f && slope < 1f)) {
                    throw new TypeConversionException(where + ": leaky_relu slope must be in [0, 1), got " + s);
                }
            }
            if (fields.hasNext()) {
                throw new TypeConversionException(where + ": too many ':' fields; write WIDTH:ACTIVATION");
            }
            layers.add(new Layer(width, g, slope));
        }
        return new Layers(t, List.copyOf(layers));
    }

    /** {@code constant}, {@code step:EVERY:GAMMA} or {@code cosine[:MIN]}. */
    static Schedule schedule(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        String[] f = t.split(":", -1);
        String usage = "; valid: constant, step:EVERY:GAMMA (e.g. step:10:0.5), cosine:MIN (e.g. cosine:0.01)";
        try {
            switch (f[0]) {
                case "constant" -> {
                    if (f.length != 1) {
                        throw new TypeConversionException("constant takes no parameters" + usage);
                    }
                    return new Schedule(t, LearningRateSchedule.constant());
                }
                case "step" -> {
                    if (f.length != 3) {
                        throw new TypeConversionException("step needs EVERY and GAMMA" + usage);
                    }
                    return new Schedule(t, LearningRateSchedule.stepDecay(Integer.parseInt(f[1].strip()),
                            Double.parseDouble(f[2].strip())));
                }
                case "cosine" -> {
                    if (f.length > 2) {
                        throw new TypeConversionException("cosine takes one parameter, MIN" + usage);
                    }
                    return new Schedule(t, LearningRateSchedule.cosine(f.length == 2 ? Double.parseDouble(f[1].strip()) : 0));
                }
                default -> throw new TypeConversionException("unknown schedule '" + text + "'" + usage);
            }
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' has a parameter that is not a number" + usage);
        } catch (IllegalArgumentException e) { // from the schedule factories: out-of-range parameters
            throw new TypeConversionException(e.getMessage() + usage);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // picocli converters

    static final class LayersConverter implements ITypeConverter<Layers> {
        @Override
        public Layers convert(String value) {
            return layers(value);
        }
    }

    static final class ScheduleConverter implements ITypeConverter<Schedule> {
        @Override
        public Schedule convert(String value) {
            return schedule(value);
        }
    }

    static final class LossConverter implements ITypeConverter<Loss> {
        @Override
        public Loss convert(String value) {
            return loss(value);
        }
    }
}
