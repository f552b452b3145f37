package io.backlane.cli;

import io.backlane.data.Dataset;
import io.backlane.io.ModelReader;
import io.backlane.nn.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code backlane evaluate}: the metrics of a saved model on a labelled dataset. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluates a saved model on a labelled dataset: accuracy, loss, confusion matrix, and for two"
                + " classes precision, recall, F1 and ROC-AUC (regression: MSE, RMSE, MAE, R^2).",
                "Labels are mapped through the model's class list; a label the model does not know is an error."},
        footer = {"", "Examples:",
                "  backlane evaluate --model cancer.bkln --data breast-cancer",
                "  backlane evaluate --model fashion.bkln --data /usr/share/datasets/fashion-mnist"})
final class EvaluateCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by train --save.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DATA",
            description = "A bundled dataset (breast-cancer, digits), fashion-mnist, a CSV file, or an IDX directory"
                    + " (its test files are used). Every row of a CSV file is evaluated.")
    String data;

    @Option(names = "--label", paramLabel = "COLUMN",
            description = "CSV label column: a header name, or a 0-based index (negative from the end)."
                    + " Default: the last column.")
    String label;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = main.spec.commandLine().getOut();
        Model m = ModelReader.load(model);
        if (!m.isClassifier() && m.network().outputWidth() != 1) {
            throw new UsageException(model + " is a regression model with " + m.network().outputWidth()
                    + " outputs; evaluate handles one real-valued target");
        }
        Dataset d = DataSource.forEvaluation(data, label, m);
        DataSource.requireWidth(d, m, label == null ? " (the label column is the last one unless --label names it)" : "");
        out.println("model     " + model + ": " + m.network() + (m.isClassifier() ? ", classes " + m.classLabels() : ""));
        ModelEvaluation.print(m, d, out, "data      " + data);
        return 0;
    }
}
