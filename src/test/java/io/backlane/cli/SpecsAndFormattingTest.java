package io.backlane.cli;

import io.backlane.nn.Activation;
import io.backlane.nn.Layer;
import io.backlane.nn.Loss;
import io.backlane.train.EpochStats;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The option languages (layers, losses, schedules), progress lines and plot ticks. */
class SpecsAndFormattingTest {

    @Test
    void layerSpecs() {
        assertEquals(List.of(new Layer(32, Activation.RELU, 0), new Layer(16, Activation.TANH, 0)),
                Specs.layers("32:relu, 16:TANH").layers());
        assertTrue(assertThrows(TypeConversionException.class, () -> Specs.layers("8")).getMessage()
                .contains("layer 1 ('8') has no activation; write WIDTH:ACTIVATION, for example 8:relu"));
        assertTrue(assertThrows(TypeConversionException.class, () -> Specs.layers(" ")).getMessage()
                .contains("the layer list is empty"));
        assertEquals(List.of(new Layer(4, Activation.LEAKY_RELU, 0.2f), new Layer(3, Activation.LEAKY_RELU, 0.01f)),
                Specs.layers("4:leaky_relu:0.2,3:leaky-relu").layers());
        assertEquals(List.of(), Specs.layers("none").layers());
        assertTrue(assertThrows(TypeConversionException.class, () -> Specs.layers("8:relu,,4:tanh")).getMessage()
                .contains("layer 2 ('') is empty"));
        assertTrue(assertThrows(TypeConversionException.class, () -> Specs.layers("0:relu")).getMessage()
                .contains("width must be >= 1"));
        assertTrue(assertThrows(TypeConversionException.class, () -> Specs.layers("8:tanh:0.1")).getMessage()
                .contains("only leaky_relu takes a slope"));
        assertTrue(assertThrows(TypeConversionException.class, () -> Specs.layers("8:leaky_relu:1.5")).getMessage()
                .contains("slope must be in [0, 1)"));
    }

    @Test
    void lossesAndSchedules() {
        assertEquals(Loss.BINARY_CROSS_ENTROPY, Specs.loss("bce"));
        assertEquals(Loss.CATEGORICAL_CROSS_ENTROPY, Specs.loss("categorical-cross-entropy"));
        assertEquals(Loss.MEAN_SQUARED_ERROR, Specs.loss("MSE"));
        assertEquals(1.0, Specs.schedule("constant").schedule().factor(7, 10));
        assertEquals(0.25, Specs.schedule("step:10:0.5").schedule().factor(25, 50), 1e-12);
        assertEquals(0.1, Specs.schedule("cosine:0.1").schedule().factor(9, 10), 1e-12);
        assertEquals(0.0, Specs.schedule("cosine").schedule().factor(9, 10), 1e-12);
        assertThrows(TypeConversionException.class, () -> Specs.schedule("step:10"));
        assertThrows(TypeConversionException.class, () -> Specs.schedule("cosine:2"));
    }

    @Test
    void autoTaskDetection() {
        assertTrue(!DataSource.looksLikeRegression(List.of("benign", "malignant")));
        assertTrue(!DataSource.looksLikeRegression(List.of("0", "1", "2")));
        assertTrue(DataSource.looksLikeRegression(List.of("0.5", "1", "2")));
        assertTrue(DataSource.looksLikeRegression(java.util.stream.IntStream.range(0, 21).mapToObj(Integer::toString).toList()));
    }

    @Test
    void progressLinesAndRedraw() {
        EpochStats s = new EpochStats(3, 12, 10, 0.5, 0.75, 0.625, 0.8, 0.01, 1_500_000_000L, 12_345);
        assertEquals("epoch  3/12  loss 0.5000  acc  75.00%  val_loss 0.6250  val_acc  80.00%  12.3k samples/s"
                + "  elapsed 1.5s  eta 4.5s", Progress.line(s));
        EpochStats regression = new EpochStats(1, 1, 1, 2, Double.NaN, Double.NaN, Double.NaN, 0.1, 1, 5e6);
        assertEquals("epoch 1/1  loss 2.0000  5.00M samples/s  elapsed 0.0s  eta 0.0s", Progress.line(regression));
        assertEquals("3m05s", Progress.duration(185));
        assertEquals("1h02m", Progress.duration(3720));

        StringWriter text = new StringWriter();
        Progress redraw = new Progress(new PrintWriter(text), true, 1);
        redraw.onEpoch(s);
        redraw.onEpoch(new EpochStats(4, 12, 10, 0.5, 0.75, Double.NaN, Double.NaN, 0.01, 2_000_000_000L, 100));
        redraw.finish();
        String out = text.toString();
        assertTrue(out.startsWith("\repoch  3/12") && out.contains("\repoch  4/12") && out.endsWith(System.lineSeparator()),
                out);
        assertEquals(1, out.chars().filter(c -> c == '\n').count(), "one line, redrawn");

        StringWriter plain = new StringWriter();
        Progress every = new Progress(new PrintWriter(plain), false, 5);
        for (int e = 1; e <= 12; e++) {
            every.onEpoch(new EpochStats(e, 12, 1, 1, 0.5, 1, 0.5, 0.1, e * 1_000_000L, 10));
        }
        assertEquals(List.of(1, 5, 10, 12), plain.toString().lines().map(l -> Integer.parseInt(l.substring(6, 8).strip())).toList());
    }

    @Test
    void plotTicksAreRound() {
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1.0}, LearningCurves.ticks(0, 0.9, 5), 1e-12);
        assertArrayEquals(new double[] {0, 10, 20, 30, 40, 50}, LearningCurves.ticks(1, 50, 6), 1e-12);
        assertArrayEquals(new double[] {0.8, 0.85, 0.9, 0.95, 1.0}, LearningCurves.ticks(0.82, 1.0, 5), 1e-12);
        double[] flat = LearningCurves.ticks(0.5, 0.5, 5);
        assertTrue(flat[0] < 0.5 && flat[flat.length - 1] > 0.5);
        assertEquals("a &lt;b&gt; &amp; &quot;c&quot;", LearningCurves.escape("a <b> & \"c\""));
    }
}
