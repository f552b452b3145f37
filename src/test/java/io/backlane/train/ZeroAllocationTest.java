package io.backlane.train;

import io.backlane.kernel.Activation;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Steady-state training steps allocate nothing: every buffer lives in the workspace. */
class ZeroAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static Stream<Arguments> optimizersAndLosses() {
        List<Arguments> cases = new ArrayList<>();
        List<Supplier<Optimizer>> optimizers = List.of(() -> Optimizer.sgd(0.01f), () -> Optimizer.momentum(0.01f, 0.9f),
                () -> Optimizer.nesterov(0.01f, 0.9f), () -> Optimizer.adam(1e-3f), () -> Optimizer.adamW(1e-3f, 0.01f));
        for (Supplier<Optimizer> o : optimizers) {
            for (Loss loss : Loss.values()) {
                for (int batch : new int[] {1, 33}) {
                    cases.add(Arguments.of(o.get(), loss, batch));
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
    void trainingStepsAllocateNothing(Optimizer optimizer, Loss loss, int batch) {
        Network net = network(loss);
        Examples data = TestData.random(batch, net.inputWidth(), net.outputWidth(), loss, 1);
        Trainer trainer = Trainer.builder(Parameters.initialize(net, 1)).optimizer(optimizer).batchSize(batch)
                .l2(1e-3f).clipNorm(10f).build();
        trainer.step(data.x(), 0, data.y(), 0, batch); // first step sizes the GEMM packing buffers
        assertAllocatesNothing(() -> {
            for (int i = 0; i < 50; i++) {
                trainer.step(data.x(), 0, data.y(), 0, batch);
            }
        });
    }

    @ParameterizedTest(name = "{1} batch {2}")
    @MethodSource("optimizersAndLosses")
    void stepsInsideFitAllocateNothing(Optimizer optimizer, Loss loss, int batch) {
        Network net = network(loss);
        Examples data = TestData.random(batch * 12, net.inputWidth(), net.outputWidth(), loss, 2);
        long[] allocatedAtStep = new long[13];
        Trainer.builder(Parameters.initialize(net, 1)).optimizer(optimizer).batchSize(batch).epochs(1)
                .listener(new TrainingListener() {
                    @Override
                    public void onEpoch(EpochStats stats) {
                    }

                    @Override
                    public void onStep(int epoch, long step, double l) {
                        allocatedAtStep[(int) step] = THREADS.getCurrentThreadAllocatedBytes();
                    }
                }, true).build().fit(data);
        // Steps 2..12 (after the first, which sizes the packing buffers) gather, step and update.
        assertEquals(0, allocatedAtStep[12] - allocatedAtStep[2], "bytes allocated by 10 steps inside fit");
    }

    static void assertAllocatesNothing(Runnable work) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long calibrate = THREADS.getCurrentThreadAllocatedBytes() - before; // the probe itself
        before = THREADS.getCurrentThreadAllocatedBytes();
        work.run();
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before - calibrate;
        assertEquals(0, allocated, "bytes allocated in steady state");
    }
}
