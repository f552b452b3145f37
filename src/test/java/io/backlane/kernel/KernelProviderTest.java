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
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KernelProvider#choose} in the normal test JVM, which has the incubator module: the vector
 * kernels unless {@code -Dbacklane.vector=false}, and exactly one log record either way. The JVM
 * without the module is covered by {@link ScalarFallbackTest}.
 */
class KernelProviderTest {
    private String savedProperty;

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
    }

    @AfterEach
    void restoreProperty() {
        if (savedProperty == null) {
            System.clearProperty(KernelProvider.VECTOR_PROPERTY);
        } else {
            System.setProperty(KernelProvider.VECTOR_PROPERTY, savedProperty);
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
