package io.backlane.io;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AtomicSaveTest {
    @TempDir
    Path dir;

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Model other() {
        Network net = Network.builder(3).dense(1, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        return TestModels.withSinParameters(net, FeatureScaler.identity(3), List.of());
    }

    @Test
    void savesANewFileAndLeavesNothingElse() throws IOException {
        Path target = dir.resolve("m.bkln");
        ModelWriter.save(TestModels.small(), target);
        assertEquals(List.of("m.bkln"), entries());
        ModelRoundTripTest.assertSameModel(TestModels.small(), ModelReader.load(target));
    }

    @Test
    void replacesAnExistingModel() throws IOException {
        Path target = dir.resolve("m.bkln");
        ModelWriter.save(TestModels.small(), target);
        ModelWriter.save(other(), target);
        assertEquals(List.of("m.bkln"), entries());
        assertArrayEquals(ModelWriter.toBytes(other()), Files.readAllBytes(target));
    }

    @Test
    void relativePath() throws IOException {
        // The temporary file goes beside the resolved target, wherever the working directory is.
        Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("r.bkln"));
        ModelWriter.save(TestModels.small(), relative);
        assertEquals(List.of("r.bkln"), entries());
    }

    @Test
    void aWriteFailingHalfwayKeepsTheOldFileAndRemovesTheTemporary() throws IOException {
        Path target = dir.resolve("m.bkln");
        ModelWriter.save(TestModels.small(), target);
        byte[] before = Files.readAllBytes(target);
        IOException boom = new IOException("disk full (simulated)");
        IOException thrown = assertThrows(IOException.class, () -> ModelWriter.writeAtomically(target, ch -> {
            ch.write(ByteBuffer.wrap("half a model".getBytes(StandardCharsets.US_ASCII)));
            throw boom;
        }));
        assertSame(boom, thrown);
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of("m.bkln"), entries());
    }

    @Test
    void anUncheckedFailureAlsoRemovesTheTemporary() throws IOException {
        Path target = dir.resolve("new.bkln");
        UncheckedIOException boom = new UncheckedIOException(new IOException("simulated"));
        assertSame(boom, assertThrows(UncheckedIOException.class, () -> ModelWriter.writeAtomically(target, ch -> {
            ch.write(ByteBuffer.wrap(new byte[100]));
            throw boom;
        })));
        assertEquals(List.of(), entries(), "no target and no temporary file");
    }

    @Test
    void refusesToReplaceADirectory() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty.bkln"));
        Path full = Files.createDirectory(dir.resolve("full.bkln"));
        Files.writeString(full.resolve("keep.txt"), "precious");
        assertThrows(FileSystemException.class, () -> ModelWriter.save(TestModels.small(), empty));
        assertThrows(FileSystemException.class, () -> ModelWriter.save(TestModels.small(), full));
        assertTrue(Files.isDirectory(empty));
        assertEquals("precious", Files.readString(full.resolve("keep.txt")));
        assertEquals(List.of("empty.bkln", "full.bkln"), entries());
    }

    /** A FIFO made by the real mkfifo; a device cannot be made safely in a test, but takes the same path. */
    static Path fifo(Path at) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", at.toString()).redirectErrorStream(true).start();
        assumeTrue(p.waitFor() == 0, "mkfifo works here");
        return at;
    }

    @Test
    void refusesToReplaceAFifoOrASymbolicLink() throws Exception {
        Path fifo = fifo(dir.resolve("pipe"));
        FileSystemException e = assertThrows(FileSystemException.class, () -> ModelWriter.save(TestModels.small(), fifo));
        assertTrue(e.getMessage().contains("pipe") && e.getMessage().contains("not a regular file"), e.getMessage());
        assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther(), "still a FIFO");
        assertThrows(FileSystemException.class, () -> ModelWriter.checkTarget(fifo));

        Path real = dir.resolve("real.bkln");
        ModelWriter.save(TestModels.small(), real);
        byte[] before = Files.readAllBytes(real);
        Path link = Files.createSymbolicLink(dir.resolve("link.bkln"), real);
        e = assertThrows(FileSystemException.class, () -> ModelWriter.save(other(), link));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
        assertArrayEquals(before, Files.readAllBytes(real));
        assertEquals(List.of("link.bkln", "pipe", "real.bkln"), entries());
    }

    @Test
    void aFailureToCreateTheTemporaryFileNamesTheTarget() {
        // 250 characters is a valid name, but the hidden temporary name beside it is too long.
        Path target = dir.resolve("m".repeat(245) + ".bkln");
        for (Executable call : List.<Executable>of(() -> ModelWriter.save(TestModels.small(), target),
                () -> ModelWriter.checkTarget(target))) {
            FileSystemException e = assertThrows(FileSystemException.class, call);
            assertEquals(target.toString(), e.getFile(), e.getMessage());
            assertTrue(!e.getMessage().contains(".tmp"), e.getMessage());
        }
    }

    @Test
    void missingDirectory() throws IOException {
        assertThrows(NoSuchFileException.class, () -> ModelWriter.save(TestModels.small(), dir.resolve("no/such/m.bkln")));
        assertEquals(List.of(), entries());
    }

    @Test
    void anUnrepresentableModelTouchesNothing() throws IOException {
        Path target = dir.resolve("m.bkln");
        ModelWriter.save(TestModels.small(), target);
        byte[] before = Files.readAllBytes(target);
        Network net = Network.builder(1).dense(2, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        Model bad = TestModels.withSinParameters(net, FeatureScaler.identity(1), List.of("a", "\uDC00"));
        assertThrows(IllegalArgumentException.class, () -> ModelWriter.save(bad, target));
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of("m.bkln"), entries());
    }

    @Test
    void keepsThePermissionsOfTheFileItReplaces() throws IOException {
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX file system");
        Path target = dir.resolve("m.bkln");
        ModelWriter.save(TestModels.small(), target);
        Set<PosixFilePermission> custom = PosixFilePermissions.fromString("rw-r-----");
        Files.setPosixFilePermissions(target, custom);
        ModelWriter.save(other(), target);
        assertEquals(custom, Files.getPosixFilePermissions(target));
    }
}
