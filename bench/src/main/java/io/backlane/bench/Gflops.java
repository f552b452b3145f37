package io.backlane.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * GFLOP done in the current iteration, added to by a benchmark method that takes this state. JMH
 * reports an {@link AuxCounters.Type#OPERATIONS} counter as a rate over the iteration's time, so the
 * benchmark's {@code :gflop} line reads in GFLOP/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Gflops {
    /** GFLOP so far in this iteration. */
    public double gflop;

    /** Starts each iteration's count at zero. */
    @Setup(Level.Iteration)
    public void reset() {
        gflop = 0;
    }
}
