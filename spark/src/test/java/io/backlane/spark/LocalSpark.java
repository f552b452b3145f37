package io.backlane.spark;

import org.apache.spark.sql.SparkSession;

/** One Spark session in local[2] for all the tests of a JVM: two partitions by default, no UI. */
final class LocalSpark {
    private LocalSpark() {
    }

    static synchronized SparkSession session() {
        return SparkSession.builder().master("local[2]").appName("backlane-spark-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }
}
