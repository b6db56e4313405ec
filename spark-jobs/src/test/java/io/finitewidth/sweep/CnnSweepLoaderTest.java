package io.finitewidth.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.data.ShippedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation of CNN study files. */
class CnnSweepLoaderTest {
  @TempDir
  Path dir;

  static String yaml(String network, String training, String task) {
    return """
        seed: 3
        output: out
        network:
        %s
        ensemble: {size: 4, block_size: 2}
        training:
        %s
        task:
          kind: cifar10
          train_file: %s
          test_file: %s
        %s
        """.formatted(network, training, ShippedData.cifarTrain(), ShippedData.cifarTest(), task);
  }

  private Path write(String text) throws Exception {
    Path file = dir.resolve("cnn.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void validFileLoadsWithCellsAndDefaultGrid() throws Exception {
    Path file = write(yaml("  architecture: cnn\n  widths: [16, 8]\n  gamma0: [1, 0.5]",
        "  dt: 1\n  steps: 30", "  train_points: 32"));
    assertTrue(CnnSweepLoader.isCnn(file));
    CnnSweep sweep = CnnSweepLoader.load(file, null);
    assertEquals(4, sweep.cells().size());
    assertEquals(8, sweep.cells().get(0).width());
    assertEquals(0.5, sweep.cells().get(0).gamma0());
    assertEquals(16, sweep.cells().get(3).width());
    assertArrayEquals(new int[] {0, 1, 2, 5, 10, 20, 30},
        sweep.cells().get(0).settings().recordSteps());
    assertEquals(32, sweep.task().trainPoints());
    assertEquals(400, sweep.task().testPoints());
    assertEquals(List.of(0, 0, 1, 1, 2, 2, 3, 3), sweep.allBlocks().stream()
        .map(SeedBlock::cellIndex).toList());
    assertTrue(sweep.cells().get(0).networkSeed(3, 0) != sweep.cells().get(0).networkSeed(3, 1));
  }

  @Test
  void everyBadValueIsReportedTogether() throws Exception {
    Path file = write(yaml(
        "  architecture: cnn\n  activation: sigmoid\n  widths: [0, 8, 8]\n  gamma0: [-1]\n"
            + "  depth: 3",
        "  dt: 0\n  steps: 10\n  record_steps: [0, 5, 3]\n  precision: float16",
        "  train_points: 0\n  classes: [cat, cat]\n  probe_points: 2000"));
    SweepConfigException e = assertThrows(SweepConfigException.class,
        () -> CnnSweepLoader.load(file, null));
    List<String> fields = e.problems().stream().map(SweepConfigException.Problem::field)
        .toList();
    for (String expected : List.of("network.activation", "network.widths[0]",
        "network.widths[2]", "network.gamma0[0]", "network.depth", "training.dt",
        "training.record_steps[2]", "training.precision", "task.train_points", "task.classes",
        "task.probe_points")) {
      assertTrue(fields.contains(expected), expected + " not in " + fields);
    }
    assertTrue(e.getMessage().contains("allowed: relu | tanh"), e.getMessage());
  }

  @Test
  void missingFileAndTooManyImagesAreNamed() throws Exception {
    Path file = write(yaml("  architecture: cnn\n  widths: 4\n  gamma0: 1", "  dt: 1\n  steps: 1",
        "  train_points: 100000").replace(ShippedData.cifarTest().toString(), "nowhere.bin"));
    SweepConfigException e = assertThrows(SweepConfigException.class,
        () -> CnnSweepLoader.load(file, null));
    assertTrue(e.getMessage().contains("task.test_file: \"nowhere.bin\" — file not found"),
        e.getMessage());
    Path big = write(yaml("  architecture: cnn\n  widths: 4\n  gamma0: 1", "  dt: 1\n  steps: 1",
        "  train_points: 100000"));
    SweepConfigException e2 = assertThrows(SweepConfigException.class,
        () -> CnnSweepLoader.load(big, null));
    assertTrue(e2.getMessage().contains("100000 training images"), e2.getMessage());
  }

  @Test
  void otherFilesAreNotCnn() throws Exception {
    assertFalse(CnnSweepLoader.isCnn(write(yaml("  widths: [4]\n  gamma0: 1",
        "  dt: 1\n  steps: 1", "  train_points: 4"))));
    assertFalse(CnnSweepLoader.isCnn(write("[not, a, mapping")));
    assertFalse(CnnSweepLoader.isCnn(dir.resolve("absent.yaml")));
  }
}
