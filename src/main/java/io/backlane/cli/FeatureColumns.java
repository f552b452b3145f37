package io.backlane.cli;

import io.backlane.data.DataFormatException;
import io.backlane.data.Dataset;
import io.backlane.infer.FeatureOrder;
import io.backlane.nn.Model;

import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which input column feeds which of a model's features, for {@code predict} and {@code evaluate}: by
 * header name, so that a file whose columns come in another order still gets the right values, and
 * a file that lacks a feature or has one the model never saw is refused by name rather than
 * answered with nonsense. By position instead when the file has no header ({@code --no-header}),
 * when the model has no names (a version-1 file: x0, x1, ...), or with {@code --by-position}, which
 * warns once when the names differ.
 *
 * <pre>{@code
 * FeatureOrder order = FeatureColumns.match(model, header, "new.csv", false, false, err, "");   // null: file order
 * }</pre>
 */
final class FeatureColumns {
    private FeatureColumns() {
    }

    /**
     * The mapping of the file's columns to the model's features ({@link FeatureOrder}, from the
     * library), or null when the columns are taken in file order (the caller still checks the width).
     *
     * @param columns    the file's feature columns in file order (the label column left out)
     * @param noHeader   the file has no header: its column names mean nothing
     * @param byPosition {@code --by-position}: take the columns in file order, with a warning on
     *                   {@code err} when their names differ from the model's
     * @param hint       added to the error when the file has columns the model does not know
     * @throws DataFormatException naming the model features the file lacks and the columns the
     *                             model does not know
     */
    static FeatureOrder match(Model model, List<String> columns, String source, boolean noHeader, boolean byPosition,
                              PrintWriter err, String hint) throws DataFormatException {
        List<String> names = model.featureNames();
        if (noHeader || !hasNames(model)) {
            return null;
        }
        if (byPosition) {
            if (!columns.equals(names)) {
                err.println("warning: --by-position: the columns of " + source + " " + shortList(columns)
                        + " are not the model's features " + shortList(names) + "; they are taken in file order");
                err.flush();
            }
            return null;
        }
        if (columns.equals(names)) {
            return null;
        }
        Set<String> present = new HashSet<>(columns);
        List<String> missing = names.stream().filter(n -> !present.contains(n)).toList();
        Set<String> known = new HashSet<>(names);
        List<String> unknown = columns.stream().filter(c -> !known.contains(c)).toList();
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            String problem = "the columns do not match the model's features (matched by header name):"
                    + (missing.isEmpty() ? "" : " missing " + quoted(missing))
                    + (missing.isEmpty() || unknown.isEmpty() ? "" : ";")
                    + (unknown.isEmpty() ? "" : " unknown " + quoted(unknown))
                    + "; the model's features are " + shortList(names)
                    + "; --by-position takes the columns in file order" + (unknown.isEmpty() ? "" : hint);
            throw new DataFormatException(source, problem);
        }
        return FeatureOrder.of(model, columns);
    }

    /**
     * {@code data}'s features in the model's order (see {@link #match}); {@code data} itself when
     * they already are, or when they are taken by position.
     */
    static Dataset arrange(Dataset data, Model model, boolean noHeader, boolean byPosition, PrintWriter err)
            throws DataFormatException {
        FeatureOrder order = match(model, data.featureNames(), data.source(), noHeader, byPosition, err, "");
        if (order == null) {
            return data;
        }
        int rows = data.rows();
        int width = data.width();
        float[] from = data.features();
        float[] to = new float[rows * order.width()];
        for (int i = 0; i < rows; i++) {
            order.arrange(from, i * width, to, i * order.width());
        }
        List<String> names = model.featureNames();
        return data.isClassification()
                ? Dataset.classification(names, to, data.classIndices(), data.classLabels(), data.targetName())
                : Dataset.regression(names, to, data.targets(), data.targetName());
    }

    /** Whether the model's features have real names: a version-1 model has x0, x1, ... (none stored). */
    static boolean hasNames(Model model) {
        List<String> names = model.featureNames();
        for (int j = 0; j < names.size(); j++) {
            if (!names.get(j).equals("x" + j)) {
                return true;
            }
        }
        return false;
    }

    private static String quoted(List<String> names) {
        List<String> q = names.stream().map(n -> "\"" + n + "\"").toList();
        return shortList(q);
    }

    private static String shortList(List<String> names) {
        int most = 10;
        return names.size() <= most ? names.toString()
                : names.subList(0, most) + " and " + (names.size() - most) + " more";
    }
}
