package io.backlane.cli;

import io.backlane.data.Dataset;
import io.backlane.infer.Predictor;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Test metrics computed from a model's outputs: for classification the confusion matrix, accuracy,
 * and (for two classes) precision, recall, F1 and ROC-AUC of the second class; for regression the
 * mean squared error, its root, the mean absolute error and R².
 *
 * <p>Conventions: a ratio whose denominator is 0 (precision with no positive prediction, AUC with
 * only one class present) is NaN, printed as {@code n/a}; F1 is 0 when precision and recall are both
 * 0. ROC-AUC is the Mann–Whitney statistic: the probability that a random positive example scores
 * higher than a random negative one, ties counting one half, which equals the area under the ROC
 * curve drawn with trapezoids through tied scores.
 *
 * <pre>{@code
 * long[][] c = Metrics.confusion(actual, predicted, 2);
 * double p = Metrics.precision(c, 1), r = Metrics.recall(c, 1);
 * double auc = Metrics.rocAuc(scores, isPositive);
 * }</pre>
 */
final class Metrics {
    private Metrics() {
    }

    // ---------------------------------------------------------------------------------------------
    // Building blocks

    /** counts[a][p]: examples of actual class a predicted as p. */
    public static long[][] confusion(int[] actual, int[] predicted, int classes) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException("actual has " + actual.length + " entries, predicted " + predicted.length);
        }
        long[][] c = new long[classes][classes];
        for (int i = 0; i < actual.length; i++) {
            c[actual[i]][predicted[i]]++;
        }
        return c;
    }

    /** The fraction on the diagonal; NaN for no examples. */
    public static double accuracy(long[][] confusion) {
        long right = 0;
        long all = 0;
        for (int a = 0; a < confusion.length; a++) {
            for (int p = 0; p < confusion.length; p++) {
                all += confusion[a][p];
            }
            right += confusion[a][a];
        }
        return ratio(right, all);
    }

    /** Of the examples predicted as {@code cls}, the fraction that are: TP / (TP + FP). */
    public static double precision(long[][] confusion, int cls) {
        long predicted = 0;
        for (long[] row : confusion) {
            predicted += row[cls];
        }
        return ratio(confusion[cls][cls], predicted);
    }

    /** Of the examples of class {@code cls}, the fraction predicted as it: TP / (TP + FN). */
    public static double recall(long[][] confusion, int cls) {
        return ratio(confusion[cls][cls], Arrays.stream(confusion[cls]).sum());
    }

    /** The harmonic mean 2pr / (p + r); 0 when both are 0, NaN when either is. */
    public static double f1(double precision, double recall) {
        if (Double.isNaN(precision) || Double.isNaN(recall)) {
            return Double.NaN;
        }
        return precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
    }

    private static double ratio(long num, long den) {
        return den == 0 ? Double.NaN : (double) num / den;
    }

    /**
     * Area under the ROC curve from scores (higher = more likely positive), by the Mann–Whitney U
     * statistic with mid-ranks for ties: (R⁺ − n⁺(n⁺ + 1)/2) / (n⁺ n⁻), where R⁺ is the sum of the
     * ranks of the positive examples. NaN unless both classes are present.
     */
    public static double rocAuc(double[] scores, boolean[] positive) {
        int n = scores.length;
        if (positive.length != n) {
            throw new IllegalArgumentException("scores has " + n + " entries, positive " + positive.length);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double positiveRanks = 0;
        long nPos = 0;
        for (int start = 0; start < n; ) {
            int end = start;
            while (end + 1 < n && scores[order[end + 1]] == scores[order[start]]) {
                end++;
            }
            double midRank = (start + end) / 2.0 + 1;   // ranks start..end (0-based) share their mean, 1-based
            for (int i = start; i <= end; i++) {
                if (positive[order[i]]) {
                    positiveRanks += midRank;
                    nPos++;
                }
            }
            start = end + 1;
        }
        long nNeg = n - nPos;
        if (nPos == 0 || nNeg == 0) {
            return Double.NaN;
        }
        return (positiveRanks - nPos * (nPos + 1) / 2.0) / ((double) nPos * nNeg);
    }

    // ---------------------------------------------------------------------------------------------
    // Reports

    /**
     * Classification results.
     *
     * @param labels    class names by index
     * @param confusion counts[actual][predicted]
     * @param loss      the mean loss (as training measures it), or NaN when not known
     * @param rocAuc    for two classes, the AUC of class 1's score; else NaN
     */
    public record Classification(List<String> labels, long[][] confusion, double loss, double rocAuc) {
        /**
         * From network outputs ({@code rows × width}, row-major: a single sigmoid unit, or one
         * unit per class) and the actual classes.
         */
        public static Classification of(List<String> labels, int[] actual, float[] outputs, int width, double loss) {
            int n = actual.length;
            int[] predicted = new int[n];
            for (int i = 0; i < n; i++) {
                predicted[i] = Predictor.classOf(outputs, i * width, width);
            }
            double auc = Double.NaN;
            if (labels.size() == 2) {
                double[] scores = new double[n];
                boolean[] positive = new boolean[n];
                for (int i = 0; i < n; i++) {
                    scores[i] = outputs[i * width + width - 1];   // P(class 1): the only unit, or the second
                    positive[i] = actual[i] == 1;
                }
                auc = Metrics.rocAuc(scores, positive);
            }
            return new Classification(List.copyOf(labels), Metrics.confusion(actual, predicted, labels.size()), loss, auc);
        }

        public long count() {
            return Arrays.stream(confusion).flatMapToLong(Arrays::stream).sum();
        }

        public double accuracy() {
            return Metrics.accuracy(confusion);
        }

        /** Precision of class 1 (two classes). */
        public double precision() {
            return Metrics.precision(confusion, 1);
        }

        /** Recall of class 1 (two classes). */
        public double recall() {
            return Metrics.recall(confusion, 1);
        }

        /** F1 of class 1 (two classes). */
        public double f1() {
            return Metrics.f1(precision(), recall());
        }

        /** The unweighted mean over classes of the per-class F1 (a class never predicted counts 0). */
        public double macroF1() {
            double sum = 0;
            for (int c = 0; c < labels.size(); c++) {
                double f = Metrics.f1(Metrics.precision(confusion, c), Metrics.recall(confusion, c));
                sum += Double.isNaN(f) ? 0 : f;
            }
            return sum / labels.size();
        }

        /** Prints the metrics and the confusion matrix, indented under {@code title}. */
        public void print(PrintWriter out, String title) {
            out.println(title + ": " + count() + " examples");
            out.printf(Locale.ROOT, "  accuracy   %s%n", percent(accuracy()));
            out.printf(Locale.ROOT, "  loss       %s%n", number(loss));
            if (labels.size() == 2) {
                out.printf(Locale.ROOT, "  precision  %s   (positive class: %s)%n", number(precision()), labels.get(1));
                out.printf(Locale.ROOT, "  recall     %s%n", number(recall()));
                out.printf(Locale.ROOT, "  f1         %s%n", number(f1()));
                out.printf(Locale.ROOT, "  roc_auc    %s%n", number(rocAuc));
            } else {
                out.printf(Locale.ROOT, "  macro_f1   %s%n", number(macroF1()));
            }
            out.println("  confusion matrix (rows: actual, columns: predicted):");
            int nameWidth = labels.stream().mapToInt(String::length).max().orElse(1);
            int cell = 1;
            for (long[] row : confusion) {
                for (long v : row) {
                    cell = Math.max(cell, Long.toString(v).length());
                }
            }
            int[] widths = new int[labels.size()];
            StringBuilder header = new StringBuilder("    ").append(" ".repeat(nameWidth));
            for (int c = 0; c < labels.size(); c++) {
                widths[c] = Math.max(cell, labels.get(c).length());
                header.append("  ").append(pad(labels.get(c), widths[c]));
            }
            out.println(header.toString().stripTrailing());
            for (int a = 0; a < labels.size(); a++) {
                StringBuilder line = new StringBuilder("    ").append(labels.get(a))
                        .append(" ".repeat(nameWidth - labels.get(a).length()));
                for (int p = 0; p < labels.size(); p++) {
                    line.append("  ").append(pad(Long.toString(confusion[a][p]), widths[p]));
                }
                out.println(line);
            }
        }
    }

    /**
     * Regression results.
     *
     * @param count the number of examples
     * @param mse   mean of (prediction − target)²
     * @param mae   mean of |prediction − target|
     * @param r2    1 − SS_res / SS_tot (NaN when the targets are all equal)
     * @param loss  the mean loss as training measures it (½ squared error), or NaN
     */
    public record Regression(long count, double mse, double mae, double r2, double loss) {
        /** From predictions and targets (one each per example). */
        public static Regression of(float[] predicted, float[] actual, double loss) {
            int n = actual.length;
            double mean = 0;
            for (float v : actual) {
                mean += v;
            }
            mean /= n;
            double sse = 0;
            double sae = 0;
            double sst = 0;
            for (int i = 0; i < n; i++) {
                double e = (double) predicted[i] - actual[i];
                sse += e * e;
                sae += Math.abs(e);
                sst += (actual[i] - mean) * (actual[i] - mean);
            }
            return new Regression(n, sse / n, sae / n, sst == 0 ? Double.NaN : 1 - sse / sst, loss);
        }

        public double rmse() {
            return Math.sqrt(mse);
        }

        public void print(PrintWriter out, String title) {
            out.println(title + ": " + count + " examples");
            out.printf(Locale.ROOT, "  loss       %s   (half the mean squared error)%n", number(loss));
            out.printf(Locale.ROOT, "  mse        %s%n", number(mse));
            out.printf(Locale.ROOT, "  rmse       %s%n", number(rmse()));
            out.printf(Locale.ROOT, "  mae        %s%n", number(mae));
            out.printf(Locale.ROOT, "  r2         %s%n", number(r2));
        }
    }

    /**
     * A trained model's headline metric next to the trivial baseline's on the same examples: for
     * classification the accuracy of always predicting the training split's majority class, for
     * regression the mean squared error of always predicting the training split's mean target (the
     * model's R² on those examples is then at most 0 unless it does better). The model is
     * {@link #better} only when it strictly beats the baseline.
     *
     * @param metric   "accuracy" or "mse"
     * @param model    the model's value
     * @param baseline the baseline's value
     * @param what     the baseline in words, e.g. "always predicting benign"
     */
    record Comparison(String metric, double model, double baseline, String what) {
        /**
         * The baseline from {@code train}, measured on {@code evaluated}, against the model's
         * {@code modelMetric} there (accuracy for classes, mean squared error for values).
         */
        static Comparison of(Dataset train, Dataset evaluated, double modelMetric) {
            if (train.isClassification()) {
                int[] counts = train.classCounts();
                int majority = 0;
                for (int c = 1; c < counts.length; c++) {
                    if (counts[c] > counts[majority]) {
                        majority = c;
                    }
                }
                long hits = 0;
                for (int c : evaluated.classIndices()) {
                    hits += c == majority ? 1 : 0;
                }
                return new Comparison("accuracy", modelMetric, (double) hits / evaluated.rows(),
                        "always predicting the majority class " + train.classLabels().get(majority));
            }
            double mean = 0;
            for (float v : train.targets()) {
                mean += v;
            }
            mean /= train.rows();
            double sse = 0;
            for (float v : evaluated.targets()) {
                sse += (v - mean) * (v - mean);
            }
            return new Comparison("mse", modelMetric, sse / evaluated.rows(),
                    "always predicting the training mean " + String.format(Locale.ROOT, "%.4g", mean));
        }

        /** Whether the model strictly beats the baseline (higher accuracy, or lower mean squared error). */
        boolean better() {
            return metric.equals("accuracy") ? model > baseline : model < baseline;
        }

        /** One line for the user, naming the split the metrics were measured on. */
        String message(String split) {
            boolean percent = metric.equals("accuracy");
            return "the model is no better than the trivial baseline: " + split + " " + metric + " "
                    + (percent ? percent(model) : number(model)) + ", versus " + (percent ? percent(baseline) : number(baseline))
                    + " for " + what;
        }
    }

    static String number(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String percent(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
