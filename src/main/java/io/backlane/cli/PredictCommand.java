package io.backlane.cli;

import io.backlane.data.CsvLoader;
import io.backlane.infer.FeatureOrder;
import io.backlane.infer.Predictor;
import io.backlane.nn.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code backlane predict}: a saved model's predictions for the rows of a CSV file, as CSV. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predicts with a saved model on a CSV file of features (header row required, unless --no-header) and writes CSV to"
                + " standard output: a header, then per row the predicted label and one probability column per class"
                + " (p_LABEL), or for a regression model the predicted value. Each row is written as soon as it is"
                + " read, so the command can sit in a pipe; on a bad row, the rows before it have been written.",
                "Columns are matched to the model's features by header name (any order; a missing or unknown column"
                        + " is an error naming it), unless --by-position or --no-header; models saved in format"
                        + " version 1 carry no names and take the columns in file order."},
        footer = {"", "Examples:",
                "  backlane predict --model cancer.bkln new-patients.csv",
                "  cat rows.csv | backlane predict --model cancer.bkln --label diagnosis > predictions.csv"})
final class PredictCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ModelOption model;


    @Option(names = "--label", paramLabel = "COLUMN",
            description = "A label column to ignore if the input has it: a header name, or a 0-based index.")
    String label;

    @Option(names = "--no-header", description = "The CSV file has no header row: every line is data, and the columns"
            + " are named c0, c1, ... (so --label c4, or an index). Without it, a first line that looks like data"
            + " (every feature column named by a number) is refused rather than silently taken as the header.")
    boolean noHeader;

    @Option(names = "--by-position", description = "Take the feature columns in file order instead of matching them"
            + " to the model's features by header name (warns when the names differ).")
    boolean byPosition;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", defaultValue = "-",
            description = "The CSV input; - or none: standard input.")
    String input;

    @Override
    public Integer call() throws IOException {
        DataSource.checkLabelOption(label);
        Model m = model.load();
        boolean stdin = input.equals("-");
        String source = stdin ? "<stdin>" : input;
        RowWriter writer = new RowWriter(main.spec.commandLine().getOut(), m, source, label == null
                ? "; if the input has a label column, name it with --label to ignore it" : "");
        PrintWriter err = main.spec.commandLine().getErr();
        writer.columns = header -> FeatureColumns.match(m, header, source, noHeader, byPosition, err, writer.widthHint);
        // Buffered because DataSource reads the header line byte by byte; on a pipe, a read of a
        // BufferedInputStream still returns what has arrived without waiting for a full buffer.
        // A read error names the input (a directory opens on Linux and fails only when read).
        PathOptionException.on("input file", input, () -> {
            try (InputStream file = stdin ? null : Files.newInputStream(Path.of(input))) {
                InputStream in = new BufferedInputStream(stdin ? main.stdin : file, 1 << 16);
                DataSource.forEachPredictionRow(in, source, label, noHeader, writer);
            }
            return null;
        });
        return 0;
    }

    /**
     * Predicts and writes each row as soon as the loader hands it over, and flushes it, so that
     * {@code predict} can sit in a pipe and answer row by row. The CSV header is written with the
     * first row: input that fails before it leaves standard output empty.
     */
    private static final class RowWriter implements CsvLoader.RowHandler {
        private final PrintWriter out;
        private final Model model;
        private final String source;
        private final String widthHint;
        private final Predictor predictor;
        private final float[] outputs;
        private final String[] quotedLabels;
        private final StringBuilder line = new StringBuilder();
        private boolean started;
        private long rows;              // data rows read so far, for messages
        /** Matches the header's columns to the model's features; see {@link FeatureColumns}. */
        ColumnMatcher columns;
        private FeatureOrder order;     // the file's columns to the model's features, or null: file order
        private float[] arranged;

        RowWriter(PrintWriter out, Model model, String source, String widthHint) {
            this.out = out;
            this.model = model;
            this.source = source;
            this.widthHint = widthHint;
            this.predictor = Predictor.of(model);
            this.outputs = new float[model.network().outputWidth()];
            this.quotedLabels = model.isClassifier()
                    ? model.classLabels().stream().map(PredictCommand::csv).toArray(String[]::new) : null;
        }

        @Override
        public void header(List<String> featureNames) throws IOException {
            order = columns == null ? null : columns.match(featureNames);
            arranged = order == null ? null : new float[order.width()];
        }

        @Override
        public void row(float[] features) throws IOException {
            if (order != null) {
                order.arrange(features, 0, arranged, 0);
                features = arranged;
            }
            if (!started) {
                DataSource.requireWidth(source, features.length, model, widthHint);
                out.println(PredictCommand.header(model));
                started = true;
            }
            rows++;
            try {
                predictor.predict(features, outputs);
            } catch (IllegalArgumentException overflow) { // finite features the model overflows on
                throw new IllegalArgumentException(source + ", data row " + rows + ": " + Main.predictorRefusal(overflow),
                        overflow);
            }
            line.setLength(0);
            int width = outputs.length;
            if (!model.isClassifier()) {
                for (int j = 0; j < width; j++) {
                    line.append(j == 0 ? "" : ",").append(outputs[j]);
                }
            } else {
                line.append(quotedLabels[Predictor.classOf(outputs, 0, width)]);
                if (width == 1) {   // one sigmoid unit: P(class 1); P(class 0) is the rest
                    line.append(',').append(probability(1 - outputs[0])).append(',').append(probability(outputs[0]));
                } else {
                    for (int j = 0; j < width; j++) {
                        line.append(',').append(probability(outputs[j]));
                    }
                }
            }
            out.println(line);
            out.flush();
        }
    }

    /** The header's columns to the model's features, or null for file order. */
    @FunctionalInterface
    interface ColumnMatcher {
        FeatureOrder match(List<String> header) throws IOException;
    }

    /** The CSV header: predicted label and class probabilities, or the predicted values of a regression model. */
    static String header(Model m) {
        int width = m.network().outputWidth();
        StringBuilder line = new StringBuilder();
        if (!m.isClassifier()) {
            for (int j = 0; j < width; j++) {
                line.append(j == 0 ? "" : ",").append(width == 1 ? "predicted" : "predicted_" + j);
            }
            return line.toString();
        }
        line.append("predicted");
        for (String l : m.classLabels()) {
            line.append(',').append(csv("p_" + l));
        }
        return line.toString();
    }

    private static String probability(float p) {
        return String.format(Locale.ROOT, "%.6f", p);
    }

    /** A CSV cell: quoted when it holds a comma, a quote, or spaces at either end. */
    static String csv(String s) {
        if (s.contains(",") || s.contains("\"") || !s.equals(s.strip()) || s.contains("\n") || s.contains("\r")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
