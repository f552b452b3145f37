package io.backlane.data;

import java.io.IOException;

/**
 * Input data that cannot be loaded as given: a bad cell, a ragged row, a corrupt IDX header and
 * so on. The message always names the source (file name or a name such as {@code <stdin>}) and,
 * where they apply, the 1-based line number and the column by 1-based position and header name,
 * so that a user can go straight to the offending cell.
 *
 * <p>It extends {@link IOException} because every loader also reads files: a caller that only
 * wants to report the problem catches {@code IOException} once, while one that wants to tell a
 * data problem from an I/O problem catches this type first.
 *
 * <pre>{@code
 * try {
 *     Dataset d = CsvLoader.classification().build().load(Path.of("train.csv"));
 * } catch (DataFormatException e) {
 *     System.err.println(e.getMessage()); // train.csv, line 12, column 3 "area": not a number: "n/a"
 *     System.exit(2);
 * }
 * }</pre>
 */
public class DataFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long line;
    private final int column;
    private final String columnName;

    /**
     * @param source     file or stream name
     * @param line       1-based line number, or 0 when the problem is not tied to a line (binary formats)
     * @param column     1-based column position, or 0 when the problem is not tied to a column
     * @param columnName the column's header name, or null when unknown
     * @param problem    what is wrong, in words
     */
    public DataFormatException(String source, long line, int column, String columnName, String problem) {
        this(source, line, column, columnName, problem, null);
    }

    /** As {@link #DataFormatException(String, long, int, String, String)}, with the underlying cause. */
    public DataFormatException(String source, long line, int column, String columnName, String problem,
                               Throwable cause) {
        super(format(source, line, column, columnName, problem), cause);
        this.source = source;
        this.line = line;
        this.column = column;
        this.columnName = columnName;
    }

    /** A problem with the source as a whole (empty file, wrong magic number, wrong length). */
    public DataFormatException(String source, String problem) {
        this(source, 0, 0, null, problem, null);
    }

    /** As {@link #DataFormatException(String, String)}, with the underlying cause. */
    public DataFormatException(String source, String problem, Throwable cause) {
        this(source, 0, 0, null, problem, cause);
    }

    private static String format(String source, long line, int column, String columnName, String problem) {
        StringBuilder sb = new StringBuilder(source == null ? "<unknown>" : source);
        if (line > 0) {
            sb.append(", line ").append(line);
        }
        if (column > 0) {
            sb.append(", column ").append(column);
            if (columnName != null) {
                sb.append(" \"").append(columnName).append('"');
            }
        }
        return sb.append(": ").append(problem).toString();
    }

    /** The file or stream name. */
    public String source() {
        return source;
    }

    /** The 1-based line number, or 0 when not tied to a line. */
    public long line() {
        return line;
    }

    /** The 1-based column position, or 0 when not tied to a column. */
    public int column() {
        return column;
    }

    /** The column's header name, or null. */
    public String columnName() {
        return columnName;
    }
}
