package io.backlane.io;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.backlane.io.OnnxDecoderLimitsTest.assertContains;
import static io.backlane.io.OnnxDecoderLimitsTest.model;
import static io.backlane.io.OnnxDecoderLimitsTest.nodesOfEmptyAttributes;
import static io.backlane.io.OnnxDecoderLimitsTest.refusal;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files of 1 or 2 MB that decoded to about 100 MB, and a file that was held in memory twice while
 * being loaded: under surefire's {@code small-heap} execution ({@code -Xmx64m}) each ran out of
 * memory before its fix, and is now refused (or read) within the heap.
 */
@Tag("small-heap")
class OnnxSmallHeapTest {
    @BeforeAll
    static void runsInTheSmallHeapExecution() {
        long max = Runtime.getRuntime().maxMemory();
        assertTrue(max <= 64L << 20, "this class must run in surefire's small-heap execution (-Xmx64m); the heap is "
                + (max >> 20) + " MiB");
    }

    @TempDir
    Path dir;

    @Test
    void aMillionEmptyAttributesAreRefusedAtTheCap() {
        // Each 2-byte empty attribute used to allocate a record and two 8-element arrays: some 250 bytes.
        ProtoWriter node = new ProtoWriter();
        for (int i = 0; i < 1_000_000; i++) {
            node.message(5, new ProtoWriter());
        }
        assertContains(refusal(model(new ProtoWriter().message(1, node))), "more than 64 attributes");
    }

    @Test
    void nodesFullOfEmptyAttributesAreRefusedByTheBudget() {
        assertContains(refusal(model(nodesOfEmptyAttributes(12_000))), "heap bytes per file byte");
    }

    @Test
    void aRegularFileIsHeldOnceWhileItIsRead() throws IOException {
        // 30 MiB: one unknown length-delimited field (number 15), so no graph. Read into one array of the
        // file's size it fits the 64 MiB heap; read and then copied (two arrays at once) it did not.
        int size = 30 << 20;
        Path file = dir.resolve("big.onnx");
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(5);
            int length = size - 5;
            head.put((byte) (15 << 3 | ProtoReader.LENGTH_DELIMITED));
            for (int i = 0; i < 4; i++) {
                head.put((byte) (length >>> 7 * i & 0x7F | (i < 3 ? 0x80 : 0)));
            }
            out.write(head.flip());
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long written = 5; written < size; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - written));
                written += out.write(zeros);
            }
        }
        assertContains(assertThrows(OnnxFormatException.class, () -> OnnxReader.load(file)).getMessage(),
                "no graph (field 7)");
    }

    @Test
    void aPipeThatNeverEndsIsRefusedNotAnOutOfMemoryError() throws Exception {
        // A FIFO has no size to check first: it is read as it comes. One that goes on past the heap (here
        // the start of a protobuf field, then zeros without end) used to end in an OutOfMemoryError.
        Path fifo = dir.resolve("endless.onnx");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor() == 0, "mkfifo failed");
        Thread writer = new Thread(() -> {
            try (FileChannel out = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap(new byte[] {(byte) (15 << 3 | ProtoReader.LENGTH_DELIMITED)}));
                ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 16);
                while (true) {
                    out.write(zeros.clear());
                }
            } catch (IOException closedByTheReader) {
                // the reader gave up: the end of this writer
            }
        });
        writer.setDaemon(true);
        writer.start();
        assertContains(assertThrows(OnnxFormatException.class, () -> OnnxReader.load(fifo)).getMessage(),
                "more than this JVM's heap can hold");
        writer.join(10_000);
    }
}
