package io.backlane.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metrics against examples computed by hand. */
class MetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void confusionPrecisionRecallF1ByHand() {
        // actual:    0 0 1 1 1
        // predicted: 0 1 1 1 0   -> TN 1, FP 1, TP 2, FN 1
        long[][] c = Metrics.confusion(new int[] {0, 0, 1, 1, 1}, new int[] {0, 1, 1, 1, 0}, 2);
        assertArrayEquals(new long[] {1, 1}, c[0]);
        assertArrayEquals(new long[] {1, 2}, c[1]);
        assertEquals(3.0 / 5, Metrics.accuracy(c), EPS);
        assertEquals(2.0 / 3, Metrics.precision(c, 1), EPS);   // TP / (TP + FP) = 2 / 3
        assertEquals(2.0 / 3, Metrics.recall(c, 1), EPS);      // TP / (TP + FN) = 2 / 3
        assertEquals(0.5, Metrics.precision(c, 0), EPS);       // class 0: 1 of 2 predicted 0 are 0
        assertEquals(0.5, Metrics.recall(c, 0), EPS);
        assertEquals(2.0 / 3, Metrics.f1(2.0 / 3, 2.0 / 3), EPS);
        assertEquals(2 * 0.5 * 1.0 / 1.5, Metrics.f1(0.5, 1.0), EPS);
    }

    @Test
    void undefinedRatiosAreNaNAndF1OfZerosIsZero() {
        long[][] neverPositive = Metrics.confusion(new int[] {0, 1}, new int[] {0, 0}, 2);
        assertTrue(Double.isNaN(Metrics.precision(neverPositive, 1)));
        assertEquals(0.0, Metrics.recall(neverPositive, 1), EPS);
        assertTrue(Double.isNaN(Metrics.f1(Double.NaN, 0)));
        assertEquals(0.0, Metrics.f1(0, 0), EPS);
        assertTrue(Double.isNaN(Metrics.accuracy(new long[2][2])));
    }

    @Test
    void rocAucOfTheTextbookExample() {
        // positives score 0.35 and 0.8, negatives 0.1 and 0.4: of the 4 pairs, 3 are ordered -> 0.75
        assertEquals(0.75, Metrics.rocAuc(new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true}), EPS);
        // perfectly separated, and perfectly reversed
        assertEquals(1.0, Metrics.rocAuc(new double[] {0.1, 0.2, 0.8, 0.9}, new boolean[] {false, false, true, true}), EPS);
        assertEquals(0.0, Metrics.rocAuc(new double[] {0.9, 0.8, 0.2, 0.1}, new boolean[] {false, false, true, true}), EPS);
    }

    @Test
    void rocAucCountsTiesAsOneHalf() {
        // positives {0.5, 0.9}, negatives {0.2, 0.5}: pairs (0.5>0.2) 1, (0.5=0.5) 1/2, (0.9>0.2) 1, (0.9>0.5) 1 -> 3.5/4
        assertEquals(0.875, Metrics.rocAuc(new double[] {0.2, 0.5, 0.5, 0.9}, new boolean[] {false, true, false, true}), EPS);
        // every score equal: a coin toss
        assertEquals(0.5, Metrics.rocAuc(new double[] {0.3, 0.3, 0.3, 0.3, 0.3}, new boolean[] {true, false, true, false, false}), EPS);
        // trapezoid through the tied block: 1 positive and 2 negatives tied at 0.5, one positive above, one negative below
        // pairs: p(0.9) beats all 3 negatives = 3; p(0.5) beats n(0.1) = 1, ties two n(0.5) = 1 -> 5 / 6
        assertEquals(5.0 / 6, Metrics.rocAuc(new double[] {0.9, 0.5, 0.5, 0.5, 0.1},
                new boolean[] {true, true, false, false, false}), EPS);
    }

    @Test
    void rocAucIsUndefinedWithOneClass() {
        assertTrue(Double.isNaN(Metrics.rocAuc(new double[] {0.1, 0.7}, new boolean[] {true, true})));
        assertTrue(Double.isNaN(Metrics.rocAuc(new double[] {0.1, 0.7}, new boolean[] {false, false})));
    }

    @Test
    void rocAucEqualsThePairCountOnRandomScoresWithTies() {
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 50; trial++) {
            int n = 2 + r.nextInt(60);
            double[] s = new double[n];
            boolean[] p = new boolean[n];
            for (int i = 0; i < n; i++) {
                s[i] = r.nextInt(6) / 5.0;   // few distinct values: many ties
                p[i] = r.nextBoolean();
            }
            double pairs = 0;
            long count = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (p[i] && !p[j]) {
                        pairs += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                        count++;
                    }
                }
            }
            double expected = count == 0 ? Double.NaN : pairs / count;
            assertEquals(expected, Metrics.rocAuc(s, p), 1e-12, "trial " + trial);
        }
    }

    @Test
    void classificationFromASingleSigmoidOutput() {
        // P(class 1) per example; threshold 0.5
        float[] out = {0.9f, 0.2f, 0.6f, 0.4f};
        int[] actual = {1, 0, 0, 1};
        Metrics.Classification m = Metrics.Classification.of(List.of("no", "yes"), actual, out, 1, 0.25);
        assertEquals(4, m.count());
        assertEquals(0.5, m.accuracy(), EPS);          // right: 0.9->1, 0.2->0
        assertEquals(0.5, m.precision(), EPS);         // predicted yes: 0.9 (right), 0.6 (wrong)
        assertEquals(0.5, m.recall(), EPS);            // actual yes: 0.9 found, 0.4 missed
        assertEquals(0.75, m.rocAuc(), EPS);           // pos {0.9, 0.4} vs neg {0.2, 0.6}: 1 + 1 + 1 + 0 = 3 of 4
        StringWriter s = new StringWriter();
        m.print(new PrintWriter(s, true), "test");
        String text = s.toString();
        assertTrue(text.contains("test: 4 examples"), text);
        assertTrue(text.contains("accuracy   50.00%"), text);
        assertTrue(text.contains("positive class: yes"), text);
        assertTrue(text.contains("roc_auc    0.7500"), text);
        assertTrue(text.matches("(?s).*\\n\\s+no\\s+1\\s+1\\n\\s+yes\\s+1\\s+1\\n.*"), text);
    }

    @Test
    void classificationFromSoftmaxRowsWithMacroF1() {
        // three classes, rows of probabilities; argmax predictions: 0, 1, 2, 2, 0
        float[] out = {
                0.8f, 0.1f, 0.1f,
                0.1f, 0.7f, 0.2f,
                0.2f, 0.2f, 0.6f,
                0.1f, 0.3f, 0.6f,
                0.5f, 0.4f, 0.1f};
        int[] actual = {0, 1, 2, 1, 1};
        Metrics.Classification m = Metrics.Classification.of(List.of("a", "b", "c"), actual, out, 3, Double.NaN);
        assertArrayEquals(new long[] {1, 0, 0}, m.confusion()[0]);
        assertArrayEquals(new long[] {1, 1, 1}, m.confusion()[1]);
        assertArrayEquals(new long[] {0, 0, 1}, m.confusion()[2]);
        assertEquals(3.0 / 5, m.accuracy(), EPS);
        // per class (precision, recall, f1): a (1/2, 1, 2/3), b (1, 1/3, 1/2), c (1/2, 1, 2/3)
        assertEquals((2.0 / 3 + 0.5 + 2.0 / 3) / 3, m.macroF1(), EPS);
        assertTrue(Double.isNaN(m.rocAuc()));
    }

    @Test
    void regressionByHand() {
        // errors 0, 0, -2; targets mean 8/3, SS_tot = 78/9
        Metrics.Regression r = Metrics.Regression.of(new float[] {1, 2, 3}, new float[] {1, 2, 5}, 2.0 / 3);
        assertEquals(4.0 / 3, r.mse(), 1e-9);
        assertEquals(Math.sqrt(4.0 / 3), r.rmse(), 1e-9);
        assertEquals(2.0 / 3, r.mae(), 1e-9);
        assertEquals(1 - 36.0 / 78, r.r2(), 1e-9);
        assertTrue(Double.isNaN(Metrics.Regression.of(new float[] {1, 2}, new float[] {3, 3}, 0).r2()));
    }
}
