package io.backlane.data;

import io.backlane.nn.FeatureScaler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class PreprocessingTest {
    /** 160 rows: class 0 has 100, class 1 has 50, class 2 has 10, interleaved; feature 0 = row number. */
    static Dataset imbalanced() {
        int n = 160;
        float[] x = new float[n * 2];
        int[] y = new int[n];
        int[] left = {100, 50, 10};
        for (int i = 0, c = 0; i < n; i++) {
            while (left[c % 3] == 0) {
                c++;
            }
            y[i] = c % 3;
            left[c % 3]--;
            c++;
            x[2 * i] = i;
            x[2 * i + 1] = i * i % 17;
        }
        return Dataset.classification(List.of("row", "other"), x, y, List.of("a", "b", "c"), "y");
    }

    /** The original row of each example, recovered from feature 0. */
    static int[] rowsOf(Dataset d) {
        int[] r = new int[d.rows()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (int) d.feature(i, 0);
        }
        return r;
    }

    static void assertPartition(int n, DataSplit s) {
        Set<Integer> all = new HashSet<>();
        int total = 0;
        for (Dataset part : List.of(s.train(), s.validation(), s.test())) {
            for (int r : rowsOf(part)) {
                assertTrue(all.add(r), "row " + r + " is in two parts");
            }
            total += part.rows();
            int[] rows = rowsOf(part);
            int[] sorted = rows.clone();
            Arrays.sort(sorted);
            assertArrayEquals(sorted, rows, "parts keep file order");
        }
        assertEquals(n, total);
        assertEquals(n, all.size());
    }

    @Test
    void oneHotEncodes() {
        float[] y = Preprocessing.oneHot(new int[] {2, 0, 1}, 3);
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, y);
        float[] reused = new float[6];
        Arrays.fill(reused, 7f);
        Preprocessing.oneHot(new int[] {1, 1}, 3, reused);
        assertArrayEquals(new float[] {0, 1, 0, 0, 1, 0}, reused);
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.oneHot(new int[] {3}, 3));
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.oneHot(new int[] {-1}, 3));
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.oneHot(new int[] {0}, 3, new float[4]));
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.oneHot(new int[] {0}, 0));
    }

    @Test
    void stratifiedSplitKeepsClassProportions() {
        Dataset d = imbalanced();
        DataSplit s = Preprocessing.stratifiedSplit(d, 0.1, 0.2, 42L);
        assertArrayEquals(new int[] {70, 35, 7}, s.train().classCounts());
        assertArrayEquals(new int[] {10, 5, 1}, s.validation().classCounts());
        assertArrayEquals(new int[] {20, 10, 2}, s.test().classCounts());
        assertPartition(d.rows(), s);
        for (Dataset part : List.of(s.train(), s.validation(), s.test())) {
            assertEquals(d.classLabels(), part.classLabels());
            assertEquals(d.featureNames(), part.featureNames());
            for (int i = 0; i < part.rows(); i++) { // targets travel with their rows
                assertEquals(d.classIndex((int) part.feature(i, 0)), part.classIndex(i));
                assertEquals(d.feature((int) part.feature(i, 0), 1), part.feature(i, 1));
            }
        }
    }

    @Test
    void perClassCountsAreRounded() {
        // class 0: 7 rows, class 1: 13 rows, interleaved
        int n = 20;
        float[] x = new float[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = i % 3 == 0 && i < 21 ? 0 : 1;
        }
        Dataset d = Dataset.classification(List.of("row"), x, y, List.of("p", "q"), null);
        assertArrayEquals(new int[] {7, 13}, d.classCounts());
        DataSplit s = Preprocessing.stratifiedSplit(d, 0.3, 0.25, 9L);
        assertArrayEquals(new int[] {2, 3}, s.test().classCounts());       // round(1.75), round(3.25)
        assertArrayEquals(new int[] {2, 4}, s.validation().classCounts()); // round(2.1), round(3.9)
        assertArrayEquals(new int[] {3, 6}, s.train().classCounts());
        assertPartition(n, s);
    }

    @Test
    void splitsAreDeterministicPerSeed() {
        Dataset d = imbalanced();
        DataSplit a = Preprocessing.split(d, 0.1, 0.2, 7L);
        DataSplit b = Preprocessing.split(d, 0.1, 0.2, 7L);
        DataSplit c = Preprocessing.split(d, 0.1, 0.2, 8L);
        assertArrayEquals(rowsOf(a.test()), rowsOf(b.test()));
        assertArrayEquals(rowsOf(a.validation()), rowsOf(b.validation()));
        assertArrayEquals(rowsOf(a.train()), rowsOf(b.train()));
        assertFalse(Arrays.equals(rowsOf(a.test()), rowsOf(c.test())), "another seed picks other rows");
        // a split is random, not "the first rows of each class"
        assertNotEquals(List.of(0, 1, 2), Arrays.stream(rowsOf(a.test())).limit(3).boxed().toList());
    }

    @Test
    void smallClassesKeepATrainingRow() {
        float[] x = {0, 1, 2, 3, 4, 5};
        Dataset d = Dataset.classification(List.of("row"), x, new int[] {0, 0, 0, 0, 1, 1}, List.of("big", "small"), null);
        DataSplit s = Preprocessing.stratifiedSplit(d, 0.3, 0.4, 1L);
        assertEquals(1, s.train().classCounts()[1]);
        assertTrue(s.train().classCounts()[0] >= 1);
        assertPartition(6, s);
    }

    @Test
    void zeroFractionsGiveEmptyParts() {
        Dataset d = imbalanced();
        DataSplit s = Preprocessing.split(d, 0.0, 0.0, 3L);
        assertEquals(160, s.train().rows());
        assertEquals(0, s.validation().rows());
        assertEquals(0, s.test().rows());
        assertEquals(2, s.test().width());
    }

    @Test
    void fractionsAreValidated() {
        Dataset d = imbalanced();
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                () -> Preprocessing.split(d, -0.1, 0.2, 1L));
        assertTrue(neg.getMessage().contains("validation fraction") && neg.getMessage().contains("-0.1"), neg.getMessage());
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> Preprocessing.split(d, 0.1, 1.0, 1L));
        assertTrue(one.getMessage().contains("test fraction"), one.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.split(d, Double.NaN, 0.2, 1L));
        IllegalArgumentException sum = assertThrows(IllegalArgumentException.class,
                () -> Preprocessing.shuffledSplit(d, 0.5, 0.5, 1L));
        assertTrue(sum.getMessage().contains("sum must be < 1"), sum.getMessage());
    }

    @Test
    void stratifiedSplitNeedsClasses() {
        Dataset r = Dataset.regression(List.of("x"), new float[] {1, 2}, new float[] {3, 4}, "t");
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.stratifiedSplit(r, 0.1, 0.1, 1L));
    }

    @Test
    void shuffledSplitForRegression() {
        int n = 101;
        float[] x = new float[n];
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            t[i] = 10 * i + 0.5f;
        }
        Dataset d = Dataset.regression(List.of("row"), x, t, "t");
        DataSplit s = Preprocessing.split(d, 0.2, 0.1, 5L);
        assertEquals(10, s.test().rows());
        assertEquals(20, s.validation().rows());
        assertEquals(71, s.train().rows());
        assertPartition(n, s);
        for (Dataset part : List.of(s.train(), s.validation(), s.test())) {
            assertTrue(part.isRegression());
            for (int i = 0; i < part.rows(); i++) {
                assertEquals(10 * part.feature(i, 0) + 0.5f, part.target(i));
            }
        }
        assertArrayEquals(rowsOf(s.test()), rowsOf(Preprocessing.shuffledSplit(d, 0.2, 0.1, 5L).test()));
        int[] firstTen = new int[10];
        Arrays.setAll(firstTen, i -> i);
        assertFalse(Arrays.equals(firstTen, rowsOf(s.test())), "test rows are drawn at random");
    }

    // ---------------------------------------------------------------- scaling

    /** Train rows (feature a, b): (1, 10), (3, 10), (5, 10); validation (7, 0); test (-1, 20). */
    static DataSplit handSplit() {
        List<String> names = List.of("a", "b");
        List<String> labels = List.of("n", "y");
        Dataset train = Dataset.classification(names, new float[] {1, 10, 3, 10, 5, 10}, new int[] {0, 1, 0}, labels, "c");
        Dataset val = Dataset.classification(names, new float[] {7, 0}, new int[] {1}, labels, "c");
        Dataset test = Dataset.classification(names, new float[] {-1, 20}, new int[] {0}, labels, "c");
        return new DataSplit(train, val, test);
    }

    @Test
    void standardizeIsFittedOnTrainOnly() {
        DataSplit s = handSplit();
        ScaledSplit scaled = s.scaled(FeatureScaler.Kind.STANDARDIZE);
        // train a: mean 3, population std sqrt(8/3); b: constant, so std 0 -> scale 1
        double std = Math.sqrt(8.0 / 3.0);
        assertArrayEquals(new float[] {3, 10}, scaled.scaler().shift());
        assertArrayEquals(new float[] {(float) (1 / std), 1f}, scaled.scaler().scale(), 1e-6f);
        assertArrayEquals(new float[] {(float) (-2 / std), 0, 0, 0, (float) (2 / std), 0},
                scaled.split().train().features(), 1e-6f);
        assertArrayEquals(new float[] {(float) (4 / std), -10}, scaled.split().validation().features(), 1e-6f);
        assertArrayEquals(new float[] {(float) (-4 / std), 10}, scaled.split().test().features(), 1e-6f);
        // the input is untouched and targets are kept
        assertArrayEquals(new float[] {1, 10, 3, 10, 5, 10}, s.train().features());
        assertArrayEquals(new int[] {0, 1, 0}, scaled.split().train().classIndices());
        assertEquals(List.of("n", "y"), scaled.split().test().classLabels());
    }

    @Test
    void minMaxIsFittedOnTrainOnly() {
        ScaledSplit scaled = handSplit().scaled(FeatureScaler.Kind.MIN_MAX);
        // train a: min 1, max 5 -> (x - 1) / 4; b: constant 10 -> x - 10
        assertArrayEquals(new float[] {0, 0, 0.5f, 0, 1, 0}, scaled.split().train().features(), 1e-7f);
        assertArrayEquals(new float[] {1.5f, -10}, scaled.split().validation().features(), 1e-7f);
        assertArrayEquals(new float[] {-0.5f, 10}, scaled.split().test().features(), 1e-7f);
        assertEquals(FeatureScaler.Kind.MIN_MAX, scaled.scaler().kind());
    }

    @Test
    void noneLeavesValuesAlone() {
        DataSplit s = handSplit();
        ScaledSplit scaled = s.scaled(FeatureScaler.Kind.NONE);
        assertEquals(FeatureScaler.identity(2).shift()[0], scaled.scaler().shift()[0]);
        assertArrayEquals(s.train().features(), scaled.split().train().features());
        assertArrayEquals(s.test().features(), scaled.split().test().features());
    }

    @Test
    void scalerOfAnotherWidthIsRejected() {
        DataSplit s = handSplit();
        assertThrows(IllegalArgumentException.class, () -> s.apply(FeatureScaler.identity(3)));
    }

    @Test
    void scaledSplitOfBundledDataHasStandardTrainColumns() {
        Dataset d = BundledDatasets.load("breast-cancer");
        ScaledSplit s = Preprocessing.split(d, 0.15, 0.15, 11L).scaled(FeatureScaler.Kind.STANDARDIZE);
        Dataset train = s.split().train();
        List<Double> means = new ArrayList<>();
        for (int j = 0; j < train.width(); j++) {
            double sum = 0;
            double sq = 0;
            for (int i = 0; i < train.rows(); i++) {
                sum += train.feature(i, j);
                sq += (double) train.feature(i, j) * train.feature(i, j);
            }
            double mean = sum / train.rows();
            means.add(mean);
            assertEquals(0.0, mean, 1e-4, "train mean of column " + j);
            assertEquals(1.0, sq / train.rows() - mean * mean, 1e-3, "train variance of column " + j);
        }
        assertEquals(30, means.size());
    }
}
