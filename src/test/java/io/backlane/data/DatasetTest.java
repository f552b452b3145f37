package io.backlane.data;

import io.backlane.nn.FeatureScaler;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DatasetTest {
    static Dataset small() {
        // 3 rows x 2 features, classes b, a, b
        return Dataset.classification(List.of("f", "g"), new float[] {1, 2, 3, 4, 5, 6}, new int[] {1, 0, 1},
                List.of("a", "b"), "y");
    }

    @Test
    void layoutIsRowMajor() {
        Dataset d = small();
        assertEquals(3, d.rows());
        assertEquals(2, d.width());
        assertEquals(3f, d.feature(1, 0));
        assertEquals(6f, d.feature(2, 1));
        float[] row = new float[4];
        d.copyFeatures(2, row, 1);
        assertArrayEquals(new float[] {0, 5, 6, 0}, row);
        assertThrows(IndexOutOfBoundsException.class, () -> d.feature(3, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> d.feature(0, 2));
    }

    @Test
    void isImmutableAtItsBoundary() {
        float[] x = {1, 2, 3, 4, 5, 6};
        int[] y = {1, 0, 1};
        Dataset d = Dataset.classification(List.of("f", "g"), x, y, List.of("a", "b"), "y");
        x[0] = 99;
        y[0] = 0;
        assertEquals(1f, d.feature(0, 0));
        assertEquals(1, d.classIndex(0));
        d.features()[1] = 99;
        d.classIndices()[1] = 1;
        assertEquals(2f, d.feature(0, 1));
        assertEquals(0, d.classIndex(1));
        assertThrows(UnsupportedOperationException.class, () -> d.featureNames().set(0, "z"));
        assertThrows(UnsupportedOperationException.class, () -> d.classLabels().set(0, "z"));
    }

    @Test
    void oneHotTargetsIntoCallerArray() {
        Dataset d = small();
        float[] y = new float[6];
        d.oneHotTargets(y);
        assertArrayEquals(new float[] {0, 1, 1, 0, 0, 1}, y);
        assertThrows(IllegalArgumentException.class, () -> d.oneHotTargets(new float[7]));
    }

    @Test
    void subsetKeepsAllClassLabels() {
        Dataset s = small().subset(new int[] {2, 0});
        assertEquals(2, s.rows());
        assertArrayEquals(new float[] {5, 6, 1, 2}, s.features());
        assertArrayEquals(new int[] {1, 1}, s.classIndices());
        assertEquals(List.of("a", "b"), s.classLabels());
        assertArrayEquals(new int[] {0, 2}, s.classCounts());
        assertEquals(0, small().subset(new int[0]).rows());
        assertThrows(IndexOutOfBoundsException.class, () -> small().subset(new int[] {3}));
    }

    @Test
    void targetKindsAreChecked() {
        Dataset r = Dataset.regression(List.of("x"), new float[] {1, 2}, new float[] {0.5f, 1.5f}, "t");
        assertTrue(r.isRegression());
        assertArrayEquals(new float[] {0.5f, 1.5f}, r.targets());
        assertEquals(0, r.classCount());
        assertThrows(IllegalStateException.class, r::classIndices);
        assertThrows(IllegalStateException.class, () -> r.oneHotTargets(new float[2]));
        assertThrows(IllegalStateException.class, () -> small().targets());
        Dataset u = small().withoutTargets();
        assertFalse(u.hasTargets());
        assertNull(u.targetName());
        assertArrayEquals(small().features(), u.features());
        assertThrows(IllegalStateException.class, u::classCounts);
    }

    @Test
    void constructionIsValidated() {
        List<String> ab = List.of("a", "b");
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.unlabeled(ab, new float[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.unlabeled(List.of("a", "a"), new float[] {1, 2}));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.unlabeled(List.of(), new float[0]));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification(ab, new float[] {1, 2}, new int[] {2}, ab, null));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification(ab, new float[] {1, 2}, new int[] {0, 0}, ab, null));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification(ab, new float[] {1, 2}, new int[] {0}, List.of("x", "x"), null));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.regression(ab, new float[] {1, 2}, new float[] {Float.NaN}, null));
    }

    @Test
    void renamesClassesAndScales() {
        Dataset d = small().withClassLabels(List.of("no", "yes"));
        assertEquals(List.of("no", "yes"), d.classLabels());
        assertArrayEquals(new int[] {1, 0, 1}, d.classIndices());
        assertThrows(IllegalArgumentException.class, () -> small().withClassLabels(List.of("x")));
        Dataset s = small().scaled(new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, new float[] {1, 2}, new float[] {2, 0.5f}));
        assertArrayEquals(new float[] {0, 0, 4, 1, 8, 2}, s.features());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, small().features());
        assertTrue(small().toString().contains("3 x 2"));
    }
}
