package io.backlane.cli;

import io.backlane.data.BundledDatasets;
import io.backlane.data.CsvLoader;
import io.backlane.data.DataFormatException;
import io.backlane.data.Dataset;
import io.backlane.data.IdxLoader;
import io.backlane.nn.Model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the {@code --data} argument into datasets. It names one of:
 * <ul>
 *   <li>a bundled dataset ({@code breast-cancer}, {@code digits});</li>
 *   <li>{@code fashion-mnist}: the IDX directory {@link IdxLoader#FASHION_MNIST_DIR} where
 *       {@code apt-get install dataset-fashion-mnist} puts the files;</li>
 *   <li>a directory: the four IDX files of MNIST or Fashion-MNIST (class names of Fashion-MNIST when
 *       the directory's name contains "fashion");</li>
 *   <li>anything else: a CSV file with a header row (or, with {@code --no-header}, without one: the
 *       columns are then named c0, c1, ...), the label in {@code --label} (a column name, or a
 *       0-based index, negative from the end; default the last column).</li>
 * </ul>
 */
final class DataSource {
    /** The name that stands for {@link IdxLoader#FASHION_MNIST_DIR}. */
    static final String FASHION_MNIST = "fashion-mnist";
    /** In {@link Task#AUTO}, a numeric label column with more distinct values than this is a regression target. */
    static final int MAX_AUTO_CLASSES = 20;

    private DataSource() {
    }

    /** What the label column holds. */
    enum Task {
        /** Classification unless the labels are all numbers and not few distinct integers. */
        AUTO,
        CLASSIFICATION,
        REGRESSION
    }

    /**
     * Training data.
     *
     * @param data       all the rows to split into training, validation and (unless presetTest) test
     * @param presetTest a test set that comes with the data (the IDX t10k files), or null
     */
    record TrainingData(Dataset data, Dataset presetTest) {
    }

    private sealed interface Kind permits Bundled, Idx, Csv {
    }

    private record Bundled(String name) implements Kind {
    }

    private record Idx(Path dir) implements Kind {
    }

    private record Csv(Path file) implements Kind {
    }

    private static Kind resolve(String spec) throws IOException {
        if (BundledDatasets.contains(spec)) {
            return new Bundled(spec);
        }
        if (spec.equals(FASHION_MNIST)) {
            if (!Files.isDirectory(IdxLoader.FASHION_MNIST_DIR)) {
                throw new NoSuchFileException(IdxLoader.FASHION_MNIST_DIR.toString(), null,
                        "Fashion-MNIST is not installed there; install it with: sudo apt-get install dataset-fashion-mnist"
                                + " (or pass --data DIR with the four IDX files)");
            }
            return new Idx(IdxLoader.FASHION_MNIST_DIR);
        }
        Path p;
        try {
            p = Path.of(spec);
        } catch (InvalidPathException e) {
            throw new NoSuchFileException(spec, null, "not a valid path; " + choices());
        }
        if (Files.isDirectory(p)) {
            return new Idx(p);
        }
        if (!Files.exists(p)) {
            throw new NoSuchFileException(spec, null, "no such file or directory; " + choices());
        }
        return new Csv(p);
    }

    private static String choices() {
        return "--data takes a bundled dataset (" + String.join(", ", BundledDatasets.names()) + "), "
                + FASHION_MNIST + ", a CSV file or a directory of IDX files";
    }

    /** A CSV loader builder of the given kind, without a header row when {@code noHeader}. */
    private static CsvLoader.Builder csvLoader(CsvLoader.Builder b, boolean noHeader) {
        return noHeader ? b.noHeader() : b;
    }

    private static void rejectNoHeader(boolean noHeader, String what) {
        if (noHeader) {
            throw new UsageException("--no-header applies to CSV files only, not " + what);
        }
    }

    private static void rejectLabel(String label, String what) {
        if (label != null) {
            throw new UsageException("--label applies to CSV files only; " + what + " has its own labels");
        }
    }

    /**
     * IDX data with readable class names: in a Fashion-MNIST directory, labels 0..9 become the
     * garment names; otherwise (and for any label above 9) the label values stay the names.
     */
    private static Dataset idxClassNames(Dataset d, Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        boolean fashion = dir.toAbsolutePath().normalize().equals(IdxLoader.FASHION_MNIST_DIR)
                || (name != null && name.toString().toLowerCase(Locale.ROOT).contains("fashion"));
        List<String> values = d.classLabels();
        if (!fashion || !values.stream().allMatch(v -> v.length() == 1 && Character.isDigit(v.charAt(0)))) {
            return d;
        }
        return d.withClassLabels(values.stream().map(v -> IdxLoader.FASHION_MNIST_CLASS_NAMES.get(v.charAt(0) - '0'))
                .toList());
    }

    /** Refuses an empty {@code --label} (a usage error) before any data is read. */
    static void checkLabelOption(String label) {
        if (label != null && label.isBlank()) {
            throw new UsageException("--label must name a column (a header name, or a 0-based index), got an empty value");
        }
    }

    /** Chooses the label column: a whole number is a 0-based index (negative from the end), else a name. */
    static CsvLoader.Builder labelColumn(CsvLoader.Builder b, String label) {
        if (label == null) {
            return b;
        }
        try {
            return b.labelColumn(Integer.parseInt(label.strip()));
        } catch (NumberFormatException e) {
            return b.labelColumn(label);
        }
    }

    /** Data for {@code train}. */
    static TrainingData forTraining(String spec, String label, boolean noHeader, Task task) throws IOException {
        Kind kind = resolve(spec);
        switch (kind) {
            case Bundled b -> {
                rejectLabel(label, "the bundled dataset " + b.name());
                rejectNoHeader(noHeader, "the bundled dataset " + b.name());
                rejectRegression(task, b.name());
                return new TrainingData(BundledDatasets.load(b.name()), null);
            }
            case Idx idx -> {
                rejectLabel(label, "an IDX directory");
                rejectNoHeader(noHeader, "an IDX directory");
                rejectRegression(task, idx.dir().toString());
                IdxLoader.TrainTest tt = IdxLoader.loadDirectory(idx.dir());
                return new TrainingData(idxClassNames(tt.train(), idx.dir()), idxClassNames(tt.test(), idx.dir()));
            }
            case Csv csv -> {
                Path file = csv.file();
                if (task == Task.REGRESSION) {
                    return new TrainingData(labelColumn(csvLoader(CsvLoader.regression(), noHeader), label).build().load(file),
                            null);
                }
                Dataset d = labelColumn(csvLoader(CsvLoader.classification(), noHeader), label).build().load(file);
                if (task == Task.AUTO && looksLikeRegression(d.classLabels())) {
                    try {
                        d = labelColumn(csvLoader(CsvLoader.regression(), noHeader), label).build().load(file);
                    } catch (DataFormatException e) {
                        // Numbers but for a few cells (NaN, ?): name the first, and say how to read the column otherwise.
                        throw new IOException(e.getMessage() + " (--task auto took " + labelColumnName(d)
                                + " for real-valued targets, its values being numbers but for a few; --task"
                                + " classification reads them as class labels)", e);
                    }
                } else if (task == Task.AUTO && d.classCount() > MAX_AUTO_CLASSES && d.classCount() > d.rows() / 2) {
                    throw new UsageException(file + ": " + labelColumnName(d) + " has " + d.classCount()
                            + " distinct values in " + d.rows() + " rows, too many to be class labels: is it an id?"
                            + " (--label names the label column; --task classification takes this one anyway)");
                }
                return new TrainingData(d, null);
            }
        }
    }

    /**
     * For a model trained on IDX images (its features named by pixel, p{row}_{column}), refuses images
     * of another shape with as many pixels (2 × 8 for 4 × 4), which the width check would let through.
     */
    private static void requireSameImageShape(Dataset images, Model model, Path dir) throws DataFormatException {
        List<String> trained = model.featureNames();
        boolean pixels = trained.stream().allMatch(n -> n.matches("p\\d+_\\d+"));
        if (pixels && trained.size() == images.width() && !trained.equals(images.featureNames())) {
            throw new DataFormatException(dir.toString(), "its test images are " + shape(images.featureNames())
                    + " pixels; the model was trained on images of " + shape(trained));
        }
    }

    /** "rows x columns" of IDX pixel names, from the last one (p{rows-1}_{columns-1}). */
    private static String shape(List<String> pixelNames) {
        String[] last = pixelNames.get(pixelNames.size() - 1).substring(1).split("_");
        return (Integer.parseInt(last[0]) + 1) + " x " + (Integer.parseInt(last[1]) + 1);
    }

    private static String labelColumnName(Dataset d) {
        return d.targetName() != null ? "column \"" + d.targetName() + "\"" : "the label column";
    }

    private static void rejectRegression(Task task, String what) {
        if (task == Task.REGRESSION) {
            throw new UsageException("--task regression: " + what + " holds class labels, not real-valued targets");
        }
    }

    /**
     * The labels are numbers (all, or all but a few that are not finite numbers: NaN, ?, a typo in a
     * column of prices, which the regression load then reports where they are), and either one is
     * not a whole number or there are many distinct ones.
     */
    static boolean looksLikeRegression(List<String> labels) {
        boolean fraction = false;
        int numbers = 0;
        for (String s : labels) {
            double v;
            try {
                v = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                continue;
            }
            if (Double.isFinite(v)) {
                numbers++;
                fraction |= v != Math.rint(v);
            }
        }
        int others = labels.size() - numbers;
        return (others == 0 || others <= numbers / 100) && (fraction || numbers > MAX_AUTO_CLASSES);
    }

    /**
     * Labelled data for {@code evaluate}: class labels mapped through the model's class list (a label
     * the model does not know is an error naming where it is), or real-valued targets for a
     * regression model. For an IDX directory, its test files. A CSV file's columns are matched to the
     * model's features by header name (see {@link FeatureColumns}).
     */
    static Dataset forEvaluation(String spec, String label, boolean noHeader, Model model, boolean byPosition,
                                 PrintWriter err) throws IOException {
        Kind kind = resolve(spec);
        switch (kind) {
            case Bundled b -> {
                rejectLabel(label, "the bundled dataset " + b.name());
                rejectNoHeader(noHeader, "the bundled dataset " + b.name());
                requireClassifier(model, b.name());
                return relabel(BundledDatasets.load(b.name()), model.classLabels(), "bundled dataset " + b.name());
            }
            case Idx idx -> {
                rejectLabel(label, "an IDX directory");
                rejectNoHeader(noHeader, "an IDX directory");
                requireClassifier(model, idx.dir().toString());
                Dataset test = IdxLoader.load(idxFile(idx.dir(), IdxLoader.TEST_IMAGES),
                        idxFile(idx.dir(), IdxLoader.TEST_LABELS));
                requireSameImageShape(test, model, idx.dir());
                return relabel(idxClassNames(test, idx.dir()), model.classLabels(), idx.dir().toString());
            }
            case Csv csv -> {
                CsvLoader.Builder b = model.isClassifier()
                        ? CsvLoader.classification().classLabels(model.classLabels())
                        : CsvLoader.regression();
                Dataset d = labelColumn(csvLoader(b, noHeader), label).build().load(csv.file());
                return FeatureColumns.arrange(d, model, noHeader, byPosition, err);
            }
        }
    }

    private static void requireClassifier(Model model, String what) throws DataFormatException {
        if (!model.isClassifier()) {
            throw new DataFormatException(what, "holds class labels, but the model is a regression model");
        }
    }

    private static Path idxFile(Path dir, String base) throws NoSuchFileException {
        for (Path p : List.of(dir.resolve(base), dir.resolve(base + ".gz"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new NoSuchFileException(dir.resolve(base).toString(), null,
                "neither " + base + " nor " + base + ".gz is in " + dir);
    }

    /** The same rows with class indices in the order of {@code labels}; a class not in it is an error. */
    static Dataset relabel(Dataset d, List<String> labels, String source) throws DataFormatException {
        if (d.classLabels().equals(labels)) {
            return d;
        }
        Map<String, Integer> index = new HashMap<>();
        for (int k = 0; k < labels.size(); k++) {
            index.put(labels.get(k), k);
        }
        int[] from = d.classIndices();
        int[] to = new int[from.length];
        for (int i = 0; i < from.length; i++) {
            String name = d.classLabels().get(from[i]);
            Integer k = index.get(name);
            if (k == null) {
                throw new DataFormatException(source, "row " + (i + 1) + ": class label \"" + name
                        + "\" is not one of the model's classes " + labels);
            }
            to[i] = k;
        }
        return Dataset.classification(d.featureNames(), d.features(), to, labels, d.targetName());
    }

    /**
     * Prediction input, row by row as it arrives (see {@link CsvLoader#forEachRow}): every column a
     * feature, except the label column when {@code label} names one that the header has.
     */
    static void forEachPredictionRow(InputStream in, String source, String label, boolean noHeader,
                                     CsvLoader.RowHandler handler) throws IOException {
        if (label == null) {
            csvLoader(CsvLoader.featuresOnly(), noHeader).build().forEachRow(in, source, handler);
            return;
        }
        // Whether the header has the label column is known only once the loader has read the header, and
        // standard input cannot be read twice: keep the header line's bytes to give them to a second loader.
        byte[] header = firstLine(in);
        // A SequenceInputStream closes each stream it reaches the end of: the second loader must still
        // find this one open (at its end, when the input was only a header line or nothing), not closed.
        InputStream rest = new FilterInputStream(in) {
            @Override
            public void close() {
            }
        };
        try {
            labelColumn(csvLoader(CsvLoader.classification(), noHeader), label).build()
                    .forEachRow(new SequenceInputStream(new ByteArrayInputStream(header), rest), source, handler);
        } catch (DataFormatException e) {
            if (e.line() != 1 || e.column() != 0) {
                throw e;
            }
            // The label column is not in the header (or the header itself is bad, which the features-only
            // load reports again): read every column as a feature. The loader stopped at the end of the
            // header, which came from the copy (a SequenceInputStream reads one stream at a time), so
            // nothing of the rest was read.
            csvLoader(CsvLoader.featuresOnly(), noHeader).build()
                    .forEachRow(new SequenceInputStream(new ByteArrayInputStream(header), rest), source, handler);
        }
    }

    /**
     * The bytes of the first line with its terminator ({@code \n} or {@code \r}), or all bytes if it has
     * none; at most one byte more than the loader's line limit, so that the loader reports a line too long.
     */
    private static byte[] firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while (line.size() <= CsvLoader.DEFAULT_MAX_LINE_BYTES && (b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n' || b == '\r') {
                break;
            }
        }
        return line.toByteArray();
    }

    /** Refuses data whose width is not the model's input width. */
    static void requireWidth(Dataset d, Model model, String hint) throws DataFormatException {
        requireWidth(d.source(), d.width(), model, hint);
    }

    /** Refuses rows of {@code width} features from {@code source} when the model expects another width. */
    static void requireWidth(String source, int width, Model model, String hint) throws DataFormatException {
        int expected = model.network().inputWidth();
        if (width != expected) {
            throw new DataFormatException(source, "has " + width + " feature columns but the model expects "
                    + expected + hint);
        }
    }
}
