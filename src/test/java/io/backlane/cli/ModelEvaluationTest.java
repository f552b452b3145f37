package io.backlane.cli;

import io.backlane.data.Dataset;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.testing.AllocationProbe;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code evaluate} and {@code train}'s test report cost: buffers for the rows scored, not for a full batch. */
class ModelEvaluationTest {
    private static final int FEATURES = 50_000;

    @Test
    void scoringTwoRowsOfAWideModelAllocatesBuffersForTwoRows() {
        Network net = Network.builder(FEATURES).output(OutputHead.forRegression()).build();
        Parameters params = Parameters.initialize(net, 1L);
        Model model = new Model(params, FeatureScaler.identity(FEATURES), List.of());
        List<String> names = IntStream.range(0, FEATURES).mapToObj(j -> "f" + j).collect(Collectors.toList());
        float[] x = new float[2 * FEATURES];
        x[0] = 1f;
        Dataset data = Dataset.regression(names, x, new float[] {1f, 0f}, "y");

        float[][] outputs = new float[1][];
        long allocated = AllocationProbe.allocated(() -> outputs[0] = ModelEvaluation.outputs(model, data));
        assertEquals(2, outputs[0].length);
        assertEquals(params.values()[0] + params.values()[FEATURES], outputs[0][0], 1e-6f, "w[0]·1 + b");
        // Input buffers for 2 rows are 400 KB; for the 256-row batch they would be 51 MB.
        long batchOf256 = 256L * FEATURES * Float.BYTES;
        assertTrue(allocated < batchOf256 / 16, "allocated " + allocated + " bytes to score 2 rows");
        long lossAllocated = AllocationProbe.allocated(() -> ModelEvaluation.loss(model, data));
        assertTrue(lossAllocated < batchOf256 / 16, "allocated " + lossAllocated + " bytes for the loss of 2 rows");
    }
}
