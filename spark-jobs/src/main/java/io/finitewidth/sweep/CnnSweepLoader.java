package io.finitewidth.sweep;

import io.finitewidth.data.Cifar10Binary;
import io.finitewidth.data.CnnImageTask;
import io.finitewidth.data.DatasetException;
import io.finitewidth.model.Activation;
import io.finitewidth.network.CnnEnsemble;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a CNN study file (YAML with {@code network.architecture: cnn}) into a validated
 * {@link CnnSweep}. Like {@link SweepLoader}, every problem of the file is collected and reported
 * together as {@code field: value — allowed …}, unknown keys get the nearest known key, and the
 * dataset is read before any Spark work.
 *
 * <pre>
 * name: cifar10-cnn                 # optional, default: file name
 * seed: 1                           # sweep seed
 * output: runs/cifar10-cnn
 * network:
 *   architecture: cnn               # required
 *   activation: relu                # relu (default) | tanh
 *   widths: [8, 16, 32]             # channels N of both convolutions
 *   gamma0: [1.0]
 * ensemble: {size: 8, block_size: 4}
 * training:
 *   dt: 1.0
 *   steps: 20
 *   record_steps: [0, 5, 20]        # default: {0,1,2,5,10,20,50,100,150,200,300,400} ∩ [0,
 *                                   # steps] plus the last step
 *   precision: float32              # float32 (default) | float64
 *   chunk: 32                       # images per forward/backward chunk (memory)
 * task:
 *   kind: cifar10
 *   train_file: ../data/cifar10/data_batch_subset.bin
 *   test_file: ../data/cifar10/test_batch_subset.bin
 *   classes: [airplane, automobile] # first → y = +1, second → y = −1
 *   train_points: 64                # P: the first P matching training records
 *   test_points: 0                  # 0: every matching test record
 *   probe_points: 16                # NTK probe: the first test images
 * statistics: {bootstrap: 300, seed: 1}
 * spark: {master: local[2], partitions: 0}
 * </pre>
 */
public final class CnnSweepLoader {
  static final List<String> ROOT_KEYS = List.of("name", "seed", "output", "network", "ensemble",
      "training", "task", "statistics", "spark");
  static final List<String> NETWORK_KEYS = List.of("architecture", "activation", "widths",
      "gamma0");
  static final List<String> ENSEMBLE_KEYS = List.of("size", "block_size");
  static final List<String> TRAINING_KEYS = List.of("dt", "steps", "record_steps", "precision",
      "chunk");
  static final List<String> TASK_KEYS = List.of("kind", "train_file", "test_file", "classes",
      "train_points", "test_points", "probe_points");
  static final List<String> STATISTICS_KEYS = List.of("bootstrap", "seed");
  static final List<String> SPARK_KEYS = List.of("master", "partitions");
  static final List<String> ACTIVATIONS = List.of("relu", "tanh");
  static final List<String> PRECISIONS = List.of("float32", "float64");
  static final int[] DEFAULT_RECORD = {0, 1, 2, 5, 10, 20, 50, 100, 150, 200, 300, 400};
  static final int MIN_BOOTSTRAP = 20;

  private static final Pattern URI_SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://.*");
  private static final Pattern SPARK_MASTER = Pattern.compile(
      "local(\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?])?|yarn|(spark|k8s|mesos)://.+");

  private CnnSweepLoader() {}

