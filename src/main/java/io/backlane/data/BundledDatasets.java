package io.backlane.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Small real datasets shipped inside the library jar, so that training works out of the box and
 * tests need no downloads. Attribution and licences (CC BY 4.0, via Debian's
 * {@code python3-sklearn}) are in {@code io/backlane/data/README.md} beside the files.
 *
 * <ul>
 *   <li>{@code "breast-cancer"}: Breast Cancer Wisconsin (Diagnostic), 569 x 30, label
 *       {@code diagnosis}, classes {@code benign} (357) and {@code malignant} (212);</li>
 *   <li>{@code "digits"}: Optical Recognition of Handwritten Digits, 8 x 8 pixel counts 0..16,
 *       1797 x 64, label {@code digit}, classes {@code "0".."9"}.</li>
 * </ul>
 *
 * <pre>{@code
 * Dataset d = BundledDatasets.load("breast-cancer");
 * for (String name : BundledDatasets.names()) { ... }
 * }</pre>
 */
public final class BundledDatasets {
    private record Entry(String file, String labelColumn) {
    }

    private static final Map<String, Entry> ENTRIES = Map.of(
            "breast-cancer", new Entry("breast-cancer-wisconsin.csv", "diagnosis"),
            "digits", new Entry("digits-8x8.csv", "digit"));

    private BundledDatasets() {
    }

    /** The names that {@link #load} accepts, sorted (Map.of has no stable order of its own). */
    public static List<String> names() {
        return ENTRIES.keySet().stream().sorted().toList();
    }

    /** Whether {@code name} is a bundled dataset. */
    public static boolean contains(String name) {
        return ENTRIES.containsKey(name);
    }

    /**
     * Loads a bundled dataset as classification data.
     *
     * @throws IllegalArgumentException for an unknown name; the message lists the known names
     */
    public static Dataset load(String name) {
        Entry e = name == null ? null : ENTRIES.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown bundled dataset \"" + name + "\"; known: "
                    + String.join(", ", names()));
        }
        CsvLoader loader = CsvLoader.classification().labelColumn(e.labelColumn()).build();
        try (InputStream in = BundledDatasets.class.getResourceAsStream(e.file())) {
            if (in == null) {
                throw new IllegalStateException("resource io/backlane/data/" + e.file() + " is missing from the jar");
            }
            return loader.load(in, "bundled:" + e.file());
        } catch (IOException ex) {
            // The files are part of the build and tested; failing here means a broken jar, not bad user input.
            throw new UncheckedIOException("cannot read bundled dataset " + name, ex);
        }
    }
}
