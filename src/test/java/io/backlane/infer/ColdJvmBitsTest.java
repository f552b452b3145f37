package io.backlane.infer;

import io.backlane.kernel.Kernels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Predictions are the same bits in a cold JVM as in a warm one. The vector kernels' horizontal sums
 * once used {@code reduceLanes(ADD)}, whose order differs between the interpreter and C1 (lane by
 * lane) and C2 (a tree): a model's first predictions in a fresh JVM differed in the last bits from
 * its later ones. This test starts a fresh JVM with {@link ColdJvmBitsProbe}, and compares the bits
 * of its first call, before any kernel is compiled, with those after 20,000 calls there and with
 * those of the same computation in this (warmed-up) JVM.
 */
class ColdJvmBitsTest {
    private static final int WARM_CALLS = 20_000;

    @Test
    void firstCallInAFreshJvmGivesTheBitsOfAWarmOne() throws IOException, InterruptedException {
        ColdJvmBitsProbe here = new ColdJvmBitsProbe();
        String warmHere = null;
        for (int i = 0; i < WARM_CALLS; i++) {
            warmHere = here.run();
        }

        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--add-modules");
        command.add("jdk.incubator.vector");
        String bits = System.getProperty("backlane.vectorBits");
        if (bits != null) {
            command.add("-Dbacklane.vectorBits=" + bits);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ColdJvmBitsProbe.class.getName());
        command.add(Integer.toString(WARM_CALLS));
        Process fresh = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(fresh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(fresh.waitFor(60, TimeUnit.SECONDS), "the fresh JVM did not finish:\n" + output);
        assertEquals(0, fresh.exitValue(), output);

        String cold = line(output, "cold ");
        String warmThere = line(output, "warm ");
        assertEquals(Kernels.get().name(), line(output, "kernels "), "the fresh JVM ran other kernels");
        assertEquals(warmHere, cold, "first call in a fresh JVM vs. this warm JVM");
        assertEquals(warmThere, cold, "first call vs. call " + WARM_CALLS + " in the fresh JVM");
    }

    private static String line(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .findFirst().orElseThrow(() -> new AssertionError("no '" + prefix + "' line in:\n" + output));
    }
}
