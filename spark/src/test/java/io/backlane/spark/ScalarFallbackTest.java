package io.backlane.spark;

import io.backlane.data.BundledDatasets;
import io.backlane.kernel.Kernels;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs only in surefire's {@code scalar-fallback} execution: a JVM without
 * {@code --add-modules jdk.incubator.vector}, as an executor started without
 * {@code spark.executor.extraJavaOptions} is. In local mode the executors are threads of this JVM, so
 * what the tasks see is what such an executor sees: the scalar kernels, said in one warning per
 * JVM, and training and scoring that work. On the scalar kernels the exact mode also repeats bit for
 * bit for a given partitioning.
 */
@Tag("no-vector-module")
class ScalarFallbackTest {
    /** Held strongly: java.util.logging keeps loggers only weakly. */
    private static final Logger JUL = Logger.getLogger("io.backlane.kernel");
    private static final List<LogRecord> RECORDS = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            RECORDS.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void captureTheKernelLog() {
        JUL.addHandler(CAPTURE);   // before any task has asked for the kernels
    }

    @AfterAll
    static void removeHandler() {
        JUL.removeHandler(CAPTURE);
    }

    @Test
    void executorsWithoutTheVectorModuleTrainOnTheScalarKernelsSayingSoOnceAndRepeatBitForBit() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty(),
                "the scalar-fallback execution must run without --add-modules jdk.incubator.vector");
        SparkSession spark = LocalSpark.session();
        org.apache.spark.sql.Dataset<Row> frame = TestFrames.of(spark, BundledDatasets.load("breast-cancer"));
        BacklaneClassifier exact = new BacklaneClassifier().setTrainingMode(BacklaneEstimator.EXACT).setEpochs(10)
                .setLayers("8:tanh");
        BacklaneClassificationModel first = exact.fit(frame);
        BacklaneClassificationModel second = exact.fit(frame);
        assertArrayEquals(first.model().parameters().values(), second.model().parameters().values(),
                "the same partitioning gives the same bits");
        assertTrue(first.history().get(9).trainLoss() < first.history().get(0).trainLoss());
        assertEquals(frame.count(), first.transform(frame).count());

        List<String> kernels = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(List.of(1, 2, 3, 4), 2).map(i -> Kernels.get().name()).collect();
        assertEquals(List.of("scalar", "scalar", "scalar", "scalar"), kernels);
        assertEquals(1, RECORDS.size(), () -> "records: " + RECORDS.stream().map(LogRecord::getMessage).toList());
        assertEquals(Level.WARNING, RECORDS.get(0).getLevel());
        assertTrue(RECORDS.get(0).getMessage().contains("--add-modules jdk.incubator.vector"), RECORDS.get(0).getMessage());
    }
}
