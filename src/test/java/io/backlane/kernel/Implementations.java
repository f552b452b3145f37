package io.backlane.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Resolves the implementation names that the parameterized tests run over. The vector kernels are
 * the ones {@link Kernels#get()} chose; a JVM without the incubator module skips those cases instead
 * of testing the scalar kernels twice. Never use this class from a test tagged
 * {@code no-vector-module}: it names {@link VectorGemm}.
 */
final class Implementations {
    static final String SCALAR = "scalar";
    static final String VECTOR = "vector";

    private Implementations() {
    }

    static Kernels named(String name) {
        return switch (name) {
            case SCALAR -> KernelProvider.scalar();
            case VECTOR -> {
                Kernels k = Kernels.get();
                assumeTrue(k.isVectorized(), "Vector API kernels not chosen in this JVM: " + k.name());
                yield k;
            }
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** A GEMM engine of the same kind as {@code k}, to drive its packed and unpacked paths directly. */
    static BlockedGemm engineOf(Kernels k) {
        return k.isVectorized() ? new VectorGemm() : new ScalarGemm();
    }
}
