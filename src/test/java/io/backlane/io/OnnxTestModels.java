package io.backlane.io;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The models the ONNX export tests write: every activation, every output head, with and without scaling. */
final class OnnxTestModels {
    private OnnxTestModels() {
    }

    static final FeatureScaler SCALER = new FeatureScaler(FeatureScaler.Kind.STANDARDIZE,
            new float[]{0.5f, -1.25f, 3f, 0f}, new float[]{2f, 0.3f, 1.7f, 0.9f});

    /** Every activation as a hidden layer (identity too), then {@code head}. */
    static Network allActivations(OutputHead head) {
        return Network.builder(4).dense(6, Activation.RELU).leakyRelu(5, 0.1f).dense(5, Activation.SIGMOID)
                .dense(4, Activation.TANH).dense(3, Activation.IDENTITY).output(head).build();
    }

    /** Named models: the name says what each one covers. */
    static Map<String, Model> all() {
        Map<String, Model> models = new LinkedHashMap<>();
        models.put("softmax head, all hidden activations, scaler",
                model(allActivations(OutputHead.forClasses(3)), SCALER, List.of("setosa", "versicolor", "virginica")));
        models.put("sigmoid head, all hidden activations, no scaler",
                model(allActivations(OutputHead.forClasses(2)), FeatureScaler.identity(4), List.of("benign", "malignant")));
        models.put("regression head with target scaler, scaler",
                model(allActivations(OutputHead.forRegression()), SCALER, List.of())
                        .withTargetScaler(new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, new float[]{3.5f},
                                new float[]{0.25f})));
        models.put("regression head, no scaling",
                model(Network.builder(4).dense(3, Activation.TANH).output(OutputHead.forRegression()).build(),
                        FeatureScaler.identity(4), List.of()));
        models.put("multi-output regression, leaky output, min-max scaler, target scaler",
                model(Network.builder(4).dense(5, Activation.RELU).leakyRelu(2, 0.3f).loss(Loss.MEAN_SQUARED_ERROR)
                                .build(), new FeatureScaler(FeatureScaler.Kind.MIN_MAX, new float[]{1, 2, 3, 4},
                                new float[]{0.5f, 0.25f, 1f, 2f}), List.of())
                        .withTargetScaler(new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, new float[]{-2f, 10f},
                                new float[]{4f, 0.125f})));
        models.put("sigmoid outputs with squared error, relu hidden",
                model(Network.builder(4).dense(4, Activation.RELU).dense(2, Activation.SIGMOID)
                        .loss(Loss.MEAN_SQUARED_ERROR).build(), FeatureScaler.identity(4), List.of("no", "yes")));
        models.put("single layer softmax, names and metadata",
                model(Network.builder(4).output(OutputHead.forClasses(4)).build(), SCALER, List.of("a", "b,c", "\"d\"", "é"))
                        .withFeatureNames(List.of("sepal length", "sepal,width", "petal \"length\"", "petal width (cm²)"))
                        .withMetadata(Map.of("backlane_version", "test", "command", "train --data iris.csv")));
        return models;
    }

    static Model model(Network net, FeatureScaler scaler, List<String> labels) {
        return new Model(Parameters.initialize(net, 7L), scaler, labels);
    }

    /** {@code rows} × {@code width} inputs in [−3, 3), from a fixed seed. */
    static float[] inputs(int rows, int width, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[rows * width];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 6 - 3);
        }
        return x;
    }
}
