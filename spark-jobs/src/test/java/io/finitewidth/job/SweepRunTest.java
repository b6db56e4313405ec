package io.finitewidth.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.sweep.Sweep;
import io.finitewidth.sweep.SweepLoader;
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

/** The main job end to end on embedded Spark. */
@Tag("slow")
class SweepRunTest {
  static final Path CANONICAL = Path.of("..", "data", "theory-canonical.json").toAbsolutePath()
      .normalize();

  static Path writeSweep(Path dir, String name, String output, int partitions, String extra)
      throws Exception {
    return writeSweep(dir, name, output, partitions, 23, extra);
  }

  static Path writeSweep(Path dir, String name, String output, int partitions, int ensemble,
      String extra) throws Exception {
    String yaml = """
        name: %s
        seed: 17
        output: %s
        network:
          activation: [tanh, relu]
          widths: [16, 48]
          gamma0: [0.5]
        ensemble:
          size: %d
          block_size: 5
        training:
          dt: 0.2
          steps: 12
          record_every: 4
        task:
          kind: json
          path: %s
        theory:
          particles: 2000
        spark:
          partitions: %d
        %s""".formatted(name, output, ensemble, CANONICAL, partitions, extra);
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static EnsembleJob.Outcome run(Path sweepFile) throws Exception {
    return run(sweepFile, new ByteArrayOutputStream());
  }

  private static EnsembleJob.Outcome run(Path sweepFile, ByteArrayOutputStream console)
      throws Exception {
    Sweep sweep = SweepLoader.load(sweepFile, null);
    return new EnsembleJob(sweep, new PrintStream(console, true, StandardCharsets.UTF_8), false)
        .run();
  }

  @Test
  void oneAndSevenPartitionsGiveIdenticalSummariesAndNetworks(@TempDir Path dir) throws Exception {
    Path outOne = dir.resolve("one");
    Path outSeven = dir.resolve("seven");
    run(writeSweep(dir, "one", outOne.toString(), 1, ""));
    run(writeSweep(dir, "seven", outSeven.toString(), 7, ""));

    assertArrayEquals(Files.readAllBytes(outOne.resolve("summary.csv")),
        Files.readAllBytes(outSeven.resolve("summary.csv")));
    List<String> lines = Files.readAllLines(outOne.resolve("summary.csv"));
    assertTrue(lines.get(0).startsWith("cell,width,gamma0,activation,dt,step,time,observable,i,j,"
        + "ensemble,diverged,mean,mean_se,nvar,nvar_se,theory_mean,theory_mean_se,theory_nvar,"
        + "theory_nvar_se,ratio,z"), lines.get(0));

    SparkSession spark = SparkSessions.start(null, "read-back");
    try {
      Dataset<Row> one = spark.read().parquet(outOne.resolve("networks").toString());
      Dataset<Row> seven = spark.read().parquet(outSeven.resolve("networks").toString());
      // 4 cells × 23 networks × 4 recorded steps (0, 4, 8, 12)
      assertEquals(4L * 23 * 4, one.count());
      assertEquals(0L, one.exceptAll(seven).count());
      assertEquals(0L, seven.exceptAll(one).count());
      assertEquals(4L * 23, one.select("cell", "network").distinct().count());
      Dataset<Row> summary = spark.read().parquet(outOne.resolve("summary").toString());
      assertEquals(lines.size() - 1, summary.count());
    } finally {
      spark.stop();
    }
  }

  @Test
  void anOutputHoldingADifferentSweepIsRefusedBeforeSparkAndLeftUntouched(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve(OutputDirectory.FAMILY_FILE), "0123456789abcdef\n");
    Files.writeString(out.resolve("summary.csv"), "precious\n");
    Sweep sweep = SweepLoader.load(writeSweep(dir, "other", out.toString(), 0, ""), null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new EnsembleJob(sweep, System.err, false).run());
    assertTrue(e.getMessage().contains("different sweep"), e.getMessage());
    assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
    assertEquals("precious\n", Files.readString(out.resolve("summary.csv")));
    assertFalse(SparkSession.getActiveSession().isDefined());
  }

  @Test
  void aFolderWithForeignFilesIsRefused(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("notes.txt"), "mine\n");
    Sweep sweep = SweepLoader.load(writeSweep(dir, "foreign", out.toString(), 0, ""), null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new EnsembleJob(sweep, System.err, false).run());
    assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
  }

  @Test
  void sweepsResumeRaisingEReusesFinishedBlocksAndMatchesAFreshRunBitForBit(@TempDir Path dir)
      throws Exception {
    Path fresh = dir.resolve("fresh");
    Path grown = dir.resolve("grown");
    run(writeSweep(dir, "fresh", fresh.toString(), 0, 23, ""));
    byte[] expected = Files.readAllBytes(fresh.resolve("summary.csv"));

    // E = 10 first (blocks 0-4, 5-9), then E = 23 in the same directory.
    run(writeSweep(dir, "small", grown.toString(), 0, 10, ""));
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    run(writeSweep(dir, "grown", grown.toString(), 0, 23, ""), console);
    assertTrue(console.toString(StandardCharsets.UTF_8).contains(
        "resuming: 8 of 20 seed blocks already finished"), console.toString());
    assertArrayEquals(expected, Files.readAllBytes(grown.resolve("summary.csv")));

    // A finished sweep run again trains nothing.
    EnsembleJob.Outcome again = run(writeSweep(dir, "grown", grown.toString(), 0, 23, ""));
    assertTrue(again.skipped());

    // A run killed after some blocks: remove two blocks' results and the completion marker.
    Files.delete(grown.resolve(OutputDirectory.FINGERPRINT_FILE));
    List<Path> moments;
    try (var walk = Files.walk(grown.resolve(BlockStore.FOLDER))) {
      moments = walk.filter(p -> p.toString().endsWith(".moments")).sorted().limit(2).toList();
    }
    for (Path m : moments) {
      Files.delete(m);
    }
    console = new ByteArrayOutputStream();
    run(writeSweep(dir, "grown", grown.toString(), 0, 23, ""), console);
    assertTrue(console.toString(StandardCharsets.UTF_8).contains(
        "resuming: 18 of 20 seed blocks already finished"), console.toString());
    assertArrayEquals(expected, Files.readAllBytes(grown.resolve("summary.csv")));
  }
}
