package io.backlane.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CsvLoader#forEachRow}: the rows of {@code load}, one at a time, with the same errors. */
class CsvLoaderStreamingTest {
    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void handsOverTheFeaturesOfLoadRowByRowWithoutTheLabel() throws Exception {
        String csv = "a,label,b\n1,x,2\n3,y,4\n\n";
        CsvLoader loader = CsvLoader.classification().labelColumn("label").build();
        List<float[]> rows = new ArrayList<>();
        assertEquals(2, loader.forEachRow(text(csv), "t.csv", rows::add));
        Dataset d = loader.load(text(csv), "t.csv");
        assertEquals(d.rows(), rows.size());
        for (int i = 0; i < d.rows(); i++) {
            assertArrayEquals(d.features(i), rows.get(i));
        }
        assertTrue(rows.get(0) != rows.get(1), "a new array for each row");
    }

    @Test
    void aBadLineFailsAsInLoadAfterTheRowsBeforeIt() {
        String csv = "a,b\n1,2\n3,x\n5,6\n";
        List<float[]> rows = new ArrayList<>();
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> CsvLoader.featuresOnly().build().forEachRow(text(csv), "t.csv", rows::add));
        assertEquals("t.csv, line 3, column 2 \"b\": not a number: \"x\"", e.getMessage());
        assertEquals(1, rows.size());
        DataFormatException headerOnly = assertThrows(DataFormatException.class,
                () -> CsvLoader.featuresOnly().build().forEachRow(text("a,b\n"), "t.csv", rows::add));
        assertEquals("t.csv, line 2: no data rows: the file has only a header row", headerOnly.getMessage());
    }

    @Test
    void nullArgumentsAreNamed() {
        CsvLoader loader = CsvLoader.featuresOnly().build();
        IllegalArgumentException in = assertThrows(IllegalArgumentException.class,
                () -> loader.forEachRow(null, "t.csv", row -> { }));
        assertTrue(in.getMessage().startsWith("in "), in.getMessage());
        IllegalArgumentException handler = assertThrows(IllegalArgumentException.class,
                () -> loader.forEachRow(text("a\n1\n"), "t.csv", null));
        assertTrue(handler.getMessage().startsWith("handler "), handler.getMessage());
    }
}
