package io.backlane.cli;

import io.backlane.io.ModelWriter;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exit codes and messages: 2 for usage errors, 1 for data, model and training errors; never a stack trace. */
class ErrorHandlingTest {

    @ParameterizedTest
    @ValueSource(strings = {"train", "evaluate", "predict", "gradcheck", "graph"})
    void helpOfEverySubcommand(String command) {
        Cli.Result r = Cli.run(command, "--help").expect(0);
        assertTrue(r.out().startsWith("Usage: backlane " + command), r.out());
        assertTrue(r.out().contains("--help"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void topLevelHelpListsTheCommandsAndNoCommandIsAUsageError() {
        Cli.Result help = Cli.run("--help").expect(0);
        for (String c : new String[] {"train", "evaluate", "predict", "gradcheck", "graph"}) {
            assertTrue(help.out().contains(c), c);
        }
        Cli.Result none = Cli.run().expect(2).noStackTrace();
        assertTrue(none.err().contains("missing command: use one of train, evaluate, predict, gradcheck, graph"), none.err());
    }

    @Test
    void unknownActivationListsTheValidOnes() {
        Cli.Result r = Cli.run("train", "--data", "breast-cancer", "--layers", "16:relu,8:swish").expect(2).noStackTrace();
        assertTrue(r.err().contains("unknown activation 'swish'; valid for hidden layers: relu, leaky_relu, tanh, sigmoid, identity"),
                r.err());
        assertTrue(r.err().contains("Try 'backlane train --help'"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void usageErrorsSayWhatIsWrong() {
        expectUsage("softmax is only used on the output layer", "train", "--data", "digits", "--layers", "8:softmax");
        expectUsage("width 'x' is not a whole number", "train", "--data", "digits", "--layers", "x:relu");
        expectUsage("unknown optimizer 'adagrad'; valid: sgd, momentum, nesterov, adam, adamw",
                "train", "--data", "digits", "--optimizer", "adagrad");
        expectUsage("unknown schedule 'linear'", "train", "--data", "digits", "--schedule", "linear");
        expectUsage("step decay gamma must be in (0, 1]", "train", "--data", "digits", "--schedule", "step:5:2");
        expectUsage("unknown loss 'hinge'", "train", "--data", "digits", "--loss", "hinge");
        expectUsage("unknown scaling 'log'; valid: standardize, minmax, none", "train", "--data", "digits", "--scale", "log");
        expectUsage("--epochs must be >= 1", "train", "--data", "digits", "--epochs", "0");
        expectUsage("--threads must be >= 1", "train", "--data", "digits", "--threads", "0");
        expectUsage("--momentum applies to --optimizer momentum or nesterov", "train", "--data", "digits", "--momentum", "0.5");
        expectUsage("--weight-decay applies to --optimizer adamw", "train", "--data", "digits", "--weight-decay", "0.1");
        expectUsage("leaves no training data", "train", "--data", "digits", "--validation-fraction", "0.5",
                "--test-fraction", "0.5");
        expectUsage("--label applies to CSV files only", "train", "--data", "digits", "--label", "digit");
        expectUsage("Missing required option: '--data=DATA'", "train");
        expectUsage("Missing required option: '--model=FILE'", "predict");
        expectUsage("Unknown options: '--epoch', '3'", "train", "--data", "digits", "--epoch", "3");
        expectUsage("Possible solutions: --epochs", "train", "--data", "digits", "--epoch", "3");
        expectUsage("Did you mean: backlane train?", "trian");
        expectUsage("'abc' is not an int", "train", "--data", "digits", "--epochs", "abc");
        expectUsage("--loss categorical_cross_entropy needs class labels", "train", "--data", "digits",
                "--task", "regression");
    }

    private static void expectUsage(String message, String... args) {
        Cli.Result r = Cli.run(args).expect(2).noStackTrace();
        assertTrue(r.err().contains("error: "), r.err());
        if (!r.err().contains(message) && message.startsWith("--loss categorical")) {
            // --task regression on a bundled classification dataset is refused before any loss is chosen
            assertTrue(r.err().contains("--task regression"), r.err());
            return;
        }
        assertTrue(r.err().contains(message), () -> "expected \"" + message + "\" in:\n" + r.err());
    }

    @Test
    void nonNumericCellNamesFileLineAndColumn(@TempDir Path dir) throws IOException {
        Path csv = Cli.write(dir.resolve("bad.csv"), "a,b,label\n1,2,x\n3,oops,y\n5,6,x\n");
        Cli.Result r = Cli.run("train", "--data", csv.toString()).expect(1).noStackTrace();
        assertTrue(r.err().contains(csv + ", line 3, column 2 \"b\": not a number: \"oops\""), r.err());
        assertEquals("", r.out());
    }

    @Test
    void missingFilesAreDataErrors(@TempDir Path dir) {
        Cli.Result data = Cli.run("train", "--data", dir.resolve("absent.csv").toString()).expect(1).noStackTrace();
        assertTrue(data.err().contains("no such file: " + dir.resolve("absent.csv")), data.err());
        assertTrue(data.err().contains("--data takes a bundled dataset (breast-cancer, digits)"), data.err());
        Cli.Result model = Cli.run("evaluate", "--model", dir.resolve("absent.bkln").toString(), "--data", "digits")
                .expect(1).noStackTrace();
        assertTrue(model.err().contains("no such file: " + dir.resolve("absent.bkln")), model.err());
        Cli.Result save = Cli.run("train", "--data", "digits", "--save", dir.resolve("no/such/dir/m.bkln").toString())
                .expect(1).noStackTrace();
        assertTrue(save.err().contains("does not exist"), save.err());
    }

    @Test
    void corruptModelFilesNameTheProblem(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.bkln");
        Cli.run("train", "--data", "breast-cancer", "--epochs", "1", "--save", good.toString()).expect(0);
        byte[] bytes = Files.readAllBytes(good);

        Path flipped = dir.resolve("flipped.bkln");
        byte[] f = bytes.clone();
        f[f.length / 2] ^= 0x10;
        Files.write(flipped, f);
        Cli.Result r = Cli.run("predict", "--model", flipped.toString()).expect(1).noStackTrace();
        assertTrue(r.err().contains(flipped + ": ") && r.err().contains("checksum mismatch"), r.err());

        Path text = Cli.write(dir.resolve("text.bkln"), "this is not a model\n");
        Cli.Result t = Cli.run("evaluate", "--model", text.toString(), "--data", "breast-cancer").expect(1).noStackTrace();
        assertTrue(t.err().contains("not a backlane model file"), t.err());

        Path truncated = dir.resolve("truncated.bkln");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        Cli.Result tr = Cli.run("graph", "--model", truncated.toString()).expect(1).noStackTrace();
        assertTrue(tr.err().contains(truncated.toString()), tr.err());
    }

    @Test
    void modelAndDataThatDoNotFit(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("cancer.bkln");
        Cli.run("train", "--data", "breast-cancer", "--epochs", "1", "--save", model.toString()).expect(0);
        Cli.Result r = Cli.run("evaluate", "--model", model.toString(), "--data", "digits").expect(1).noStackTrace();
        assertTrue(r.err().contains("class label \"0\" is not one of the model's classes [benign, malignant]"), r.err());
    }

    @Test
    void divergedTrainingIsADataErrorWithoutStackTrace() {
        Cli.Result r = Cli.run("train", "--data", "breast-cancer", "--optimizer", "sgd", "--lr", "1e30", "--scale", "none",
                "--epochs", "2").expect(1).noStackTrace();
        assertTrue(r.err().contains("training diverged"), r.err());
        assertTrue(r.err().contains("lower the learning rate"), r.err());
    }

    @Test
    void verbosePrintsTheStackTrace(@TempDir Path dir) {
        Cli.Result r = Cli.run("train", "--data", dir.resolve("absent.csv").toString(), "--verbose").expect(1);
        assertTrue(r.err().contains("NoSuchFileException") && r.err().contains("\tat "), r.err());
    }

    @Test
    void anOutOfMemoryErrorIsOneErrorLineWithTheRemedy(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("m.bkln");
        Network net = Network.builder(2).output(OutputHead.forRegression()).build();
        ModelWriter.save(new Model(Parameters.initialize(net, 1L), FeatureScaler.identity(2), List.of()), model);
        InputStream exhausted = new InputStream() {   // stands for any allocation that fails mid-command
            @Override
            public int read() {
                throw new OutOfMemoryError("Java heap space");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                throw new OutOfMemoryError("Java heap space");
            }
        };
        Cli.Result r = Cli.runWithInput(exhausted, "predict", "--model", model.toString(), "-").expect(1).noStackTrace();
        assertTrue(r.err().startsWith("error: out of memory (Java heap space): the data, network or model does not fit"
                + " in the Java heap (at most "), r.err());
        assertTrue(r.err().contains("run java with a larger -Xmx"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        Cli.Result verbose = Cli.runWithInput(exhausted, "predict", "--model", model.toString(), "-", "--verbose")
                .expect(1);
        assertTrue(verbose.err().contains("java.lang.OutOfMemoryError: Java heap space"), verbose.err());
    }
}
