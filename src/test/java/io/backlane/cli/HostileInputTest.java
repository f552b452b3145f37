package io.backlane.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Hostile input and honest failure: bad targets, paths, options and data, and training that only looks fine. */
class HostileInputTest {
    @TempDir
    Path dir;

    private static Path fifo(Path at) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", at.toString()).redirectErrorStream(true).start();
        assumeTrue(p.waitFor() == 0, "mkfifo works here");
        return at;
    }

    /** Refused before the data is loaded: nothing on standard output. */
    private static Cli.Result refusedBeforeTraining(int code, String... args) {
        Cli.Result r = Cli.run(args).expect(code).noStackTrace();
        assertFalse(r.out().contains("trained"), r.out());
        return r;
    }

    // ---------------------------------------------------------------- the file system

    @Test
    void saveAndPlotRefuseAFifoASymbolicLinkAndADirectoryBeforeTraining() throws Exception {
        Path fifo = fifo(dir.resolve("pipe"));
        Cli.Result r = refusedBeforeTraining(1, "train", "--data", "breast-cancer", "--epochs", "1", "--save", fifo.toString());
        assertTrue(r.err().contains("error: --save " + fifo + ": is not a regular file"), r.err());
        assertEquals("", r.out());
        assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther(), "the FIFO is still a FIFO");

        Path real = Cli.write(dir.resolve("real.bkln"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("link.bkln"), real);
        r = refusedBeforeTraining(1, "train", "--data", "breast-cancer", "--epochs", "1", "--save", link.toString());
        assertTrue(r.err().contains("--save " + link + ": is a symbolic link"), r.err());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("keep", Files.readString(real));

        r = refusedBeforeTraining(1, "train", "--data", "breast-cancer", "--epochs", "1", "--plot", dir.toString());
        assertTrue(r.err().contains("--plot " + dir + ": is a directory"), r.err());
    }

    @Test
    void aTargetThatCannotBeCreatedIsNamedAsGivenBeforeTraining() {
        // A valid name whose hidden temporary sibling is too long: fails when the file is created.
        Path target = dir.resolve("m".repeat(245) + ".bkln");
        Cli.Result r = refusedBeforeTraining(1, "train", "--data", "breast-cancer", "--epochs", "1", "--save", target.toString());
        assertTrue(r.err().contains("error: --save " + target + ": "), r.err());
        assertFalse(r.err().contains(".tmp"), r.err());
        Cli.Result missing = refusedBeforeTraining(1, "train", "--data", "breast-cancer", "--plot",
                dir.resolve("no/such/c.svg").toString());
        assertTrue(missing.err().contains("--plot " + dir.resolve("no/such/c.svg")), missing.err());
    }

    @Test
    void aDirectoryWhereAFileBelongsIsNamedWithItsOption() throws IOException {
        Path model = dir.resolve("m.bkln");
        Cli.run("train", "--data", "breast-cancer", "--epochs", "1", "--save", model.toString()).expect(0);
        Path folder = Files.createDirectory(dir.resolve("folder"));
        Cli.Result r = Cli.run("evaluate", "--model", folder.toString(), "--data", "breast-cancer").expect(1).noStackTrace();
        assertTrue(r.err().contains("error: --model " + folder + ": "), r.err());
        r = Cli.run("predict", "--model", folder.toString()).expect(1).noStackTrace();
        assertTrue(r.err().contains("error: --model " + folder + ": "), r.err());
        r = Cli.run("graph", "--model", folder.toString()).expect(1).noStackTrace();
        assertTrue(r.err().contains("error: --model " + folder + ": "), r.err());
        r = Cli.run("graph", "--output", folder.toString()).expect(1).noStackTrace();
        assertTrue(r.err().contains("error: --output " + folder + ": "), r.err());
        r = Cli.run("predict", "--model", model.toString(), folder.toString()).expect(1).noStackTrace();
        assertTrue(r.err().contains("error: input file " + folder + ": "), r.err());
        r = Cli.run("evaluate", "--model", model.toString(), "--data", folder.toString()).expect(1).noStackTrace();
        assertTrue(r.err().contains("error: --data " + folder + ": "), r.err());
    }

    // ---------------------------------------------------------------- training that only looks fine

    @Test
    void adamWithAHugeLearningRateDivergesInsteadOfSavingGarbage() {
        Path model = dir.resolve("m.bkln");
        Cli.Result r = Cli.run("train", "--data", "breast-cancer", "--lr", "1e6", "--save", model.toString())
                .expect(1).noStackTrace();
        assertTrue(r.err().contains("error: training diverged: the epoch's mean training loss"), r.err());
        assertTrue(r.err().contains("at epoch 1, step"), r.err());
        assertTrue(r.err().contains("lower the learning rate"), r.err());
        assertFalse(Files.exists(model), "no model saved");
    }

    /** Features that say nothing about a label that is mostly "a": nothing can beat always saying "a". */
    private Path noise(String name, boolean regression) throws IOException {
        SplittableRandom random = new SplittableRandom(3);
        StringBuilder s = new StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 300; i++) {
            s.append(String.format(Locale.ROOT, "%.4f,%.4f,", random.nextDouble(), random.nextDouble()));
            s.append(regression ? String.format(Locale.ROOT, "%.4f", random.nextGaussian())
                    : random.nextDouble() < 0.9 ? "a" : "b").append('\n');
        }
        return Cli.write(dir.resolve(name), s.toString());
    }

    @Test
    void aModelNoBetterThanTheBaselineIsReportedAndFailsOnRequest() throws IOException {
        Path csv = noise("noise.csv", false);
        Cli.Result warned = Cli.run("train", "--data", csv.toString(), "--epochs", "5").expect(0);
        assertTrue(warned.err().contains("warning: the model is no better than the trivial baseline"), warned.err());
        assertTrue(warned.err().contains("always predicting the majority class a"), warned.err());

        Path model = dir.resolve("m.bkln");
        Cli.Result failed = Cli.run("train", "--data", csv.toString(), "--epochs", "5", "--fail-on-baseline",
                "--save", model.toString()).expect(1).noStackTrace();
        assertTrue(failed.err().contains("error: the model is no better than the trivial baseline"), failed.err());
        assertFalse(Files.exists(model), "not saved");

        Cli.Result regression = Cli.run("train", "--data", noise("values.csv", true).toString(), "--task", "regression",
                "--epochs", "30", "--layers", "32:relu", "--l2", "0").expect(0);
        assertTrue(regression.err().contains("always predicting the training mean"), regression.err());

        Cli.Result good = Cli.run("train", "--data", "breast-cancer", "--epochs", "5", "--fail-on-baseline").expect(0);
        assertFalse(good.err().contains("baseline"), good.err());
    }

    @Test
    void gradcheckOfALargeNetworkSamplesAndSaysWhatItCosts() {
        Cli.Result r = Cli.run("gradcheck", "--inputs", "80", "--layers", "25:relu", "--outputs", "3").expect(0);
        // 100 of 2000 weights, all 25 biases, all 75 weights and 3 biases of the output layer
        assertTrue(r.out().contains("checking  a random sample of 203 of 2103 parameters"), r.out());
        assertTrue(r.out().contains("forward passes of the reference"), r.out());
        assertTrue(r.out().contains("sampled 203 of 2103 parameters"), r.out());
        assertTrue(r.out().contains("PASS"), r.out());
        Cli.Result all = Cli.run("gradcheck", "--inputs", "80", "--layers", "25:relu", "--outputs", "3", "--all").expect(0);
        assertTrue(all.out().contains("checking  all 2103 parameters"), all.out());
        assertTrue(all.out().contains("  211 of 2103 parameters (10%)"), all.out());
        assertFalse(all.out().contains("sampled"), all.out());
    }

    // ---------------------------------------------------------------- wrong guesses

    @Test
    void aHeaderThatLooksLikeDataIsRefusedAndNoHeaderReadsEveryRow() throws IOException {
        StringBuilder s = new StringBuilder();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 60; i++) {
            int c = i % 2;
            s.append(String.format(Locale.ROOT, "%.3f,%.3f,%s%n", c + random.nextDouble(), random.nextDouble(),
                    c == 0 ? "low" : "high"));
        }
        Path csv = Cli.write(dir.resolve("headless.csv"), s.toString());
        Cli.Result r = Cli.run("train", "--data", csv.toString(), "--epochs", "1").expect(1).noStackTrace();
        assertTrue(r.err().contains("looks like data") && r.err().contains("--no-header"), r.err());
        Cli.Result ok = Cli.run("train", "--data", csv.toString(), "--epochs", "1", "--no-header").expect(0);
        assertTrue(ok.out().contains(csv + ": 60 examples, 2 features"), ok.out());
        Cli.Result byName = Cli.run("train", "--data", csv.toString(), "--epochs", "1", "--no-header", "--label", "c2")
                .expect(0);
        assertTrue(byName.out().contains("60 examples"), byName.out());

        Path model = dir.resolve("m.bkln");
        Cli.run("train", "--data", csv.toString(), "--epochs", "1", "--no-header", "--save", model.toString()).expect(0);
        Cli.Result eval = Cli.run("evaluate", "--model", model.toString(), "--data", csv.toString(), "--no-header")
                .expect(0);
        assertTrue(eval.out().contains("60 examples"), eval.out());
        Cli.Result pred = Cli.runWithInput("0.5,0.5\n1.5,0.5\n", "predict", "--model", model.toString(), "--no-header")
                .expect(0);
        assertEquals(3, Cli.parseCsv(pred.out()).size(), pred.out());   // header + both rows
        Cli.Result bundled = Cli.run("train", "--data", "digits", "--no-header").expect(2).noStackTrace();
        assertTrue(bundled.err().contains("--no-header applies to CSV files only"), bundled.err());
    }

    @Test
    void emptyAndIncompleteOptionValuesAreUsageErrorsFoundBeforeLoading() {
        Cli.Result empty = refusedBeforeTraining(2, "train", "--data", "digits", "--layers", "");
        assertTrue(empty.err().contains("the layer list is empty"), empty.err());
        Cli.Result bare = refusedBeforeTraining(2, "train", "--data", "digits", "--layers", "16");
        assertTrue(bare.err().contains("has no activation; write WIDTH:ACTIVATION, for example 16:relu"), bare.err());
        // A missing file proves the check runs before the data is loaded (else: exit 1, no such file).
        String absent = dir.resolve("absent.csv").toString();
        Cli.Result label = refusedBeforeTraining(2, "train", "--data", absent, "--label", "");
        assertTrue(label.err().contains("--label must name a column"), label.err());
        Cli.Result batch = refusedBeforeTraining(2, "train", "--data", absent, "--batch-size", "2000000000");
        assertTrue(batch.err().contains("--batch-size must be at most 1000000"), batch.err());
        Cli.Result evalLabel = Cli.run("evaluate", "--model", absent, "--data", absent, "--label", " ").expect(2);
        assertTrue(evalLabel.err().contains("--label must name a column"), evalLabel.err());
    }

    @Test
    void moreThreadsThanProcessorsWarnsOnOneLine() {
        int threads = Runtime.getRuntime().availableProcessors() + 1;
        Cli.Result r = Cli.run("train", "--data", "breast-cancer", "--epochs", "1", "--threads", Integer.toString(threads))
                .expect(0);
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("warning: --threads " + threads)).count(), r.err());
        Cli.Result fine = Cli.run("train", "--data", "breast-cancer", "--epochs", "1").expect(0);
        assertFalse(fine.err().contains("--threads"), fine.err());
    }

    private static byte[] idxImages(int count) {
        ByteBuffer b = ByteBuffer.allocate(16 + count * 4).putInt(0x803).putInt(count).putInt(2).putInt(2);
        for (int i = 0; i < count * 4; i++) {
            b.put((byte) (i * 37));
        }
        return b.array();
    }

    private static byte[] idxLabels(int... values) {
        ByteBuffer b = ByteBuffer.allocate(8 + values.length).putInt(0x801).putInt(values.length);
        for (int v : values) {
            b.put((byte) v);
        }
        return b.array();
    }

    @Test
    void idxLabelsBeyondNineAreClassesToo() throws IOException {
        Path idx = Files.createDirectory(dir.resolve("idx"));
        int[] train = new int[40];
        for (int i = 0; i < train.length; i++) {
            train[i] = new int[] {3, 12, 200}[i % 3];
        }
        Files.write(idx.resolve("train-images-idx3-ubyte"), idxImages(train.length));
        Files.write(idx.resolve("train-labels-idx1-ubyte"), idxLabels(train));
        Files.write(idx.resolve("t10k-images-idx3-ubyte"), idxImages(3));
        Files.write(idx.resolve("t10k-labels-idx1-ubyte"), idxLabels(200, 3, 12));
        Path model = dir.resolve("m.bkln");
        Cli.Result r = Cli.run("train", "--data", idx.toString(), "--epochs", "1", "--save", model.toString()).expect(0);
        assertTrue(r.out().contains("3 classes (3 15, 12 14, 200 14)"), r.out());
        Cli.Result eval = Cli.run("evaluate", "--model", model.toString(), "--data", idx.toString()).expect(0);
        assertTrue(eval.out().contains("classes [3, 12, 200]"), eval.out());
    }
}
