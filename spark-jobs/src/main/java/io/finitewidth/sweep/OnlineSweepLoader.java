package io.finitewidth.sweep;

import io.finitewidth.dmft.OnlineDmft;
import io.finitewidth.model.Activation;
import io.finitewidth.model.OnlineSetup;
import io.finitewidth.model.OnlineTask;
import io.finitewidth.model.TimeGrid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads an online sweep file (YAML with {@code training.dynamics: online}) into a validated
 * {@link OnlineSweep}. The schema, with every key, default and allowed value, is
 * {@code online-sweep-schema.md} in the jar's resources.
 *
 * <p>As for {@link SweepLoader}: everything is checked here, before any Spark work; every problem
 * is collected and reported at once as {@code field: value — allowed …}; unknown keys get the
 * nearest known key suggested; YAML is parsed with SnakeYAML's {@link SafeConstructor} and
 * duplicate keys are rejected. Beyond single fields it checks the combinations the library
 * refuses (population gradient only for a linear network with a linear teacher, a test set
 * wherever the loss is a test-set average), that the infinite-width map stays finite for every
 * γ0 (linear, B = ∞), and that L∞ reaches every delay target within the steps.
 *
 * <p><b>Cells</b> are the product activation × γ0 × width × data seed, ordered by activation
 * (linear, tanh), then γ0, width and data seed ascending.
 *
 * <p><b>Fingerprint</b>: SHA-256 hex of the sweep seed, E, the precision, the delay targets and
 * every cell key in order; name, output, Spark settings and block size are left out.
 */
public final class OnlineSweepLoader {
  static final List<String> ROOT_KEYS = List.of("name", "seed", "output", "network", "ensemble",
      "training", "task", "theory", "spark");
  static final List<String> NETWORK_KEYS = List.of("activation", "widths", "gamma0", "centred");
  static final List<String> ENSEMBLE_KEYS = List.of("size", "block_size");
  static final List<String> TRAINING_KEYS = List.of("dynamics", "dt", "steps", "record_every",
      "batch_size", "precision");
  static final List<String> TASK_KEYS = List.of("kind", "dim", "teacher", "test_points",
      "teacher_seed", "data_seeds");
  static final List<String> THEORY_KEYS = List.of("delay_targets");
  static final List<String> SPARK_KEYS = List.of("master", "partitions");

  /** The value of {@code training.dynamics} that makes a sweep file an online one. */
  public static final String ONLINE = "online";
  static final List<String> ACTIVATIONS = List.of("linear", "tanh");
  static final List<String> TEACHERS = List.of("linear", "tanh");
  static final List<String> TASK_KINDS = List.of("online_gaussian");
  static final List<String> PRECISIONS = List.of("float64", "float32");

  private static final String INT_MAX = String.valueOf(Integer.MAX_VALUE);

  private OnlineSweepLoader() {}

