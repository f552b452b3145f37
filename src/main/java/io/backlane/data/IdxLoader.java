package io.backlane.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Loads image classification data in the IDX format of MNIST and Fashion-MNIST, plain or
 * gzip-compressed (recognised by the gzip magic bytes {@code 1f 8b}, not by the file name).
 *
 * <h2>Format and checks</h2>
 * An IDX file is a big-endian header, then unsigned bytes. Images: magic {@code 0x00000803}
 * (type {@code 08} = unsigned byte, 3 dimensions), then count, rows, columns (4 bytes each), then
 * count x rows x columns pixels. Labels: magic {@code 0x00000801}, then count, then one byte per
 * label. Dimensions must be positive and their product must fit in one Java array; this is checked
 * before anything is allocated, so a corrupt header cannot make the loader try to allocate
 * gigabytes. The data length must match the header exactly (after decompression): missing bytes and
 * trailing bytes are both errors that state the expected and the actual length. Image and label
 * counts must agree. A label is any byte value 0..255.
 *
 * <h2>Result</h2>
 * A classification {@link Dataset}: one row per image, {@code rows x columns} features (784 for
 * 28 x 28) in row-major pixel order, each pixel scaled to [0, 1] as {@code byte / 255f}; feature
 * names {@code p<row>_<col>}. The classes are the distinct label values present, in increasing
 * order, named by their decimal value: {@code "0".."9"} for MNIST ({@link #DIGIT_CLASS_LABELS}); a
 * label file holding only 3, 5 and 200 gives the three classes {@code "3", "5", "200"}. With
 * {@link #loadDirectory} the classes are those present in the training or the test labels, so that
 * both sets share one class list. For Fashion-MNIST, {@link Dataset#withClassLabels(List)} with
 * {@link #FASHION_MNIST_CLASS_NAMES} gives readable names.
 *
 * <pre>{@code
 * IdxLoader.TrainTest fm = IdxLoader.loadDirectory(IdxLoader.FASHION_MNIST_DIR);
 * Dataset train = fm.train();                       // 60000 x 784
 * Dataset named = fm.test().withClassLabels(IdxLoader.FASHION_MNIST_CLASS_NAMES);
 * }</pre>
 */
public final class IdxLoader {
    /** Where Debian's {@code dataset-fashion-mnist} package installs the four IDX files (gzip). */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** Class labels of an IDX dataset whose labels are the ten digits, as MNIST's are. */
    public static final List<String> DIGIT_CLASS_LABELS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    /** Fashion-MNIST's class names, by label value (Zalando's list). */
    public static final List<String> FASHION_MNIST_CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover",
            "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** File names (without {@code .gz}) of the standard layout that {@link #loadDirectory} looks for. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    /** See {@link #TRAIN_IMAGES}. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    /** See {@link #TRAIN_IMAGES}. */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    /** See {@link #TRAIN_IMAGES}. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    /** The largest array the JVM reliably allocates. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private IdxLoader() {
    }

    /**
     * The training and test sets of a directory.
     *
     * @param train from {@code train-images-idx3-ubyte[.gz]} and {@code train-labels-idx1-ubyte[.gz]}
     * @param test  from {@code t10k-images-idx3-ubyte[.gz]} and {@code t10k-labels-idx1-ubyte[.gz]}
     */
    public record TrainTest(Dataset train, Dataset test) {
    }

    /**
     * Loads the standard four files from {@code dir}. For each, the plain name is used when it
     * exists, else the name with {@code .gz}; either may in fact be compressed or not.
     *
     * @throws NoSuchFileException naming the files looked for when one is missing
     */
    public static TrainTest loadDirectory(Path dir) throws IOException {
        if (dir == null) {
            throw new IllegalArgumentException("dir must not be null");
        }
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a directory (expected the four IDX files "
                    + TRAIN_IMAGES + "[.gz], " + TRAIN_LABELS + "[.gz], " + TEST_IMAGES + "[.gz], "
                    + TEST_LABELS + "[.gz])");
        }
        Path trainImages = find(dir, TRAIN_IMAGES);
        Path trainLabels = find(dir, TRAIN_LABELS);
        Path testImages = find(dir, TEST_IMAGES);
        Path testLabels = find(dir, TEST_LABELS);
        int[] yTrain = readLabels(trainLabels);
        int[] yTest = readLabels(testLabels);
        boolean[] present = present(yTrain);
        boolean[] inTest = present(yTest);
        for (int v = 0; v < present.length; v++) {
            present[v] |= inTest[v];
        }
        Images train = readImages(trainImages);
        Images test = readImages(testImages);
        if (train.rows() != test.rows() || train.cols() != test.cols()) { // 4×4 and 2×8: same width, other pixels
            throw new DataFormatException(testImages.toString(), "its images are " + test.rows() + " x " + test.cols()
                    + " pixels, the training images (" + trainImages + ") " + train.rows() + " x " + train.cols());
        }
        return new TrainTest(dataset(train, trainImages, yTrain, trainLabels, present),
                dataset(test, testImages, yTest, testLabels, present));
    }

    private static Path find(Path dir, String base) throws NoSuchFileException {
        Path plain = dir.resolve(base);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new NoSuchFileException(plain.toString(), null, "neither " + base + " nor " + base + ".gz is in " + dir);
    }

    /** Loads one pair of image and label files into a classification dataset. */
    public static Dataset load(Path images, Path labels) throws IOException {
        if (images == null || labels == null) {
            throw new IllegalArgumentException("images and labels must not be null");
        }
        int[] y = readLabels(labels);
        return dataset(readImages(images), images, y, labels, present(y));
    }

    /** Which of the label values 0..255 occur in {@code y}. */
    private static boolean[] present(int[] y) {
        boolean[] present = new boolean[256];
        for (int v : y) {
            present[v] = true;
        }
        return present;
    }

    /** The dataset of decoded images and raw label values; the classes are the values marked present. */
    private static Dataset dataset(Images im, Path images, int[] y, Path labels, boolean[] present)
            throws DataFormatException {
        if (y.length != im.count) {
            throw new DataFormatException(labels.toString(), "has " + y.length + " labels but " + images + " has "
                    + im.count + " images; the counts must be equal");
        }
        List<String> names = new ArrayList<>(im.rows * im.cols);
        for (int r = 0; r < im.rows; r++) {
            for (int c = 0; c < im.cols; c++) {
                names.add("p" + r + "_" + c);
            }
        }
        int[] classOf = new int[present.length];
        List<String> classes = new ArrayList<>();
        for (int v = 0; v < present.length; v++) {
            if (present[v]) {
                classOf[v] = classes.size();
                classes.add(Integer.toString(v));
            }
        }
        int[] indices = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            indices[i] = classOf[y[i]];
        }
        return new Dataset(images.toString(), names, im.pixels, im.count, Dataset.TargetKind.CLASSES, indices,
                List.copyOf(classes), null, "label");
    }

    /** Decoded images: pixels in [0, 1], count x (rows x cols), row-major. */
    record Images(int count, int rows, int cols, float[] pixels) {
    }

    static Images readImages(Path file) throws IOException {
        String src = file.toString();
        try (Opened f = open(file)) {
            int[] dims = header(f.in(), src, IMAGES_MAGIC, 3, "image");
            long n = elements(dims, src);
            byte[] data = payload(f.in(), src, n, 4 + 4L * dims.length, f.gzip());
            float[] pixels = new float[data.length];
            for (int i = 0; i < data.length; i++) {
                pixels[i] = (data[i] & 0xff) / 255f;
            }
            return new Images(dims[0], dims[1], dims[2], pixels);
        }
    }

    static int[] readLabels(Path file) throws IOException {
        String src = file.toString();
        try (Opened f = open(file)) {
            int[] dims = header(f.in(), src, LABELS_MAGIC, 1, "label");
            long n = elements(dims, src);
            long headerBytes = 4 + 4L * dims.length;
            byte[] data = payload(f.in(), src, n, headerBytes, f.gzip());
            int[] y = new int[data.length];
            for (int i = 0; i < data.length; i++) {
                y[i] = data[i] & 0xff;
            }
            return y;
        }
    }

    /** An open file, decompressing when it starts with the gzip magic bytes. */
    private record Opened(InputStream in, boolean gzip) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static Opened open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        boolean gz = raw.read() == 0x1f && raw.read() == 0x8b;
        raw.reset();
        if (!gz) {
            return new Opened(raw, false);
        }
        try {
            return new Opened(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16), true);
        } catch (IOException e) {
            raw.close();
            throw new DataFormatException(file.toString(), "starts like gzip (1f 8b) but its gzip header is invalid: "
                    + e.getMessage(), e);
        }
    }

    /** Reads and checks the magic number and dimensions. */
    private static int[] header(InputStream in, String src, int magic, int ndims, String what) throws IOException {
        byte[] h = readNBytes(in, src, 4);
        if (h.length < 4) {
            throw new DataFormatException(src, "too short for an IDX header: " + h.length + " bytes");
        }
        int m = int32(h, 0);
        if (m != magic) {
            throw new DataFormatException(src, String.format("magic number 0x%08x is not that of an IDX %s file "
                    + "(expected 0x%08x: unsigned bytes, %d dimension%s)", m, what, magic, ndims, ndims == 1 ? "" : "s"));
        }
        byte[] d = readNBytes(in, src, 4 * ndims);
        if (d.length < 4 * ndims) {
            throw new DataFormatException(src, "the header ends after " + (4 + d.length) + " bytes; " + ndims
                    + " dimension(s) need " + (4 + 4 * ndims));
        }
        int[] dims = new int[ndims];
        for (int k = 0; k < ndims; k++) {
            dims[k] = int32(d, 4 * k);
            if (dims[k] <= 0) {
                throw new DataFormatException(src, "dimension " + (k + 1) + " of the header is "
                        + Integer.toUnsignedString(dims[k]) + "; dimensions must be between 1 and 2^31 - 1");
            }
        }
        return dims;
    }

    /** The product of the dimensions, refused before any allocation when no array could hold it. */
    private static long elements(int[] dims, String src) throws DataFormatException {
        long n = 1;
        for (int dim : dims) {
            n *= dim; // both factors are < 2^31, so no long overflow before the check below
            if (n > MAX_ELEMENTS) {
                throw new DataFormatException(src, "the header's dimensions " + Arrays.toString(dims)
                        + " describe more than " + MAX_ELEMENTS + " bytes, which no array can hold");
            }
        }
        return n;
    }

    /**
     * Reads exactly {@code n} data bytes and checks that nothing follows. The buffer grows as data
     * actually arrives rather than being sized from the header, so a header that lies about its
     * length in a small file costs no memory.
     */
    private static byte[] payload(InputStream in, String src, long n, long headerBytes, boolean gz) throws IOException {
        String length = gz ? "decompressed length" : "length";
        byte[] buf = new byte[(int) Math.min(n, 1 << 20)];
        int got = 0;
        try {
            while (got < n) {
                if (got == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
                }
                int r = in.read(buf, got, buf.length - got);
                if (r < 0) {
                    break;
                }
                got += r;
            }
        } catch (DataFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new DataFormatException(src, "corrupt or truncated gzip data after " + (headerBytes + got)
                    + " decompressed bytes; the header implies " + (headerBytes + n) + " (" + e.getMessage() + ")", e);
        }
        if (got < n) {
            throw new DataFormatException(src, "truncated: the header implies a " + length + " of " + (headerBytes + n)
                    + " bytes (" + headerBytes + " header + " + n + " data), but the file has " + (headerBytes + got));
        }
        long extra;
        try {
            extra = in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new DataFormatException(src, "corrupt gzip data after the expected " + (headerBytes + n)
                    + " bytes (" + e.getMessage() + ")", e);
        }
        if (extra > 0) {
            throw new DataFormatException(src, "trailing bytes: the header implies a " + length + " of "
                    + (headerBytes + n) + " bytes, but the file has " + (headerBytes + n + extra));
        }
        return buf;
    }

    private static byte[] readNBytes(InputStream in, String src, int n) throws IOException {
        try {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new DataFormatException(src, "corrupt or truncated gzip data in the IDX header (" + e.getMessage() + ")", e);
        }
    }

    private static int int32(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

}
