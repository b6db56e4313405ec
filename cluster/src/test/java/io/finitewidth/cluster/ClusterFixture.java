package io.finitewidth.cluster;

import io.finitewidth.job.EnsembleJob;
import io.finitewidth.sweep.SweepLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Shared pieces of the cluster tests: the small sweep, embedded runs, processes, logs. */
final class ClusterFixture {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path CANONICAL = REPO.resolve("data/theory-canonical.json");
  static final int ENSEMBLE = 20;

  private ClusterFixture() {}

  /** Two tanh cells of tiny width, 20 networks each in blocks of 2: 20 short Spark tasks. */
  static Path writeSweep(Path dir, String output) throws IOException {
    String yaml = """
        name: cluster-check
        seed: 23
        output: %s
        network:
          activation: [tanh]
          widths: [8, 16]
          gamma0: [0.5]
        ensemble:
          size: %d
          block_size: 2
        training:
          dt: 0.2
          steps: 8
          record_every: 4
        task:
          kind: json
          path: %s
        theory:
          particles: 400
        """.formatted(output, ENSEMBLE, CANONICAL);
    Files.createDirectories(dir);
    Path file = dir.resolve("sweep.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  /** Runs a sweep on embedded Spark in this JVM, writing to {@code out} (any Hadoop URI). */
  static void runEmbedded(Path sweepFile, String out) throws IOException {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    new EnsembleJob(SweepLoader.load(sweepFile, out),
        new PrintStream(console, true, StandardCharsets.UTF_8), false).run();
  }

  /** The JVM flags every Spark JVM needs, from conf/jvm-options. */
  static List<String> jvmFlags() throws IOException {
    return Files.readAllLines(REPO.resolve("conf/jvm-options")).stream().map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  /** Starts a process with its output in {@code log} and the given environment added. */
  static Process start(List<String> command, Map<String, String> env, Path log)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).directory(REPO.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  /** Waits until the log matches; returns the first group (or the match). */
  static String awaitLog(Path log, Pattern pattern, Process process, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      String text = read(log);
      Matcher m = pattern.matcher(text);
      if (m.find()) {
        return m.groupCount() > 0 ? m.group(1) : m.group();
      }
      if (process != null && !process.isAlive()) {
        throw new AssertionError("process ended before '" + pattern + "':\n" + tail(text));
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + pattern + "' within " + timeoutMillis + " ms:\n"
        + tail(read(log)));
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String tail(String text) {
    return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
  }

  /** Kills a process and every process it started (a node going down). */
  static void killTree(Process process) {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