  /**
   * Whether {@code yamlFile} asks for online mode ({@code training.dynamics: online}). Never
   * throws: a file that cannot be read or parsed, or has no such key, is not online (the ordinary
   * loader then reports what is wrong with it).
   */
  public static boolean isOnline(Path yamlFile) {
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      Object document = new Yaml(new SafeConstructor(options))
          .load(Files.readString(yamlFile, StandardCharsets.UTF_8));
      return document instanceof Map<?, ?> root
          && root.get("training") instanceof Map<?, ?> training
          && ONLINE.equals(training.get("dynamics"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Loads and validates an online sweep file.
   *
   * @param outputOverride replaces the file's {@code output} when not null (a CLI flag)
   * @throws SweepConfigException listing every problem found
   */
  public static OnlineSweep load(Path yamlFile, String outputOverride) {
    String text;
    try {
      text = Files.readString(yamlFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SweepConfigException(yamlFile.toString(), List.of(new SweepConfigException.Problem(
          "(file)", yamlFile.toAbsolutePath().toString(), "cannot be read: " + e)));
    }
    return new Loading(yamlFile, text, outputOverride).run();
  }

  private record Network(List<Activation> activations, List<Long> widths, List<Double> gamma0s,
      boolean centred) {}

  private record Training(double dt, int steps, int recordEvery, int batchSize,
      Precision precision) {}

  private record TaskSpec(int dim, OnlineTask.Link teacher, int testPoints, long teacherSeed,
      List<Long> dataSeeds) {}

  /** One load: the file, the collected problems and the values read so far. */
  private static final class Loading extends SweepFileReading {
    Loading(Path file, String text, String outputOverride) {
      super(file, text, outputOverride, ROOT_KEYS);
    }

    OnlineSweep run() {
      Map<String, Object> root = parse();
      reader.checkKeys(root, "", ROOT_KEYS);
      String name = reader.string(root, "", "name", false, "a non-empty string");
      Long seed = reader.integer(root, "", "seed", 0L, Long.MIN_VALUE, Long.MAX_VALUE,
          "a 64-bit integer");
      String output = output(root);
      Network network = network(root);
      Long[] ensemble = ensemble(root);
      Training training = training(root);
      TaskSpec task = task(root);
      List<Double> targets = delayTargets(root);
      SparkSettings spark = spark(root);
      if (network != null && training != null && task != null) {
        checkCombinations(network, training, task, targets);
      }
      if (!reader.problems().isEmpty()) {
        throw failure();
      }
      List<OnlineCell> cells = cells(network, training, task);
      int size = ensemble[0].intValue();
      String fingerprint = fingerprint(seed, size, training.precision(), targets, cells);
      return new OnlineSweep(name == null ? baseName() : name, seed, output, cells, size,
          ensemble[1].intValue(), training.precision(), targets, spark, fingerprint, text);
    }

    private Network network(Map<String, Object> root) {
      Map<String, Object> section = reader.section(root, "", "network", true, NETWORK_KEYS);
      if (section == null) {
        return null;
      }
      String p = "network";
      List<Activation> activations = distinct(section, p, "activation",
          reader.items(section, p, "activation", true,
              "linear | tanh, or a non-empty list of them"),
          (value, field) -> {
            String label = reader.choice(value, field, ACTIVATIONS);
            return label == null ? null : Activation.parse(label);
          });
      List<Long> widths = distinct(section, p, "widths",
          reader.items(section, p, "widths", true, "a non-empty list of positive integers"),
          (value, field) -> reader.integer(value, field, 1, Integer.MAX_VALUE,
              "a positive integer (1.." + INT_MAX + ")"));
      List<Double> gamma0s = distinct(section, p, "gamma0",
          reader.items(section, p, "gamma0", true, "a non-empty list of positive finite numbers"),
          (value, field) -> reader.number(value, field, 0, false, "a positive finite number"));
      Boolean centred = reader.bool(section, p, "centred", false);
      if (activations.isEmpty() || widths.isEmpty() || gamma0s.isEmpty() || centred == null) {
        return null;
      }
      return new Network(activations, widths, gamma0s, centred);
    }

    /** Converts each item (bad ones reported by {@code convert}) and reports repeats. */
    private <T> List<T> distinct(Map<String, Object> section, String parent, String key,
        List<Object> items, BiFunction<Object, String, T> convert) {
      List<T> values = new ArrayList<>();
      if (items == null) {
        return values;
      }
      for (int i = 0; i < items.size(); i++) {
        String field = ConfigReader.itemField(section, parent, key, i);
        T value = convert.apply(items.get(i), field);
        if (value != null && values.contains(value)) {
          reader.problem(field, items.get(i), "each value once (it repeats an earlier item)");
        } else if (value != null) {
          values.add(value);
        }
      }
      return values;
    }

    /** {E, block size}, or null. */
    private Long[] ensemble(Map<String, Object> root) {
      Map<String, Object> section = reader.section(root, "", "ensemble", true, ENSEMBLE_KEYS);
      if (section == null) {
        return null;
      }
      Long size = reader.integer(section, "ensemble", "size", null, 2, Integer.MAX_VALUE,
          "an integer ≥ 2 (networks per cell)");
      Long blockSize = reader.integer(section, "ensemble", "block_size",
          size == null ? 1L : Math.min(TrainingEngine.WEIGHTS.defaultMaxBlockSize(), size), 1,
          Integer.MAX_VALUE, "an integer ≥ 1 (networks trained together)");
      return size == null || blockSize == null ? null : new Long[] {size, blockSize};
    }

    private Training training(Map<String, Object> root) {
      Map<String, Object> section = reader.section(root, "", "training", true, TRAINING_KEYS);
      if (section == null) {
        return null;
      }
      String p = "training";
      String dynamics = reader.choice(section, p, "dynamics", null, List.of(ONLINE));
      Double dt = reader.number(section, p, "dt", null, 0, false, "a positive finite number");
      Long steps = reader.integer(section, p, "steps", null, 1, Integer.MAX_VALUE,
          "an integer ≥ 1");
      Long every = reader.integer(section, p, "record_every", 1L, 1, Integer.MAX_VALUE,
          "an integer ≥ 1");
      Long batch = reader.integer(section, p, "batch_size", (long) OnlineSetup.POPULATION, 0,
          Integer.MAX_VALUE, "an integer ≥ 1, or 0 for the population gradient (B = ∞)");
      String precision = reader.choice(section, p, "precision", "float64", PRECISIONS);
      if (dynamics == null || dt == null || steps == null || every == null || batch == null
          || precision == null) {
        return null;
      }
      return new Training(dt, steps.intValue(), every.intValue(), batch.intValue(),
          Precision.valueOf(precision.toUpperCase(Locale.ROOT)));
    }

    private TaskSpec task(Map<String, Object> root) {
      Map<String, Object> section = reader.section(root, "", "task", true, TASK_KEYS);
      if (section == null) {
        return null;
      }
      String p = "task";
      String kind = reader.choice(section, p, "kind", null, TASK_KINDS);
      Long dim = reader.integer(section, p, "dim", null, 1, 4096, "an integer in [1, 4096] (D)");
      String teacher = reader.choice(section, p, "teacher", "linear", TEACHERS);
      Long testPoints = reader.integer(section, p, "test_points", 0L, 0, 1_000_000,
          "an integer in [0, 1000000] (fixed test set size)");
      Long teacherSeed = reader.integer(section, p, "teacher_seed", 0L, Long.MIN_VALUE,
          Long.MAX_VALUE, "a 64-bit integer");
      List<Long> dataSeeds = section.get("data_seeds") == null ? List.of(0L)
          : distinct(section, p, "data_seeds", reader.items(section, p, "data_seeds", false,
              "a 64-bit integer, or a non-empty list of them"),
              (value, field) -> reader.integer(value, field, Long.MIN_VALUE, Long.MAX_VALUE,
                  "a 64-bit integer"));
      if (kind == null || dim == null || teacher == null || testPoints == null
          || teacherSeed == null || dataSeeds.isEmpty()) {
        return null;
      }
      return new TaskSpec(dim.intValue(), OnlineTask.Link.valueOf(teacher.toUpperCase(
          Locale.ROOT)), testPoints.intValue(), teacherSeed, dataSeeds);
    }

    private List<Double> delayTargets(Map<String, Object> root) {
      Map<String, Object> section = reader.section(root, "", "theory", false, THEORY_KEYS);
      if (section == null || section.get("delay_targets") == null) {
        return List.of();
      }
      List<Double> targets = new ArrayList<>(distinct(section, "theory", "delay_targets",
          reader.items(section, "theory", "delay_targets", false,
              "a loss value in (0, 0.5), or a non-empty list of them"),
          (value, field) -> reader.number(value, field, 0, false,
              "a positive finite number (a loss value L*)")));
      targets.sort(Comparator.reverseOrder());
      return targets;
    }

    private SparkSettings spark(Map<String, Object> root) {
      Map<String, Object> section = reader.section(root, "", "spark", false, SPARK_KEYS);
      Map<String, Object> values = section == null ? Map.of() : section;
      String master = null;
      Object rawMaster = values.get("master");
      if (rawMaster != null) {
        if (rawMaster instanceof String s && SweepLoader.SPARK_MASTER.matcher(s).matches()) {
          master = s;
        } else {
          reader.problem("spark.master", rawMaster, "null (embedded local[*]), local,"
              + " local[N], local[*], yarn, spark://…, k8s://… or mesos://…");
        }
      }
      Long partitions = reader.integer(values, "spark", "partitions", 0L, 0, Integer.MAX_VALUE,
          "an integer ≥ 0 (0: one per seed block)");
      return partitions == null ? null : new SparkSettings(master, partitions.intValue());
    }

    /** What single fields cannot show: the library's combinations and the theory's range. */
    private void checkCombinations(Network network, Training training, TaskSpec task,
        List<Double> targets) {
      boolean tanhNetwork = network.activations().contains(Activation.TANH);
      boolean tanhTeacher = task.teacher() == OnlineTask.Link.TANH;
      if (training.batchSize() == OnlineSetup.POPULATION && (tanhNetwork || tanhTeacher)) {
        reader.problem("training.batch_size", training.batchSize(), "an integer ≥ 1 here: the"
            + " population gradient (0) is exact only for a linear network with a linear"
            + " teacher, and this sweep has " + (tanhNetwork ? "network.activation tanh"
            : "task.teacher tanh"));
      }
      if (task.testPoints() == 0 && (tanhNetwork || tanhTeacher)) {
        reader.problem("task.test_points", 0, "an integer ≥ 1 here: with a tanh "
            + (tanhNetwork ? "network" : "teacher") + " the test loss is a test-set average");
      }
      if (!network.activations().contains(Activation.LINEAR) || tanhTeacher
          || training.batchSize() != OnlineSetup.POPULATION) {
        return; // no closed-form L∞ to check against (tanh or finite B: measured only)
      }
      // Linear network, linear teacher, B = ∞: L∞(n) is the closed-form recursion.
      for (double gamma0 : network.gamma0s()) {
        double[] loss;
        try {
          loss = OnlineDmft.populationLoss(task.dim(), gamma0, training.dt(), training.steps());
        } catch (ArithmeticException e) {
          reader.problem("training.dt", training.dt(), "a step at which the infinite-width"
              + " online map stays finite for network.gamma0 " + Canonical.decimal(gamma0)
              + " (" + e.getMessage() + ")");
          continue;
        }
        for (int i = 0; i < targets.size(); i++) {
          double target = targets.get(i);
          int reached = -1;
          for (int n = 0; n < loss.length && reached < 0; n++) {
            if (loss[n] <= target) {
              reached = n;
            }
          }
          if (reached <= 0) {
            reader.problem("theory.delay_targets" + (targets.size() > 1 ? "[" + i + "]" : ""),
                target, String.format(Locale.ROOT, "a loss in (%.6g, %.6g): below L∞(0) and"
                    + " reached by L∞ within training.steps at network.gamma0 %s",
                    loss[loss.length - 1], loss[0], Canonical.decimal(gamma0)));
          }
        }
      }
    }

    private List<OnlineCell> cells(Network network, Training training, TaskSpec spec) {
      List<Activation> activations = new ArrayList<>(network.activations());
      activations.sort(Comparator.naturalOrder());
      List<Double> gamma0s = new ArrayList<>(network.gamma0s());
      gamma0s.sort(Comparator.naturalOrder());
      List<Long> widths = new ArrayList<>(network.widths());
      widths.sort(Comparator.naturalOrder());
      List<Long> dataSeeds = new ArrayList<>(spec.dataSeeds());
      dataSeeds.sort(Comparator.naturalOrder());
      TimeGrid grid = TimeGrid.every(training.dt(), training.steps(), training.recordEvery());
      OnlineTask base = OnlineTask.gaussian(spec.dim(), spec.teacher(), spec.testPoints(),
          spec.teacherSeed(), dataSeeds.get(0));
      List<OnlineCell> cells = new ArrayList<>();
      for (Activation activation : activations) {
        for (double gamma0 : gamma0s) {
          for (long width : widths) {
            for (long dataSeed : dataSeeds) {
              OnlineTask task = base.withBatchSource(new OnlineTask.GaussianBatches(dataSeed));
              OnlineSetup setup = new OnlineSetup(task, activation, gamma0, grid,
                  training.batchSize(), network.centred());
              String key = "online;activation=" + activation.label()
                  + ";width=" + width
                  + ";gamma0=" + Canonical.decimal(gamma0)
                  + ";dt=" + Canonical.decimal(training.dt())
                  + ";steps=" + training.steps()
                  + ";record=every" + training.recordEvery()
                  + ";batch=" + training.batchSize()
                  + ";centred=" + network.centred()
                  + ";task=online_gaussian,dim=" + spec.dim()
                  + ",teacher=" + spec.teacher().name().toLowerCase(Locale.ROOT)
                  + ",test_points=" + spec.testPoints()
                  + ",teacher_seed=" + spec.teacherSeed()
                  + ",data_seed=" + dataSeed;
              cells.add(new OnlineCell(cells.size(), key, (int) width, setup, dataSeed));
            }
          }
        }
      }
      return cells;
    }

    private static String fingerprint(long seed, int ensembleSize, Precision precision,
        List<Double> targets, List<OnlineCell> cells) {
      StringBuilder canonical = new StringBuilder("finite-width online sweep fingerprint v1\n")
          .append("seed=").append(seed).append('\n')
          .append("ensemble_size=").append(ensembleSize).append('\n')
          .append("precision=").append(precision.label()).append('\n')
          .append("delay_targets=");
      for (double t : targets) {
        canonical.append(Canonical.decimal(t)).append(',');
      }
      canonical.append('\n');
      for (OnlineCell cell : cells) {
        canonical.append("cell=").append(cell.key()).append('\n');
      }
      return Canonical.sha256Hex(canonical.toString());
    }
  }
}
