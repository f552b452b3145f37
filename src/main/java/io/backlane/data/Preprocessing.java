package io.backlane.data;

import io.backlane.nn.FeatureScaler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One-hot encoding, seeded train/validation/test splits and feature scaling fitted on the
 * training part.
 *
 * <p>Splits are deterministic: the same dataset, fractions and seed always give the same rows in
 * the same parts (a {@link SplittableRandom} seeded with {@code seed} drives every choice), so a
 * run can be reproduced from its seed. Within each part rows keep their original order; training
 * shuffles per epoch anyway, and file order makes parts easy to inspect.
 *
 * <pre>{@code
 * Dataset data = BundledDatasets.load("digits");
 * DataSplit parts = Preprocessing.split(data, 0.1, 0.2, 42L);   // stratified: classification
 * ScaledSplit scaled = parts.scaled(FeatureScaler.Kind.STANDARDIZE);
 * float[] y = Preprocessing.oneHot(scaled.split().train().classIndices(), data.classCount());
 * }</pre>
 */
public final class Preprocessing {
    private Preprocessing() {
    }

    /** One-hot rows x classCount values (row-major) for the given class indices. */
    public static float[] oneHot(int[] classIndices, int classCount) {
        if (classIndices == null) {
            throw new IllegalArgumentException("classIndices must not be null");
        }
        if (classCount < 1 || (long) classIndices.length * classCount > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("one-hot rows of " + classCount + " classes for " + classIndices.length
                    + " indices: classCount must be >= 1 and the rows fit in one float array");
        }
        float[] dst = new float[classIndices.length * classCount];
        oneHot(classIndices, classCount, dst);
        return dst;
    }

    /**
     * Writes one-hot rows into {@code dst}, which must hold exactly {@code classIndices.length x
     * classCount} values; every value is written (zeros included), so {@code dst} may be reused.
     */
    public static void oneHot(int[] classIndices, int classCount, float[] dst) {
        if (classIndices == null || dst == null) {
            throw new IllegalArgumentException("classIndices and dst must not be null");
        }
        if (classCount < 1) {
            throw new IllegalArgumentException("classCount must be >= 1, got " + classCount);
        }
        if ((long) classIndices.length * classCount != dst.length) {
            throw new IllegalArgumentException("dst has " + dst.length + " values; need " + classIndices.length
                    + " x " + classCount);
        }
        Arrays.fill(dst, 0f);
        for (int i = 0; i < classIndices.length; i++) {
            int c = classIndices[i];
            if (c < 0 || c >= classCount) {
                throw new IllegalArgumentException("row " + i + ": class index " + c + " outside 0.." + (classCount - 1));
            }
            dst[i * classCount + c] = 1f;
        }
    }

    /**
     * A stratified split for classification data and a plain shuffled split otherwise.
     *
     * @see #stratifiedSplit
     * @see #shuffledSplit
     */
    public static DataSplit split(Dataset data, double validationFraction, double testFraction, long seed) {
        requireData(data);
        return data.isClassification()
                ? stratifiedSplit(data, validationFraction, testFraction, seed)
                : shuffledSplit(data, validationFraction, testFraction, seed);
    }

    /**
     * Splits a classification dataset so that each class is divided in the given proportions: of the
     * {@code n} rows of a class, {@code round(n * testFraction)} go to test and
     * {@code round(n * validationFraction)} to validation (reduced, larger part first, when needed to
     * keep at least one row of the class in training), the rest to training. Which rows go where is
     * chosen at random from {@code seed}.
     *
     * @param validationFraction in [0, 1)
     * @param testFraction       in [0, 1); the two must sum to less than 1
     */
    public static DataSplit stratifiedSplit(Dataset data, double validationFraction, double testFraction, long seed) {
        requireData(data);
        checkFractions(validationFraction, testFraction);
        if (!data.isClassification()) {
            throw new IllegalArgumentException("a stratified split needs class targets; " + data + " has "
                    + data.targetKind() + " (use shuffledSplit)");
        }
        int k = data.classCount();
        List<int[]> byClass = new ArrayList<>(k);
        int[] counts = data.classCounts();
        int[] fill = new int[k];
        for (int c = 0; c < k; c++) {
            byClass.add(new int[counts[c]]);
        }
        for (int i = 0; i < data.rows(); i++) {
            int c = data.classIndex(i);
            byClass.get(c)[fill[c]++] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Parts parts = new Parts(data.rows());
        for (int c = 0; c < k; c++) {
            int[] rows = byClass.get(c);
            shuffle(rows, rng);
            parts.take(rows, validationFraction, testFraction);
        }
        return parts.build(data);
    }

    /**
     * Splits any dataset (regression, or classification without stratification) after one random
     * permutation from {@code seed}: {@code round(rows * testFraction)} rows to test,
     * {@code round(rows * validationFraction)} to validation, the rest (at least one) to training.
     */
    public static DataSplit shuffledSplit(Dataset data, double validationFraction, double testFraction, long seed) {
        requireData(data);
        checkFractions(validationFraction, testFraction);
        int[] rows = new int[data.rows()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
        }
        shuffle(rows, new SplittableRandom(seed));
        Parts parts = new Parts(data.rows());
        parts.take(rows, validationFraction, testFraction);
        return parts.build(data);
    }

    /** Fits a scaler of the given kind on all rows of {@code train}. */
    public static FeatureScaler fitScaler(Dataset train, FeatureScaler.Kind kind) {
        requireData(train);
        if (train.rows() == 0) {
            throw new IllegalArgumentException("cannot fit a scaler on " + train + ": it has no rows");
        }
        return FeatureScaler.fit(kind, train.features(), train.rows(), train.width());
    }

    private static void requireData(Dataset data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
    }

    private static void checkFractions(double validation, double test) {
        check("validation", validation);
        check("test", test);
        if (validation + test >= 1.0) {
            throw new IllegalArgumentException("validation fraction " + validation + " + test fraction " + test
                    + " = " + (validation + test) + " leaves no training data; the sum must be < 1");
        }
    }

    private static void check(String what, double f) {
        if (!(f >= 0.0 && f < 1.0)) { // also rejects NaN
            throw new IllegalArgumentException(what + " fraction must be in [0, 1), got " + f);
        }
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Collects row indices of the three parts. */
    private static final class Parts {
        final int[] train;
        final int[] validation;
        final int[] test;
        int nTrain;
        int nValidation;
        int nTest;

        Parts(int rows) {
            train = new int[rows];
            validation = new int[rows];
            test = new int[rows];
        }

        void take(int[] shuffled, double validationFraction, double testFraction) {
            int n = shuffled.length;
            if (n == 0) {
                return;
            }
            int t = (int) Math.round(n * testFraction);
            int v = (int) Math.round(n * validationFraction);
            while (t + v > n - 1) { // keep one row of the group for training
                if (t >= v) {
                    t--;
                } else {
                    v--;
                }
            }
            System.arraycopy(shuffled, 0, test, nTest, t);
            nTest += t;
            System.arraycopy(shuffled, t, validation, nValidation, v);
            nValidation += v;
            System.arraycopy(shuffled, t + v, train, nTrain, n - t - v);
            nTrain += n - t - v;
        }

        DataSplit build(Dataset data) {
            return new DataSplit(data.subset(sorted(train, nTrain)), data.subset(sorted(validation, nValidation)),
                    data.subset(sorted(test, nTest)));
        }

        private static int[] sorted(int[] a, int n) {
            int[] r = Arrays.copyOf(a, n);
            Arrays.sort(r);
            return r;
        }
    }
}
