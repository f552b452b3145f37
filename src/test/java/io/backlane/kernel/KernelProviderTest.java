package io.backlane.kernel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.System.Logger.Level;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KernelProvider#choose} in the normal test JVM, which has the incubator module: the vector
 * kernels unless {@code -Dbacklane.vector=false}, and exactly one log record either way. The JVM
 * without the module is covered by {@link ScalarFallbackTest}.
 */
class KernelProviderTest {
    private String savedProperty;
    private String savedBitsProperty;

    /** A {@link System.Logger} that keeps what it is given. */
    static final class CapturingLogger implements System.Logger {
        record Entry(Level level, String message) {
        }

        final List<Entry> entries = new ArrayList<>();

        @Override
        public String getName() {
            return KernelProvider.LOGGER_NAME;
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            entries.add(new Entry(level, msg));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            entries.add(new Entry(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params)));
        }

        Entry only() {
            assertEquals(1, entries.size(), "log records: " + entries);
            return entries.get(0);
        }
    }

    @BeforeEach
    void saveProperty() {
        savedProperty = System.getProperty(KernelProvider.VECTOR_PROPERTY);
        savedBitsProperty = System.getProperty(KernelProvider.VECTOR_BITS_PROPERTY);
    }

    @AfterEach
    void restoreProperty() {
        if (savedProperty == null) {
            System.clearProperty(KernelProvider.VECTOR_PROPERTY);
        } else {
            System.setProperty(KernelProvider.VECTOR_PROPERTY, savedProperty);
        }
        if (savedBitsProperty == null) {
            System.clearProperty(KernelProvider.VECTOR_BITS_PROPERTY);
        } else {
            System.setProperty(KernelProvider.VECTOR_BITS_PROPERTY, savedBitsProperty);
        }
    }

    @Test
    void propertyFalseForcesScalarKernelsWithOneInfoRecord() {
        for (String value : new String[] {"false", " FALSE "}) {
            System.setProperty(KernelProvider.VECTOR_PROPERTY, value);
            CapturingLogger log = new CapturingLogger();
            Kernels k = KernelProvider.choose(log);
            assertFalse(k.isVectorized(), "with -D" + KernelProvider.VECTOR_PROPERTY + "=" + value);
            assertEquals("scalar", k.name());
            CapturingLogger.Entry entry = log.only();
            assertEquals(Level.INFO, entry.level());
            assertTrue(entry.message().contains(KernelProvider.VECTOR_PROPERTY + "=false"), entry.message());
        }
    }

    @Test
    void modulePresentChoosesVectorKernelsWithOneInfoRecord() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the default surefire execution runs with --add-modules jdk.incubator.vector");
        for (String value : new String[] {null, "true"}) {
            if (value == null) {
                System.clearProperty(KernelProvider.VECTOR_PROPERTY);
            } else {
                System.setProperty(KernelProvider.VECTOR_PROPERTY, value);
            }
            CapturingLogger log = new CapturingLogger();
            Kernels k = KernelProvider.choose(log);
            assertTrue(k.isVectorized(), k.name() + " with property " + value);
            CapturingLogger.Entry entry = log.only();
            assertEquals(Level.INFO, entry.level());
            assertTrue(entry.message().contains(k.name()), entry.message());
        }
    }

    @Test
    void vectorBitsParsesTheWidthsAndZero() {
        assertEquals(KernelProvider.WIDEST, KernelProvider.parseVectorBits(null));
        assertEquals(KernelProvider.WIDEST, KernelProvider.parseVectorBits(" "));
        assertEquals(0, KernelProvider.parseVectorBits("0"));
        assertEquals(128, KernelProvider.parseVectorBits("128"));
        assertEquals(256, KernelProvider.parseVectorBits(" 256 "));
        assertEquals(512, KernelProvider.parseVectorBits("512"));
        for (String bad : new String[] {"300", "1024", "64", "-1", "wide", "256bit"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KernelProvider.parseVectorBits(bad), bad);
            assertTrue(e.getMessage().contains("-D" + KernelProvider.VECTOR_BITS_PROPERTY + "=" + bad), e.getMessage());
        }
    }

    @Test
    void vectorBitsZeroForcesScalarKernelsWithOneInfoRecord() {
        System.setProperty(KernelProvider.VECTOR_BITS_PROPERTY, "0");
        CapturingLogger log = new CapturingLogger();
        Kernels k = KernelProvider.choose(log);
        assertFalse(k.isVectorized(), k.name());
        CapturingLogger.Entry entry = log.only();
        assertEquals(Level.INFO, entry.level());
        assertTrue(entry.message().contains(KernelProvider.VECTOR_BITS_PROPERTY + "=0"), entry.message());
    }

    @Test
    void badVectorBitsIsRefusedWithOneWarningAndTheVectorKernels() {
        System.setProperty(KernelProvider.VECTOR_BITS_PROPERTY, "300");
        CapturingLogger log = new CapturingLogger();
        Kernels k = KernelProvider.choose(log);
        assertTrue(k.isVectorized(), k.name());
        CapturingLogger.Entry entry = log.only();
        assertEquals(Level.WARNING, entry.level());
        assertTrue(entry.message().contains("-D" + KernelProvider.VECTOR_BITS_PROPERTY + "=300"), entry.message());
        assertTrue(entry.message().contains(k.name()), entry.message());
    }

    @Test
    void aWidthAboveTheWidestIsRefused() {
        String refusal = KernelProvider.widthRefusal(512, 256);
        assertNotNull(refusal);
        assertTrue(refusal.contains("=512") && refusal.contains("256 bits"), refusal);
        assertNull(KernelProvider.widthRefusal(256, 256));
        assertNull(KernelProvider.widthRefusal(128, 512));
        assertNull(KernelProvider.widthRefusal(KernelProvider.WIDEST, 128));
    }

    /** In surefire's vector-256 and vector-128 executions the kernels must really run at that width. */
    @Test
    void kernelsRunAtTheWidthThisJvmAskedFor() {
        int requested = KernelProvider.requestedVectorBits();
        int widest = Kernels.get().widestVectorBitSize();
        int expected = requested > 0 && requested <= widest ? requested : widest;
        assertTrue(Kernels.get().name().startsWith("vector(" + expected + " bit, micro-kernel 4x" + expected / 8),
                Kernels.get().name() + " with -D" + KernelProvider.VECTOR_BITS_PROPERTY + "="
                        + System.getProperty(KernelProvider.VECTOR_BITS_PROPERTY));
    }

    /**
     * In surefire's avx2 execution (-XX:UseAVX=2: 16 vector registers on this x86 CPU) the kernels
     * must take their 16-register forms, and say so; with AVX-512 they must not.
     */
    @Test
    void kernelsKnowHowManyVectorRegistersTheyHave() {
        String arch = System.getProperty("os.arch", "");
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        if (Boolean.getBoolean("backlane.test.sixteenRegisters") && x86) { // elsewhere -XX:UseAVX=2 is ignored
            assertTrue(VectorGemm.SIXTEEN_REGISTERS, Kernels.get().name() + " in a JVM held to AVX2");
        }
        if (Kernels.get().widestVectorBitSize() == 512) {
            assertFalse(VectorGemm.SIXTEEN_REGISTERS, "AVX-512 has 32 vector registers");
        }
        assertEquals(VectorGemm.SIXTEEN_REGISTERS, Kernels.get().name().contains("16 vector registers"), Kernels.get().name());
    }

    @Test
    void kernelsGetIsVectorizedAndStable() {
        Kernels k = Kernels.get();
        assertTrue(k.isVectorized(), k.name());
        assertTrue(k.name().startsWith("vector("), k.name());
        assertSame(k, Kernels.get(), "chosen once per JVM");
        assertSame(k, KernelProvider.kernels());
    }

    @Test
    void scalarIsAlwaysAvailable() {
        Kernels k = KernelProvider.scalar();
        assertFalse(k.isVectorized());
        assertEquals("scalar", k.name());
    }
}
