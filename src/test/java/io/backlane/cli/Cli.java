package io.backlane.cli;

import io.backlane.data.Dataset;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the command line in process and captures what it prints. */
final class Cli {
    private Cli() {
    }

    /** Exit code, standard output and standard error of one run. */
    record Result(int code, String out, String err) {
        Result expect(int expected) {
            assertEquals(expected, code, () -> "exit code; stdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }

        /** No Java stack trace or exception class name in either stream. */
        Result noStackTrace() {
            for (String s : List.of(out, err)) {
                assertFalse(s.contains("\tat "), () -> "stack trace in output:\n" + s);
                assertFalse(s.matches("(?s).*\\b(java|io|picocli)\\.[\\w.]+(Exception|Error)\\b.*"),
                        () -> "exception class name in output:\n" + s);
            }
            return this;
        }

        /** The test accuracy printed in the metrics report, as a fraction. */
        double accuracy() {
            Matcher m = Pattern.compile("accuracy\\s+([0-9.]+)%").matcher(out);
            assertTrue(m.find(), () -> "no accuracy in:\n" + out);
            return Double.parseDouble(m.group(1)) / 100;
        }
    }

    static Result run(String... args) {
        return runWithInput(new ByteArrayInputStream(new byte[0]), args);
    }

    static Result runWithInput(String stdin, String... args) {
        return runWithInput(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
    }

    static Result runWithInput(InputStream in, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(in, o, e, args);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A dataset as CSV text: the feature columns, then the label column (classes or values) when it has one. */
    static String csv(Dataset d, boolean withLabel) {
        StringBuilder s = new StringBuilder(String.join(",", d.featureNames()));
        boolean label = withLabel && d.hasTargets();
        if (label) {
            s.append(',').append(d.targetName());
        }
        s.append('\n');
        for (int i = 0; i < d.rows(); i++) {
            for (int j = 0; j < d.width(); j++) {
                s.append(j == 0 ? "" : ",").append(d.feature(i, j));
            }
            if (label) {
                s.append(',').append(d.isClassification() ? d.classLabels().get(d.classIndex(i))
                        : String.format(Locale.ROOT, "%s", d.target(i)));
            }
            s.append('\n');
        }
        return s.toString();
    }

    static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** Splits CSV output lines into cells (the CLI's output has no quoted commas in these tests). */
    static List<String[]> parseCsv(String text) {
        List<String[]> rows = new ArrayList<>();
        for (String line : text.split("\\R")) {
            if (!line.isEmpty()) {
                rows.add(line.split(",", -1));
            }
        }
        return rows;
    }
}
