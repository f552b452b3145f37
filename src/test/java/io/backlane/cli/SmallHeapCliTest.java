package io.backlane.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Networks that cannot fit the heap, run in surefire's {@code small-heap} execution ({@code -Xmx64m}),
 * where the outcome does not depend on the machine's memory: refused with the estimate, before the
 * parameters are allocated, never an OutOfMemoryError.
 */
@Tag("small-heap")
class SmallHeapCliTest {
    @BeforeAll
    static void runsInTheSmallHeapExecution() {
        long max = Runtime.getRuntime().maxMemory();
        assertTrue(max <= 64L << 20, "this class must run in surefire's small-heap execution (-Xmx64m); the heap is "
                + (max >> 20) + " MiB");
    }


    private static void refused(Cli.Result r) {
        r.expect(2).noStackTrace();
        assertTrue(r.err().startsWith("error: training "), r.err());
        assertTrue(r.err().matches("(?s).* needs about [0-9.]+ [MGT]iB of heap, but only [0-9.]+ [KMG]iB is available:"
                + " use a smaller network or batch, or a larger heap \\(java -Xmx\\)\n.*"), r.err());
        assertEquals(2, r.err().lines().count(), r.err());   // the error, then "Try 'backlane train --help'"
        assertEquals("", r.out());
    }

    @Test
    void twoLayersOf20000UnitsAreRefusedWithTheEstimate() {
        refused(Cli.run("train", "--data", "breast-cancer", "--layers", "20000:relu,20000:relu", "--epochs", "1"));
    }

    @Test
    void aLayerOf100MillionUnitsIsRefusedWithTheEstimate(@TempDir Path dir) throws IOException {
        Path csv = Cli.write(dir.resolve("one-feature.csv"), "x,y\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n");
        refused(Cli.run("train", "--data", csv.toString(), "--layers", "100000000:relu", "--epochs", "1"));
    }
}
