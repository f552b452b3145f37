package io.backlane.cli;

import io.backlane.train.EpochStats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Learning curves as one self-contained SVG document, drawn by hand: two panels side by side, loss
 * on the left and accuracy on the right, each with axes, ticks, grid lines and a legend; training
 * curves solid, validation curves dashed. A curve without values (no validation split, or accuracy
 * of a regression) is left out, and a panel without any curve says so.
 */
final class LearningCurves {
    static final String TRAIN_COLOR = "#1f77b4";
    static final String VALIDATION_COLOR = "#ff7f0e";

    private static final int PANEL_WIDTH = 440;
    private static final int HEIGHT = 340;
    private static final int TOP = 50;
    private static final int LEFT = 64;
    private static final int RIGHT = 20;
    private static final int BOTTOM = 50;

    private LearningCurves() {
    }

    /** One series of a panel. */
    private record Series(String name, String color, boolean dashed, double[] values) {
        boolean present() {
            for (double v : values) {
                if (Double.isFinite(v)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The SVG document for {@code history}, with {@code title} on top. */
    static String svg(List<EpochStats> history, String title) {
        if (history.isEmpty()) {
            throw new IllegalArgumentException("no epochs to plot");
        }
        StringBuilder s = new StringBuilder();
        int width = 2 * PANEL_WIDTH;
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        s.append("  <title>").append(escape(title)).append("</title>\n");
        s.append("  <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append("  <text x=\"").append(width / 2).append("\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">")
                .append(escape(title)).append("</text>\n");
        panel(s, 0, "loss", history, List.of(
                new Series("training loss", TRAIN_COLOR, false, values(history, EpochStats::trainLoss)),
                new Series("validation loss", VALIDATION_COLOR, true, values(history, EpochStats::validationLoss))),
                false);
        panel(s, PANEL_WIDTH, "accuracy", history, List.of(
                new Series("training accuracy", TRAIN_COLOR, false, values(history, EpochStats::trainAccuracy)),
                new Series("validation accuracy", VALIDATION_COLOR, true, values(history, EpochStats::validationAccuracy))),
                true);
        s.append("</svg>\n");
        return s.toString();
    }

    private static double[] values(List<EpochStats> history, ToDoubleFunction<EpochStats> f) {
        return history.stream().mapToDouble(f).toArray();
    }

    private static void panel(StringBuilder s, int x0, String name, List<EpochStats> history, List<Series> all,
                              boolean unitInterval) {
        List<Series> series = all.stream().filter(Series::present).toList();
        int left = x0 + LEFT;
        int right = x0 + PANEL_WIDTH - RIGHT;
        int top = TOP;
        int bottom = HEIGHT - BOTTOM;
        s.append("  <g class=\"panel\" id=\"").append(name).append("\">\n");
        s.append("    <text x=\"").append((left + right) / 2).append("\" y=\"").append(top - 12)
                .append("\" text-anchor=\"middle\" font-size=\"13\">").append(name).append("</text>\n");
        if (series.isEmpty()) {
            s.append("    <rect x=\"").append(left).append("\" y=\"").append(top).append("\" width=\"").append(right - left)
                    .append("\" height=\"").append(bottom - top).append("\" fill=\"none\" stroke=\"#999\"/>\n");
            s.append("    <text x=\"").append((left + right) / 2).append("\" y=\"").append((top + bottom) / 2)
                    .append("\" text-anchor=\"middle\" fill=\"#666\">no ").append(name).append(" to show</text>\n");
            s.append("  </g>\n");
            return;
        }
        // x: epochs 1..n; y: the values' range, made nice
        int epochs = history.get(history.size() - 1).epoch();
        int firstEpoch = history.get(0).epoch();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series se : series) {
            for (double v : se.values()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (unitInterval) {
            hi = Math.min(1, hi);
        } else {
            lo = Math.min(0, lo);
        }
        double[] yTicks = ticks(lo, hi, 5);
        double yMin = yTicks[0];
        double yMax = yTicks[yTicks.length - 1];
        double[] xTicks = epochs == firstEpoch ? new double[] {firstEpoch} : ticks(firstEpoch, epochs, 6);
        double xMin = Math.min(firstEpoch, xTicks[0]);
        double xMax = Math.max(epochs, xTicks[xTicks.length - 1]);
        if (xMax == xMin) {
            xMin -= 1;
            xMax += 1;
        }
        Scale sx = new Scale(xMin, xMax, left, right);
        Scale sy = new Scale(yMin, yMax, bottom, top);

        // grid and ticks
        s.append("    <g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">\n");
        for (double t : yTicks) {
            s.append("      <line x1=\"").append(left).append("\" y1=\"").append(f(sy.at(t))).append("\" x2=\"").append(right)
                    .append("\" y2=\"").append(f(sy.at(t))).append("\"/>\n");
        }
        s.append("    </g>\n");
        s.append("    <g class=\"axes\" stroke=\"#333\" stroke-width=\"1\">\n");
        s.append("      <line x1=\"").append(left).append("\" y1=\"").append(bottom).append("\" x2=\"").append(right)
                .append("\" y2=\"").append(bottom).append("\"/>\n");
        s.append("      <line x1=\"").append(left).append("\" y1=\"").append(top).append("\" x2=\"").append(left)
                .append("\" y2=\"").append(bottom).append("\"/>\n");
        for (double t : xTicks) {
            s.append("      <line x1=\"").append(f(sx.at(t))).append("\" y1=\"").append(bottom).append("\" x2=\"")
                    .append(f(sx.at(t))).append("\" y2=\"").append(bottom + 5).append("\"/>\n");
        }
        for (double t : yTicks) {
            s.append("      <line x1=\"").append(left - 5).append("\" y1=\"").append(f(sy.at(t))).append("\" x2=\"")
                    .append(left).append("\" y2=\"").append(f(sy.at(t))).append("\"/>\n");
        }
        s.append("    </g>\n");
        s.append("    <g class=\"tick-labels\" fill=\"#333\">\n");
        for (double t : xTicks) {
            s.append("      <text x=\"").append(f(sx.at(t))).append("\" y=\"").append(bottom + 19)
                    .append("\" text-anchor=\"middle\">").append(label(t, xTicks)).append("</text>\n");
        }
        for (double t : yTicks) {
            s.append("      <text x=\"").append(left - 8).append("\" y=\"").append(f(sy.at(t) + 4))
                    .append("\" text-anchor=\"end\">").append(label(t, yTicks)).append("</text>\n");
        }
        s.append("    </g>\n");
        s.append("    <text x=\"").append((left + right) / 2).append("\" y=\"").append(HEIGHT - 12)
                .append("\" text-anchor=\"middle\">epoch</text>\n");
        s.append("    <text transform=\"translate(").append(x0 + 16).append(' ').append((top + bottom) / 2)
                .append(") rotate(-90)\" text-anchor=\"middle\">").append(name).append("</text>\n");

        // curves
        for (Series se : series) {
            List<String> points = new ArrayList<>();
            for (int i = 0; i < history.size(); i++) {
                double v = se.values()[i];
                if (Double.isFinite(v)) {
                    points.add(f(sx.at(history.get(i).epoch())) + "," + f(sy.at(v)));
                }
            }
            s.append("    <polyline class=\"curve\" fill=\"none\" stroke=\"").append(se.color())
                    .append("\" stroke-width=\"2\"").append(se.dashed() ? " stroke-dasharray=\"6 4\"" : "")
                    .append(" points=\"").append(String.join(" ", points)).append("\">\n");
            s.append("      <title>").append(escape(se.name())).append("</title>\n");
            s.append("    </polyline>\n");
            if (points.size() == 1) {   // a single epoch: a line of one point is invisible
                String[] xy = points.get(0).split(",");
                s.append("    <circle cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1]).append("\" r=\"3\" fill=\"")
                        .append(se.color()).append("\"/>\n");
            }
        }

        // legend, in the panel's upper right corner (loss) or lower right (accuracy), where curves rarely are
        int legendWidth = 150;
        int legendHeight = 10 + 18 * series.size();
        int lx = right - legendWidth - 8;
        int ly = unitInterval ? bottom - legendHeight - 8 : top + 8;
        s.append("    <g class=\"legend\">\n");
        s.append("      <rect x=\"").append(lx).append("\" y=\"").append(ly).append("\" width=\"").append(legendWidth)
                .append("\" height=\"").append(legendHeight)
                .append("\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>\n");
        for (int i = 0; i < series.size(); i++) {
            Series se = series.get(i);
            int y = ly + 14 + 18 * i;
            s.append("      <line x1=\"").append(lx + 8).append("\" y1=\"").append(y).append("\" x2=\"").append(lx + 34)
                    .append("\" y2=\"").append(y).append("\" stroke=\"").append(se.color()).append("\" stroke-width=\"2\"")
                    .append(se.dashed() ? " stroke-dasharray=\"6 4\"" : "").append("/>\n");
            s.append("      <text x=\"").append(lx + 40).append("\" y=\"").append(y + 4).append("\">")
                    .append(escape(se.name())).append("</text>\n");
        }
        s.append("    </g>\n");
        s.append("  </g>\n");
    }

    /** A linear map from data to pixels. */
    private record Scale(double d0, double d1, double p0, double p1) {
        double at(double v) {
            return p0 + (v - d0) / (d1 - d0) * (p1 - p0);
        }
    }

    /**
     * About {@code count} evenly spaced round ticks (steps of 1, 2, 2.5 or 5 × 10^k) covering [lo, hi];
     * the first is at or below lo, the last at or above hi.
     */
    static double[] ticks(double lo, double hi, int count) {
        if (!(hi > lo)) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        double raw = (hi - lo) / Math.max(1, count - 1);
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * magnitude >= raw) {
                step = m * magnitude;
                break;
            }
        }
        double first = Math.floor(lo / step + 1e-9) * step;
        double last = Math.ceil(hi / step - 1e-9) * step;
        int n = (int) Math.round((last - first) / step) + 1;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = first + i * step;
            if (Math.abs(t[i]) < step * 1e-9) {
                t[i] = 0;   // no "-0" or 1e-17 labels
            }
        }
        return t;
    }

    /** A tick label with just the decimals its step needs. */
    private static String label(double v, double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        int decimals = 0;
        while (decimals < 9 && Math.abs(step * Math.pow(10, decimals) - Math.rint(step * Math.pow(10, decimals))) > 1e-6) {
            decimals++;
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> b.append(c < 0x20 && c != '\t' && c != '\n' ? ' ' : c);
            }
        }
        return b.toString();
    }
}
