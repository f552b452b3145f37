package io.backlane.cli;

import io.backlane.data.BundledDatasets;
import io.backlane.data.Dataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code predict} in a pipe: each row's prediction is on standard output before the next input line
 * is read, so that a producer that waits for an answer before it sends more rows is served.
 */
class PredictStreamingTest {
    @TempDir
    static Path dir;
    static Path model;
    static Dataset cancer;

    @BeforeAll
    static void trainAndSave() {
        model = dir.resolve("cancer.bkln");
        cancer = BundledDatasets.load("breast-cancer");
        Cli.run("train", "--data", "breast-cancer", "--epochs", "2", "--save", model.toString()).expect(0);
    }

    /**
     * Standard input that gives one line per read and, before each line after the first, notes how many
     * lines standard output holds then (only what the command has flushed reaches {@code out}).
     */
    private static final class LineByLineInput extends InputStream {
        private final List<byte[]> lines = new ArrayList<>();
        private final ByteArrayOutputStream out;
        /** Output lines present when input line i + 1 (0-based) was first read. */
        final List<Long> outputLinesBeforeLine = new ArrayList<>();
        private int line;
        private int pos;

        LineByLineInput(String text, ByteArrayOutputStream out) {
            for (String l : text.split("(?<=\n)")) {
                lines.add(l.getBytes(StandardCharsets.UTF_8));
            }
            this.out = out;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (line < lines.size() && pos == lines.get(line).length) {
                line++;
                pos = 0;
            }
            if (line == lines.size()) {
                return -1;
            }
            if (pos == 0 && line > 0) {
                outputLinesBeforeLine.add(out.toString(StandardCharsets.UTF_8).lines().count());
            }
            int n = Math.min(len, lines.get(line).length - pos);
            System.arraycopy(lines.get(line), pos, b, off, n);
            pos += n;
            return n;
        }
    }

    @Test
    void eachRowIsWrittenBeforeTheNextIsRead() {
        String features = Cli.csv(cancer.subset(new int[] {0, 1, 2, 3}).withoutTargets(), false);
        for (List<String> label : List.of(List.<String>of(), List.of("--label", "diagnosis"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            LineByLineInput in = new LineByLineInput(features, out);
            List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString()));
            args.addAll(label);
            int code;
            try (PrintStream o = new PrintStream(out, false, StandardCharsets.UTF_8);
                 PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                code = Main.run(in, o, e, args.toArray(String[]::new));
            }
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
            // Before data line k (input line k + 1) was read, the header and k - 1 predictions had been written.
            assertEquals(List.of(0L, 2L, 3L, 4L), in.outputLinesBeforeLine, "label " + label);
            assertEquals(5, out.toString(StandardCharsets.UTF_8).lines().count());
        }
    }

    /** A bad row stops the command with its line and column; the predictions before it are kept. */
    @Test
    void aBadRowStopsAfterTheRowsBeforeItWereWritten() {
        String[] lines = Cli.csv(cancer.subset(new int[] {0, 1, 2, 3}).withoutTargets(), false).split("\n");
        lines[3] = lines[3].replaceFirst("^([^,]*),[^,]*,", "$1,oops,");   // data row 3, column 2
        Cli.Result r = Cli.runWithInput(String.join("\n", lines) + "\n", "predict", "--model", model.toString())
                .expect(1).noStackTrace();
        assertTrue(r.err().contains("<stdin>, line 4, column 2 \"" + cancer.featureNames().get(1)
                + "\": not a number: \"oops\""), r.err());
        List<String[]> rows = Cli.parseCsv(r.out());
        assertEquals(3, rows.size(), r.out());
        assertEquals(List.of("predicted", "p_benign", "p_malignant"), List.of(rows.get(0)));
    }

    /** With --label, a label column on standard input is left out (the header is read once, then reused). */
    @Test
    void aRowTheModelOverflowsOnStopsWithItsRowNumberAfterTheRowsBeforeIt() {
        String[] lines = Cli.csv(cancer.subset(new int[] {0, 1, 2, 3}).withoutTargets(), false).split("\n");
        lines[3] = String.join(",", java.util.Collections.nCopies(cancer.featureNames().size(), "3e38")); // finite floats
        Cli.Result r = Cli.runWithInput(String.join("\n", lines) + "\n", "predict", "--model", model.toString())
                .expect(1).noStackTrace();
        assertTrue(r.err().contains("<stdin>, data row 3: the model's logit "), r.err());
        assertTrue(!r.err().contains("acceptNonFinite"), "a Java API hint for a command-line user: " + r.err());
        assertTrue(r.err().contains("overflowed the float range"), r.err());
        assertEquals(3, Cli.parseCsv(r.out()).size(), r.out());
    }

    @Test
    void aLabelColumnOnStandardInputIsLeftOut() {
        Dataset five = cancer.subset(new int[] {10, 11, 12, 13, 14});
        Cli.Result labelled = Cli.runWithInput(Cli.csv(five, true), "predict", "--model", model.toString(),
                "--label", "diagnosis").expect(0);
        Cli.Result plain = Cli.runWithInput(new ByteArrayInputStream(Cli.csv(five, false)
                .getBytes(StandardCharsets.UTF_8)), "predict", "--model", model.toString()).expect(0);
        assertEquals(plain.out(), labelled.out());
        assertEquals(6, plain.out().lines().count(), plain.out());
    }

    @Test
    void anEmptyOrHeaderOnlyInputGetsTheSameMessageWithALabelAsWithout() {
        // With --label the header line was read twice, the second time from a stream already closed
        // at its end: "Stream closed", instead of what the loader says.
        String header = Cli.csv(cancer.subset(new int[] {0}).withoutTargets(), false).lines().findFirst().orElseThrow();
        for (String input : List.of("", "\uFEFF", header)) {
            String plain = Cli.runWithInput(input, "predict", "--model", model.toString()).expect(1).err();
            String labelled = Cli.runWithInput(input, "predict", "--model", model.toString(), "--label", "diagnosis")
                    .expect(1).err();
            assertTrue(!labelled.contains("Stream closed") && labelled.contains("line "), labelled);
            assertEquals(plain, labelled);
        }
    }
}
