package io.backlane.kernel;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Decides once per JVM which {@link Kernels} to use, and says so in exactly one log line
 * (logger {@code io.backlane.kernel}, through {@link System.Logger}).
 *
 * <ul>
 *   <li>The Vector API kernels when the module {@code jdk.incubator.vector} is readable (the JVM was
 *       started with {@code --add-modules jdk.incubator.vector}) and the C2 compiler is on: an INFO
 *       line names them and the vector bit size.</li>
 *   <li>Otherwise the scalar kernels, with a WARNING that names the flag to add.</li>
 *   <li>{@code -Dbacklane.vector=false} forces the scalar kernels (INFO line).</li>
 *   <li>{@code -Dbacklane.vectorBits=128|256|512} picks the vector width (to run, test or compare the
 *       kernels of a narrower machine); {@code 0} forces the scalar kernels. The default is the CPU's
 *       widest (at most 512 bits). A width the CPU does not have, or any other value, is refused with a
 *       WARNING line that names it, and the widest width is used instead. The INFO line names the
 *       width in effect: {@code vector(256 bit, micro-kernel 4x32)}.</li>
 * </ul>
 *
 * <p>The width is read once, when the vector kernels' class is initialized, into a static final
 * species: C2 only compiles Vector API code into SIMD instructions when the species is a constant.
 */
public final class KernelProvider {
    /** System property that, set to {@code false}, forces the scalar kernels. */
    public static final String VECTOR_PROPERTY = "backlane.vector";
    /** System property that picks the vector width in bits: 128, 256 or 512; 0 forces the scalar kernels. */
    public static final String VECTOR_BITS_PROPERTY = "backlane.vectorBits";
    /** {@link #parseVectorBits} of an unset property: the CPU's widest vectors. */
    static final int WIDEST = -1;
    static final String LOGGER_NAME = "io.backlane.kernel";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private KernelProvider() {
    }

    private static final class Holder {
        static final Kernels KERNELS = choose(System.getLogger(LOGGER_NAME));
    }

    /** The kernels chosen for this JVM. */
    public static Kernels kernels() {
        return Holder.KERNELS;
    }

    /** The scalar kernels, whatever the JVM supports (for comparisons and benchmarks). */
    public static Kernels scalar() {
        return new ScalarKernels();
    }

    static Kernels choose(System.Logger log) {
        if ("false".equalsIgnoreCase(System.getProperty(VECTOR_PROPERTY, "true").trim())) {
            log.log(Level.INFO, "backlane: using scalar kernels (forced by -D" + VECTOR_PROPERTY + "=false)");
            return new ScalarKernels();
        }
        String bitsValue = System.getProperty(VECTOR_BITS_PROPERTY);
        int bits;
        String badBits = null;
        try {
            bits = parseVectorBits(bitsValue);
        } catch (IllegalArgumentException e) {
            bits = WIDEST;
            badBits = e.getMessage();
        }
        if (bits == 0) {
            log.log(Level.INFO, "backlane: using scalar kernels (forced by -D" + VECTOR_BITS_PROPERTY + "=0)");
            return new ScalarKernels();
        }
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            log.log(Level.WARNING, "backlane: Java Vector API not available, using scalar kernels (slower);"
                    + " start the JVM with --add-modules " + VECTOR_MODULE + " to enable the vector kernels");
            return new ScalarKernels();
        }
        String c2Off = c2DisabledReason();
        if (c2Off != null) {
            log.log(Level.WARNING, "backlane: C2 compiler is off (" + c2Off + "), using scalar kernels;"
                    + " the Vector API is slower than scalar code without C2");
            return new ScalarKernels();
        }
        try {
            Kernels vector = (Kernels) Class.forName("io.backlane.kernel.VectorKernels")
                    .getDeclaredConstructor().newInstance();
            String refusal = badBits != null ? badBits : widthRefusal(bits, vector.widestVectorBitSize());
            if (refusal != null) {
                log.log(Level.WARNING, "backlane: " + refusal + "; using " + vector.name()
                        + " kernels (Java Vector API), the widest this CPU has");
            } else {
                log.log(Level.INFO, "backlane: using " + vector.name() + " kernels (Java Vector API)");
            }
            return vector;
        } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
            log.log(Level.WARNING, "backlane: Vector API kernels failed to load (" + e + "), using scalar kernels;"
                    + " start the JVM with --add-modules " + VECTOR_MODULE);
            return new ScalarKernels();
        }
    }

    /**
     * The value of {@code -Dbacklane.vectorBits}: 0 (scalar), 128, 256 or 512, or {@link #WIDEST} when
     * {@code value} is null or blank.
     *
     * @throws IllegalArgumentException naming the property and the value, for anything else
     */
    static int parseVectorBits(String value) {
        if (value == null || value.isBlank()) {
            return WIDEST;
        }
        switch (value.trim()) {
            case "0": return 0;
            case "128": return 128;
            case "256": return 256;
            case "512": return 512;
            default:
                throw new IllegalArgumentException("-D" + VECTOR_BITS_PROPERTY + "=" + value
                        + " is not a vector width: use 128, 256 or 512, or 0 for the scalar kernels");
        }
    }

    /** The vector width this JVM asks for: {@link #parseVectorBits} of the property, WIDEST when it is bad. */
    static int requestedVectorBits() {
        try {
            return parseVectorBits(System.getProperty(VECTOR_BITS_PROPERTY));
        } catch (IllegalArgumentException e) {
            return WIDEST;
        }
    }

    /** Why {@code requested} bits cannot be had on a CPU whose widest vectors are {@code widest} bits, or null. */
    static String widthRefusal(int requested, int widest) {
        if (requested > widest) {
            return "-D" + VECTOR_BITS_PROPERTY + "=" + requested + " asks for " + requested
                    + "-bit vectors, but this CPU's widest are " + widest + " bits";
        }
        return null;
    }

    /** Why C2 is unavailable (-Xint, -XX:TieredStopAtLevel below 4, -XX:-UseCompiler), or null. */
    private static String c2DisabledReason() {
        List<String> args;
        try {
            args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        } catch (RuntimeException | LinkageError e) {
            return null; // no management module: assume a normal server VM
        }
        for (String arg : args) {
            if (arg.equals("-Xint") || arg.equals("-XX:-UseCompiler")) {
                return arg;
            }
            if (arg.startsWith("-XX:TieredStopAtLevel=")) {
                String level = arg.substring("-XX:TieredStopAtLevel=".length());
                if (!level.equals("4")) {
                    return arg;
                }
            }
        }
        return null;
    }
}
