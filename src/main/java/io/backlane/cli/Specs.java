package io.backlane.cli;

import io.backlane.nn.Layer;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.train.LearningRateSchedule;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The small languages of the command line: hidden layers ({@code 32:relu,16:tanh}, parsed by
 * {@link Layer#parseHidden}), loss names, learning-rate schedules ({@code step:10:0.5}), and the names
 * of enumerated choices. Each
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

    /** Hidden layers ({@link Layer#parseHidden}), its message as a usage error. */
    static Layers layers(String text) {
        try {
            List<Layer> layers = Layer.parseHidden(text);
            return new Layers(layers.isEmpty() ? "none" : text.strip(), layers);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
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
