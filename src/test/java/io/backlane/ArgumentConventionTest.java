package io.backlane;

import io.backlane.data.BundledDatasets;
import io.backlane.data.CsvLoader;
import io.backlane.data.DataSplit;
import io.backlane.data.Dataset;
import io.backlane.data.IdxLoader;
import io.backlane.data.Preprocessing;
import io.backlane.data.ScaledSplit;
import io.backlane.infer.Predictor;
import io.backlane.infer.ServingModel;
import io.backlane.io.ModelReader;
import io.backlane.io.ModelWriter;
import io.backlane.io.OnnxReader;
import io.backlane.io.OnnxWriter;
import io.backlane.kernel.Kernels;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.ForwardState;
import io.backlane.nn.Layer;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.reference.GradientCheck;
import io.backlane.reference.ReferenceNetwork;
import io.backlane.train.Examples;
import io.backlane.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One convention in every package (README, "Errors"): a null or bad argument is an
 * {@link IllegalArgumentException} whose message names it, never a {@link NullPointerException}
 * from deep inside, so that the command line reports the same mistake the same way wherever it is met.
 */
class ArgumentConventionTest {
    private static final Network NET = Network.builder(2).dense(3, Activation.RELU).output(OutputHead.forClasses(2)).build();
    private static final Parameters PARAMS = Parameters.initialize(NET, 1);
    private static final Model MODEL = new Model(PARAMS, FeatureScaler.identity(2), List.of("a", "b"));
    private static final Dataset DATA = Dataset.classification(List.of("x", "y"), new float[] {1, 2, 3, 4, 5, 6},
            new int[] {0, 1, 0}, List.of("a", "b"), "label");