  /**
   * True when the file is a YAML mapping whose {@code network.architecture} is {@code cnn}; false
   * for anything else, including unreadable or malformed files (which the ordinary loader then
   * reports).
   */
  public static boolean isCnn(Path yamlFile) {
    try {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions()))
          .load(Files.readString(yamlFile, StandardCharsets.UTF_8));
      return doc instanceof Map<?, ?> root && root.get("network") instanceof Map<?, ?> network
          && "cnn".equals(network.get("architecture"));
    } catch (IOException | YAMLException | ClassCastException e) {
      return false;
    }
  }

  /**
   * Loads and validates a CNN study file.
   *
   * @param outputOverride replaces the file's {@code output} when not null
   * @throws SweepConfigException listing every problem found
   */
  public static CnnSweep load(Path yamlFile, String outputOverride) {
    String text;
    try {
      text = Files.readString(yamlFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SweepConfigException(yamlFile.toString(), List.of(new SweepConfigException.Problem(
          "(file)", yamlFile.toAbsolutePath().toString(), "cannot be read: " + e)));
    }
    return new Loading(yamlFile, text, outputOverride).run();
  }

  private static final class Loading extends SweepFileReading {
    Loading(Path file, String text, String outputOverride) {
      super(file, text, outputOverride, ROOT_KEYS);
    }

    CnnSweep run() {
      Map<String, Object> root = parse();
      reader.checkKeys(root, "", ROOT_KEYS);
      String name = reader.string(root, "", "name", false, "a non-empty string");
      Long seed = reader.integer(root, "", "seed", 0L, Long.MIN_VALUE, Long.MAX_VALUE,
          "a 64-bit integer");
      String output = output(root);

      Map<String, Object> network = reader.section(root, "", "network", true, NETWORK_KEYS);
      Map<String, Object> net = network == null ? Map.of() : network;
      if (network != null) {
        reader.choice(net, "network", "architecture", null, List.of("cnn"));
      }
      String activation = reader.choice(net, "network", "activation", "relu", ACTIVATIONS);
      List<Long> widths = list(net, "network", "widths", "a non-empty list of positive integers",
          (v, f) -> reader.integer(v, f, 1, 4096, "a positive integer (1..4096)"));
      List<Double> gamma0s = list(net, "network", "gamma0",
          "a non-empty list of positive finite numbers",
          (v, f) -> reader.number(v, f, 0, false, "a positive finite number"));

      Map<String, Object> ens = orEmpty(reader.section(root, "", "ensemble", true,
          ENSEMBLE_KEYS));
      Long size = reader.integer(ens, "ensemble", "size", null, 2, Integer.MAX_VALUE,
          "an integer ≥ 2 (networks per cell)");
      Long blockSize = reader.integer(ens, "ensemble", "block_size",
          size == null ? 1L : Math.min(16, size), 1, Integer.MAX_VALUE,
          "an integer ≥ 1 (networks trained together)");

      Map<String, Object> tr = orEmpty(reader.section(root, "", "training", true,
          TRAINING_KEYS));
      Double dt = reader.number(tr, "training", "dt", null, 0, false,
          "a positive finite number");
      Long steps = reader.integer(tr, "training", "steps", null, 0, 1_000_000,
          "an integer in [0, 1000000]");
      int[] record = recordSteps(tr, steps);
      String precision = reader.choice(tr, "training", "precision", "float32", PRECISIONS);
      Long chunk = reader.integer(tr, "training", "chunk", 32L, 1, 100_000,
          "an integer in [1, 100000] (images per chunk)");

      CnnImageTask task = task(root);

      Map<String, Object> st = orEmpty(reader.section(root, "", "statistics", false,
          STATISTICS_KEYS));
      Long bootstrap = reader.integer(st, "statistics", "bootstrap", 300L, MIN_BOOTSTRAP,
          1_000_000, "an integer in [" + MIN_BOOTSTRAP + ", 1000000]");
      Long bootstrapSeed = reader.integer(st, "statistics", "seed", 1L, Long.MIN_VALUE,
          Long.MAX_VALUE, "a 64-bit integer");
      SparkSettings spark = spark(root);

      if (!reader.problems().isEmpty()) {
        throw new SweepConfigException(file.toString(), reader.problems());
      }
      DataType type = precision.equals("float64") ? DataType.DOUBLE : DataType.FLOAT;
      List<Long> sortedWidths = widths.stream().sorted().toList();
      List<Double> sortedGamma0 = gamma0s.stream().sorted().toList();
      List<CnnSweep.CnnCell> cells = new ArrayList<>();
      String digest = task.digest();
      for (double gamma0 : sortedGamma0) {
        for (long width : sortedWidths) {
          CnnEnsemble.Settings settings = new CnnEnsemble.Settings((int) width, gamma0,
              Activation.parse(activation), dt, steps.intValue(), record, type,
              chunk.intValue());
          String key = "cnn v1;activation=" + activation + ";width=" + width + ";gamma0="
              + Canonical.decimal(gamma0) + ";dt=" + Canonical.decimal(dt) + ";steps=" + steps
              + ";record=" + Arrays.toString(record).replace(" ", "") + ";task=" + digest;
          cells.add(new CnnSweep.CnnCell(cells.size(), key, settings));
        }
      }
      StringBuilder canonical = new StringBuilder("finite-width cnn fingerprint v1\nseed=")
          .append(seed).append("\nensemble_size=").append(size).append("\nprecision=")
          .append(precision).append("\nchunk=").append(chunk).append("\nbootstrap=")
          .append(bootstrap).append(',').append(bootstrapSeed).append('\n');
      cells.forEach(c -> canonical.append("cell=").append(c.key()).append('\n'));
      String family = Canonical.sha256Hex("finite-width cnn family v1\nseed=" + seed
          + "\nprecision=" + precision + "\ntask=" + digest);
      return new CnnSweep(name == null ? baseName() : name, seed, output, task, cells,
          size.intValue(), blockSize.intValue(), spark, bootstrap.intValue(), bootstrapSeed,
          Canonical.sha256Hex(canonical.toString()), family, text);
    }

    private static Map<String, Object> orEmpty(Map<String, Object> section) {
      return section == null ? Map.of() : section;
    }

    private interface Convert<T> {
      T apply(Object value, String field);
    }

    /** Distinct converted items of a list (or single value); empty when missing or bad. */
    private <T> List<T> list(Map<String, Object> section, String parent, String key,
        String allowed, Convert<T> convert) {
      List<Object> items = reader.items(section, parent, key, true, allowed);
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

    private int[] recordSteps(Map<String, Object> section, Long steps) {
      if (steps == null) {
        return null;
      }
      int last = steps.intValue();
      TreeSet<Integer> chosen = new TreeSet<>();
      if (section.get("record_steps") == null) {
        Arrays.stream(DEFAULT_RECORD).filter(n -> n <= last).forEach(chosen::add);
        chosen.add(last);
      } else {
        String allowed = "increasing integers in [0, steps = " + last + "]";
        List<Object> items = reader.items(section, "training", "record_steps", true, allowed);
        if (items == null) {
          return null;
        }
        int previous = -1;
        for (int i = 0; i < items.size(); i++) {
          String field = ConfigReader.itemField(section, "training", "record_steps", i);
          Long n = reader.integer(items.get(i), field, 0, last, allowed);
          if (n == null) {
            return null;
          }
          if (n <= previous) {
            reader.problem(field, items.get(i), allowed);
            return null;
          }
          previous = n.intValue();
          chosen.add(previous);
        }
      }
      return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    private CnnImageTask task(Map<String, Object> root) {
      Map<String, Object> section = reader.section(root, "", "task", true, TASK_KEYS);
      if (section == null) {
        return null;
      }
      reader.choice(section, "task", "kind", null, List.of("cifar10"));
      Path train = existingFile(section, "train_file");
      Path test = existingFile(section, "test_file");
      int[] classes = classes(section);
      Long p = reader.integer(section, "task", "train_points", null, 1, Integer.MAX_VALUE,
          "an integer ≥ 1 (P)");
      Long q = reader.integer(section, "task", "test_points", 0L, 0, Integer.MAX_VALUE,
          "an integer ≥ 0 (0: every test image of the two classes)");
      Long probe = reader.integer(section, "task", "probe_points", 16L, 1, 1024,
          "an integer in [1, 1024]");
      if (reader.hasProblemsUnder("task") || train == null || test == null || classes == null
          || p == null || q == null || probe == null) {
        return null;
      }
      if (q > 0 && probe > q) {
        reader.problem("task.probe_points", probe, "at most task.test_points (" + q + ")");
        return null;
      }
      try {
        return CnnImageTask.build(train, test, classes[0], classes[1], p.intValue(),
            q.intValue(), probe.intValue());
      } catch (DatasetException e) {
        reader.failed("task", train + ", " + test, "unusable: " + e.getMessage());
        return null;
      }
    }

    private int[] classes(Map<String, Object> section) {
      String allowed = "two different CIFAR-10 labels 0..9 or class names ("
          + String.join(", ", Cifar10Binary.CLASS_NAMES) + ")";
      Object raw = section.get("classes");
      if (raw == null) {
        return new int[] {0, 1};
      }
      if (!(raw instanceof List<?> list) || list.size() != 2) {
        reader.problem("task.classes", raw, allowed);
        return null;
      }
      int[] classes = new int[2];
      for (int i = 0; i < 2; i++) {
        Object item = list.get(i);
        Long label = ConfigReader.asLong(item);
        if (label == null && item instanceof String s) {
          int named = Cifar10Binary.labelOf(s);
          label = named < 0 ? null : (long) named;
        }
        if (label == null || label < 0 || label > 9) {
          reader.problem("task.classes[" + i + "]", item, allowed);
          return null;
        }
        classes[i] = label.intValue();
      }
      if (classes[0] == classes[1]) {
        reader.problem("task.classes", raw, allowed);
        return null;
      }
      return classes;
    }

    private Path existingFile(Map<String, Object> section, String key) {
      String field = "task." + key;
      Object value = section.get(key);
      if (value == null) {
        reader.missing(field, "a path to a CIFAR-10 binary record file");
        return null;
      }
      if (!(value instanceof String raw) || raw.isBlank()) {
        reader.problem(field, value, "a path to an existing file");
        return null;
      }
      Path given;
      try {
        given = Path.of(raw);
      } catch (java.nio.file.InvalidPathException e) {
        reader.problem(field, value, "a valid file path (" + e.getReason() + ")");
        return null;
      }
      List<Path> candidates = given.isAbsolute() ? List.of(given)
          : List.of(folder.resolve(given).normalize(),
              Path.of("").toAbsolutePath().resolve(given).normalize());
      for (Path candidate : candidates) {
        if (Files.isRegularFile(candidate)) {
          return candidate;
        }
      }
      reader.failed(field, value, "file not found; looked for " + String.join(" and ",
          candidates.stream().map(Path::toString).distinct().toList()));
      return null;
    }

    private SparkSettings spark(Map<String, Object> root) {
      Map<String, Object> values = orEmpty(reader.section(root, "", "spark", false,
          SPARK_KEYS));
      String master = null;
      Object rawMaster = values.get("master");
      if (rawMaster != null) {
        if (rawMaster instanceof String s && SPARK_MASTER.matcher(s).matches()) {
          master = s;
        } else {
          reader.problem("spark.master", rawMaster, "null (embedded local[*]), local, local[N],"
              + " local[*], yarn, spark://…, k8s://… or mesos://…");
        }
      }
      Long partitions = reader.integer(values, "spark", "partitions", 0L, 0, Integer.MAX_VALUE,
          "an integer ≥ 0 (0: one per seed block)");
      return partitions == null ? null : new SparkSettings(master, partitions.intValue());
    }
  }
}
