package io.backlane.infer;

import io.backlane.kernel.Kernels;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;

import java.util.List;
import java.util.Random;

/**
 * The computation of {@link ColdJvmBitsTest}, and the main class of the fresh JVM it starts: a
 * prediction for one example and for a batch of 32 through tanh, sigmoid and softmax layers (the
 * kernels' dot products and their fixed-order horizontal sums; the exponentials of
 * {@code Transcendentals}, which once came from the Vector API's EXP and TANH, SVML stubs in C2 and
 * Math.exp per lane before), and a sum of squares, printed as the raw bits of every value.
 * {@code main} prints the first call's bits (the kernels not yet compiled: interpreter and C1),
 * then, after {@code args[0]} more calls, the bits again.
 */
final class ColdJvmBitsProbe {
    private static final int FEATURES = 784;
    private static final int OUTPUTS = 42; // 42 % 4 = 2 columns for the single dot product
    private static final int BATCH = 32;
    private static final int HIDDEN = 20; // the next layer's dot products: one 16-lane vector and a tail of 4

    private final Predictor predictor;
    private final float[] inputs = new float[BATCH * FEATURES];
    private final float[] one = new float[OUTPUTS];
    private final float[] batch = new float[BATCH * OUTPUTS];

    ColdJvmBitsProbe() {
        Network net = Network.builder(FEATURES).dense(HIDDEN, Activation.TANH).dense(HIDDEN, Activation.SIGMOID)
                .output(OutputHead.forOutputs(OUTPUTS, Loss.CATEGORICAL_CROSS_ENTROPY)).build();
        predictor = Predictor.of(new Model(Parameters.initialize(net, 7L), FeatureScaler.identity(FEATURES), List.of()));
        Random random = new Random(11L);
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = (float) random.nextGaussian();
        }
    }

    /** Runs the computation once; returns the bits of its results in hexadecimal, space-separated. */
    String run() {
        predictor.predict(inputs, 0, one, 0, 1);
        predictor.predict(inputs, 0, batch, 0, BATCH);
        double squares = Kernels.get().sumOfSquares(inputs.length - 3, inputs, 3);
        StringBuilder bits = new StringBuilder();
        for (float v : one) {
            bits.append(Integer.toHexString(Float.floatToRawIntBits(v))).append(' ');
        }
        for (float v : batch) {
            bits.append(Integer.toHexString(Float.floatToRawIntBits(v))).append(' ');
        }
        return bits.append(Long.toHexString(Double.doubleToRawLongBits(squares))).toString();
    }

    /** Prints "cold BITS", then after args[0] more calls "warm BITS", and the kernels' name. */
    public static void main(String[] args) {
        ColdJvmBitsProbe probe = new ColdJvmBitsProbe();
        System.out.println("cold " + probe.run());
        int calls = Integer.parseInt(args[0]);
        String last = null;
        for (int i = 0; i < calls; i++) {
            last = probe.run();
        }
        System.out.println("warm " + last);
        System.out.println("kernels " + Kernels.get().name());
    }
}
