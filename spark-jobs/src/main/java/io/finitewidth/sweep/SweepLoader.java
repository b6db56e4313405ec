package io.finitewidth.sweep;

import io.finitewidth.fluctuation.PropagatorOptions;
import io.finitewidth.data.Cifar10Binary;
import io.finitewidth.data.CsvTask;
import io.finitewidth.data.DatasetException;
import io.finitewidth.data.JsonTask;
import io.finitewidth.data.LabelledImages;
import io.finitewidth.data.MnistIdx;
import io.finitewidth.data.SyntheticTeacher;
import io.finitewidth.data.TwoClassTask;
import io.finitewidth.model.Activation;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.Task;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads a sweep file (YAML) into a validated {@link Sweep}. The schema, with every key, default
 * and allowed value, is {@code sweep-schema.md} next to this class in the jar's resources.
 *
 * <p>Validation happens entirely here, before any Spark work: every section is checked, every
 * problem is collected, and the task is loaded (dataset files read, selections checked against
 * the data). If anything is wrong one {@link SweepConfigException} lists each problem as
 * {@code field: value — allowed …} under the file name. Unknown keys at any level are problems,
 * with the nearest known key suggested.
 *
 * <p>YAML is parsed with SnakeYAML's {@link SafeConstructor} (plain maps, lists and scalars only;
 * no object construction); duplicate keys are rejected.
 *
 * <p><b>Cells</b> are the product activation × γ0 × width × dt, ordered by activation (in the
 * order linear, tanh, relu), then γ0, width and dt ascending, whatever order the file lists them
 * in.
 *
 * <p><b>Fingerprint</b>: SHA-256 hex of a canonical text holding the sweep seed, E, the precision,
 * the training engine (unless it is {@code weights}), the theory settings, a SHA-256 of the task's numbers and every cell key in order. The name,
 * output path, Spark settings, block size and {@code dynamics} label are left out: they do not
 * change results.
 */
public final class SweepLoader {
  static final List<String> ROOT_KEYS = List.of("name", "seed", "output", "network", "ensemble",
      "training", "task", "theory", "spark");
  static final List<String> NETWORK_KEYS = List.of("activation", "widths", "gamma0", "centred",
      "depth");
  /** Hidden layers a sweep may ask for. */
  static final int MAX_DEPTH = 6;
  static final List<String> ENSEMBLE_KEYS = List.of("size", "block_size");
  static final List<String> TRAINING_KEYS = List.of("dynamics", "dt", "steps", "record_every",
      "loss", "precision", "engine");
  static final List<String> THEORY_KEYS = List.of("particles", "lazy_max_gamma0", "seed",
      "propagator_particles", "tangent_particles", "replicas");
  static final List<String> SPARK_KEYS = List.of("master", "partitions");
  static final Map<String, List<String>> TASK_KEYS = taskKeys();

  static final List<String> DYNAMICS = List.of("gradient_descent", "gradient_flow");
  static final List<String> LOSSES = List.of("mean", "sum");
  static final List<String> PRECISIONS = List.of("float64", "float32");
  static final List<String> ENGINES = List.of("preactivation", "weights");
  static final List<String> TEACHERS = List.of("tanh", "linear");


  static final int DEFAULT_PARTICLES = 20_000;
  static final double DEFAULT_LAZY_MAX_GAMMA0 = 0.1;
  static final long DEFAULT_THEORY_SEED = 1;

  static final Pattern URI_SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://.*");
  static final Pattern SPARK_MASTER = Pattern.compile(
      "local(\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?])?|yarn|(spark|k8s|mesos)://.+");

  private static final String INT_MAX = String.valueOf(Integer.MAX_VALUE);

  private SweepLoader() {}

  /**
   * Loads and validates a sweep file.
   *
   * @param yamlFile the sweep file; relative dataset paths resolve against its folder first
   * @param outputOverride replaces the file's {@code output} when not null (a CLI flag)
   * @throws SweepConfigException listing every problem found
   */
  /**
   * Checks a Spark master given outside the sweep file (the {@code --master} flag) by the same
   * rule as {@code spark.master}.
   *
   * @throws IllegalArgumentException naming the flag, the value and what is allowed
   */
  public static void checkMaster(String flag, String master) {
    if (!SPARK_MASTER.matcher(master).matches()) {
      throw new IllegalArgumentException(flag + ": \"" + master + "\" — allowed: local, local[N],"
          + " local[*], yarn, spark://host:port, k8s://… or mesos://…");
    }
  }

