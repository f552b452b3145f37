package io.backlane.infer;

import io.backlane.nn.Model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Puts a caller's features in a model's order, by name, so that a row whose columns come in another
 * order still gets the right values, and one that lacks a feature or has one the model never saw is
 * refused by name rather than answered with nonsense. Made once per header; {@link #arrange} then
 * allocates nothing.
 *
 * <pre>{@code
 * FeatureOrder order = FeatureOrder.of(model, List.of("dose", "age"));   // a source's own column order
 * order.arrange(row, 0, features, 0);                                     // features[j]: model feature j
 * predictor.predict(features, answer);
 * }</pre>
 */
public final class FeatureOrder {
    private final int[] source; // source[j]: the caller's column of model feature j

    private FeatureOrder(int[] source) {
        this.source = source;
    }

    /**
     * The mapping from rows whose columns are named {@code columns} to {@code model}'s features.
     *
     * @throws IllegalArgumentException naming the model's features that {@code columns} lacks and
     *                                  the columns the model does not know
     */
    public static FeatureOrder of(Model model, List<String> columns) {
        if (model == null || columns == null) {
            throw new IllegalArgumentException("model and columns must not be null");
        }
        List<String> names = model.featureNames();
        Map<String, Integer> at = new HashMap<>();
        for (int c = 0; c < columns.size(); c++) {
            if (at.putIfAbsent(columns.get(c), c) != null) {
                throw new IllegalArgumentException("column " + columns.get(c) + " appears twice");
            }
        }
        int[] source = new int[names.size()];
        List<String> missing = new ArrayList<>();
        for (int j = 0; j < source.length; j++) {
            Integer c = at.get(names.get(j));
            if (c == null) {
                missing.add(names.get(j));
            } else {
                source[j] = c;
            }
        }
        requireMatch(names, missing, unknown(names, columns));
        return new FeatureOrder(source);
    }

    /** The model's features, taken by name from {@code values} into {@code dst} (n[0] values). */
    public static void byName(Model model, Map<String, ? extends Number> values, float[] dst) {
        if (model == null || values == null || dst == null) {
            throw new IllegalArgumentException("model, values and dst must not be null");
        }
        List<String> names = model.featureNames();
        if (dst.length != names.size()) {
            throw new IllegalArgumentException("dst must have room for the model's " + names.size() + " features, got "
                    + dst.length);
        }
        List<String> missing = new ArrayList<>();
        for (int j = 0; j < names.size(); j++) {
            Number v = values.get(names.get(j));
            if (v == null) {
                missing.add(names.get(j));
            } else {
                dst[j] = v.floatValue();
            }
        }
        requireMatch(names, missing, unknown(names, values.keySet()));
    }

    private static List<String> unknown(List<String> names, Iterable<String> given) {
        Set<String> known = new HashSet<>(names);
        List<String> unknown = new ArrayList<>();
        for (String g : given) {
            if (!known.contains(g)) {
                unknown.add(g);
            }
        }
        return unknown;
    }

    private static void requireMatch(List<String> names, List<String> missing, List<String> unknown) {
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            throw new IllegalArgumentException((unknown.isEmpty() ? "" : "unknown features " + unknown
                    + (missing.isEmpty() ? "" : "; ")) + (missing.isEmpty() ? "" : "missing features " + missing)
                    + "; the model's features are " + names);
        }
    }

    private static String describe(float[] x, int off) {
        return x == null ? "null" : "length " + x.length + " from " + off;
    }

    /** The number of model features. */
    public int width() {
        return source.length;
    }

    /**
     * dst[dstOff + j] = row[rowOff + (the caller's column of feature j)], for every model feature j.
     * {@code row} and {@code dst} must not overlap: the features move to other places.
     */
    public void arrange(float[] row, int rowOff, float[] dst, int dstOff) {
        int n = source.length;
        if (row == null || dst == null || rowOff < 0 || dstOff < 0 || (long) rowOff + n > row.length
                || (long) dstOff + n > dst.length) {
            throw new IllegalArgumentException("row and dst must each hold the " + n + " features from their offsets, got "
                    + describe(row, rowOff) + " and " + describe(dst, dstOff));
        }
        if (row == dst && rowOff < dstOff + n && dstOff < rowOff + n) {
            throw new IllegalArgumentException("row and dst overlap (the same array, offsets " + rowOff + " and " + dstOff
                    + "): arrange into another array");
        }
        for (int j = 0; j < source.length; j++) {
            dst[dstOff + j] = row[rowOff + source[j]];
        }
    }
}
