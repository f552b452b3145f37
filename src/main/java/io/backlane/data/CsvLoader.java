package io.backlane.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Loads comma-separated text into a {@link Dataset}.
 *
 * <h2>Format</h2>
 * <ul>
 *   <li>UTF-8 (a leading byte-order mark is ignored); lines end in {@code \n}, {@code \r\n} or {@code \r}.</li>
 *   <li>The first line is a header row of distinct, non-empty column names, unless the loader was
 *       built with {@link Builder#noHeader()} (then every line is data and the columns are named
 *       {@code c0}, {@code c1}, ...). A header that looks like data is rejected, because taking a data
 *       row as names would silently lose an example: one whose feature columns (every column but the
 *       label column) all have numbers as names, unless the label column was chosen by a name found
 *       in it. A file whose columns really are named by numbers can name its label column
 *       ({@link Builder#labelColumn(String)}).</li>
 *   <li>Cells are separated by commas; whitespace around a cell is ignored. A cell may be quoted
 *       ({@code "a, b"}) to contain commas; {@code ""} inside quotes stands for one quote, and text
 *       inside quotes is kept as written. A quoted cell cannot span lines.</li>
 *   <li>Every row has exactly as many cells as the header. Feature cells (and regression targets)
 *       are decimal numbers such as {@code -1.5e3}; NaN and infinities are rejected.</li>
 *   <li>Blank lines at the very end of the file are ignored; a blank line followed by more data is
 *       an error. No other line is ever skipped: any problem stops loading with a
 *       {@link DataFormatException} that names the source, the 1-based line and the column (1-based
 *       position and header name).</li>
 * </ul>
 *
 * <h2>Label column</h2>
 * In {@link Mode#CLASSIFICATION} and {@link Mode#REGRESSION} one column holds the target: chosen by
 * header name, or by 0-based index where negative indices count from the end; by default the last
 * column. All other columns are features, in file order. {@link Mode#FEATURES_ONLY} has no label
 * column: every column is a feature (prediction input).
 *
 * <h2>Class order</h2>
 * Without a given class list, the classes are the distinct label strings (after trimming whitespace
 * outside quotes), ordered so that the same set of labels always gives the same indices whatever
 * the row order: if every label is an integer (optional minus sign and digits) they are sorted
 * numerically ({@code 2} before {@code 10}; equal values written differently, such as {@code 1} and
 * {@code 01}, are distinct classes, ordered as strings), otherwise lexicographically by UTF-16 code
 * units ({@link String#compareTo}). The order is returned as {@link Dataset#classLabels()} and must
 * be stored with a trained model. At predict or evaluate time, pass that stored list with
 * {@link Builder#classLabels(List)}: indices then follow it exactly, and a label that is not in it is
 * an error.
 *
 * <h2>Size</h2>
 * Input is read line by line and the arrays grow geometrically, so memory is about that of the
 * floats themselves (plus up to one doubling), never that of the text. {@link #forEachRow} keeps no
 * rows at all: it hands each one over as soon as its line is read (input from a pipe, of any length).
 * A line may be at most
 * {@link #DEFAULT_MAX_LINE_BYTES} bytes of UTF-8 (characters, for a {@link Reader}) unless
 * {@link Builder#maxLineLength(int)} says otherwise: a longer one stops loading at once, with an
 * error naming the source and the line, rather than being buffered whole (a file with no line
 * break at all is not CSV). A row is split only up to one cell more than the header has, so a row
 * of millions of cells costs no more than the line itself.
 *
 * <pre>{@code
 * // training: classes found in the data
 * Dataset train = CsvLoader.classification().labelColumn("diagnosis").build().load(Path.of("train.csv"));
 * List<String> classes = train.classLabels();            // keep with the model
 * // evaluation with a saved model: same class indices, unknown labels rejected
 * Dataset test = CsvLoader.classification().labelColumn("diagnosis").classLabels(classes).build()
 *         .load(Path.of("test.csv"));
 * // prediction input read from standard input
 * Dataset in = CsvLoader.featuresOnly().build().load(System.in, "<stdin>");
 * // regression on the last column
 * Dataset r = CsvLoader.regression().build().load(Path.of("houses.csv"));
 * }</pre>
 */
public final class CsvLoader {
    /** What the loader makes of the label column. */
    public enum Mode {
        /** The label column holds class labels (strings or integers). */
        CLASSIFICATION,
        /** The label column holds a real-valued target. */
        REGRESSION,
        /** There is no label column; every column is a feature. */
        FEATURES_ONLY
    }

    /**
     * The default limit on the length of one line: 4 MiB, room for rows of hundreds of thousands of
     * numeric cells, and a bound on the memory one line can take.
     */
    public static final int DEFAULT_MAX_LINE_BYTES = 4 << 20;

    private static final int SHOW_AT_MOST = 20;

    private final Mode mode;
    private final String labelName;
    private final int labelIndex;
    private final List<String> givenClasses;
    private final int maxLineLength;
    private final boolean noHeader;

    private CsvLoader(Builder b) {
        this.noHeader = b.noHeader;
        this.mode = b.mode;
        this.labelName = b.labelName;
        this.labelIndex = b.labelIndex;
        this.givenClasses = b.classLabels;
        this.maxLineLength = b.maxLineLength;
    }

    /** A builder for a classification loader (label column: the last one unless set). */
    public static Builder classification() {
        return new Builder(Mode.CLASSIFICATION);
    }

    /** A builder for a regression loader (target column: the last one unless set). */
    public static Builder regression() {
        return new Builder(Mode.REGRESSION);
    }

    /** A builder for a loader of features only (no label column). */
    public static Builder featuresOnly() {
        return new Builder(Mode.FEATURES_ONLY);
    }

    /** Options of a {@link CsvLoader}; each setter returns this builder. */
    public static final class Builder {
        private final Mode mode;
        private String labelName;
        private int labelIndex = -1;
        private List<String> classLabels;
        private int maxLineLength = DEFAULT_MAX_LINE_BYTES;
        private boolean noHeader;

        private Builder(Mode mode) {
            this.mode = mode;
        }

        /**
         * The input has no header row: the first line is data, and the columns are named
         * {@code c0}, {@code c1}, ... (a label column can be chosen by such a name or by index).
         */
        public Builder noHeader() {
            this.noHeader = true;
            return this;
        }

        /** Chooses the label column by header name (exact match after trimming). */
        public Builder labelColumn(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("label column name must not be blank");
            }
            requireLabelled("a label column");
            this.labelName = name.strip();
            return this;
        }

        /**
         * Chooses the label column by 0-based index; negative values count from the end (-1, the
         * default, is the last column). Error messages print columns 1-based, as spreadsheets do.
         */
        public Builder labelColumn(int index) {
            requireLabelled("a label column");
            this.labelName = null;
            this.labelIndex = index;
            return this;
        }

        /**
         * Fixes the classes and their order (for example those stored with a model); a label not in
         * the list is then an error. Classes of the list absent from the data are allowed.
         */
        public Builder classLabels(List<String> labels) {
            if (mode != Mode.CLASSIFICATION) {
                throw new IllegalStateException("class labels only apply to classification, not " + mode);
            }
            if (labels == null || labels.isEmpty()) {
                throw new IllegalArgumentException("the class list must not be empty");
            }
            List<String> copy = List.copyOf(labels); // rejects null entries
            if (new HashSet<>(copy).size() != copy.size()) {
                throw new IllegalArgumentException("the class list has duplicates: " + copy);
            }
            this.classLabels = copy;
            return this;
        }

        /**
         * The longest line accepted (default {@link #DEFAULT_MAX_LINE_BYTES}): in bytes of UTF-8 for
         * files and streams, in characters for a {@link Reader}; the line terminator is not counted.
         */
        public Builder maxLineLength(int length) {
            if (length < 1) {
                throw new IllegalArgumentException("maxLineLength must be >= 1, got " + length);
            }
            this.maxLineLength = length;
            return this;
        }

        private void requireLabelled(String what) {
            if (mode == Mode.FEATURES_ONLY) {
                throw new IllegalStateException(what + " does not apply when loading features only");
            }
        }

        /** The loader; it holds no state between loads and can be reused and shared. */
        public CsvLoader build() {
            return new CsvLoader(this);
        }
    }

    /** The mode this loader was built for. */
    public Mode mode() {
        return mode;
    }

    /** Loads a file; messages name it as {@code file.toString()}. */
    public Dataset load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, file.toString());
        }
    }

    /**
     * Loads UTF-8 text from a stream (not closed here); {@code sourceName} is used in messages, e.g.
     * {@code "<stdin>"}. Bytes that are not valid UTF-8 are an error naming their line.
     */
    public Dataset load(InputStream in, String sourceName) throws IOException {
        if (in == null) {
            throw new IllegalArgumentException("in must not be null");
        }
        Utf8LineReader lines = new Utf8LineReader(in, maxLineLength);
        return new Parse(sourceName == null ? "<stream>" : sourceName, lines::readLine).run();
    }

    /** Receives the rows of {@link #forEachRow} one at a time. */
    @FunctionalInterface
    public interface RowHandler {
        /** One data row's features, in file order without the label column (a new array for each row). */
        void row(float[] features) throws IOException;

        /**
         * Called once before any row with the feature columns' names, in file order without the label
         * column (c0, c1, ... without a header row): so that a caller can match columns by name.
         */
        default void header(List<String> featureNames) throws IOException {
        }
    }

    /**
     * Reads UTF-8 text from a stream (not closed here) as {@link #load(InputStream, String)} does, with
     * the same checks and messages, but hands each row's features to {@code handler} as soon as its line
     * is read instead of keeping them; a label column is checked and left out. When a line is bad, the
     * rows before it have been handed over. Returns the number of rows.
     */
    public long forEachRow(InputStream in, String sourceName, RowHandler handler) throws IOException {
        if (in == null || handler == null) {
            throw new IllegalArgumentException((in == null ? "in" : "handler") + " must not be null");
        }
        Utf8LineReader lines = new Utf8LineReader(in, maxLineLength);
        Parse parse = new Parse(sourceName == null ? "<stream>" : sourceName, lines::readLine);
        parse.handler = handler;
        parse.run();
        return parse.handed;
    }

    /** Loads text from a reader (not closed here); {@code sourceName} is used in messages. */
    public Dataset load(Reader reader, String sourceName) throws IOException {
        if (reader == null) {
            throw new IllegalArgumentException("reader must not be null");
        }
        CharLineReader lines = new CharLineReader(reader, maxLineLength);
        return new Parse(sourceName == null ? "<stream>" : sourceName, lines::readLine).run();
    }

    /** Where lines come from: a reader, or our own UTF-8 decoder for byte streams. */
    @FunctionalInterface
    private interface LineSource {
        String readLine() throws IOException;
    }

    /** The state of one load, so that the loader itself stays immutable and shareable. */
    private final class Parse {
        private final String source;
        private final LineSource in;
        private long lineNo;
        private final ArrayList<String> cells = new ArrayList<>();
        private final StringBuilder quoted = new StringBuilder();
        private String[] header;
        /** Set by {@link #forEachRow}: each row goes to it, and no row is kept. */
        private RowHandler handler;
        private long handed;

        Parse(String source, LineSource in) {
            this.source = source;
            this.in = in;
        }

        private String nextLine() throws IOException {
            try {
                String line = in.readLine();
                lineNo++;
                return line;
            } catch (CharacterCodingException e) {
                throw new DataFormatException(source, lineNo + 1, 0, null, "not valid UTF-8 text", e);
            } catch (Utf8LineReader.LineTooLongException e) {
                throw new DataFormatException(source, lineNo + 1, 0, null, e.getMessage()
                        + ", the loader's limit (CsvLoader.Builder.maxLineLength); is this a CSV file?", e);
            }
        }

        private DataFormatException error(int col0, String problem) {
            String name = header != null && col0 >= 0 && col0 < header.length ? header[col0] : null;
            return new DataFormatException(source, lineNo, col0 + 1, name, problem);
        }

        Dataset run() throws IOException {
            String line = nextLine();
            if (line == null) {
                throw new DataFormatException(source, 1, 0, null, "empty file: a header row is required");
            }
            if (!line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                throw new DataFormatException(source, 1, 0, null, noHeader ? "the first line is empty"
                        : "the first line is empty: a header row is required");
            }
            String firstRow = null;
            if (noHeader) {
                split(line, Integer.MAX_VALUE);
                header = new String[cells.size()];
                for (int j = 0; j < header.length; j++) {
                    header[j] = "c" + j;
                }
                firstRow = line;
            } else {
                header = parseHeader(line);
            }
            int ncols = header.length;
            int label = resolveLabelColumn();
            if (!noHeader) {
                refuseHeaderThatLooksLikeData(label);
            }
            int width = label < 0 ? ncols : ncols - 1;
            if (width == 0) {
                throw new DataFormatException(source, 1, label + 1, header[label],
                        "the header has only the label column: there are no feature columns");
            }
            List<String> featureNames = new ArrayList<>(width);
            for (int j = 0; j < ncols; j++) {
                if (j != label) {
                    featureNames.add(header[j]);
                }
            }
            if (handler != null) {
                handler.header(List.copyOf(featureNames));
            }

            Map<String, Integer> classIds = new HashMap<>();
            List<String> seen = new ArrayList<>();
            if (givenClasses != null) {
                for (int k = 0; k < givenClasses.size(); k++) {
                    classIds.put(givenClasses.get(k), k);
                }
            }
            float[] x = new float[width * 256];
            int[] classes = mode == Mode.CLASSIFICATION ? new int[256] : null;
            float[] values = mode == Mode.REGRESSION ? new float[256] : null;
            int rows = 0;
            long firstBlank = 0;

            while ((line = firstRow != null ? firstRow : nextLine()) != null) {
                firstRow = null;
                if (line.isBlank()) {
                    if (firstBlank == 0) {
                        firstBlank = lineNo;
                    }
                    continue;
                }
                if (firstBlank != 0) {
                    throw new DataFormatException(source, firstBlank, 0, null,
                            "empty line (a row with no values) before more data on line " + lineNo);
                }
                split(line, ncols + 1);   // one cell more than the header is enough to know the row is too long
                if (cells.size() != ncols) {
                    if (cells.size() < ncols) {
                        throw error(cells.size(), "the row has " + cells.size() + " cells but the header has "
                                + ncols + " columns: missing from here on");
                    }
                    throw error(ncols, "the row has more than " + ncols + " cells but the header has " + ncols
                            + " columns: extra cells from here on");
                }
                if ((long) (rows + 1) * width > Integer.MAX_VALUE - 8) {
                    throw error(-1, "too many values for one array (more than 2^31 - 9 floats)");
                }
                if ((long) (rows + 1) * width > x.length) {
                    x = Arrays.copyOf(x, (int) Math.min(Integer.MAX_VALUE - 8L, 2L * x.length));
                }
                int base = rows * width;
                int f = 0;
                for (int j = 0; j < ncols; j++) {
                    if (j != label) {
                        x[base + f++] = number(j, cells.get(j));
                    }
                }
                if (classes != null) {
                    if (rows == classes.length) {
                        classes = Arrays.copyOf(classes, grow(classes.length));
                    }
                    String v = cells.get(label);
                    if (v.isEmpty()) {
                        throw error(label, "missing class label (empty cell)");
                    }
                    Integer id = classIds.get(v);
                    if (id == null) {
                        if (givenClasses != null) {
                            throw error(label, "class label \"" + v + "\" is not one of the " + givenClasses.size()
                                    + " known classes " + shortList(givenClasses));
                        }
                        id = seen.size();
                        seen.add(v);
                        classIds.put(v, id);
                    }
                    classes[rows] = id;
                } else if (values != null) {
                    if (rows == values.length) {
                        values = Arrays.copyOf(values, grow(values.length));
                    }
                    values[rows] = number(label, cells.get(label));
                }
                rows++;
                if (handler != null) {   // streaming: hand the row over, then fill the arrays from the start again
                    handler.row(Arrays.copyOf(x, width));
                    handed++;
                    rows = 0;
                }
            }
            if (rows == 0 && handed == 0) {
                throw new DataFormatException(source, 2, 0, null, "no data rows: the file has only a header row");
            }
            if (handler != null) {
                return null;   // forEachRow: the rows have been handed over
            }

            x = Arrays.copyOf(x, rows * width);
            String targetName = label < 0 ? null : header[label];
            return switch (mode) {
                case FEATURES_ONLY -> new Dataset(source, featureNames, x, rows, Dataset.TargetKind.NONE,
                        null, null, null, null);
                case REGRESSION -> new Dataset(source, featureNames, x, rows, Dataset.TargetKind.VALUES,
                        null, null, Arrays.copyOf(values, rows), targetName);
                case CLASSIFICATION -> {
                    int[] c = Arrays.copyOf(classes, rows);
                    List<String> labels = givenClasses;
                    if (labels == null) {
                        labels = sortedClasses(seen);
                        int[] remap = new int[seen.size()];
                        for (int k = 0; k < labels.size(); k++) {
                            remap[classIds.get(labels.get(k))] = k;
                        }
                        for (int i = 0; i < rows; i++) {
                            c[i] = remap[c[i]];
                        }
                    }
                    yield new Dataset(source, featureNames, x, rows, Dataset.TargetKind.CLASSES, c, labels, null,
                            targetName);
                }
            };
        }

        private int grow(int n) {
            return (int) Math.min(Integer.MAX_VALUE - 8L, 2L * n);
        }

        private String[] parseHeader(String line) throws DataFormatException {
            split(line, Integer.MAX_VALUE);
            String[] names = cells.toArray(new String[0]);
            Map<String, Integer> at = new HashMap<>();
            for (int j = 0; j < names.length; j++) {
                if (names[j].isEmpty()) {
                    throw new DataFormatException(source, 1, j + 1, null, "empty column name in the header row");
                }
                Integer before = at.putIfAbsent(names[j], j);
                if (before != null) {
                    throw new DataFormatException(source, 1, j + 1, names[j],
                            "duplicate column name in the header row (also column " + (before + 1) + ")");
                }
            }
            return names;
        }

        /**
         * A header whose feature columns are all named by numbers is almost certainly a data row
         * (for example {@code 5.1,3.5,1.4,0.2,setosa} of a file without a header): refuse it rather
         * than lose the row. A label column found by its name vouches for the header.
         */
        private void refuseHeaderThatLooksLikeData(int label) throws DataFormatException {
            boolean allNumbers = true;
            for (int j = 0; j < header.length; j++) {
                allNumbers &= j == label || isDecimal(header[j]);
            }
            if (!allNumbers || (labelName != null && label >= 0)) {
                return;
            }
            String advice = "; if the file has no header row, load it without one (--no-header on the command"
                    + " line; the columns are then named c0, c1, ...), otherwise give the columns names";
            if (label < 0 || isDecimal(header[label])) {
                throw new DataFormatException(source, 1, 1, header[0],
                        "the first line holds only numbers, so it looks like data, not a header row" + advice);
            }
            throw new DataFormatException(source, 1, 1, header[0], "the first line looks like data, not a header"
                    + " row: every feature column name is a number" + advice + " or choose the label column \""
                    + header[label] + "\" by name");
        }

        /** The 0-based label column, or -1 when there is none. */
        private int resolveLabelColumn() throws DataFormatException {
            if (mode == Mode.FEATURES_ONLY) {
                return -1;
            }
            int n = header.length;
            if (labelName != null) {
                for (int j = 0; j < n; j++) {
                    if (header[j].equals(labelName)) {
                        return j;
                    }
                }
                throw new DataFormatException(source, 1, 0, null, "label column \"" + labelName
                        + "\" is not in the header; the columns are " + shortList(Arrays.asList(header)));
            }
            int j = labelIndex < 0 ? n + labelIndex : labelIndex;
            if (j < 0 || j >= n) {
                throw new DataFormatException(source, 1, 0, null, "label column index " + labelIndex
                        + " is out of range: the header has " + n + " columns (0-based indices 0.." + (n - 1)
                        + ", or -1..-" + n + " from the end)");
            }
            return j;
        }

        /**
         * Splits one line into trimmed cells (quotes removed) in {@link #cells}, stopping after
         * {@code maxCells} cells: a row that has more is wrong whatever the rest holds.
         */
        private void split(String line, int maxCells) throws DataFormatException {
            cells.clear();
            int n = line.length();
            int i = 0;
            while (true) {
                while (i < n && isBlank(line.charAt(i))) {
                    i++;
                }
                if (i < n && line.charAt(i) == '"') {
                    quoted.setLength(0);
                    i++;
                    while (true) {
                        if (i >= n) {
                            throw error(cells.size(), "unterminated quoted cell (a quoted cell cannot span lines)");
                        }
                        char c = line.charAt(i++);
                        if (c == '"') {
                            if (i < n && line.charAt(i) == '"') {
                                quoted.append('"');
                                i++;
                            } else {
                                break;
                            }
                        } else {
                            quoted.append(c);
                        }
                    }
                    while (i < n && isBlank(line.charAt(i))) {
                        i++;
                    }
                    if (i < n && line.charAt(i) != ',') {
                        throw error(cells.size(), "unexpected text after the closing quote");
                    }
                    cells.add(quoted.toString());
                } else {
                    int start = i;
                    while (i < n && line.charAt(i) != ',') {
                        i++;
                    }
                    cells.add(line.substring(start, i).strip());
                }
                if (i >= n || cells.size() == maxCells) {
                    return;
                }
                i++; // the comma
            }
        }

        private float number(int col0, String cell) throws DataFormatException {
            String s = cell.strip();
            if (s.isEmpty()) {
                throw error(col0, "missing value (empty cell)");
            }
            String bare = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
            if (bare.equalsIgnoreCase("nan")) {
                throw error(col0, "NaN is not allowed");
            }
            if (bare.equalsIgnoreCase("infinity") || bare.equalsIgnoreCase("inf")) {
                throw error(col0, "infinite value \"" + s + "\" is not allowed");
            }
            // Our own syntax check: Float.parseFloat also takes "1f", "0x1p3" and " 1d", which are not CSV numbers.
            if (!isDecimal(s)) {
                throw error(col0, "not a number: \"" + s + "\"");
            }
            float v = Float.parseFloat(s);
            if (Float.isInfinite(v)) {
                throw error(col0, "\"" + s + "\" is outside the float range (about ±3.4e38)");
            }
            return v;
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)? */
    static boolean isDecimal(String s) {
        int n = s.length();
        int i = 0;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exp = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                exp++;
            }
            if (exp == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isInteger(String s) {
        int i = s.startsWith("-") ? 1 : 0;
        if (i == s.length()) {
            return false;
        }
        for (; i < s.length(); i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The documented class order: numeric when all labels are integers, else lexicographic. */
    static List<String> sortedClasses(List<String> labels) {
        List<String> sorted = new ArrayList<>(labels);
        if (sorted.stream().allMatch(CsvLoader::isInteger)) {
            // BigInteger so that labels such as 12345678901234567890 sort correctly too.
            sorted.sort((a, b) -> {
                int c = new BigInteger(a).compareTo(new BigInteger(b));
                return c != 0 ? c : a.compareTo(b);
            });
        } else {
            sorted.sort(null);
        }
        return List.copyOf(sorted);
    }

    private static String shortList(List<String> names) {
        if (names.size() <= SHOW_AT_MOST) {
            return names.toString();
        }
        return names.subList(0, SHOW_AT_MOST) + " and " + (names.size() - SHOW_AT_MOST) + " more";
    }
}
