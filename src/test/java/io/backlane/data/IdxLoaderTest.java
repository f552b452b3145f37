package io.backlane.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class IdxLoaderTest {
    @TempDir
    Path dir;

    /** The IDX bytes of {@code count} images of rows x cols, pixel k of image i = (i * 31 + k * 7) mod 256. */
    static byte[] images(int count, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + count * rows * cols);
        b.putInt(0x803).putInt(count).putInt(rows).putInt(cols);
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < rows * cols; k++) {
                b.put((byte) (i * 31 + k * 7));
            }
        }
        return b.array();
    }

    static byte[] labels(int... values) {
        ByteBuffer b = ByteBuffer.allocate(8 + values.length);
        b.putInt(0x801).putInt(values.length);
        for (int v : values) {
            b.put((byte) v);
        }
        return b.array();
    }

    static byte[] header(int magic, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] data) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }

    private DataFormatException fails(Path images, Path labels, String... fragments) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxLoader.load(images, labels));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message contains \"" + f + "\": " + e.getMessage());
        }
        return e;
    }

    /** The images of {@code images(3, 2, 3)} with the labels 7, 0, 9: by themselves, the three classes 0, 7, 9. */
    private void checkSmall(Dataset d, String source) {
        checkSmall(d, source, List.of("0", "7", "9"), new int[] {1, 0, 2});
    }

    private void checkSmall(Dataset d, String source, List<String> classes, int[] indices) {
        assertEquals(3, d.rows());
        assertEquals(6, d.width());
        assertEquals(source, d.source());
        assertEquals(classes, d.classLabels());
        assertEquals("label", d.targetName());
        assertEquals(List.of("p0_0", "p0_1", "p0_2", "p1_0", "p1_1", "p1_2"), d.featureNames());
        assertArrayEquals(indices, d.classIndices());
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 6; k++) {
                assertEquals(((i * 31 + k * 7) & 0xff) / 255f, d.feature(i, k), "image " + i + " pixel " + k);
            }
        }
    }

    @Test
    void loadsPlainFiles() throws IOException {
        Path im = write("im", images(3, 2, 3));
        checkSmall(IdxLoader.load(im, write("lb", labels(7, 0, 9))), im.toString());
    }

    @Test
    void detectsGzipByContentNotName() throws IOException {
        Path im = write("images-no-extension", gzip(images(3, 2, 3)));
        Path lb = write("labels.gz", labels(7, 0, 9)); // misleading name, plain content
        checkSmall(IdxLoader.load(im, lb), im.toString());
    }

    @Test
    void pixelsCoverZeroToOne() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + 4).putInt(0x803).putInt(1).putInt(2).putInt(2);
        b.put((byte) 0).put((byte) 255).put((byte) 128).put((byte) 1);
        Dataset d = IdxLoader.load(write("im", b.array()), write("lb", labels(3)));
        assertArrayEquals(new float[] {0f, 1f, 128 / 255f, 1 / 255f}, d.features());
    }

    @Test
    void loadsADirectoryOfMixedPlainAndGzipFiles() throws IOException {
        write(IdxLoader.TRAIN_IMAGES + ".gz", gzip(images(3, 2, 3)));
        write(IdxLoader.TRAIN_LABELS, labels(7, 0, 9));
        write(IdxLoader.TEST_IMAGES, images(2, 2, 3));
        write(IdxLoader.TEST_LABELS + ".gz", gzip(labels(1, 2)));
        IdxLoader.TrainTest tt = IdxLoader.loadDirectory(dir);
        // One class list for both: the labels present in either file.
        List<String> classes = List.of("0", "1", "2", "7", "9");
        checkSmall(tt.train(), dir.resolve(IdxLoader.TRAIN_IMAGES + ".gz").toString(), classes, new int[] {3, 0, 4});
        assertEquals(2, tt.test().rows());
        assertEquals(classes, tt.test().classLabels());
        assertArrayEquals(new int[] {1, 2}, tt.test().classIndices());
    }

    @Test
    void missingDirectoryFileIsNamed() throws IOException {
        write(IdxLoader.TRAIN_IMAGES, images(3, 2, 3));
        write(IdxLoader.TRAIN_LABELS, labels(7, 0, 9));
        write(IdxLoader.TEST_IMAGES, images(2, 2, 3));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> IdxLoader.loadDirectory(dir));
        assertTrue(e.getMessage().contains(IdxLoader.TEST_LABELS + ".gz"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> IdxLoader.loadDirectory(dir.resolve("absent")));
    }

    @Test
    void wrongMagicNumbers() throws IOException {
        Path lb = write("lb", labels(7, 0, 9));
        Path im = write("im", images(3, 2, 3));
        // labels given as images and the other way round
        fails(lb, lb, lb.toString(), "magic number 0x00000801", "expected 0x00000803");
        fails(im, im, im.toString(), "magic number 0x00000803", "expected 0x00000801");
        byte[] floats = images(3, 2, 3);
        floats[2] = 0x0D; // IDX type 0x0D = float
        fails(write("float-images", floats), lb, "float-images", "0x00000d03");
        byte[] twoDims = images(3, 2, 3);
        twoDims[3] = 2;
        fails(write("two-dims", twoDims), lb, "two-dims", "0x00000802");
        fails(write("text", "hello world, not IDX".getBytes()), lb, "text", "magic number");
    }

    @Test
    void headerTooShort() throws IOException {
        Path lb = write("lb", labels(7, 0, 9));
        fails(write("tiny", new byte[] {0, 0, 8}), lb, "tiny", "too short");
        fails(write("cut-dims", header(0x803, 3, 2)), lb, "cut-dims", "the header ends after 12 bytes");
        fails(write("empty", new byte[0]), lb, "empty", "too short");
    }

    @Test
    void dimensionsMustBePositive() throws IOException {
        Path lb = write("lb", labels(7, 0, 9));
        fails(write("zero", header(0x803, 3, 0, 3)), lb, "zero", "dimension 2", "is 0");
        fails(write("negative", header(0x803, 3, 2, 0x80000000)), lb, "negative", "dimension 3", "2147483648");
        fails(write("im", images(3, 2, 3)), write("nolabels", header(0x801, 0)), "nolabels", "dimension 1");
    }

    @Test
    void absurdDimensionsAreRefusedBeforeAllocating() throws IOException {
        Path lb = write("lb", labels(7, 0, 9));
        // 2^31 - 1 cubed: the product would overflow even a long if computed naively
        Path huge = write("huge", header(0x803, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE));
        fails(huge, lb, "huge", "no array can hold");
        Path big = write("big", header(0x803, 3_000_000, 28, 28)); // 2.35e9 bytes
        fails(big, lb, "big", "[3000000, 28, 28]");
        // within the array limit but far longer than the file: truncated, found without a 2 GB buffer
        Path lies = write("lies", header(0x803, 2_000_000, 28, 28));
        fails(lies, lb, "lies", "truncated", String.valueOf(16L + 2_000_000L * 784), "has 16");
    }

    @Test
    void truncatedOrTrailingData() throws IOException {
        Path lb = write("lb", labels(7, 0, 9));
        byte[] full = images(3, 2, 3); // 16 + 18 bytes
        fails(write("short", Arrays.copyOf(full, 30)), lb, "short", "truncated", "34 bytes", "the file has 30");
        fails(write("short.gz", gzip(Arrays.copyOf(full, 30))), lb, "short.gz", "decompressed length of 34",
                "the file has 30");
        fails(write("long", Arrays.copyOf(full, 37)), lb, "long", "trailing bytes", "34 bytes", "the file has 37");
        fails(write("long.gz", gzip(Arrays.copyOf(full, 35))), lb, "long.gz", "trailing", "the file has 35");
        Path im = write("im", full);
        fails(im, write("lb-short", Arrays.copyOf(labels(7, 0, 9), 10)), "lb-short", "truncated", "11 bytes",
                "the file has 10");
        fails(im, write("lb-long", Arrays.copyOf(labels(7, 0, 9), 12)), "lb-long", "trailing", "the file has 12");
    }

    @Test
    void corruptGzipStream() throws IOException {
        Path lb = write("lb", labels(7, 0, 9));
        byte[] gz = gzip(images(200, 10, 10));
        fails(write("cut.gz", Arrays.copyOf(gz, gz.length / 2)), lb, "cut.gz", "gzip");
        byte[] bad = gz.clone();
        for (int i = 20; i < bad.length - 8; i++) {
            bad[i] ^= 0x5a;
        }
        fails(write("garbled.gz", bad), lb, "garbled.gz", "gzip");
        fails(write("just-magic.gz", new byte[] {0x1f, (byte) 0x8b, 1}), lb, "just-magic.gz", "gzip");
    }

    @Test
    void countsMustMatch() throws IOException {
        Path im = write("im", images(3, 2, 3));
        Path lb = write("lb", labels(7, 0));
        fails(im, lb, im.toString(), lb.toString(), "2 labels", "3 images");
    }

    @Test
    void theClassesAreTheLabelValuesPresentNotJustDigits() throws IOException {
        Path im = write("im", images(4, 2, 3));
        Dataset d = IdxLoader.load(im, write("lb", labels(200, 10, 255, 10)));
        assertEquals(List.of("10", "200", "255"), d.classLabels());
        assertArrayEquals(new int[] {1, 0, 2, 0}, d.classIndices());
        Dataset digits = IdxLoader.load(im, write("lb2", labels(9, 8, 9, 8)));
        assertEquals(List.of("8", "9"), digits.classLabels());
    }

    @Test
    void fashionMnistFromTheDebianPackage() throws IOException {
        Path d = IdxLoader.FASHION_MNIST_DIR;
        Assumptions.assumeTrue(Files.isRegularFile(d.resolve(IdxLoader.TRAIN_IMAGES + ".gz"))
                        && Files.isRegularFile(d.resolve(IdxLoader.TRAIN_LABELS + ".gz"))
                        && Files.isRegularFile(d.resolve(IdxLoader.TEST_IMAGES + ".gz"))
                        && Files.isRegularFile(d.resolve(IdxLoader.TEST_LABELS + ".gz")),
                "Fashion-MNIST is not installed in " + d + " (apt-get install dataset-fashion-mnist)");
        IdxLoader.TrainTest tt = IdxLoader.loadDirectory(d);
        assertEquals(60_000, tt.train().rows());
        assertEquals(10_000, tt.test().rows());
        for (Dataset part : List.of(tt.train(), tt.test())) {
            assertEquals(784, part.width());
            assertEquals(10, part.classCount());
            int[] counts = part.classCounts(); // Fashion-MNIST is balanced: 6000 / 1000 per class
            for (int c : counts) {
                assertEquals(part.rows() / 10, c);
            }
        }
        float[] x = tt.test().features();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }
}
