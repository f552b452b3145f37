package io.backlane.data;

import io.backlane.testing.AllocationProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CsvLoaderTest {
    @TempDir
    Path dir;

    private static final CsvLoader CLASSIFY = CsvLoader.classification().build();

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    /** Loading must fail with our exception, located at the given line and column. */
    private DataFormatException failsAt(CsvLoader loader, String content, long line, int column, String columnName)
            throws IOException {
        Path p = write("bad-input.csv", content);
        DataFormatException e = assertThrows(DataFormatException.class, () -> loader.load(p));
        String m = e.getMessage();
        assertTrue(m.contains(p.toString()), "names the file: " + m);
        assertEquals(p.toString(), e.source());
        assertEquals(line, e.line(), m);
        assertTrue(m.contains("line " + line), "names the line: " + m);
        assertEquals(column, e.column(), m);
        if (column > 0) {
            String col = columnName == null ? "column " + column : "column " + column + " \"" + columnName + "\"";
            assertTrue(m.contains(col), "names " + col + ": " + m);
            assertEquals(columnName, e.columnName());
        }
        return e;
    }

    // ---------------------------------------------------------------- good input

    @Test
    void loadsClassificationWithStringLabelsInLexicographicOrder() throws IOException {
        Path p = write("iris.csv", "a,b,species\n1,2,virginica\n3.5,-4e1,setosa\n0.25,6,versicolor\n7,8,setosa\n");
        Dataset d = CLASSIFY.load(p);
        assertEquals(4, d.rows());
        assertEquals(2, d.width());
        assertEquals(List.of("a", "b"), d.featureNames());
        assertEquals("species", d.targetName());
        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classLabels());
        assertArrayEquals(new int[] {2, 0, 1, 0}, d.classIndices());
        assertArrayEquals(new float[] {1, 2, 3.5f, -40, 0.25f, 6, 7, 8}, d.features());
        assertEquals(p.toString(), d.source());
    }

    @Test
    void integerLabelsAreSortedNumerically() throws IOException {
        Dataset d = CLASSIFY.load(write("ints.csv", "x,y\n1,10\n2,2\n3,-1\n4,1\n5,10\n"));
        assertEquals(List.of("-1", "1", "2", "10"), d.classLabels());
        assertArrayEquals(new int[] {3, 2, 0, 1, 3}, d.classIndices());
    }

    @Test
    void mixedLabelsAreSortedAsStrings() throws IOException {
        Dataset d = CLASSIFY.load(write("mixed.csv", "x,y\n1,10\n2,2\n3,b\n"));
        assertEquals(List.of("10", "2", "b"), d.classLabels());
    }

    @Test
    void classOrderDoesNotDependOnRowOrder() throws IOException {
        Dataset a = CLASSIFY.load(write("a.csv", "x,y\n1,cat\n2,dog\n3,ant\n"));
        Dataset b = CLASSIFY.load(write("b.csv", "x,y\n3,ant\n2,dog\n1,cat\n"));
        assertEquals(a.classLabels(), b.classLabels());
        assertEquals(List.of("ant", "cat", "dog"), a.classLabels());
    }

    @Test
    void labelColumnByNameIndexAndNegativeIndex() throws IOException {
        Path p = write("mid.csv", "f1,label,f2\n1,yes,2\n3,no,4\n");
        Dataset byName = CsvLoader.classification().labelColumn("label").build().load(p);
        Dataset byIndex = CsvLoader.classification().labelColumn(1).build().load(p);
        Dataset fromEnd = CsvLoader.classification().labelColumn(-2).build().load(p);
        for (Dataset d : List.of(byName, byIndex, fromEnd)) {
            assertEquals(List.of("f1", "f2"), d.featureNames());
            assertArrayEquals(new float[] {1, 2, 3, 4}, d.features());
            assertEquals(List.of("no", "yes"), d.classLabels());
            assertArrayEquals(new int[] {1, 0}, d.classIndices());
            assertEquals("label", d.targetName());
        }
        Dataset first = CsvLoader.classification().labelColumn(0).build().load(write("first.csv", "y,a,b\nk,1,2\n"));
        assertEquals(List.of("a", "b"), first.featureNames());
        assertEquals("y", first.targetName());
        assertArrayEquals(new float[] {1, 2}, first.features());
    }

    @Test
    void givenClassListFixesIndicesAndAllowsAbsentClasses() throws IOException {
        Path p = write("eval.csv", "x,y\n1,b\n2,a\n");
        Dataset d = CsvLoader.classification().classLabels(List.of("c", "b", "a")).build().load(p);
        assertEquals(List.of("c", "b", "a"), d.classLabels());
        assertArrayEquals(new int[] {1, 2}, d.classIndices());
        assertArrayEquals(new int[] {0, 1, 1}, d.classCounts());
    }

    @Test
    void regressionReadsANumericTarget() throws IOException {
        Path p = write("reg.csv", "price,rooms,area\n100.5,3,70\n-2,1,20\n");
        Dataset d = CsvLoader.regression().labelColumn("price").build().load(p);
        assertTrue(d.isRegression());
        assertEquals("price", d.targetName());
        assertEquals(List.of("rooms", "area"), d.featureNames());
        assertArrayEquals(new float[] {100.5f, -2f}, d.targets());
        assertArrayEquals(new float[] {3, 70, 1, 20}, d.features());
        Dataset last = CsvLoader.regression().build().load(p);
        assertEquals("area", last.targetName());
        assertArrayEquals(new float[] {70, 20}, last.targets());
    }

    @Test
    void featuresOnlyTakesEveryColumn() throws IOException {
        Dataset d = CsvLoader.featuresOnly().build().load(write("in.csv", "a,b,c\n1,2,3\n4,5,6\n"));
        assertFalse(d.hasTargets());
        assertEquals(3, d.width());
        assertEquals(List.of(), d.classLabels());
        assertNull(d.targetName());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, d.features());
        assertThrows(IllegalStateException.class, () -> CsvLoader.featuresOnly().labelColumn("a"));
        assertThrows(IllegalStateException.class, () -> CsvLoader.regression().classLabels(List.of("a")));
    }

    @Test
    void handlesCrLfBomWhitespaceAndQuotes() throws IOException {
        String text = "\uFEFF a , \"b, with comma\" ,label\r\n"
                + "  1 ,\t\"2.5\"\t, \"x, \"\"quoted\"\"\" \r\n"
                + "3,4,plain\r\n";
        Dataset d = CLASSIFY.load(write("messy.csv", text));
        assertEquals(List.of("a", "b, with comma"), d.featureNames());
        assertEquals("label", d.targetName());
        assertArrayEquals(new float[] {1, 2.5f, 3, 4}, d.features());
        assertEquals(List.of("plain", "x, \"quoted\""), d.classLabels());
        assertArrayEquals(new int[] {1, 0}, d.classIndices());
    }

    @Test
    void trailingBlankLinesAreNotRows() throws IOException {
        Dataset d = CLASSIFY.load(write("tail.csv", "x,y\n1,a\n2,b\n\n  \n"));
        assertEquals(2, d.rows());
    }

    @Test
    void loadsFromStreamAndReaderWithSourceName() throws IOException {
        byte[] bytes = "x,y\n1,a\n".getBytes(StandardCharsets.UTF_8);
        Dataset s = CLASSIFY.load(new ByteArrayInputStream(bytes), "<stdin>");
        assertEquals("<stdin>", s.source());
        assertEquals(1, s.rows());
        Dataset r = CLASSIFY.load(new StringReader("x,y\n1,a\n2,b\n"), "<reader>");
        assertEquals(2, r.rows());
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> CLASSIFY.load(new StringReader("x,y\n1,a\nzz,b\n"), "<stdin>"));
        assertTrue(e.getMessage().startsWith("<stdin>, line 3, column 1 \"x\""), e.getMessage());
    }

    @Test
    void streamsManyRows() throws IOException {
        Path p = dir.resolve("big.csv");
        int n = 20_000;
        try (Writer w = Files.newBufferedWriter(p)) {
            w.write("a,b,c,label\n");
            for (int i = 0; i < n; i++) {
                w.write(i + "," + (i * 0.5) + "," + (-i) + "," + (i % 3) + "\n");
            }
        }
        Dataset d = CLASSIFY.load(p);
        assertEquals(n, d.rows());
        assertEquals(3, d.width());
        assertEquals(n - 1, d.feature(n - 1, 0));
        assertEquals((n - 1) * 0.5f, d.feature(n - 1, 1));
        assertEquals(-(n - 1), d.feature(n - 1, 2));
        assertArrayEquals(new int[] {6667, 6667, 6666}, d.classCounts());
        assertEquals((n - 1) % 3, d.classIndex(n - 1));
    }

    // ---------------------------------------------------------------- bad input

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1f", "0x1p3", "1.2.3", "1e", "--1", "1,5"})
    void nonNumericCell(String cell) throws IOException {
        String text = "x,y,label\n1,2,a\n3," + cell + ",b\n";
        if (cell.contains(",")) { // a decimal comma makes the row one cell too long
            failsAt(CLASSIFY, text, 3, 4, null);
        } else {
            DataFormatException e = failsAt(CLASSIFY, text, 3, 2, "y");
            assertTrue(e.getMessage().contains("not a number"), e.getMessage());
        }
    }

    @Test
    void emptyCellsAreMissingValues() throws IOException {
        failsAt(CLASSIFY, "x,y,label\n1,,a\n", 2, 2, "y");
        failsAt(CLASSIFY, "x,y,label\n1,\"\",a\n", 2, 2, "y");
        failsAt(CLASSIFY, "x,y,label\n1,2,\n", 2, 3, "label");
        failsAt(CLASSIFY, "x,y,label\n1,2,\"\"\n", 2, 3, "label");
        DataFormatException e = failsAt(CsvLoader.regression().build(), "x,y,t\n1,2,5\n1,2,\n", 3, 3, "t");
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void raggedRows() throws IOException {
        DataFormatException few = failsAt(CLASSIFY, "x,y,label\n1,2,a\n1,2\n", 3, 3, "label");
        assertTrue(few.getMessage().contains("2 cells"), few.getMessage());
        DataFormatException many = failsAt(CLASSIFY, "x,y,label\n1,2,a,9\n", 2, 4, null);
        // Splitting stops one cell past the header's width, so the message cannot give the total.
        assertTrue(many.getMessage().contains("more than 3 cells"), many.getMessage());
        failsAt(CLASSIFY, "x,y,label\n1,2,a,\n", 2, 4, null); // a trailing comma is one more (empty) cell
    }

    @Test
    void emptyFileAndHeaderOnly() throws IOException {
        DataFormatException empty = failsAt(CLASSIFY, "", 1, 0, null);
        assertTrue(empty.getMessage().contains("empty file"), empty.getMessage());
        failsAt(CLASSIFY, "\uFEFF", 1, 0, null);
        failsAt(CLASSIFY, "\n1,2\n", 1, 0, null);
        DataFormatException header = failsAt(CLASSIFY, "x,y,label\n", 2, 0, null);
        assertTrue(header.getMessage().contains("no data rows"), header.getMessage());
        failsAt(CLASSIFY, "x,y,label\r\n\r\n\r\n", 2, 0, null);
        failsAt(CsvLoader.featuresOnly().build(), "x,y,label", 2, 0, null);
    }

    @Test
    void blankLineBeforeMoreDataIsAnError() throws IOException {
        DataFormatException e = failsAt(CLASSIFY, "x,y\n1,a\n\n2,b\n", 3, 0, null);
        assertTrue(e.getMessage().contains("empty line"), e.getMessage());
    }

    @Test
    void unknownLabelColumnNameOrIndex() throws IOException {
        DataFormatException name = failsAt(CsvLoader.classification().labelColumn("class").build(),
                "x,y,label\n1,2,a\n", 1, 0, null);
        assertTrue(name.getMessage().contains("\"class\""), name.getMessage());
        assertTrue(name.getMessage().contains("[x, y, label]"), name.getMessage());
        for (int bad : new int[] {3, 7, -4}) {
            DataFormatException idx = failsAt(CsvLoader.classification().labelColumn(bad).build(),
                    "x,y,label\n1,2,a\n", 1, 0, null);
            assertTrue(idx.getMessage().contains("index " + bad + " is out of range"), idx.getMessage());
            assertTrue(idx.getMessage().contains("3 columns"), idx.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "nan", "-NaN", "Infinity", "-Infinity", "inf", "+Inf", "1e39", "-3.5e38"})
    void nanAndInfinityAreRejected(String cell) throws IOException {
        DataFormatException e = failsAt(CLASSIFY, "x,y,label\n1,2,a\n" + cell + ",2,b\n", 3, 1, "x");
        String m = e.getMessage().toLowerCase();
        assertTrue(m.contains("nan") || m.contains("infinite") || m.contains("float range"), m);
        failsAt(CsvLoader.regression().build(), "x,t\n1,2\n1," + cell + "\n", 3, 2, "t");
    }

    @Test
    void duplicateOrEmptyHeaderNames() throws IOException {
        DataFormatException dup = failsAt(CLASSIFY, "x,y,x,label\n1,2,3,a\n", 1, 3, "x");
        assertTrue(dup.getMessage().contains("duplicate") && dup.getMessage().contains("column 1"), dup.getMessage());
        failsAt(CLASSIFY, "x, \"y\" ,y,label\n1,2,3,a\n", 1, 3, "y");
        DataFormatException blank = failsAt(CLASSIFY, "x,,label\n1,2,a\n", 1, 2, null);
        assertTrue(blank.getMessage().contains("empty column name"), blank.getMessage());
    }

    @Test
    void numericFirstLineIsNotAHeader() throws IOException {
        DataFormatException e = failsAt(CLASSIFY, "1,2,3\n4,5,6\n", 1, 1, "1");
        assertTrue(e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void aDataRowWithAStringLabelIsNotTakenAsTheHeader() throws IOException {
        // No header, rows ending in a string label: the first row must not silently become the names.
        String iris = "5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4,0.2,setosa\n6.3,3.3,6.0,2.5,virginica\n";
        DataFormatException e = failsAt(CLASSIFY, iris, 1, 1, "5.1");
        assertTrue(e.getMessage().contains("looks like data") && e.getMessage().contains("--no-header"), e.getMessage());
        failsAt(CsvLoader.regression().build(), "1,2,x\n3,4,5\n", 1, 1, "1");   // regression target last: same rule
        // A label column chosen by a name found in the header vouches for it.
        Dataset named = CsvLoader.classification().labelColumn("setosa").build().load(write("named.csv", iris));
        assertEquals(2, named.rows());
        // And a header whose feature names are not all numbers is a header.
        assertEquals(1, CLASSIFY.load(write("h.csv", "1,width,label\n3,4,a\n")).rows());
    }

    @Test
    void noHeaderReadsEveryLineAsDataWithColumnsNamedC0Up() throws IOException {
        Path p = write("iris.csv", "5.1,3.5,setosa\n4.9,3.0,setosa\n6.3,3.3,virginica\n");
        Dataset d = CsvLoader.classification().noHeader().build().load(p);
        assertEquals(3, d.rows());
        assertEquals(List.of("c0", "c1"), d.featureNames());
        assertEquals("c2", d.targetName());
        assertEquals(List.of("setosa", "virginica"), d.classLabels());
        assertEquals(5.1f, d.feature(0, 0));
        Dataset byName = CsvLoader.classification().noHeader().labelColumn("c0").build()
                .load(write("first.csv", "setosa,5.1,3.5\nvirginica,6.3,3.3\n"));
        assertEquals(List.of("c1", "c2"), byName.featureNames());
        assertEquals(2, byName.rows());
        Dataset features = CsvLoader.featuresOnly().noHeader().build().load(write("f.csv", "1,2\n3,4\n"));
        assertEquals(2, features.rows());
        // Errors count lines from the first data line, which is line 1.
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> CsvLoader.classification().noHeader().build().load(write("bad.csv", "1,x,a\n")));
        assertEquals(1, e.line(), e.getMessage());
    }

    @Test
    void onlyTheLabelColumnMeansNoFeatures() throws IOException {
        failsAt(CLASSIFY, "label\na\n", 1, 1, "label");
    }

    @Test
    void badQuoting() throws IOException {
        DataFormatException open = failsAt(CLASSIFY, "x,y,label\n1,\"2,a\n", 2, 2, "y");
        assertTrue(open.getMessage().contains("unterminated"), open.getMessage());
        DataFormatException after = failsAt(CLASSIFY, "x,y,label\n1,\"2\"3,a\n", 2, 2, "y");
        assertTrue(after.getMessage().contains("after the closing quote"), after.getMessage());
    }

    @Test
    void labelOutsideTheGivenClassList() throws IOException {
        CsvLoader loader = CsvLoader.classification().labelColumn("y").classLabels(List.of("a", "b")).build();
        DataFormatException e = failsAt(loader, "x,y\n1,a\n2,b\n3,c\n", 4, 2, "y");
        assertTrue(e.getMessage().contains("\"c\"") && e.getMessage().contains("[a, b]"), e.getMessage());
    }

    @Test
    void invalidUtf8IsAnErrorWithALine() throws IOException {
        Path p = dir.resolve("latin1.csv");
        byte[] head = "x,y\n1,a\n2,".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + 2];
        System.arraycopy(head, 0, body, 0, head.length);
        body[head.length] = (byte) 0xE9; // 'é' in Latin-1, invalid alone in UTF-8
        body[head.length + 1] = '\n';
        Files.write(p, body);
        DataFormatException e = assertThrows(DataFormatException.class, () -> CLASSIFY.load(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("UTF-8"), e.getMessage());
        assertEquals(3, e.line(), e.getMessage());
    }

    @Test
    void builderRejectsBadOptions() {
        assertThrows(IllegalArgumentException.class, () -> CsvLoader.classification().labelColumn(" "));
        assertThrows(IllegalArgumentException.class, () -> CsvLoader.classification().classLabels(List.of()));
        assertThrows(IllegalArgumentException.class, () -> CsvLoader.classification().classLabels(List.of("a", "a")));
    }

    @Test
    void decimalSyntax() {
        for (String ok : new String[] {"0", "-1", "+2.5", ".5", "5.", "1e3", "1E-3", "-.5e+2"}) {
            assertTrue(CsvLoader.isDecimal(ok), ok);
        }
        for (String bad : new String[] {"", ".", "-", "e3", "1e", "1e+", "1f", "1d", "0x10", "1 2", "١"}) {
            assertFalse(CsvLoader.isDecimal(bad), bad);
        }
    }

    @Test
    void utf8LineReaderSplitsLikeBufferedReader() throws IOException {
        String text = "a\r\nb\rc\n\nd\u00e9\u20ac\r\r\ne";
        int limit = CsvLoader.DEFAULT_MAX_LINE_BYTES;
        Utf8LineReader r = new Utf8LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), limit);
        CharLineReader c = new CharLineReader(new StringReader(text), limit);
        for (String expected : new String[] {"a", "b", "c", "", "d\u00e9\u20ac", "", "e"}) {
            assertEquals(expected, r.readLine());
            assertEquals(expected, c.readLine());
        }
        assertNull(r.readLine());
        assertNull(c.readLine());
        assertNull(new Utf8LineReader(new ByteArrayInputStream(new byte[0]), limit).readLine());
        // a long multi-byte line crosses many 64 KiB reads
        String longLine = "\u00e9".repeat(100_000);
        Utf8LineReader big = new Utf8LineReader(new ByteArrayInputStream((longLine + "\n").getBytes(StandardCharsets.UTF_8)),
                limit);
        assertEquals(longLine, big.readLine());
        assertNull(big.readLine());
    }

    // ---------------------------------------------------------------- bounded memory

    /** An input of {@code length} bytes of 'x' with no line break, counting what is read from it. */
    private static final class EndlessLine extends InputStream {
        private final long length;
        long read;

        EndlessLine(long length) {
            this.length = length;
        }

        @Override
        public int read() {
            if (read >= length) {
                return -1;
            }
            read++;
            return 'x';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (read >= length) {
                return -1;
            }
            int n = (int) Math.min(len, length - read);
            Arrays.fill(b, off, off + n, (byte) 'x');
            read += n;
            return n;
        }
    }

    @Test
    void aLineLongerThanTheLimitStopsLoadingAtOnceNamingTheSourceAndLine() throws IOException {
        EndlessLine in = new EndlessLine(64L << 20);   // 64 MiB without a line break
        DataFormatException e = assertThrows(DataFormatException.class, () -> CLASSIFY.load(in, "blob.bin"));
        assertEquals("blob.bin, line 1: line is longer than " + CsvLoader.DEFAULT_MAX_LINE_BYTES
                + " bytes, the loader's limit (CsvLoader.Builder.maxLineLength); is this a CSV file?", e.getMessage());
        // Stopped at the limit: no more read than the limit plus one buffer of the line reader.
        assertTrue(in.read <= CsvLoader.DEFAULT_MAX_LINE_BYTES + (1 << 16), "read " + in.read + " bytes");
    }

    @Test
    void theLineLengthLimitIsConfigurableAndCountsEachLine() throws IOException {
        CsvLoader narrow = CsvLoader.classification().maxLineLength(8).build();
        byte[] fits = "a,b\r\n1,x\n1234,yy\n".getBytes(StandardCharsets.UTF_8);   // lines of 3, 3 and 7 bytes
        assertEquals(2, narrow.load(new ByteArrayInputStream(fits), "ok").rows());
        DataFormatException e = failsAt(narrow, "a,b\n1,x\n1234567,y\n", 3, 0, null);   // line 3 has 9 bytes
        assertTrue(e.getMessage().contains("line is longer than 8 bytes"), e.getMessage());
        // The same for characters from a Reader (a 2-byte character counts once).
        assertEquals(1, CsvLoader.classification().maxLineLength(3).build()
                .load(new StringReader("a,\u00e9\n1,x"), "r").rows());
        DataFormatException r = assertThrows(DataFormatException.class, () -> narrow.load(
                new StringReader("a,b\n1,x\n1234567,y\n"), "reader"));
        assertEquals("reader, line 3: line is longer than 8 characters, the loader's limit"
                + " (CsvLoader.Builder.maxLineLength); is this a CSV file?", r.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CsvLoader.classification().maxLineLength(0));
    }

    @Test
    void aFileWithoutLineBreaksIsRefusedByName() throws IOException {
        Path sparse = dir.resolve("disk.img");
        try (var f = new java.io.RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(64L << 20);   // 64 MiB of zero bytes, no line break (sparse: nothing stored)
        }
        DataFormatException e = assertThrows(DataFormatException.class, () -> CLASSIFY.load(sparse));
        assertTrue(e.getMessage().startsWith(sparse + ", line 1: line is longer than"), e.getMessage());
        assertEquals(1, e.line());
    }

    @Test
    void aRowWithFarTooManyCellsIsRefusedWithoutSplittingItAll() {
        int cells = 1_000_000;
        byte[] csv = ("a,b\n" + "1,".repeat(cells - 1) + "1\n").getBytes(StandardCharsets.UTF_8);
        DataFormatException[] e = new DataFormatException[1];
        long allocated = AllocationProbe.allocated(() -> e[0] = assertThrows(DataFormatException.class,
                () -> CLASSIFY.load(new ByteArrayInputStream(csv), "wide.csv")));
        assertEquals("wide.csv, line 2, column 3: the row has more than 2 cells but the header has 2 columns:"
                + " extra cells from here on", e[0].getMessage());
        // The line itself costs a few bytes per byte (buffer, string); a million cells would cost ~50 each.
        assertTrue(allocated < 10L * csv.length, "allocated " + allocated + " bytes for a " + csv.length + "-byte row");
    }
}
