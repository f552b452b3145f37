package io.backlane.cli;

import io.backlane.data.Dataset;
import io.backlane.nn.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code backlane evaluate}: the metrics of a saved model on a labelled dataset. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluates a saved model on a labelled dataset: accuracy, loss, confusion matrix, and for two"
                + " classes precision, recall, F1 and ROC-AUC (regression: MSE, RMSE, MAE, R^2).",
                "Labels are mapped through the model's class list; a label the model does not know is an error.",
                "CSV columns are matched to the model's features by header name (any order; a missing or unknown"
                        + " column is an error naming it), unless --by-position or --no-header; models saved in"
                        + " format version 1 carry no names and take the columns in file order."},
        footer = {"", "Examples:",
                "  backlane evaluate --model cancer.bkln --data breast-cancer",
                "  backlane evaluate --model fashion.bkln --data /usr/share/datasets/fashion-mnist"})
final class EvaluateCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ModelOption model;


    @Option(names = "--data", required = true, paramLabel = "DATA",
            description = "A bundled dataset (breast-cancer, digits), fashion-mnist, a CSV file, or an IDX directory"
                    + " (its test files are used). Every row of a CSV file is evaluated.")
    String data;

    @Option(names = "--label", paramLabel = "COLUMN",
            description = "CSV label column: a header name, or a 0-based index (negative from the end)."
                    + " Default: the last column.")
    String label;

    @Option(names = "--no-header", description = "The CSV file has no header row: every line is data, and the columns"
            + " are named c0, c1, ... (so --label c4, or an index). Without it, a first line that looks like data"
            + " (every feature column named by a number) is refused rather than silently taken as the header.")
    boolean noHeader;

    @Option(names = "--by-position", description = "Take the CSV feature columns in file order instead of matching"
            + " them to the model's features by header name (warns when the names differ).")
    boolean byPosition;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = main.spec.commandLine().getOut();
        DataSource.checkLabelOption(label);
        Model m = model.load();
        if (!m.isClassifier() && m.network().outputWidth() != 1) {
            throw new UsageException(model.path + " is a regression model with " + m.network().outputWidth()
                    + " outputs; evaluate handles one real-valued target");
        }
        Dataset d = PathOptionException.on("--data", data, () -> DataSource.forEvaluation(data, label, noHeader, m,
                byPosition, main.spec.commandLine().getErr()));
        DataSource.requireWidth(d, m, label == null ? " (the label column is the last one unless --label names it)" : "");
        out.println("model     " + model.path + ": " + m.network() + (m.isClassifier() ? ", classes " + m.classLabels() : ""));
        ModelEvaluation.print(m, d, out, "data      " + data);
        return 0;
    }
}
