package io.finitewidth.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.sweep.Sweep;
import io.finitewidth.sweep.SweepLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory holding another engine's results is refused before anything is written, and the
 * message says that the engine is one of the things that differ and how to resume old outputs.
 */
class OutputDirectoryFamilyTest {
  @TempDir Path dir;

  @Test
  void anotherEnginesOutputIsRefusedNamingTheEngine() throws Exception {
    String yaml = """
        seed: 3
        output: out
        network: {activation: tanh, widths: [8], gamma0: 1.0}
        ensemble: {size: 4}
        training: {dt: 0.1, steps: 2%s}
        task: {kind: synthetic, dim: 3, train_points: 2, test_points: 1, seed: 1}
        """;
    Path pre = dir.resolve("pre.yaml");
    Path weights = dir.resolve("weights.yaml");
    Files.writeString(pre, yaml.formatted(""));
    Files.writeString(weights, yaml.formatted(", engine: weights"));
    Path out = dir.resolve("out");
    Sweep old = SweepLoader.load(weights, out.toString());
    Sweep now = SweepLoader.load(pre, out.toString());
    Files.createDirectories(out);
    Files.writeString(out.resolve(OutputDirectory.FAMILY_FILE), EnsembleJob.family(old));
    Files.writeString(out.resolve("summary.csv"), "kept\n");

    OutputDirectory output = OutputDirectory.open(out.toString(), new Configuration());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> output.check(now.fingerprint(), EnsembleJob.family(now), now.name()));

    assertTrue(e.getMessage().contains("training engine"), e.getMessage());
    assertTrue(e.getMessage().contains("engine: weights"), e.getMessage());
    assertEquals("kept\n", Files.readString(out.resolve("summary.csv")));
  }
}
