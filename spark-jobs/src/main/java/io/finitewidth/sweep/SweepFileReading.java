package io.finitewidth.sweep;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * What every sweep loader (two-layer and deep, online, CNN) does the same way: parse the YAML
 * with SnakeYAML's safe constructor (no class is ever instantiated from the file; duplicate keys
 * refused), name the sweep after its file, check the output location, and turn the collected
 * problems into one {@link SweepConfigException}. One instance reads one file.
 */
abstract class SweepFileReading {
  /** Output locations a sweep may write to (plain local paths need no scheme). */
  static final List<String> OUTPUT_SCHEMES = List.of("file", "hdfs", "s3a");

  final Path file;
  /** The sweep file's folder: relative dataset paths resolve against it first. */
  final Path folder;
  final String text;
  final String outputOverride;
  final ConfigReader reader = new ConfigReader();
  private final List<String> rootKeys;

  SweepFileReading(Path file, String text, String outputOverride, List<String> rootKeys) {
    this.file = file;
    Path parent = file.toAbsolutePath().getParent();
    this.folder = parent == null ? Path.of("").toAbsolutePath() : parent;
    this.text = text;
    this.outputOverride = outputOverride;
    this.rootKeys = rootKeys;
  }

  SweepConfigException failure() {
    return new SweepConfigException(file.toString(), reader.problems());
  }

  /** The document's top-level mapping, keys as strings. */
  Map<String, Object> parse() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Object document;
    try {
      document = new Yaml(new SafeConstructor(options)).load(text);
    } catch (YAMLException e) {
      reader.failed("(syntax)", "not valid YAML", e.getMessage().replace('\n', ' '));
      throw failure();
    }
    if (!(document instanceof Map<?, ?> map)) {
      reader.problem("(document)", document, "a mapping with keys "
          + String.join(", ", rootKeys));
      throw failure();
    }
    Map<String, Object> root = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      root.put(String.valueOf(e.getKey()), e.getValue());
    }
    return root;
  }

  /** The file name without its extension: the sweep's name unless {@code name:} is set. */
  String baseName() {
    String fileName = file.getFileName().toString();
    int dot = fileName.lastIndexOf('.');
    return dot > 0 ? fileName.substring(0, dot) : fileName;
  }

  /** The output location (the override when given), or null after recording a problem. */
  String output(Map<String, Object> root) {
    String allowed = "a local path, or a URI with scheme file, hdfs or s3a";
    String field = outputOverride != null ? "output (override)" : "output";
    String output = outputOverride != null ? outputOverride
        : reader.string(root, "", "output", true, allowed);
    if (output == null) {
      return null;
    }
    var matcher = SweepLoader.URI_SCHEME.matcher(output);
    boolean badScheme = matcher.matches()
        && !OUTPUT_SCHEMES.contains(matcher.group(1).toLowerCase(Locale.ROOT));
    if (output.isBlank() || badScheme) {
      reader.problem(field, output, allowed);
      return null;
    }
    return output;
  }
}
