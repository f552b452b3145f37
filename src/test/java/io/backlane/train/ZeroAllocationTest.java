package io.backlane.train;

import io.backlane.nn.Activation;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import io.backlane.testing.AllocationProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Steady-state training steps allocate nothing: every buffer lives in the workspace. */
class ZeroAllocationTest {

    static Stream<Arguments> optimizersAndLosses() {
        List<Arguments> cases = new ArrayList<>();
        List<Supplier<Optimizer>> optimizers = List.of(() -> Optimizer.sgd(0.01f), () -> Optimizer.momentum(0.01f, 0.9f),
                () -> Optimizer.nesterov(0.01f, 0.9f), () -> Optimizer.adam(1e-3f), () -> Optimizer.adamW(1e-3f, 0.01f));
        for (Supplier<Optimizer> o : optimizers) {
            for (Loss loss : Loss.values()) {
                for (int batch : new int[] {1, 33, 100}) { // 100: weights packed first (StepWeights)
                    cases.add(Arguments.of(org.junit.jupiter.api.Named.of(o.get().toString(), o), loss, batch));
                }
            }
        }
        return cases.stream();
    }

    private static Network network(Loss loss) {
        Network.Builder b = Network.builder(40).dense(64, Activation.RELU).dense(24, Activation.TANH);
        return switch (loss) {
            case CATEGORICAL_CROSS_ENTROPY -> b.dense(5, Activation.SOFTMAX).loss(loss).build();
            case BINARY_CROSS_ENTROPY -> b.dense(1, Activation.SIGMOID).loss(loss).build();
            case MEAN_SQUARED_ERROR -> b.dense(3, Activation.IDENTITY).loss(loss).build();
        };
    }

    @ParameterizedTest(name = "{0} {1} batch {2}")
    @MethodSource("optimizersAndLosses")
    void trainingStepsAllocateNothing(Supplier<Optimizer> optimizer, Loss loss, int batch) {
        Network net = network(loss);
        Examples data = TestData.random(batch, net.inputWidth(), net.outputWidth(), loss, 1);
        Trainer trainer = Trainer.builder(Parameters.initialize(net, 1)).optimizer(optimizer.get()).batchSize(batch)
                .l2(1e-3f).clipNorm(10f).build();
        AllocationProbe.assertSteadyStateAllocatesNothing(() -> {
            for (int i = 0; i < 50; i++) {
                trainer.step(data.x(), 0, data.y(), 0, batch);
            }
        });
    }

    @ParameterizedTest(name = "{0} {1} batch {2}")
    @MethodSource("optimizersAndLosses")
    void stepsInsideFitAllocateNothing(Supplier<Optimizer> optimizer, Loss loss, int batch) {
        Network net = network(loss);
        Examples data = TestData.random(batch * 12, net.inputWidth(), net.outputWidth(), loss, 2);
        Parameters params = Parameters.initialize(net, 1);
        Trainer warm = Trainer.builder(params).optimizer(optimizer.get()).batchSize(batch).build();
        AllocationProbe.assertSteadyStateAllocatesNothing(() -> { // compile the step first
            for (int i = 0; i < 50; i++) {
                warm.step(data.x(), 0, data.y(), 0, batch);
            }
        });
        // A fit runs code the step alone does not (gathering batches, the epoch loop); a method that
        // C2 has not compiled yet, or that an uncommon trap sent back to the interpreter, allocates
        // its vectors until it is compiled again, which takes longer than a fit of this tiny network.
        // So fits are repeated until the JIT has settled: the claim is about the steady state.
        int epochs = 40;
        String last = "";
        long deadline = System.nanoTime() + 20_000_000_000L; // C2 compiles in the background, slower on a busy machine
        int attempts = 0;
        while (System.nanoTime() < deadline || attempts == 0) {
            attempts++;
            long[][] allocatedAtStep = new long[epochs + 1][13];
            Trainer.builder(params).optimizer(optimizer.get()).batchSize(batch).epochs(epochs)
                    .listener(new TrainingListener() {
                        @Override
                        public void onEpoch(EpochStats stats) {
                        }

                        @Override
                        public void onStep(int epoch, long step, double l) {
                            allocatedAtStep[epoch][(int) step] = AllocationProbe.total();
                        }
                    }, true).build().fit(data);
            // Steps 2..12 of an epoch gather, step and update; once compiled, they allocate nothing
            // (the epoch boundary, with its statistics and validation, may).
            long steadyEpochs = java.util.stream.IntStream.rangeClosed(1, epochs)
                    .filter(e -> allocatedAtStep[e][12] - allocatedAtStep[e][2] == 0).count();
            if (allocatedAtStep[epochs][12] - allocatedAtStep[epochs][2] == 0
                    && allocatedAtStep[epochs - 1][12] - allocatedAtStep[epochs - 1][2] == 0) {
                return;
            }
            last = "allocation-free epochs: " + steadyEpochs + " of " + epochs + ", last: "
                    + (allocatedAtStep[epochs][12] - allocatedAtStep[epochs][2]) + " bytes";
        }
        fail("the last epochs' steps of a fit still allocate after " + attempts + " fits in 20 s; " + last);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void stepsOfSeveralSharesOnTwoThreadsAllocateNothingOnEitherThread(Supplier<Optimizer> optimizer) {
        // 300 rows: 2 shares, one per thread; 64 + 24 + 5 units: the second phase's 3 tasks shared out.
        Network net = network(Loss.CATEGORICAL_CROSS_ENTROPY);
        Examples data = TestData.random(300, net.inputWidth(), net.outputWidth(), Loss.CATEGORICAL_CROSS_ENTROPY, 3);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Trainer trainer = Trainer.builder(Parameters.initialize(net, 1)).optimizer(optimizer.get()).batchSize(300)
                .l2(1e-3f).threads(2).build()) {
            trainer.step(data.x(), 0, data.y(), 0, 300); // starts the worker
            long worker = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("backlane-trainer-")).mapToLong(Thread::threadId).max().orElseThrow();
            assertTrue(threads.getThreadAllocatedBytes(worker) > 0, "the worker thread's allocation is measured");
            long deadline = System.nanoTime() + 20_000_000_000L; // until C2 has compiled both threads' code
            int clean = 0;
            long caller = -1, work = -1;
            while (clean < 3 && System.nanoTime() < deadline) {
                long workerBefore = threads.getThreadAllocatedBytes(worker);
                caller = AllocationProbe.allocated(() -> {
                    for (int i = 0; i < 20; i++) {
                        trainer.step(data.x(), 0, data.y(), 0, 300);
                    }
                });
                work = threads.getThreadAllocatedBytes(worker) - workerBefore;
                clean = caller == 0 && work == 0 ? clean + 1 : 0;
            }
            assertEquals(0, caller, "bytes the calling thread allocated in the last 20 steps");
            assertEquals(0, work, "bytes the worker thread allocated in the last 20 steps");
        }
    }

    static Stream<Arguments> optimizers() {
        return Stream.of(Arguments.of(org.junit.jupiter.api.Named.of("sgd", (Supplier<Optimizer>) () -> Optimizer.sgd(0.01f))),
                Arguments.of(org.junit.jupiter.api.Named.of("adam", (Supplier<Optimizer>) () -> Optimizer.adam(1e-3f))));
    }
}
