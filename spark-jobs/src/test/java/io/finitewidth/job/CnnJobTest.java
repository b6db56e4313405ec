package io.finitewidth.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.data.ShippedData;
import io.finitewidth.sweep.CnnSweepLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny CNN study end to end on embedded Spark. */
@Tag("slow")
class CnnJobTest {
  @TempDir
  Path dir;

  @Test
  void tinyStudyWritesAnEmpiricalSummary() throws Exception {
    Path out = dir.resolve("out");
    Files.writeString(dir.resolve("tiny.yaml"), """
        name: tiny-cnn
        seed: 5
        output: %s
        network: {architecture: cnn, widths: [2, 4], gamma0: [1]}
        ensemble: {size: 3, block_size: 2}
        training: {dt: 1, steps: 2, precision: float64, chunk: 4}
        task:
          kind: cifar10
          train_file: %s
          test_file: %s
          train_points: 6
          test_points: 10
          probe_points: 2
        statistics: {bootstrap: 40}
        spark: {master: "local[2]"}
        """.formatted(out, ShippedData.cifarTrain(), ShippedData.cifarTest()));
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    CnnJob.Outcome outcome = new CnnJob(CnnSweepLoader.load(dir.resolve("tiny.yaml"), null),
        new PrintStream(console, true, StandardCharsets.UTF_8)).run();
    assertEquals(6, outcome.networks());
    assertEquals(0, outcome.diverged());
    assertTrue(Files.isRegularFile(out.resolve(OutputDirectory.FINGERPRINT_FILE)));
    List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
    assertEquals(String.join(",", CnnSummary.COLUMNS), csv.get(0));
    assertEquals(outcome.rows() + 1, csv.size());
    assertTrue(csv.stream().skip(1).allMatch(l -> l.endsWith(",none — empirical")));
    // Recorded steps 0, 1, 2; per cell 8 single/bias rows each, + 5 NTK rows at steps 0 and 2.
    assertEquals(2 * (3 * 8 + 2 * 5) + 3 * 8, outcome.rows());
    assertTrue(csv.stream().anyMatch(l -> l.contains(",test_bias2_inf,")));

    SparkSession spark = SparkSession.builder().master("local[1]")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      Dataset<Row> table = spark.read().parquet(out.resolve("summary").toString());
      assertEquals(outcome.rows(), table.count());
      Row variance = table.filter("observable = 'test_variance' AND width = 4 AND step = 2")
          .first();
      double v = variance.getDouble(variance.fieldIndex("mean"));
      double nvar = variance.getDouble(variance.fieldIndex("nvar"));
      assertTrue(v > 0);
      assertEquals(4 * v, nvar, 1e-12 * nvar);
    } finally {
      spark.stop();
    }

    // A second run of the same study finds the results and does nothing.
    CnnJob.Outcome again = new CnnJob(CnnSweepLoader.load(dir.resolve("tiny.yaml"), null),
        new PrintStream(console, true, StandardCharsets.UTF_8)).run();
    assertTrue(again.skipped());
  }
}