  public static Sweep load(Path yamlFile, String outputOverride) {
    String text;
    try {
      text = Files.readString(yamlFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SweepConfigException(yamlFile.toString(), List.of(new SweepConfigException.Problem(
          "(file)", yamlFile.toAbsolutePath().toString(), "cannot be read: " + e)));
    }
    return new Loading(yamlFile, text, outputOverride).run();
  }

  private static Map<String, List<String>> taskKeys() {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    keys.put("synthetic", List.of("kind", "dim", "train_points", "test_points", "teacher",
        "seed"));
    keys.put("mnist", List.of("kind", "images", "labels", "classes", "train_points",
        "test_points", "seed"));
    keys.put("cifar10", List.of("kind", "files", "classes", "train_points", "test_points",
        "seed"));
    keys.put("csv", List.of("kind", "path", "target"));
    keys.put("json", List.of("kind", "path"));
    return Map.copyOf(keys);
  }

  /** One load: the file, its folder, the collected problems and the values read so far. */
  private static final class Loading extends SweepFileReading {
    Loading(Path file, String text, String outputOverride) {
      super(file, text, outputOverride, ROOT_KEYS);
    }

    Sweep run() {
      Map<String, Object> root = parse();
      reader.checkKeys(root, "", ROOT_KEYS);

      String name = reader.string(root, "", "name", false, "a non-empty string");
      Long seed = reader.integer(root, "", "seed", 0L, Long.MIN_VALUE, Long.MAX_VALUE,
          "a 64-bit integer");
      String output = output(root);
      Network network = network(root);
      Ensemble ensemble = ensemble(root, engineNamed(root));
      Training training = training(root);
      Task task = task(root);
      TheorySettings theory = theory(root);
      SparkSettings spark = spark(root);

      if (!reader.problems().isEmpty()) {
        throw failure();
      }
      List<Cell> cells = cells(network, training, task);
      String fingerprint = fingerprint(seed, ensemble, training.precision, training.engine,
          theory, task, cells);
      return new Sweep(name == null ? baseName() : name, seed, output, task, cells,
          ensemble.size, ensemble.blockSize, training.precision, training.engine, theory, spark,
          fingerprint, text);
    }

    private record Network(List<Activation> activations, List<Long> widths,
        List<Double> gamma0s, boolean centred, List<Long> depths) {}

    private Network network(Map<String, Object> root) {
      Map<String, Object> section = reader.section(root, "", "network", true, NETWORK_KEYS);
      if (section == null) {
        return null;
      }
      String p = "network";
      List<String> labels = Arrays.stream(Activation.values()).map(Activation::label).toList();
      List<Object> rawActivations = reader.items(section, p, "activation", true,
          "one of " + Activation.allowed() + ", or a non-empty list of them");
      List<Activation> activations = distinct(section, p, "activation", rawActivations,
          (value, field) -> {
            String label = reader.choice(value, field, labels);
            return label == null ? null : Activation.parse(label);
          });
      List<Object> rawWidths = reader.items(section, p, "widths", true,
          "a non-empty list of positive integers");
      List<Long> widths = distinct(section, p, "widths", rawWidths,
          (value, field) -> reader.integer(value, field, 1, Integer.MAX_VALUE,
              "a positive integer (1.." + INT_MAX + ")"));
      List<Object> rawGamma0 = reader.items(section, p, "gamma0", true,
          "a non-empty list of positive finite numbers");
      List<Double> gamma0s = distinct(section, p, "gamma0", rawGamma0,
          (value, field) -> reader.number(value, field, 0, false, "a positive finite number"));
      Boolean centred = reader.bool(section, p, "centred", false);
      List<Object> rawDepths = reader.items(section, p, "depth", false,
          "an integer 1.." + MAX_DEPTH + " (hidden layers), or a list of them");
      List<Long> depths = rawDepths == null ? List.of(1L) : distinct(section, p, "depth",
          rawDepths, (value, field) -> reader.integer(value, field, 1, MAX_DEPTH,
              "an integer 1.." + MAX_DEPTH + " (hidden layers)"));
      if (depths != null && Boolean.TRUE.equals(centred)
          && depths.stream().anyMatch(d -> d > 1)) {
        reader.problem("network.centred", true, "false when network.depth > 1 (deep networks"
            + " are trained and reported uncentred)");
      }
      if (activations == null || widths == null || gamma0s == null || depths == null) {
        return new Network(activations, widths, gamma0s, Boolean.TRUE.equals(centred), depths);
      }
      return new Network(activations, widths, gamma0s, Boolean.TRUE.equals(centred), depths);
    }

    /**
     * Converts each item with {@code convert} (which reports bad items and returns null) and
     * reports items equal to an earlier one after conversion.
     */
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

    private record Ensemble(int size, int blockSize) {}

    /**
     * The engine the file names, for defaults that depend on it (problems with the value are
     * reported where the training section is read).
     */
    private static TrainingEngine engineNamed(Map<String, Object> root) {
      if (root.get("training") instanceof Map<?, ?> training
          && training.get("engine") instanceof String name && ENGINES.contains(name)) {
        return TrainingEngine.valueOf(name.toUpperCase(Locale.ROOT));
      }
      return TrainingEngine.PREACTIVATION;
    }

    /** block_size defaults to min(engine's default maximum, E). */
    private Ensemble ensemble(Map<String, Object> root, TrainingEngine engine) {
      Map<String, Object> section = reader.section(root, "", "ensemble", true, ENSEMBLE_KEYS);
      if (section == null) {
        return null;
      }
      Long size = reader.integer(section, "ensemble", "size", null, 2, Integer.MAX_VALUE,
          "an integer ≥ 2 (networks per cell)");
      Long blockSize = reader.integer(section, "ensemble", "block_size",
          size == null ? 1L : Math.min(engine.defaultMaxBlockSize(), size), 1, Integer.MAX_VALUE,
          "an integer ≥ 1 (networks trained together)");
      if (size == null || blockSize == null) {
        return null;
      }
      return new Ensemble(size.intValue(), blockSize.intValue());
    }

    private record Training(String dynamics, List<Double> dts, int steps, int recordEvery,
        LossConvention loss, Precision precision, TrainingEngine engine) {}

    private Training training(Map<String, Object> root) {
      Map<String, Object> section = reader.section(root, "", "training", true, TRAINING_KEYS);
      if (section == null) {
        return null;
      }
      String p = "training";
      String dynamics = reader.choice(section, p, "dynamics", "gradient_descent", DYNAMICS);
      List<Object> rawDts = reader.items(section, p, "dt", true,
          "a positive finite number, or a non-empty list of them");
      List<Double> dts = distinct(section, p, "dt", rawDts,
          (value, field) -> reader.number(value, field, 0, false, "a positive finite number"));
      Long steps = reader.integer(section, p, "steps", null, 1, Integer.MAX_VALUE,
          "an integer ≥ 1");
      Long every = reader.integer(section, p, "record_every", 1L, 1, Integer.MAX_VALUE,
          "an integer ≥ 1");
      String loss = reader.choice(section, p, "loss", "mean", LOSSES);
      String precision = reader.choice(section, p, "precision", "float64", PRECISIONS);
      String engine = reader.choice(section, p, "engine", "preactivation", ENGINES);
      if (dynamics == null || steps == null || every == null || loss == null
          || precision == null || engine == null) {
        return null;
      }
      return new Training(dynamics, dts, steps.intValue(), every.intValue(),
          LossConvention.parse(loss), Precision.valueOf(precision.toUpperCase(Locale.ROOT)),
          TrainingEngine.valueOf(engine.toUpperCase(Locale.ROOT)));
    }

    private TheorySettings theory(Map<String, Object> root) {
      Map<String, Object> section = reader.section(root, "", "theory", false, THEORY_KEYS);
      Map<String, Object> values = section == null ? Map.of() : section;
      Long particles = reader.integer(values, "theory", "particles", (long) DEFAULT_PARTICLES,
          TheorySettings.MIN_PARTICLES, Integer.MAX_VALUE,
          "an integer ≥ " + TheorySettings.MIN_PARTICLES);
      Double lazyMax = reader.number(values, "theory", "lazy_max_gamma0",
          DEFAULT_LAZY_MAX_GAMMA0, 0, true, "a finite number ≥ 0");
      Long seed = reader.integer(values, "theory", "seed", DEFAULT_THEORY_SEED, Long.MIN_VALUE,
          Long.MAX_VALUE, "a 64-bit integer");
      Long propagatorParticles = reader.integer(values, "theory", "propagator_particles",
          (long) PropagatorOptions.DEFAULT_PARTICLES,
          2, Integer.MAX_VALUE, "an integer ≥ 2");
      Long tangentParticles = reader.integer(values, "theory", "tangent_particles",
          (long) PropagatorOptions.DEFAULT_TANGENT_PARTICLES, 1,
          Integer.MAX_VALUE, "an integer ≥ 1, at most propagator_particles");
      Long replicas = reader.integer(values, "theory", "replicas",
          (long) PropagatorOptions.DEFAULT_REPLICAS, 2, 1000,
          "an integer in [2, 1000]");
      if (particles == null || lazyMax == null || seed == null || propagatorParticles == null
          || tangentParticles == null || replicas == null) {
        return null;
      }
      if (tangentParticles > propagatorParticles) {
        reader.problem("theory.tangent_particles", tangentParticles,
            "at most theory.propagator_particles (" + propagatorParticles + ")");
        return null;
      }
      return new TheorySettings(particles.intValue(), lazyMax, seed,
          propagatorParticles.intValue(), tangentParticles.intValue(), replicas.intValue());
    }

    private SparkSettings spark(Map<String, Object> root) {
      Map<String, Object> section = reader.section(root, "", "spark", false, SPARK_KEYS);
      Map<String, Object> values = section == null ? Map.of() : section;
      String allowedMaster = "null (embedded local[*]), local, local[N], local[*], yarn,"
          + " spark://…, k8s://… or mesos://…";
      String master = null;
      Object rawMaster = values.get("master");
      if (rawMaster != null) {
        if (rawMaster instanceof String s && SPARK_MASTER.matcher(s).matches()) {
          master = s;
        } else {
          reader.problem("spark.master", rawMaster, allowedMaster);
        }
      }
      Long partitions = reader.integer(values, "spark", "partitions", 0L, 0, Integer.MAX_VALUE,
          "an integer ≥ 0 (0: one per seed block)");
      return partitions == null ? null : new SparkSettings(master, partitions.intValue());
    }

    // ---- task ----

    private Task task(Map<String, Object> root) {
      Object raw = root.get("task");
      if (!(raw instanceof Map<?, ?>)) {
        reader.section(root, "", "task", true, List.of("kind", "…"));
        return null;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> section = (Map<String, Object>) raw;
      String kind = reader.choice(section, "task", "kind", null,
          List.copyOf(new TreeSet<>(TASK_KEYS.keySet())));
      if (kind == null) {
        TreeSet<String> any = new TreeSet<>();
        TASK_KEYS.values().forEach(any::addAll);
        reader.checkKeys(section, "task", List.copyOf(any));
        return null;
      }
      reader.checkKeys(section, "task", TASK_KEYS.get(kind));
      int before = reader.problems().size();
      Task task = switch (kind) {
        case "synthetic" -> synthetic(section);
        case "mnist" -> mnist(section);
        case "cifar10" -> cifar10(section);
        case "csv" -> csv(section);
        case "json" -> json(section);
        default -> throw new IllegalStateException("unhandled task kind " + kind);
      };
      return reader.problems().size() == before ? task : null;
    }

    private Task synthetic(Map<String, Object> s) {
      Long dim = reader.integer(s, "task", "dim", null, 1, Integer.MAX_VALUE, "an integer ≥ 1");
      Long train = trainPoints(s);
      Long test = testPoints(s);
      String teacher = reader.choice(s, "task", "teacher", "tanh", TEACHERS);
      Long seed = taskSeed(s);
      if (dim == null || train == null || test == null || teacher == null || seed == null) {
        return null;
      }
      return SyntheticTeacher.generate(dim.intValue(), train.intValue(), test.intValue(),
          SyntheticTeacher.Teacher.parse(teacher), seed);
    }

    private Task mnist(Map<String, Object> s) {
      Path images = existingFile(s, "images");
      Path labels = existingFile(s, "labels");
      int[] classes = classes(s, false);
      Long train = trainPoints(s);
      Long test = testPoints(s);
      Long seed = taskSeed(s);
      if (images == null || labels == null || classes == null || train == null || test == null
          || seed == null) {
        return null;
      }
      LabelledImages data;
      try {
        MnistIdx.readLabels(labels);
      } catch (DatasetException e) {
        reader.failed("task.labels", labels.toString(), "unusable: " + e.getMessage());
        return null;
      }
      try {
        data = MnistIdx.read(images, labels);
      } catch (DatasetException e) {
        reader.failed("task.images", images.toString(), "unusable: " + e.getMessage());
        return null;
      }
      return twoClass(data, "mnist", classes, train, test, seed);
    }

    private Task cifar10(Map<String, Object> s) {
      List<Object> rawFiles = reader.items(s, "task", "files", true,
          "a path, or a non-empty list of paths, to CIFAR-10 binary record files");
      List<Path> files = new ArrayList<>();
      if (rawFiles != null) {
        for (int i = 0; i < rawFiles.size(); i++) {
          String field = ConfigReader.itemField(s, "task", "files", i);
          Path path = existingFile(field, rawFiles.get(i));
          if (path != null) {
            files.add(path);
          }
        }
      }
      int[] classes = classes(s, true);
      Long train = trainPoints(s);
      Long test = testPoints(s);
      Long seed = taskSeed(s);
      if (rawFiles == null || files.size() != rawFiles.size() || classes == null
          || train == null || test == null || seed == null) {
        return null;
      }
      LabelledImages data;
      try {
        data = Cifar10Binary.read(files);
      } catch (DatasetException e) {
        reader.failed("task.files", files.toString(), "unusable: " + e.getMessage());
        return null;
      }
      return twoClass(data, "cifar10", classes, train, test, seed);
    }

    private Task twoClass(LabelledImages data, String dataset, int[] classes, long train,
        long test, long seed) {
      TwoClassTask builder = TwoClassTask.from(data).datasetName(dataset)
          .classes(classes[0], classes[1]).trainPoints((int) train).testPoints((int) test)
          .seed(seed);
      int available = builder.available();
      if (train + test > available) {
        reader.failed("task.train_points", train, "allowed: train_points + test_points (here "
            + train + " + " + test + " = " + (train + test) + ") ≤ " + available
            + ", the number of images of classes " + Arrays.toString(classes) + " in "
            + data.source());
        return null;
      }
      try {
        return builder.build();
      } catch (DatasetException e) {
        reader.failed("task.train_points", train, "unusable: " + e.getMessage());
        return null;
      }
    }

    private Task csv(Map<String, Object> s) {
      Path path = existingFile(s, "path");
      String target = reader.string(s, "task", "target", false, "a column name");
      if (path == null || s.get("target") != null && target == null) {
        return null;
      }
      try {
        return CsvTask.read(path, target);
      } catch (DatasetException e) {
        reader.failed("task.path", path.toString(), "unusable: " + e.getMessage());
        return null;
      }
    }

    private Task json(Map<String, Object> s) {
      Path path = existingFile(s, "path");
      if (path == null) {
        return null;
      }
      try {
        return JsonTask.read(path);
      } catch (DatasetException e) {
        reader.failed("task.path", path.toString(), "unusable: " + e.getMessage());
        return null;
      }
    }

    private Long trainPoints(Map<String, Object> s) {
      return reader.integer(s, "task", "train_points", null, 1, Integer.MAX_VALUE,
          "an integer ≥ 1 (P)");
    }

    private Long testPoints(Map<String, Object> s) {
      return reader.integer(s, "task", "test_points", 0L, 0, Integer.MAX_VALUE,
          "an integer ≥ 0 (Q)");
    }

    private Long taskSeed(Map<String, Object> s) {
      return reader.integer(s, "task", "seed", 0L, Long.MIN_VALUE, Long.MAX_VALUE,
          "a 64-bit integer");
    }

    /** Two distinct labels 0..9; for CIFAR-10 class names such as {@code cat} work too. */
    private int[] classes(Map<String, Object> s, boolean namesAllowed) {
      String allowed = "two different class labels 0..9"
          + (namesAllowed ? " or CIFAR-10 class names (" + String.join(", ",
              Cifar10Binary.CLASS_NAMES) + ")" : "") + ", such as [0, 1]";
      Object raw = s.get("classes");
      if (raw == null) {
        reader.missing("task.classes", allowed);
        return null;
      }
      if (!(raw instanceof List<?> list) || list.size() != 2) {
        reader.problem("task.classes", raw, allowed);
        return null;
      }
      int[] classes = new int[2];
      for (int i = 0; i < 2; i++) {
        Object item = list.get(i);
        Long label = ConfigReader.asLong(item);
        if (label == null && namesAllowed && item instanceof String name) {
          int named = Cifar10Binary.labelOf(name);
          label = named < 0 ? null : (long) named;
        }
        if (label == null || label < 0 || label > MnistIdx.MAX_LABEL) {
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

    private Path existingFile(Map<String, Object> s, String key) {
      String field = "task." + key;
      if (s.get(key) == null) {
        reader.missing(field, "a path to an existing file");
        return null;
      }
      return existingFile(field, s.get(key));
    }

    /**
     * Resolves a dataset path: absolute as given; relative against the sweep file's folder, then
     * the working directory. A missing file is reported with every place looked at.
     */
    private Path existingFile(String field, Object value) {
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
      reader.failed(field, value, "file not found; looked for "
          + String.join(" and ", candidates.stream().map(Path::toString).distinct().toList()));
      return null;
    }

    // ---- results ----

    private List<Cell> cells(Network network, Training training, Task task) {
      List<Activation> activations = new ArrayList<>(network.activations);
      activations.sort(Comparator.naturalOrder());
      List<Double> gamma0s = sorted(network.gamma0s);
      List<Long> widths = new ArrayList<>(network.widths);
      widths.sort(Comparator.naturalOrder());
      List<Double> dts = sorted(training.dts);

      List<Long> depths = new ArrayList<>(network.depths);
      depths.sort(Comparator.naturalOrder());

      List<Cell> cells = new ArrayList<>();
      for (Activation activation : activations) {
        for (long depth : depths) {
          for (double gamma0 : gamma0s) {
            for (long width : widths) {
              for (double dt : dts) {
                TimeGrid grid = TimeGrid.every(dt, training.steps, training.recordEvery);
                TwoLayerSetup setup = new TwoLayerSetup(task, activation, gamma0, training.loss,
                    grid, network.centred);
                cells.add(new Cell(cells.size(), Cell.keyOf((int) width, setup, (int) depth),
                    (int) width, setup, training.dynamics, (int) depth));
              }
            }
          }
        }
      }
      return cells;
    }

    private static List<Double> sorted(List<Double> values) {
      List<Double> copy = new ArrayList<>(values);
      copy.sort(Comparator.naturalOrder());
      return copy;
    }

    private static String fingerprint(long seed, Ensemble ensemble, Precision precision,
        TrainingEngine engine, TheorySettings theory, Task task, List<Cell> cells) {
      StringBuilder canonical = new StringBuilder("finite-width sweep fingerprint v1\n")
          .append("seed=").append(seed).append('\n')
          .append("ensemble_size=").append(ensemble.size).append('\n')
          .append("precision=").append(precision.label()).append('\n')
          .append("theory.particles=").append(theory.particles()).append('\n')
          .append("theory.lazy_max_gamma0=").append(Canonical.decimal(theory.lazyMaxGamma0()))
          .append('\n')
          .append("theory.seed=").append(theory.seed()).append('\n')
          .append("theory.propagator=").append(theory.propagatorParticles()).append(',')
          .append(theory.tangentParticles()).append(',').append(theory.replicas()).append('\n')
          .append("task=").append(Canonical.taskDigest(task)).append('\n');
      if (engine.trainsInPreactivationSpace(cells)) {
        // Outputs written before engines existed are the weight engine's: their fingerprint
        // stays what it was. Deep cells train in weight space whatever the engine.
        canonical.append("training.engine=").append(engine.label()).append('\n');
      }
      for (Cell cell : cells) {
        canonical.append("cell=").append(cell.key()).append('\n');
      }
      return Canonical.sha256Hex(canonical.toString());
    }
  }
}
