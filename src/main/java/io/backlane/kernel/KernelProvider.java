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
 * </ul>
 */
public final class KernelProvider {
    /** System property that, set to {@code false}, forces the scalar kernels. */
    public static final String VECTOR_PROPERTY = "backlane.vector";
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
            log.log(Level.INFO, "backlane: using " + vector.name() + " kernels (Java Vector API)");
            return vector;
        } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
            log.log(Level.WARNING, "backlane: Vector API kernels failed to load (" + e + "), using scalar kernels;"
                    + " start the JVM with --add-modules " + VECTOR_MODULE);
            return new ScalarKernels();
        }
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
