package io.finitewidth.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Activation;
import io.finitewidth.sweep.SweepConfigException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnlineSweepLoaderTest {
  static final String BASE = """
      seed: 11
      output: runs/online-test
      network:
        activation: linear
        widths: [256, 64]
        gamma0: [1.0, 0.5]
      ensemble:
        size: 10
        block_size: 4
      training:
        dynamics: online
        dt: 0.2
        steps: 60
        record_every: 10
        batch_size: 0
      task:
        kind: online_gaussian
        dim: 16
        teacher: linear
        data_seeds: [3, 1]
      theory:
        delay_targets: [0.01, 0.1]
      """;

  @TempDir Path dir;

  private Path write(String name, String yaml) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  private List<Problem> problems(String yaml) throws IOException {
    Path file = write("bad.yaml", yaml);
    SweepConfigException e = assertThrows(SweepConfigException.class,
        () -> OnlineSweepLoader.load(file, null));
    assertTrue(e.getMessage().startsWith("sweep file " + file), e.getMessage());
    return e.problems();
  }

  private static Problem find(List<Problem> problems, String field) {
    return problems.stream().filter(p -> p.field().equals(field)).findFirst()
        .orElseThrow(() -> new AssertionError("no problem for " + field + " in " + problems));
  }

  @Test
  void load_validFile_cellsOrderedAndSeedsFromCellKey() throws IOException {
    OnlineSweep sweep = OnlineSweepLoader.load(write("online.yaml", BASE), null);
    assertEquals("online", sweep.name());
    // γ0 × width × data seed, each ascending.
    assertEquals(8, sweep.cells().size());
    OnlineCell first = sweep.cells().get(0);
    assertEquals(0.5, first.gamma0());
    assertEquals(64, first.width());
    assertEquals(1, first.dataSeed());
    assertEquals(3, sweep.cells().get(1).dataSeed());
    assertEquals(256, sweep.cells().get(2).width());
    assertEquals(1.0, sweep.cells().get(4).gamma0());
    assertEquals(Activation.LINEAR, first.setup().activation());
    assertTrue(first.setup().population());
    assertEquals(List.of(0.1, 0.01), sweep.delayTargets());
    assertEquals(3, sweep.allBlocks().size() / sweep.cells().size());
    assertEquals(Cell.networkSeed(11, first.key(), 5), first.networkSeed(11, 5));
    assertNotEquals(first.networkSeed(11, 0), sweep.cells().get(2).networkSeed(11, 0));
  }

  @Test
  void load_outputOverrideAndBlockSize_doNotChangeFingerprint() throws IOException {
    OnlineSweep a = OnlineSweepLoader.load(write("a.yaml", BASE), null);
    OnlineSweep b = OnlineSweepLoader.load(write("b.yaml",
        BASE.replace("block_size: 4", "block_size: 5")), "elsewhere");
    OnlineSweep c = OnlineSweepLoader.load(write("c.yaml", BASE.replace("seed: 11", "seed: 12")),
        null);
    assertEquals("elsewhere", b.output());
    assertEquals(a.fingerprint(), b.fingerprint());
    assertNotEquals(a.fingerprint(), c.fingerprint());
  }

  @Test
  void load_badValues_everyProblemNamesFieldValueAndAllowed() throws IOException {
    String yaml = BASE.replace("widths: [256, 64]", "widths: [256, 0]")
        .replace("gamma0: [1.0, 0.5]", "gamma0: [1.0, -2]")
        .replace("teacher: linear", "teacher: cubic")
        .replace("block_size: 4", "blocksize: 4")
        .replace("dt: 0.2", "dt: 0");
    List<Problem> problems = problems(yaml);
    Problem width = find(problems, "network.widths[1]");
    assertEquals("0", width.value());
    assertTrue(width.explanation().contains("positive integer"), width.explanation());
    assertEquals("-2", find(problems, "network.gamma0[1]").value());
    Problem teacher = find(problems, "task.teacher");
    assertEquals("\"cubic\"", teacher.value());
    assertEquals("allowed: linear | tanh", teacher.explanation());
    Problem key = find(problems, "ensemble.blocksize");
    assertTrue(key.value().contains("did you mean 'block_size'?"), key.value());
    assertTrue(find(problems, "training.dt").explanation().contains("positive finite"));
    assertEquals(5, problems.size(), problems.toString());
  }

  @Test
  void load_populationGradientWithTanh_refusedWithReason() throws IOException {
    String yaml = BASE.replace("activation: linear", "activation: [linear, tanh]")
        .replace("delay_targets: [0.01, 0.1]", "delay_targets: 0.1");
    List<Problem> problems = problems(yaml);
    Problem batch = find(problems, "training.batch_size");
    assertEquals("0", batch.value());
    assertTrue(batch.explanation().contains("linear network with a linear teacher"),
        batch.explanation());
    Problem test = find(problems, "task.test_points");
    assertTrue(test.explanation().contains("test-set average"), test.explanation());
    assertEquals(2, problems.size(), problems.toString());
  }

  @Test
  void load_targetNeverReachedAndDivergingStep_refusedBeforeSpark() throws IOException {
    // L∞(40) at γ0 = 0.5 is about 0.04 (THEORY-online.md §5: 0.01 is reached near n = 52).
    List<Problem> unreachable = problems(BASE.replace("steps: 60", "steps: 40"));
    Problem target = find(unreachable, "theory.delay_targets[1]");
    assertEquals("0.01", target.value());
    assertTrue(target.explanation().contains("network.gamma0 0.5"), target.explanation());
    assertEquals(1, unreachable.size(), unreachable.toString());

    List<Problem> diverging = problems(BASE.replace("dt: 0.2", "dt: 40")
        .replace("delay_targets: [0.01, 0.1]", "delay_targets: []"));
    Problem dt = find(diverging, "training.dt");
    assertTrue(dt.explanation().contains("stays finite"), dt.explanation());
    // The empty list is a problem too, reported beside the step.
    find(diverging, "theory.delay_targets");
  }

  @Test
  void isOnline_onlyForOnlineDynamics_neverThrows() throws IOException {
    assertTrue(OnlineSweepLoader.isOnline(write("on.yaml", BASE)));
    assertFalse(OnlineSweepLoader.isOnline(write("gd.yaml",
        BASE.replace("dynamics: online", "dynamics: gradient_descent"))));
    assertFalse(OnlineSweepLoader.isOnline(write("none.yaml", "seed: 1\n")));
    assertFalse(OnlineSweepLoader.isOnline(write("broken.yaml", "training: [: :\n")));
    assertFalse(OnlineSweepLoader.isOnline(write("list.yaml", "- 1\n- 2\n")));
    assertFalse(OnlineSweepLoader.isOnline(dir.resolve("missing.yaml")));
  }
}
