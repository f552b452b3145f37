package io.backlane.testing;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Measures the bytes a piece of work allocates on the current thread. */
public final class AllocationProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static volatile boolean anyFailed;

    private AllocationProbe() {
    }

    /**
     * Runs {@code window} until the JIT has compiled it (interpreted and C1 code box the Vector
     * API's vectors; C2 keeps them in registers) and asserts that it then allocates nothing: three
     * consecutive windows of exactly 0 bytes. Work that allocates on every call never gets there;
     * the warm-up budget is time-based because compilation competes with other work for the cores.
     */
    public static void assertSteadyStateAllocatesNothing(Runnable window) {
        long calibrate = allocated(() -> { }); // the probe itself
        // Once one window has failed in this JVM, later ones get a shorter budget: a path that
        // allocates for good then fails a run in minutes, not in 60 s per parameterized case.
        long deadline = System.nanoTime() + (anyFailed ? 5_000_000_000L : 60_000_000_000L);
        int clean = 0;
        long last = -1;
        while (clean < 3 && System.nanoTime() < deadline) {
            last = allocated(window) - calibrate;
            clean = last == 0 ? clean + 1 : 0;
        }
        anyFailed |= last != 0 || clean < 3;
        assertEquals(0, last, "bytes allocated by the last window after warm-up");
        assertTrue(clean >= 3, "three consecutive allocation-free windows");
    }

    /** Bytes allocated by this thread while {@code work} ran. */
    public static long allocated(Runnable work) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        work.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    /** The running total of bytes this thread has allocated. */
    public static long total() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
