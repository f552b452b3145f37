package io.backlane.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses to measure against a handicapped OpenBLAS. Some machines set {@code OPENBLAS_CORETYPE=Haswell},
 * which holds OpenBLAS to its AVX2 kernels on a CPU that has AVX-512: a comparison against it flatters
 * backlane. {@code run.sh} unsets the variable; this check makes a run fail when OpenBLAS still chose a
 * core without AVX-512 kernels on a CPU with AVX-512, unless {@code run.sh --allow-core} (environment
 * variable {@value #ALLOW_ENV}) says the handicap is wanted, in which case every check line says so.
 */
final class OpenBlasCore {
    static final String ALLOW_ENV = "BACKLANE_ALLOW_CORE";
    /** DYNAMIC_ARCH core names whose sgemm kernels use AVX-512. */
    private static final Set<String> AVX512_CORES = Set.of("skylakex", "cooperlake", "sapphirerapids");

    private OpenBlasCore() {
    }

    /**
     * Throws unless OpenBLAS's core {@code coreName} uses AVX-512 whenever the CPU has it (or the
     * handicap is allowed); returns a note for the check line ("" when nothing is unusual).
     */
    static String require(String coreName) {
        boolean fullWidth = AVX512_CORES.contains(coreName.toLowerCase(Locale.ROOT));
        if (fullWidth || !cpuHasAvx512()) {
            return "";
        }
        if (System.getenv(ALLOW_ENV) != null) {
            return " (AVX2 core on an AVX-512 CPU, allowed by --allow-core: OpenBLAS is not at its best)";
        }
        throw new IllegalStateException("OpenBLAS chose core " + coreName + " (no AVX-512 kernels) on a CPU with AVX-512:"
                + " a comparison with it would flatter backlane. Unset OPENBLAS_CORETYPE (bench/run.sh does), or pass"
                + " --allow-core to bench/run.sh to measure the handicapped OpenBLAS on purpose");
    }

    private static boolean cpuHasAvx512() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return line.contains(" avx512f");
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: assume the best core was chosen
        }
        return false;
    }
}
