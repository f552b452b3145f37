package io.backlane.train;

import io.backlane.kernel.KernelProvider;
import io.backlane.kernel.Kernels;
import io.backlane.nn.Activation;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import io.backlane.reference.GradientCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast float engine's gradient against the double-precision reference engine: its analytic
 * gradient and central finite differences of its cost. Every hidden activation, every output/loss
 * pairing, with and without L2, on both kernel implementations.
 */
class EngineGradientCheckTest {

    record Case(Activation hidden, Activation output, Loss loss, int outputs, float lambda, boolean vector) {
        @Override
        public String toString() {
            return hidden + " → " + output + "/" + loss + " x" + outputs + " λ=" + lambda + (vector ? " vector" : " scalar");
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        Object[][] heads = {
                {Activation.SIGMOID, Loss.BINARY_CROSS_ENTROPY, 1}, {Activation.SIGMOID, Loss.BINARY_CROSS_ENTROPY, 3},
                {Activation.SOFTMAX, Loss.CATEGORICAL_CROSS_ENTROPY, 4}, {Activation.IDENTITY, Loss.MEAN_SQUARED_ERROR, 2},
                {Activation.SIGMOID, Loss.MEAN_SQUARED_ERROR, 2}, {Activation.TANH, Loss.MEAN_SQUARED_ERROR, 2}};
        for (boolean vector : new boolean[] {true, false}) {
            for (Activation hidden : new Activation[] {Activation.SIGMOID, Activation.TANH, Activation.RELU,
                    Activation.LEAKY_RELU, Activation.IDENTITY}) {
                for (Object[] head : heads) {
                    for (float lambda : new float[] {0f, 0.7f}) {
                        cases.add(Arguments.of(new Case(hidden, (Activation) head[0], (Loss) head[1], (int) head[2], lambda, vector)));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void floatEngineMatchesTheDoubleReference(Case c) {
        Kernels kernels = c.vector() ? Kernels.get() : KernelProvider.scalar();
        long seed = c.toString().hashCode();
        SplittableRandom random = new SplittableRandom(seed);
        Network.Builder b = Network.builder(3 + random.nextInt(3));
        int hiddenLayers = 1 + random.nextInt(2);
        for (int l = 0; l < hiddenLayers; l++) {
            b.dense(new io.backlane.nn.Layer(2 + random.nextInt(5), c.hidden(), c.hidden() == Activation.LEAKY_RELU ? 0.2f : 0f));
        }
        Network net = b.dense(c.outputs(), c.output()).loss(c.loss()).build();
        int m = 1 + random.nextInt(7);

        // Parameters and data in float, so both engines see exactly the same numbers.
        double[] drawn = GradientCheck.randomParameters(net, random.nextLong());
        float[] theta = new float[drawn.length];
        double[] thetaD = new double[drawn.length];
        for (int i = 0; i < drawn.length; i++) {
            theta[i] = (float) drawn[i];
            thetaD[i] = theta[i];
        }
        GradientCheck.Batch batch = GradientCheck.randomBatch(net, thetaD, m, random.nextLong());
        float[] x = flatten(batch.x());
        float[] y = flatten(batch.y());
        double[][] xd = rows(x, m), yd = rows(y, m);

        Parameters params = new Parameters(net, theta);
        Trainer trainer = Trainer.builder(params).kernels(kernels).batchSize(m).l2(c.lambda()).build();
        double cost = trainer.computeGradient(x, 0, y, 0, m);
        float[] gradient = trainer.gradient().clone();

        GradientCheck check = new GradientCheck(net, thetaD, xd, yd, c.lambda());
        GradientCheck.Result vsDifferences = check.check(gradient);
        GradientCheck.Result vsAnalytic = GradientCheck.compare(net, toDouble(gradient), check.analyticGradient());
        assertTrue(vsDifferences.passes(2e-3) && vsDifferences.vectorError() < 1e-5,
                "float engine vs finite differences of the double reference:\n" + vsDifferences);
        assertTrue(vsAnalytic.passes(2e-3) && vsAnalytic.vectorError() < 1e-5,
                "float engine vs the reference's backprop:\n" + vsAnalytic);
        assertEquals(new io.backlane.reference.ReferenceNetwork(net, thetaD).cost(xd, yd, c.lambda()), cost,
                1e-5 * Math.max(1, Math.abs(cost)), "cost J");
        // The L2 term never touches biases: their gradient is the same with λ = 0.
        if (c.lambda() > 0f) {
            Trainer plain = Trainer.builder(new Parameters(net, theta)).kernels(kernels).batchSize(m).build();
            plain.computeGradient(x, 0, y, 0, m);
            for (int l = 1; l <= net.layerCount(); l++) {
                int off = net.biasOffset(l);
                for (int i = 0; i < net.width(l); i++) {
                    assertEquals(plain.gradient()[off + i], gradient[off + i], 0f, "db[" + l + "][" + i + "]");
                }
            }
        }
    }

    @ParameterizedTest(name = "threads {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {2, 3, 4})
    void threadsGiveTheSameGradientAsOneThread(int threads) {
        Network net = Network.builder(20).dense(24, Activation.RELU).dense(16, Activation.TANH)
                .dense(5, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        Examples data = TestData.random(101, 20, 5, Loss.CATEGORICAL_CROSS_ENTROPY, 4);
        Parameters p = Parameters.initialize(net, 3);
        Trainer one = Trainer.builder(p).batchSize(101).l2(0.1f).build();
        double j1 = one.computeGradient(data.x(), 0, data.y(), 0, 101);
        try (Trainer many = Trainer.builder(p).batchSize(101).l2(0.1f).threads(threads).build()) {
            double jn = many.computeGradient(data.x(), 0, data.y(), 0, 101);
            assertEquals(j1, jn, 1e-5);
            float[] g1 = one.gradient();
            float[] gn = many.gradient();
            for (int i = 0; i < g1.length; i++) {
                assertEquals(g1[i], gn[i], 1e-5f + 1e-4f * Math.abs(g1[i]), "gradient element " + i);
            }
            // And whole training runs: same data, same seeds, results equal within float rounding.
            Parameters a = Parameters.initialize(net, 5);
            Parameters b = Parameters.initialize(net, 5);
            Trainer.builder(a).batchSize(50).epochs(3).optimizer(Optimizer.sgd(0.1f)).build().fit(data);
            try (Trainer t = Trainer.builder(b).batchSize(50).epochs(3).optimizer(Optimizer.sgd(0.1f)).threads(threads).build()) {
                t.fit(data);
            }
            assertArrayEquals(a.values(), b.values(), 1e-4f);
        }
    }

    private static float[] flatten(double[][] rows) {
        int w = rows[0].length;
        float[] flat = new float[rows.length * w];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < w; j++) {
                flat[i * w + j] = (float) rows[i][j];
            }
        }
        return flat;
    }

    private static double[][] rows(float[] flat, int m) {
        int w = flat.length / m;
        double[][] r = new double[m][w];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < w; j++) {
                r[i][j] = flat[i * w + j];
            }
        }
        return r;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
