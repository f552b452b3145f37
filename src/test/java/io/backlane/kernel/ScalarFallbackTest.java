package io.backlane.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs only in surefire's {@code scalar-fallback} execution, a JVM started without
 * {@code --add-modules jdk.incubator.vector}: the provider must fall back to the scalar kernels, say
 * so in one WARNING that names the flag, and those kernels must be correct.
 *
 * <p>This class must not name {@code VectorKernels} or {@code VectorGemm} (nor {@link Implementations},
 * which does): they cannot be loaded here.
 */
@Tag("no-vector-module")
class ScalarFallbackTest {
    /** Held strongly: java.util.logging keeps loggers only weakly, and would drop the handler with it. */
    private static final Logger JUL = Logger.getLogger(KernelProvider.LOGGER_NAME);
    private static final List<LogRecord> RECORDS = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            RECORDS.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private static Kernels kernels;

    @BeforeAll
    static void captureLogThenChoose() {
        // The choice is made, and logged, on the first Kernels.get() of the JVM: capture before it.
        JUL.addHandler(CAPTURE);
        kernels = Kernels.get();
    }

    @AfterAll
    static void removeHandler() {
        JUL.removeHandler(CAPTURE);
    }

    @Test
    void thisJvmHasNoVectorModule() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty(),
                "the scalar-fallback execution must run without --add-modules jdk.incubator.vector");
    }

    @Test
    void scalarKernelsAreChosen() {
        assertFalse(kernels.isVectorized());
        assertEquals("scalar", kernels.name());
    }

    @Test
    void exactlyOneWarningNamesTheFlag() {
        assertEquals(1, RECORDS.size(), () -> "records: " + RECORDS.stream().map(LogRecord::getMessage).toList());
        LogRecord record = RECORDS.get(0);
        assertEquals(Level.WARNING, record.getLevel());
        assertTrue(record.getMessage().contains("--add-modules jdk.incubator.vector"), record.getMessage());
    }

    @Test
    void sgemmMatchesReference() {
        Random rnd = new Random(20);
        GemmCase.Gemm gemm = kernels::sgemm;
        GemmCase[] cases = {
            GemmCase.of("NN", 37, 45, 29, 1f, 0f),
            GemmCase.of("NT", 1, 100, 50, 2f, 0.3f),
            GemmCase.of("TN", 70, 90, 45, -0.5f, 1f),
            GemmCase.of("TT", 200, 70, 260, 1f, 0.3f),
        };
        for (GemmCase c : cases) {
            c.check(gemm, rnd, true);
        }
    }

    @Test
    void elementwiseKernelsMatchReference() {
        Random rnd = new Random(21);
        int rows = 3, cols = 37, n = rows * cols;
        float[] z = ArrayAsserts.random(rnd, n + 2, -6, 6);

        float[] a = new float[n + 2];
        float[] expected = new float[n + 2];
        kernels.activate(Pointwise.SIGMOID, 0f, n, z, 1, a, 1);
        NaiveReference.activate(Pointwise.SIGMOID, 0f, n, z, 1, expected, 1);
        ArrayAsserts.assertClose(expected, a, 1, n, 1e-6, 1e-6, new float[n + 2], "sigmoid");

        float[] p = z.clone();
        expected = z.clone();
        kernels.softmaxRows(rows, cols, p, 1, p, 1);
        NaiveReference.softmaxRows(rows, cols, z, 1, expected, 1);
        ArrayAsserts.assertClose(expected, p, 1, n, 1e-5, 1e-9, z, "softmax in place");

        float[] sums = new float[cols];
        expected = new float[cols];
        kernels.columnSums(rows, cols, 0.5f, z, 1, 0f, sums, 0);
        NaiveReference.columnSums(rows, cols, 0.5f, z, 1, 0f, expected, 0);
        ArrayAsserts.assertClose(expected, sums, 0, cols, 0, 1e-5, sums, "columnSums");
    }
}
