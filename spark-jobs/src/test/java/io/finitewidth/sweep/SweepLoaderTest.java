package io.finitewidth.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.data.ShippedData;
import io.finitewidth.model.Activation;
import io.finitewidth.sweep.SweepConfigException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SweepLoaderTest {
  static final String BASE = """
      seed: 7
      output: runs/test
      network:
        activation: tanh
        widths: [64, 128]
        gamma0: [0.5, 1.0]
        centred: false
      ensemble:
        size: 8
        block_size: 4
      training:
        dt: 0.1
        steps: 10
        record_every: 2
      task:
        kind: synthetic
        dim: 8
        train_points: 6
        test_points: 3
        seed: 5
      """;

  static final String SYNTHETIC_TASK = """
      task:
        kind: synthetic
        dim: 8
        train_points: 6
        test_points: 3
        seed: 5
      """;

  @TempDir Path dir;

  private Path write(String name, String yaml) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  /** BASE with one exact line (or block) replaced; fails loudly if the line is absent. */
  static String with(String from, String to) {
    assertTrue(BASE.contains(from), "test setup: BASE lacks " + from);
    return BASE.replace(from, to);
  }

  static String mnistTask(String extra) {
    return "task:\n  kind: mnist\n  images: " + ShippedData.mnistImages() + "\n  labels: "
        + ShippedData.mnistLabels() + "\n  classes: [0, 1]\n" + extra;
  }

  @Test
  void quickstartShipsAndLoads() {
    Path file = ShippedData.folder().getParent().resolve("conf/quickstart.yaml");

    Sweep sweep = SweepLoader.load(file, null);

    assertEquals("quickstart", sweep.name());
    assertEquals(20261204L, sweep.seed());
    assertEquals("runs/quickstart", sweep.output());
    assertEquals(16, sweep.task().trainPoints());
    assertEquals(8, sweep.task().testPoints());
    assertEquals(784, sweep.task().dim());
    assertEquals(6, sweep.cells().size());
    assertEquals(96, sweep.ensembleSize());
    assertEquals(32, sweep.blockSize());
    assertEquals(18, sweep.allBlocks().size());
    assertEquals(Precision.FLOAT64, sweep.precision());
    Cell first = sweep.cells().get(0);
    assertEquals(128, first.width());
    assertEquals(0.05, first.gamma0());
    assertTrue(first.setup().centred());
    assertEquals(Activation.TANH, first.setup().activation());
    assertEquals(21, first.setup().grid().recordCount());
    assertEquals(0.5, first.setup().grid().dt());
    assertEquals(64, sweep.fingerprint().length());
    assertNull(sweep.spark().master());
    assertEquals(new TheorySettings(20_000, 0.1, 1), sweep.theory());
  }

  @Test
  void keepsSourceTextDefaultsAndOutputOverride() throws IOException {
    Path file = write("my-sweep.yaml", BASE);

    Sweep sweep = SweepLoader.load(file, "hdfs://namenode/runs/x");

    assertEquals("my-sweep", sweep.name());
    assertEquals(BASE, sweep.sourceYaml());
    assertEquals("hdfs://namenode/runs/x", sweep.output());
    assertEquals("gradient_descent", sweep.cells().get(0).dynamics());
    assertEquals(new SparkSettings(null, 0), sweep.spark());
  }

  @Test
  void cellsAreOrderedByActivationThenGammaThenWidthThenDt() throws IOException {
    String yaml = with("  activation: tanh", "  activation: [relu, linear]")
        .replace("widths: [64, 128]", "widths: [128, 64]")
        .replace("gamma0: [0.5, 1.0]", "gamma0: [1.0, 0.5]")
        .replace("dt: 0.1", "dt: [0.2, 0.1]");

    List<Cell> cells = SweepLoader.load(write("order.yaml", yaml), null).cells();

    assertEquals(16, cells.size());
    List<String> expectedStart = List.of("linear 0.5 64 0.1", "linear 0.5 64 0.2",
        "linear 0.5 128 0.1", "linear 0.5 128 0.2", "linear 1.0 64 0.1");
    for (int i = 0; i < expectedStart.size(); i++) {
      Cell c = cells.get(i);
      assertEquals(i, c.index());
      assertEquals(expectedStart.get(i), c.setup().activation().label() + " " + c.gamma0() + " "
          + c.width() + " " + c.setup().grid().dt());
    }
    assertEquals(Activation.RELU, cells.get(15).setup().activation());
  }

  @Test
  void networkSeedsDifferAcrossCellsAndIndicesAndAreStable() throws IOException {
    Sweep sweep = SweepLoader.load(write("s.yaml", BASE), null);
    Sweep again = SweepLoader.load(write("s2.yaml", BASE), null);

    Set<Long> seeds = new HashSet<>();
    for (Cell cell : sweep.cells()) {
      for (int i = 0; i < 50; i++) {
        seeds.add(cell.networkSeed(sweep.seed(), i));
        assertEquals(cell.networkSeed(sweep.seed(), i), again.networkSeed(cell.index(), i));
      }
    }
    assertEquals(4 * 50, seeds.size());
    assertNotEquals(sweep.networkSeed(0, 3), sweep.cells().get(0).networkSeed(8, 3));
  }

  @Test
  void networkSeedDoesNotDependOnEnsembleOrBlockSize() throws IOException {
    Sweep small = SweepLoader.load(write("a.yaml", BASE), null);
    Sweep large = SweepLoader.load(write("b.yaml", with("  size: 8\n  block_size: 4",
        "  size: 500\n  block_size: 7")), null);

    assertEquals(small.cells().get(3).key(), large.cells().get(3).key());
    for (int i = 0; i < 8; i++) {
      assertEquals(small.networkSeed(3, i), large.networkSeed(3, i));
    }
    assertNotEquals(small.fingerprint(), large.fingerprint());
  }

  @Test
  void networkSeedDerivationIsPinned() throws IOException {
    // The derivation is a stored contract: resumed sweeps rely on old seeds coming back.
    Sweep sweep = SweepLoader.load(write("pin.yaml", BASE), null);
    Cell cell = sweep.cells().get(0);

    assertEquals("activation=tanh;width=64;gamma0=0.5;dt=0.1;steps=10;record=every2;loss=mean;"
        + "centred=false;task=" + String.format("%016x", sweep.task().fingerprint()), cell.key());
    assertEquals(PINNED_SEED, cell.networkSeed(12345L, 6));
  }

  static final long PINNED_SEED = -3694977529825769879L;

  @Test
  void seedBlocksCoverTheEnsembleInOrder() throws IOException {
    Sweep sweep = SweepLoader.load(write("b.yaml", with("  size: 8\n  block_size: 4",
        "  size: 10\n  block_size: 4")), null);

    List<SeedBlock> blocks = sweep.cells().get(1).seedBlocks(10, 4);
    assertEquals(List.of(new SeedBlock(1, 0, 0, 4), new SeedBlock(1, 1, 4, 4),
        new SeedBlock(1, 2, 8, 2)), blocks);
    assertEquals(4 * 3, sweep.allBlocks().size());
    assertEquals(new SeedBlock(3, 2, 8, 2), sweep.allBlocks().get(11));
  }

  @Test
  void fingerprintIgnoresOutputSparkNameAndBlockSizeButNotResults() throws IOException {
    String base = SweepLoader.load(write("f.yaml", BASE), null).fingerprint();
    String cosmeticYaml = with("output: runs/test", "output: s3a://bucket/elsewhere\n"
        + "name: other\nspark:\n  master: local[2]\n  partitions: 9")
        .replace("block_size: 4", "block_size: 3");
    String cosmetic = SweepLoader.load(write("g.yaml", cosmeticYaml), null).fingerprint();
    String otherGamma = SweepLoader.load(write("h.yaml",
        with("gamma0: [0.5, 1.0]", "gamma0: [0.5, 2.0]")), null).fingerprint();
    String otherSeed = SweepLoader.load(write("i.yaml", with("seed: 7", "seed: 8")), null)
        .fingerprint();

    assertEquals(base, cosmetic);
    assertNotEquals(base, otherGamma);
    assertNotEquals(base, otherSeed);
  }

  /**
   * The engine is part of the fingerprint (its bits differ) except for {@code weights}, whose
   * outputs predate the key and must keep their fingerprint; the default block size follows it.
   */
  @Test
  void engineDefaultsToPreactivationAndSeparatesFingerprints() throws IOException {
    String noBlock = with("size: 8\n  block_size: 4", "size: 80");
    Sweep preactivation = SweepLoader.load(write("p.yaml", noBlock), null);
    Sweep weights = SweepLoader.load(write("w.yaml",
        noBlock.replace("record_every: 2", "record_every: 2\n  engine: weights")), null);
    Sweep named = SweepLoader.load(write("n.yaml",
        noBlock.replace("record_every: 2", "record_every: 2\n  engine: preactivation")), null);

    assertEquals(TrainingEngine.PREACTIVATION, preactivation.engine());
    assertEquals(TrainingEngine.WEIGHTS, weights.engine());
    assertEquals(16, preactivation.blockSize());
    assertEquals(64, weights.blockSize());
    assertEquals(preactivation.fingerprint(), named.fingerprint());
    assertNotEquals(preactivation.fingerprint(), weights.fingerprint());
  }

  /** Deep cells train in weight space whatever the engine: the engine does not split them. */
  @Test
  void engineDoesNotEnterTheFingerprintOfDeepOnlySweeps() throws IOException {
    String deep = with("centred: false", "centred: false\n  depth: 2");
    Sweep preactivation = SweepLoader.load(write("dp.yaml", deep), null);
    Sweep weights = SweepLoader.load(write("dw.yaml",
        deep.replace("record_every: 2", "record_every: 2\n  engine: weights")), null);

    assertFalse(preactivation.trainsInPreactivationSpace());
    assertEquals(preactivation.fingerprint(), weights.fingerprint());
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of(with("widths: [64, 128]", "widths: [64, 12.5]"), "network.widths[1]",
            "12.5", "positive integer"),
        Arguments.of(with("widths: [64, 128]", "widths: [64, \"abc\"]"), "network.widths[1]",
            "\"abc\"", "positive integer"),
        Arguments.of(with("widths: [64, 128]", "widths: [0, 128]"), "network.widths[0]", "0",
            "positive integer"),
        Arguments.of(with("widths: [64, 128]", "widths: []"), "network.widths", "[]",
            "non-empty list"),
        Arguments.of(with("widths: [64, 128]", "widths: [64, 64]"), "network.widths[1]", "64",
            "each value once"),
        Arguments.of(with("gamma0: [0.5, 1.0]", "gamma0: [0.5, .nan]"), "network.gamma0[1]",
            ".nan", "positive finite number"),
        Arguments.of(with("gamma0: [0.5, 1.0]", "gamma0: [-0.5, 1.0]"), "network.gamma0[0]",
            "-0.5", "positive finite number"),
        Arguments.of(with("gamma0: [0.5, 1.0]", "gamma0: 0"), "network.gamma0", "0",
            "positive finite number"),
        Arguments.of(with("activation: tanh", "activation: sigmoid"), "network.activation",
            "\"sigmoid\"", "linear | tanh | relu"),
        Arguments.of(with("centred: false", "centred: maybe"), "network.centred", "\"maybe\"",
            "true | false"),
        Arguments.of(with("size: 8", "size: 1"), "ensemble.size", "1", "integer ≥ 2"),
        Arguments.of(with("size: 8", "size: lots"), "ensemble.size", "\"lots\"", "integer ≥ 2"),
        Arguments.of(with("block_size: 4", "block_size: 0"), "ensemble.block_size", "0",
            "integer ≥ 1"),
        Arguments.of(with("dt: 0.1", "dt: 0"), "training.dt", "0", "positive finite number"),
        Arguments.of(with("dt: 0.1", "dt: [0.1, -1]"), "training.dt[1]", "-1",
            "positive finite number"),
        Arguments.of(with("steps: 10", "steps: 0"), "training.steps", "0", "integer ≥ 1"),
        Arguments.of(with("record_every: 2", "record_every: 2\n  loss: average"), "training.loss",
            "\"average\"", "mean | sum"),
        Arguments.of(with("record_every: 2", "record_every: 2\n  precision: float16"),
            "training.precision", "\"float16\"", "float64 | float32"),
        Arguments.of(with("record_every: 2", "record_every: 2\n  engine: gpu"),
            "training.engine", "\"gpu\"", "preactivation | weights"),
        Arguments.of(with("record_every: 2", "record_every: 2\n  dynamics: adam"),
            "training.dynamics", "\"adam\"", "gradient_descent | gradient_flow"),
        Arguments.of(with("output: runs/test\n", ""), "output", "(missing)", "local path"),
        Arguments.of(with("output: runs/test", "output: ftp://host/x"), "output",
            "\"ftp://host/x\"", "file, hdfs or s3a"),
        Arguments.of(with("seed: 7", "seed: 7.5"), "seed", "7.5", "64-bit integer"),
        Arguments.of(with("  train_points: 6\n", ""), "task.train_points", "(missing)",
            "integer ≥ 1"),
        Arguments.of(with("kind: synthetic", "kind: imagenet"), "task.kind", "\"imagenet\"",
            "cifar10 | csv | json | mnist | synthetic"),
        Arguments.of(with("size: 8\n  block_size: 4", "size: 8\n  block_size: 4\ntheory:\n"
            + "  particles: 50"), "theory.particles", "50", "integer ≥ 100"),
        Arguments.of(with("size: 8\n  block_size: 4", "size: 8\n  block_size: 4\nspark:\n"
            + "  partitions: -1"), "spark.partitions", "-1", "integer ≥ 0"),
        Arguments.of(with("size: 8\n  block_size: 4", "size: 8\n  block_size: 4\nspark:\n"
            + "  master: http://x"), "spark.master", "\"http://x\"", "local[*]"),
        Arguments.of(with(SYNTHETIC_TASK, mnistTask("  train_points: 2000\n"
            + "  test_points: 200\n")), "task.train_points", "2000",
            "(here 2000 + 200 = 2200) ≤ 2115"),
        Arguments.of(with(SYNTHETIC_TASK, mnistTask("  train_points: 4\n")
            .replace("classes: [0, 1]", "classes: [3, 3]")), "task.classes", "[3, 3]",
            "two different class labels"),
        Arguments.of(with(SYNTHETIC_TASK, "task:\n  kind: mnist\n  images: no/such-file.gz\n"
            + "  labels: " + ShippedData.mnistLabels() + "\n  classes: [0, 1]\n"
            + "  train_points: 4\n"), "task.images", "\"no/such-file.gz\"",
            "file not found; looked for "));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("badConfigs")
  void eachBadValueGivesOneProblemNamingFieldValueAndWhatIsAllowed(String yaml, String field,
      String value, String allowed) throws IOException {
    Path file = write("bad.yaml", yaml);

    SweepConfigException e = assertThrows(SweepConfigException.class,
        () -> SweepLoader.load(file, null));

    assertEquals(1, e.problems().size(), e.getMessage());
    Problem problem = e.problems().get(0);
    assertEquals(field, problem.field(), e.getMessage());
    assertTrue(problem.render().contains(": " + value + " — "), e.getMessage());
    assertTrue(problem.explanation().contains(allowed), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void missingDatasetFileIsReportedAtItsResolvedLocations() throws IOException {
    String yaml = with(SYNTHETIC_TASK, "task:\n  kind: csv\n  path: tasks/mine.csv\n");
    Path file = write("csv.yaml", yaml);

    SweepConfigException e = assertThrows(SweepConfigException.class,
        () -> SweepLoader.load(file, null));

    assertTrue(e.getMessage().contains(dir.resolve("tasks/mine.csv").toString()),
        e.getMessage());
  }

  @Test
  void relativeDatasetPathResolvesAgainstTheSweepFileFolder() throws IOException {
    Files.createDirectories(dir.resolve("tasks"));
    Files.writeString(dir.resolve("tasks/mine.csv"), "a,b,split,y\n1,0,train,1\n0,1,train,-1\n");
    Path file = write("csv.yaml", with(SYNTHETIC_TASK, "task:\n  kind: csv\n"
        + "  path: tasks/mine.csv\n"));

    Sweep sweep = SweepLoader.load(file, null);

    assertEquals(2, sweep.task().trainPoints());
    assertEquals(2, sweep.task().dim());
  }

  @Test
  void unreadableDatasetContentIsNamedWithTheReadersMessage() throws IOException {
    Files.writeString(dir.resolve("t.csv"), "a,split\n1,train\n");
    Path file = write("csv.yaml", with(SYNTHETIC_TASK, "task:\n  kind: csv\n  path: t.csv\n"));

    SweepConfigException e = assertThrows(SweepConfigException.class,
        () -> SweepLoader.load(file, null));

    assertEquals("task.path", e.problems().get(0).field());
    assertTrue(e.getMessage().contains("no target column 'y'"), e.getMessage());
  }

  @Test
  void unknownKeySuggestsTheNearestKnownOne() throws IOException {
    Path file = write("typo.yaml", with("widths: [64, 128]", "widht: [64, 128]"));

    SweepConfigException e = assertThrows(SweepConfigException.class,
        () -> SweepLoader.load(file, null));

    Problem unknown = e.problems().stream().filter(p -> p.field().equals("network.widht"))
        .findFirst().orElseThrow(() -> new AssertionError(e.getMessage()));
    assertTrue(unknown.value().contains("did you mean 'widths'?"), e.getMessage());
    assertTrue(unknown.explanation().contains("activation, widths, gamma0, centred"),
        e.getMessage());
  }

  @Test
  void unknownTaskKeySuggestsAKeyOfThatKind() throws IOException {
    Path file = write("typo.yaml", with("  test_points: 3", "  test_point: 3"));

    SweepConfigException e = assertThrows(SweepConfigException.class,
        () -> SweepLoader.load(file, null));

    assertEquals(1, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("task.test_point: unknown key (did you mean"
        + " 'test_points'?)"), e.getMessage());
  }

  @Test
  void allProblemsAreCollectedIntoOneException() throws IOException {
    String yaml = with("widths: [64, 128]", "widths: [-1, 128]").replace("size: 8", "size: 1")
        .replace("dt: 0.1", "dt: -0.1").replace("activation: tanh", "activaton: tanh");
    Path file = write("many.yaml", yaml);

    SweepConfigException e = assertThrows(SweepConfigException.class,
        () -> SweepLoader.load(file, null));

    List<String> fields = e.problems().stream().map(Problem::field).toList();
    assertEquals(List.of("network.activaton", "network.activation", "network.widths[0]",
        "ensemble.size", "training.dt"), fields, e.getMessage());
    assertTrue(e.getMessage().startsWith("sweep file " + file + " has 5 problems:"));
  }

  @Test
  void duplicateKeysAndBrokenYamlAreReported() throws IOException {
    Path duplicate = write("dup.yaml", BASE + "seed: 9\n");
    Path broken = write("broken.yaml", "network: [unclosed\n");

    SweepConfigException d = assertThrows(SweepConfigException.class,
        () -> SweepLoader.load(duplicate, null));
    SweepConfigException b = assertThrows(SweepConfigException.class,
        () -> SweepLoader.load(broken, null));

    assertTrue(d.getMessage().contains("duplicate key seed"), d.getMessage());
    assertEquals("(syntax)", b.problems().get(0).field());
  }

  @Test
  void editDistanceCountsSingleCharacterEdits() {
    assertEquals(0, ConfigReader.editDistance("widths", "widths"));
    assertEquals(1, ConfigReader.editDistance("width", "widths"));
    assertEquals(2, ConfigReader.editDistance("widht", "widths"));
    assertEquals(3, ConfigReader.editDistance("kitten", "sitting"));
    assertNull(ConfigReader.suggest("completely_else", List.of("size", "block_size")));
  }
}
