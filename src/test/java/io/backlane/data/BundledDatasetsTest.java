package io.backlane.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BundledDatasetsTest {
    @Test
    void breastCancer() {
        Dataset d = BundledDatasets.load("breast-cancer");
        assertEquals(569, d.rows());
        assertEquals(30, d.width());
        assertEquals("diagnosis", d.targetName());
        assertEquals(List.of("benign", "malignant"), d.classLabels());
        assertArrayEquals(new int[] {357, 212}, d.classCounts());
        assertEquals("radius_mean", d.featureNames().get(0));
        assertEquals("fractal_dimension_worst", d.featureNames().get(29));
        assertEquals(17.99f, d.feature(0, 0)); // first cell of the file
        assertEquals("malignant", d.classLabels().get(d.classIndex(0)));
    }

    @Test
    void digits() {
        Dataset d = BundledDatasets.load("digits");
        assertEquals(1797, d.rows());
        assertEquals(64, d.width());
        assertEquals("digit", d.targetName());
        assertEquals(IdxLoader.DIGIT_CLASS_LABELS, d.classLabels());
        assertEquals("p00", d.featureNames().get(0));
        assertEquals("p77", d.featureNames().get(63));
        for (int c : d.classCounts()) {
            assertTrue(c >= 170 && c <= 190, "digits are roughly balanced: " + c);
        }
        float[] x = d.features();
        float max = 0;
        for (float v : x) {
            assertTrue(v >= 0 && v <= 16 && v == Math.rint(v), "pixel counts are integers 0..16: " + v);
            max = Math.max(max, v);
        }
        assertEquals(16f, max);
        assertEquals(0, d.classIndex(0));
        assertEquals(1, d.classIndex(1));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BundledDatasets.load("iris"));
        assertTrue(e.getMessage().contains("iris") && e.getMessage().contains("breast-cancer, digits"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BundledDatasets.load(null));
        assertEquals(List.of("breast-cancer", "digits"), BundledDatasets.names());
        assertTrue(BundledDatasets.contains("digits"));
        assertFalse(BundledDatasets.contains("mnist"));
    }

    @Test
    void attributionIsShippedBesideTheFiles() throws Exception {
        try (var in = BundledDatasets.class.getResourceAsStream("README.md")) {
            assertNotNull(in);
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            for (String s : List.of("CC BY 4.0", "Wolberg", "Alpaydin", "python3-sklearn", "1995", "1998")) {
                assertTrue(text.contains(s), s);
            }
        }
    }
}
