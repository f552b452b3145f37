package io.backlane.infer;

import io.backlane.io.ModelReader;
import io.backlane.io.ModelWriter;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.train.Optimizer;
import io.backlane.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The online-learning pattern of the README: a background trainer learns from new labelled
 * examples one step at a time and publishes a snapshot every N steps; readers never pause and
 * every answer comes whole from one published snapshot.
 */
class OnlineLearningTest {
    private static final Network NET = Network.builder(2).dense(8, Activation.TANH).output(OutputHead.forClasses(2)).build();
    private static final FeatureScaler SCALER = FeatureScaler.identity(2);
    private static final List<String> LABELS = List.of("below", "above");

    @Test
    void aBackgroundTrainerPublishesSnapshotsWhileReadersPredict(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.bkln");
        ModelWriter.save(new Model(Parameters.initialize(NET, 1), SCALER, LABELS), file);

        Model loaded = ModelReader.load(file);                               // at start-up
        Parameters params = loaded.parameters();                             // the trainer's own copy
        ServingModel serving = new ServingModel(loaded);
        List<Model> published = new ArrayList<>();                  // every snapshot, to check the readers
        published.add(serving.current());
        AtomicBoolean training = new AtomicBoolean(true);
        float[] probe = {0.3f, -0.2f};

        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<Map<Model, Integer>>> readers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            readers.add(pool.submit(() -> {
                Predictor predictor = serving.newPredictor();         // one per thread
                Prediction answer = new Prediction();
                Map<Model, Integer> seen = new IdentityHashMap<>();
                while (training.get()) {
                    predictor.predict(probe, answer);                        // per request
                    float[] expected = new float[1];
                    Predictor.of(answer.model()).predict(probe, expected);
                    assertEquals(expected[0], answer.probability(1), "the answer comes whole from the model that answered");
                    seen.merge(answer.model(), 1, Integer::sum);
                }
                return seen;
            }));
        }
        Future<?> trainer = pool.submit(() -> {
            SplittableRandom random = new SplittableRandom(2);
            float[] x = new float[2];
            float[] y = new float[1];
            try (Trainer online = Trainer.builder(params).optimizer(Optimizer.adam(0.05f)).batchSize(1).build()) {
                for (int step = 1; step <= 3000; step++) {
                    x[0] = (float) random.nextGaussian();                // a new labelled example arrives
                    x[1] = (float) random.nextGaussian();
                    y[0] = x[0] + x[1] > 0 ? 1f : 0f;
                    online.step(x, 0, y, 0, 1);
                    if (step % 500 == 0) {                               // publish: one copy of the parameters
                        Model snapshot = new Model(params, loaded.scaler(), loaded.classLabels());
                        synchronized (published) {
                            published.add(snapshot);
                        }
                        serving.swap(snapshot);
                    }
                }
            } finally {
                training.set(false);
            }
        });
        trainer.get();
        pool.shutdown();
        int answers = 0;
        for (Future<Map<Model, Integer>> reader : readers) {
            for (Map.Entry<Model, Integer> e : reader.get().entrySet()) {
                assertTrue(published.stream().anyMatch(m -> m == e.getKey()), "only published snapshots answer");
                answers += e.getValue();
            }
        }
        assertEquals(7, published.size());
        assertTrue(answers > 0);
        assertArrayEquals(params.values(), published.get(6).parameters().values(), "the last snapshot is the trained state");

        Predictor last = serving.newPredictor();
        int right = 0;
        SplittableRandom test = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            float[] x = {(float) test.nextGaussian(), (float) test.nextGaussian()};
            right += last.predictClass(x) == (x[0] + x[1] > 0 ? 1 : 0) ? 1 : 0;
        }
        assertTrue(right >= 190, "learned online: " + right + " of 200");
    }
}
