package io.backlane.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data that loads but cannot be trained on as it is, found by a review of the training front door:
 * each once trained to garbage with exit 0, or stopped with an internal error. Each must now stop
 * before training, naming the file, the column and the value, and save nothing.
 */
class TrainingDataEdgeTest {
    @TempDir
    Path dir;

    private Path csv(String name, String header, int rows, java.util.function.IntFunction<String> row) throws IOException {
        StringBuilder s = new StringBuilder(header).append('\n');
        for (int i = 0; i < rows; i++) {
            s.append(row.apply(i)).append('\n');
        }
        return Cli.write(dir.resolve(name), s.toString());
    }

    private Cli.Result refused(Path data, String... more) {
        Path model = dir.resolve("m.bkln");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", "--data", data.toString(),
                "--epochs", "2", "--save", model.toString()));
        args.addAll(java.util.List.of(more));
        Cli.Result r = Cli.run(args.toArray(String[]::new)).noStackTrace();
        assertTrue(r.code() != 0, r.err());
        assertFalse(Files.exists(model), "a model was saved: " + r.err());
        return r;
    }

    @Test
    void aFeatureThatOverflowsWhenScaledIsNamedBeforeTraining() throws IOException {
        // 3e38 is a float, but (3e38 − mean)/std is not: the validation or test loss was NaN, early
        // stopping never stopped, and the model was saved with exit 0 (or training failed at the end).
        Path data = csv("far.csv", "a,b,y", 101, i -> i == 100 ? "3e38,0.5,1"
                : String.format(Locale.ROOT, "%s,%s,%d", i * 1e-5, (i % 7) / 7.0, i % 2));
        // Seed 2 puts the far row outside the training split, whose scaler then sends it to Infinity.
        Cli.Result r = refused(data, "--seed", "2", "--patience", "2");
        assertTrue(r.err().contains("far.csv, column 1 \"a\": the value 3.0E38 becomes Infinity when scaled"), r.err());
        // Likewise a regression target (seed 3: in the validation split); the targets are standardized too.
        Path targets = csv("fartarget.csv", "a,y", 300, i -> i + "," + (i == 0 ? "3e38" : String.valueOf((i % 10) * 0.01 + 0.5)));
        Cli.Result target = refused(targets, "--task", "regression", "--seed", "3", "--validation-fraction", "0.5",
                "--test-fraction", "0");
        assertTrue(target.err().contains("target column \"y\": the value 3.0E38 becomes Infinity when standardized"),
                target.err());
    }

    @Test
    void aRangeTooSmallToDivideByIsAConstantColumn() throws IOException {
        // max − min = 1e-45: 1/(max − min) overflowed, an internal "shift and scale must be finite".
        Path data = csv("tiny.csv", "a,b,y", 60, i -> (i % 2 == 0 ? "0" : "1e-45") + "," + (i % 5) + "," + (i % 2));
        Cli.Result r = Cli.run("train", "--data", data.toString(), "--scale", "minmax", "--epochs", "1").noStackTrace();
        assertTrue(r.code() == 0, r.err());
    }

    @Test
    void aNumericTargetWithOneBadCellIsNotTakenForClassLabels() throws IOException {
        // --task auto read "NaN" as a class label, and so every price: a 198-class classifier, exit 0.
        Path data = csv("prices.csv", "a,b,price", 200, i -> i + "," + (i % 3) + "," + (i == 138 ? "NaN" : i * 1.5 + 0.25));
        Cli.Result r = refused(data);
        assertTrue(r.err().contains("prices.csv, line 140, column 3 \"price\""), r.err());
        assertTrue(r.err().contains("--task classification"), r.err());
    }

    @Test
    void anIdColumnTakenForTheLabelIsNamed() throws IOException {
        // 50,000 distinct labels: an ArithmeticException ("internal error") building the one-hot targets.
        Path data = csv("ids.csv", "a,b,name", 3000, i -> i + "," + (i % 3) + ",id" + i);
        Cli.Result r = refused(data);
        assertTrue(r.err().contains("column \"name\" has 3000 distinct values in 3000 rows"), r.err());
        assertTrue(r.code() == 2, r.err());
        // Asked for: as many classes as rows, more one-hot floats than an array holds: named, not an internal error.
        Path many = csv("ids50k.csv", "a,name", 50_000, i -> i + ",id" + i);
        Cli.Result insisted = refused(many, "--task", "classification", "--layers", "2:relu");
        assertTrue(insisted.err().contains("the one-hot targets of") || insisted.err().contains("out of memory"),
                insisted.err());
        assertFalse(insisted.err().contains("internal error"), insisted.err());
    }

    @Test
    void anEmptyTestSplitSaysWhyWhenTheFractionIsNotZero() throws IOException {
        // One example per class: a stratified split has none to spare. It said "(--test-fraction 0)".
        Path data = csv("single.csv", "a,b,kind", 30, i -> i + "," + (i % 4) + ",k" + i);
        Cli.Result r = Cli.run("train", "--data", data.toString(), "--task", "classification", "--epochs", "1").expect(0);
        assertTrue(r.out().contains("no test split: no test metrics (--test-fraction 0.2 of 30 rows left none"), r.out());
        assertFalse(r.out().contains("(--test-fraction 0)"), r.out());
    }

    @Test
    void testImagesOfAnotherShapeWithAsManyPixelsAreRefused() throws IOException {
        Path idx = Files.createDirectory(dir.resolve("idx"));
        images(idx.resolve("train-images-idx3-ubyte"), 60, 4, 4);
        labels(idx.resolve("train-labels-idx1-ubyte"), 60);
        images(idx.resolve("t10k-images-idx3-ubyte"), 20, 2, 8);
        labels(idx.resolve("t10k-labels-idx1-ubyte"), 20);
        Cli.Result r = refused(idx);
        assertTrue(r.err().contains("its images are 2 x 8 pixels, the training images"), r.err());
        // A model trained on 4 × 4 images, evaluated on 2 × 8 ones: as many pixels, another picture.
        images(idx.resolve("t10k-images-idx3-ubyte"), 20, 4, 4);
        Path model = dir.resolve("idx.bkln");
        Cli.run("train", "--data", idx.toString(), "--epochs", "1", "--save", model.toString()).expect(0);
        images(idx.resolve("t10k-images-idx3-ubyte"), 20, 2, 8);
        Cli.Result evaluated = Cli.run("evaluate", "--model", model.toString(), "--data", idx.toString()).expect(1);
        assertTrue(evaluated.err().contains("its test images are 2 x 8 pixels; the model was trained on images of 4 x 4"),
                evaluated.err());
    }

    @Test
    void gradcheckRefusesAnL2BeyondTheFloatRangeAtOnce() {
        Cli.Result r = Cli.run("gradcheck", "--inputs", "3", "--layers", "4:tanh", "--outputs", "2", "--l2", "1e300");
        assertTrue(r.code() == 2 && r.err().contains("--l2 must be a number >= 0 within the float range"), r.err());
        assertFalse(r.out().contains("PASS") || r.out().contains("FAIL"), "the check ran first: " + r.out());
    }

    private static void images(Path file, int count, int rows, int cols) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0x00000803);
            out.writeInt(count);
            out.writeInt(rows);
            out.writeInt(cols);
            for (int i = 0; i < count * rows * cols; i++) {
                out.writeByte((i * 37) & 0xFF);
            }
        }
    }

    private static void labels(Path file, int count) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0x00000801);
            out.writeInt(count);
            for (int i = 0; i < count; i++) {
                out.writeByte(i % 3);
            }
        }
    }
}
