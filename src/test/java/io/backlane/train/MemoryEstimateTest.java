package io.backlane.train;

import io.backlane.nn.Activation;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link Trainer#memoryEstimate} and the checks built on it, which refuse before allocating. */
class MemoryEstimateTest {
    private static final long PACKING = 12L << 20;

    @Test
    void theEstimateCountsParametersCopiesOptimizerStateAndWorkspaceAsDocumented() {
        // 4-5(tanh)-3(softmax): P = 5·(4+1) + 3·(5+1) = 43; per row n[0] + 2·(5 + 3) + 2·3 = 26 floats.
        Network net = Network.builder(4).dense(5, Activation.TANH).output(OutputHead.forClasses(3)).build();
        assertEquals(43, net.parameterCount());
        // Adam: P + 3P copies + 2P state + P gradient = 7P; 10 rows.
        assertEquals(4 * (7 * 43 + 10 * 26) + PACKING, Trainer.memoryEstimate(net, Optimizer.adam(0.01f), 10, 1));
        // SGD keeps no state; momentum one array.
        assertEquals(4 * (5 * 43 + 10 * 26) + PACKING, Trainer.memoryEstimate(net, Optimizer.sgd(0.1f), 10, 1));
        assertEquals(4 * (6 * 43 + 10 * 26) + PACKING, Trainer.memoryEstimate(net, Optimizer.momentum(0.1f, 0.9f), 10, 1));
        // 3 threads on batches of 64: one share, run by the calling thread alone.
        assertEquals(4 * (5 * 43 + 64 * 26) + PACKING, Trainer.memoryEstimate(net, Optimizer.sgd(0.1f), 64, 3));
        // 3 threads on batches of 512: 4 shares of 128 rows in one workspace; two workers with
        // packing buffers of their own.
        assertEquals(4 * (5 * 43 + 512 * 26) + 3 * PACKING,
                Trainer.memoryEstimate(net, Optimizer.sgd(0.1f), 512, 3));
        assertThrows(IllegalArgumentException.class, () -> Trainer.memoryEstimate(net, null, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> Trainer.memoryEstimate(net, Optimizer.sgd(0.1f), 0, 1));
    }

    @Test
    void buildRefusesABatchWhoseBuffersCannotFitTheHeapAndSaysHowMuchItNeeds() {
        // 16 layers of 16 units: tiny parameters, but 16 + 2·(16·16 + 1) + 2 = 532 floats per row.
        Network.Builder b = Network.builder(16);
        for (int l = 0; l < 16; l++) {
            b.dense(16, Activation.RELU);
        }
        Network net = b.output(OutputHead.forRegression()).build();
        long maxHeap = Runtime.getRuntime().maxMemory();
        long batch = maxHeap / (4 * 532) + 1000;   // more rows than the whole heap holds
        assumeTrue(batch < Integer.MAX_VALUE / 16, "a heap this large needs a larger network for this test");
        Parameters params = Parameters.initialize(net, 1L);
        Trainer.Builder builder = Trainer.builder(params).optimizer(Optimizer.adam(0.01f)).batchSize((int) batch);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(e.getMessage().startsWith("training " + net + " with adam"), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).* needs about [0-9.]+ GiB of heap .*, but only [0-9.]+ [KMG]iB is"
                + " available: use a smaller network or batch, or a larger heap \\(java -Xmx\\)"), e.getMessage());
        IllegalArgumentException before = assertThrows(IllegalArgumentException.class,
                () -> Trainer.requireHeap(net, Optimizer.adam(0.01f), (int) batch, 1));
        assertTrue(before.getMessage().contains("needs about"), before.getMessage());
        // A batch that fits is accepted by both.
        Trainer.requireHeap(net, Optimizer.adam(0.01f), 32, 1);
        builder.batchSize(32).build().close();
    }
}
