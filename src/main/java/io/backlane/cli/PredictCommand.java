package io.backlane.cli;

import io.backlane.data.Dataset;
import io.backlane.infer.Predictor;
import io.backlane.io.ModelReader;
import io.backlane.nn.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
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
                + " (p_LABEL), or for a regression model the predicted value."},
        footer = {"", "Examples:",
                "  backlane predict --model cancer.bkln new-patients.csv",
                "  cat rows.csv | backlane predict --model cancer.bkln --label diagnosis > predictions.csv"})
final class PredictCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by train --save.")
    Path model;

    @Option(names = "--label", paramLabel = "COLUMN",
            description = "A label column to ignore if the input has it: a header name, or a 0-based index.")
    String label;

    @Option(names = "--no-header", description = "The CSV file has no header row: every line is data, and the columns"
            + " are named c0, c1, ... (so --label c4, or an index). Without it, a first line that looks like data"
            + " (every feature column named by a number) is refused rather than silently taken as the header.")
    boolean noHeader;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", defaultValue = "-",
            description = "The CSV input; - or none: standard input.")
    String input;

    @Override
    public Integer call() throws IOException {
        DataSource.checkLabelOption(label);
        Model m = PathOptionException.on("--model", model, () -> ModelReader.load(model));
        boolean stdin = input.equals("-");
        byte[] bytes = stdin ? main.stdin.readAllBytes()
                : PathOptionException.on("input file", input, () -> Files.readAllBytes(Path.of(input)));
        Dataset d = DataSource.forPrediction(bytes, stdin ? "<stdin>" : input, label, noHeader);
        DataSource.requireWidth(d, m, label == null
                ? "; if the input has a label column, name it with --label to ignore it" : "");
        float[] outputs = ModelEvaluation.outputs(m, d);
        write(main.spec.commandLine().getOut(), m, outputs, d.rows());
        return 0;
    }

    /** The CSV: predicted label and class probabilities, or the predicted values of a regression model. */
    static void write(PrintWriter out, Model m, float[] outputs, int rows) {
        int width = m.network().outputWidth();
        StringBuilder line = new StringBuilder();
        if (!m.isClassifier()) {
            for (int j = 0; j < width; j++) {
                line.append(j == 0 ? "" : ",").append(width == 1 ? "predicted" : "predicted_" + j);
            }
            out.println(line);
            for (int i = 0; i < rows; i++) {
                line.setLength(0);
                for (int j = 0; j < width; j++) {
                    line.append(j == 0 ? "" : ",").append(outputs[i * width + j]);
                }
                out.println(line);
            }
            return;
        }
        List<String> labels = m.classLabels();
        line.append("predicted");
        for (String l : labels) {
            line.append(',').append(csv("p_" + l));
        }
        out.println(line);
        String[] quoted = labels.stream().map(PredictCommand::csv).toArray(String[]::new);
        for (int i = 0; i < rows; i++) {
            int off = i * width;
            line.setLength(0);
            line.append(quoted[Predictor.classOf(outputs, off, width)]);
            if (width == 1) {   // one sigmoid unit: P(class 1); P(class 0) is the rest
                line.append(',').append(probability(1 - outputs[off])).append(',').append(probability(outputs[off]));
            } else {
                for (int j = 0; j < width; j++) {
                    line.append(',').append(probability(outputs[off + j]));
                }
            }
            out.println(line);
        }
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
