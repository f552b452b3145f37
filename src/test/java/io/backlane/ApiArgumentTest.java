package io.backlane;

import io.backlane.data.Dataset;
import io.backlane.data.Preprocessing;
import io.backlane.infer.FeatureOrder;
import io.backlane.infer.Predictor;
import io.backlane.kernel.GemmWorkspace;
import io.backlane.kernel.Kernels;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Misuse of the public API found by a review, each once an exception from deep inside (an index out
 * of bounds, a NullPointerException, an ArithmeticException, a negative array size) or a silent
 * wrong answer: each must now be an IllegalArgumentException that names the argument.
 */
class ApiArgumentTest {
    private static void refused(String expected, Executable call) {
        String message = assertThrows(IllegalArgumentException.class, call).getMessage();
        assertTrue(message.contains(expected), "'" + expected + "' not in: " + message);
    }

    private static Model threeFeatures() {
        Network net = Network.builder(3).dense(4, Activation.TANH).output(OutputHead.forRegression()).build();
        return new Model(Parameters.initialize(net, 1), FeatureScaler.identity(3), List.of())
                .withFeatureNames(List.of("x0", "x1", "x2"));
    }

    @Test
    void featureOrderChecksItsArraysAndRefusesArrangingInPlace() {
        FeatureOrder order = FeatureOrder.of(threeFeatures(), List.of("x2", "x1", "x0"));
        refused("row and dst must each hold the 3 features", () -> order.arrange(new float[2], 0, new float[3], 0));
        refused("row and dst must each hold the 3 features", () -> order.arrange(null, 0, new float[3], 0));
        float[] row = {1, 2, 3};
        refused("overlap", () -> order.arrange(row, 0, row, 0)); // gave [3, 2, 3]
        float[] dst = new float[3];
        order.arrange(row, 0, dst, 0);
        assertArrayEquals(new float[] {3, 2, 1}, dst);
    }

    @Test
    void featureScalerChecksWidthsAndWindows() {
        refused("width must be >= 0", () -> FeatureScaler.identity(-1));
        FeatureScaler s = FeatureScaler.identity(3);
        refused("x must hold 1 rows of 3 features", () -> s.apply(new float[2], 0, 1));
        refused("x must hold 1 rows of 3 features", () -> s.invert(new float[2], 0, 1));
        refused("dst must hold 1 rows of 3 features", () -> s.apply(new float[3], 0, new float[3], 1));
    }

    @Test
    void classOfRefusesAnEmptyOrOutOfRangeWindow() {
        refused("n = 0 >= 1", () -> Predictor.classOf(new float[0], 0, 0));
        refused("n = -3 >= 1", () -> Predictor.classOf(new float[2], 0, -3));
        refused("n = 3 >= 1 outputs from 3", () -> Predictor.classOf(new float[4], 3, 3));
    }

    @Test
    void overlappingInputAndOutputWindowsAreRefused() {
        Network swap = Network.builder(2).dense(2, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        Predictor p = Predictor.of(new Model(Parameters.initialize(swap, 1), FeatureScaler.identity(2), List.of()));
        float[] buf = {1, 2, 3, 4, 5, 6, 0, 0};
        refused("overlap in one array", () -> p.predict(buf, 0, buf, 2, 3)); // the answer depended on maxBatch
        p.predict(buf, 0, buf, 0, 3); // in place at the same offset is allowed
        Kernels k = Kernels.get();
        float[] w = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        var packed = k.packWeights(3, 3, w, 0);
        float[] shared = {1, 2, 3, 4, 5, 6, 0, 0, 0};
        refused("a (from 0) and c (from 3) overlap", () -> k.multiplyPacked(2, shared, 0, packed, shared, 3, new GemmWorkspace()));
    }

    @Test
    void meanLossRefusesATargetThatIsNotFinite() {
        Predictor p = Predictor.of(threeFeatures());
        refused("row 1: target 0 is NaN", () -> p.meanLoss(new float[6], 0, new float[] {1, Float.NaN}, 0, 2));
    }

    @Test
    void overflowingSizesAreArgumentErrorsNotArithmeticExceptions() {
        Kernels k = Kernels.get();
        float[] z = new float[4];
        refused("need 1048576 rows of 4096 values", () -> Loss.BINARY_CROSS_ENTROPY.sum(k, z, 0, z, z, 0, 1 << 20, 1 << 12));
        refused("classCount must be >= 1", () -> Preprocessing.oneHot(new int[1 << 20], 1 << 12));
        refused("classCount must be >= 1", () -> Preprocessing.oneHot(new int[] {0}, -1));
    }

    @Test
    void datasetAccessorsNameTheirArguments() {
        Dataset d = Dataset.regression(List.of("a", "b"), new float[] {1, 2, 3, 4}, new float[] {1, 2}, "y");
        refused("dst must hold 2 features from 0", () -> d.copyFeatures(0, new float[1], 0));
        refused("dst must hold 2 features from 0", () -> d.copyFeatures(0, null, 0));
        refused("rowIndices must be non-null", () -> d.subset(null));
    }

    @Test
    void kernelScalarsMustBeFinite() {
        Kernels k = Kernels.get();
        float[] y = {1, 2};
        refused("alpha", () -> k.scale(2, Float.NaN, y, 0));
        refused("alpha", () -> k.axpy(2, Float.NaN, y, 0, new float[2], 0));
        refused("beta", () -> k.columnSums(1, 2, 1f, y, 0, Float.NaN, new float[2], 0));
        refused("alpha", () -> k.columnSums(1, 2, Float.NaN, y, 0, 0f, new float[2], 0));
        assertArrayEquals(new float[] {1, 2}, y);
    }
}