    @Test
    void nullArgumentsAreIllegalArgumentsNamingTheArgument() {
        Map<String, Executable> calls = new LinkedHashMap<>();
        // data
        calls.put("Dataset.classification features", () -> Dataset.classification(List.of("x"), null, new int[1], List.of("a"), "y"));
        calls.put("Dataset.scaled", () -> DATA.scaled(null));
        calls.put("DataSplit", () -> new DataSplit(null, DATA, DATA));
        calls.put("ScaledSplit", () -> new ScaledSplit(null, FeatureScaler.identity(2)));
        calls.put("Preprocessing.split", () -> Preprocessing.split(null, 0.1, 0.1, 1));
        calls.put("Preprocessing.fitScaler", () -> Preprocessing.fitScaler(DATA, null));
        calls.put("Preprocessing.oneHot", () -> Preprocessing.oneHot(null, 2));
        calls.put("BundledDatasets.load", () -> BundledDatasets.load(null));
        calls.put("CsvLoader.load stream", () -> CsvLoader.classification().build().load((InputStream) null, "s"));
        calls.put("CsvLoader.load reader", () -> CsvLoader.classification().build().load((Reader) null, "s"));
        calls.put("IdxLoader.load", () -> IdxLoader.load(null, Path.of("labels")));
        // nn
        calls.put("Network.Builder.dense", () -> Network.builder(2).dense(3, (Activation) null));
        calls.put("Network.Builder.output", () -> Network.builder(2).output(null));
        calls.put("Layer", () -> new Layer(2, null, 0f));
        calls.put("Parameters", () -> new Parameters(null));
        calls.put("Parameters.initialize", () -> Parameters.initialize(null, 1));
        calls.put("Parameters.copyFrom", () -> PARAMS.copy().copyFrom(null));
        calls.put("FeatureScaler", () -> new FeatureScaler(null, new float[1], new float[1]));
        calls.put("Model parameters", () -> new Model(null, FeatureScaler.identity(2), List.of()));
        calls.put("Model scaler", () -> new Model(PARAMS, null, List.of()));
        calls.put("Model labels", () -> new Model(PARAMS, FeatureScaler.identity(2), null));
        calls.put("ForwardState", () -> new ForwardState(null, 1));
        calls.put("Loss.sum", () -> Loss.BINARY_CROSS_ENTROPY.sum(null, new float[1], new float[1], 0, 1, 1));
        // train
        calls.put("Trainer.builder", () -> Trainer.builder(null));
        calls.put("Trainer.Builder.optimizer", () -> Trainer.builder(PARAMS.copy()).optimizer(null));
        calls.put("Trainer.fit", () -> Trainer.builder(PARAMS.copy()).build().fit(null));
        calls.put("Trainer.evaluate", () -> Trainer.builder(PARAMS.copy()).build().evaluate(null));
        calls.put("Trainer.step", () -> Trainer.builder(PARAMS.copy()).build().step(null, 0, new float[1], 0, 1));
        calls.put("Examples", () -> new Examples(null, new float[1], 1));
        calls.put("Examples.of", () -> Examples.of(null, NET));
        // infer
        calls.put("Predictor.of", () -> Predictor.of(null));
        calls.put("ServingModel.swap", () -> new ServingModel(MODEL).swap(null));
        calls.put("Predictor.predict", () -> Predictor.of(MODEL).predict(null, new float[1]));
        calls.put("Predictor.predict rows", () -> Predictor.of(MODEL).predict(new float[2], 0, null, 0, 1));
        calls.put("Predictor.meanLoss", () -> Predictor.of(MODEL).meanLoss(new float[2], 0, null, 0, 1));
        // io
        calls.put("ModelWriter.save model", () -> ModelWriter.save(null, Path.of("x.bkln")));
        calls.put("ModelWriter.save path", () -> ModelWriter.save(MODEL, null));
        calls.put("ModelWriter.toBytes", () -> ModelWriter.toBytes(null));
        calls.put("ModelReader.load", () -> ModelReader.load(null));
        calls.put("ModelReader.read bytes", () -> ModelReader.read((byte[]) null));
        calls.put("ModelReader.read stream", () -> ModelReader.read((InputStream) null));
        calls.put("OnnxWriter.toBytes", () -> OnnxWriter.toBytes(null));
        calls.put("OnnxWriter.toBytes opset", () -> OnnxWriter.toBytes(MODEL, 3));
        calls.put("OnnxWriter.save path", () -> OnnxWriter.save(MODEL, null));
        calls.put("OnnxReader.load", () -> OnnxReader.load(null));
        calls.put("OnnxReader.load options", () -> OnnxReader.load(Path.of("m.onnx"), null));
        calls.put("OnnxReader.read bytes", () -> OnnxReader.read(null, "m.onnx"));
        calls.put("OnnxReader.Options.withClassLabels", () -> OnnxReader.Options.defaults().withClassLabels(null));
        calls.put("OnnxReader.Options.withFeatureNames", () -> OnnxReader.Options.defaults().withFeatureNames(
                java.util.Arrays.asList("a", null)));
        calls.put("OnnxReader.Options.withLoss", () -> OnnxReader.Options.defaults().withLoss(null));
        // kernel
        calls.put("Kernels.axpy", () -> Kernels.get().axpy(1, 1f, null, 0, new float[1], 0));
        calls.put("Kernels.sgemm", () -> Kernels.get().sgemm(false, false, 1, 1, 1, 1f, null, 0, 1, new float[1], 0, 1, 0f, new float[1], 0, 1));
        // reference
        calls.put("ReferenceNetwork.of", () -> ReferenceNetwork.of(null));
        calls.put("GradientCheck.random", () -> GradientCheck.random(null, 2, 0, 1));

        List<String> wrong = new ArrayList<>();
        calls.forEach((name, call) -> {
            try {
                call.execute();
                wrong.add(name + ": accepted null");
            } catch (IllegalArgumentException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    wrong.add(name + ": no message");
                }
            } catch (Throwable t) {
                wrong.add(name + ": " + t);
            }
        });
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }
}
