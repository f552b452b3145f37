package io.backlane.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scalers made from statistics computed elsewhere are those {@link FeatureScaler#fit} makes. */
class FeatureScalerFactoriesTest {
    private static final float[] X = {1f, 5f, 2f, 5f, 6f, 5f}; // 3 rows of 2 features; the second is constant

    @Test
    void standardizeFromMeansAndVariancesIsFit() {
        FeatureScaler fitted = FeatureScaler.fit(FeatureScaler.Kind.STANDARDIZE, X, 3, 2);
        double mean = 3;
        double variance = (4 + 1 + 9) / 3.0;
        assertEquals(fitted, FeatureScaler.standardize(new double[] {mean, 5}, new double[] {variance, 0}));
        assertArrayEquals(new float[] {1f, 1f}, new float[] {fitted.scale()[1], 1f}, "a constant feature keeps scale 1");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> FeatureScaler.standardize(new double[] {0}, new double[] {-1})).getMessage().contains("feature 0"));
    }

    @Test
    void aSpreadIsConstantRelativeToTheMeanNotBelowAnAbsoluteThreshold() {
        // y in units of 1e-14 (a spread of about 1e-14): scaled like any other, where an absolute 1e-12
        // threshold took it for constant and the model trained on raw 1e-14 targets was garbage.
        FeatureScaler tiny = FeatureScaler.standardize(new double[] {3e-14}, new double[] {4e-28});
        assertEquals(5e13f, tiny.scale()[0], 1e7f);
        // Rounding in merged statistics of a constant column, 1e-16 of its mean: constant.
        assertEquals(1f, FeatureScaler.standardize(new double[] {1e4}, new double[] {1e-24}).scale()[0]);
        // A spread whose reciprocal overflows a float: constant too (it was an internal error in fit).
        assertEquals(1f, FeatureScaler.standardize(new double[] {0}, new double[] {1e-80}).scale()[0]);
        float[] x = {0f, 1e-14f, 2e-14f, 3e-14f};
        FeatureScaler fitted = FeatureScaler.fit(FeatureScaler.Kind.STANDARDIZE, x, 4, 1);
        fitted.apply(x, 0, 4);
        assertEquals(-1.3416f, x[0], 1e-3f);
        assertEquals(1.3416f, x[3], 1e-3f);
    }

    @Test
    void minMaxFromMinimaAndMaximaIsFit() {
        assertEquals(FeatureScaler.fit(FeatureScaler.Kind.MIN_MAX, X, 3, 2),
                FeatureScaler.minMax(new float[] {1f, 5f}, new float[] {6f, 5f}));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> FeatureScaler.minMax(new float[] {2f}, new float[] {1f})).getMessage().contains("max must be >= min"));
    }
}
