package io.finitewidth.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A sweep's output directory on any Hadoop file system ({@code file://}, {@code hdfs://},
 * {@code s3a://}, or a plain local path). Results are written into a staging folder inside it and
 * moved into place only when complete, then the sweep's fingerprint file is written last: a run
 * that dies leaves the earlier results whole and no fingerprint claiming otherwise.
 *
 * <p>Layout: {@code SWEEP_FAMILY} (hash of seed, precision and task, written first),
 * {@code SWEEP_FINGERPRINT} (hash of everything that determines the results, written last),
 * {@code sweep.yaml} (the file as given), {@code networks/} (one partition per finished seed
 * block), {@code blocks/} (their moments: see {@link BlockStore}), {@code summary/},
 * {@code summary.csv}, and {@code theory/} (the theory cache).
 */
final class OutputDirectory {
  static final String FINGERPRINT_FILE = "SWEEP_FINGERPRINT";
  static final String STAGING_PREFIX = "_staging-";
  static final String FAMILY_FILE = "SWEEP_FAMILY";
  /** Replaced as a whole at each commit; networks/ and blocks/ grow block by block instead. */
  static final String[] RESULTS = {"summary", "summary.csv", "sweep.yaml"};

  private final Path root;
  private final FileSystem fs;

  private OutputDirectory(Path root, FileSystem fs) {
    this.root = root;
    this.fs = fs;
  }

  static OutputDirectory open(String location, Configuration hadoop) throws IOException {
    Path root = new Path(location);
    return new OutputDirectory(root, root.getFileSystem(hadoop));
  }

  Path root() { return root; }

  FileSystem fileSystem() { return fs; }

  /** The state of the directory relative to a sweep, checked before any work starts. */
  enum State { EMPTY, SAME_SWEEP_COMPLETE }

  /**
   * Refuses a directory that holds anything but results of this sweep's family (same seed,
   * precision and task, whose finished blocks it can reuse) or leftovers of an interrupted run.
   *
   * @throws IllegalArgumentException naming the path and what it holds
   */
  State check(String fingerprint, String family, String sweepName) throws IOException {
    if (!fs.exists(root)) {
      return State.EMPTY;
    }
    if (!fs.getFileStatus(root).isDirectory()) {
      throw new IllegalArgumentException("output: '" + root + "' is a file, not a directory;"
          + " allowed: a new or empty directory, or one holding this sweep's results");
    }
    Path familyFile = new Path(root, FAMILY_FILE);
    if (fs.exists(familyFile)) {
      String found = readString(familyFile).trim();
      if (!found.equals(family)) {
        throw new IllegalArgumentException("output: '" + root + "' holds the results of a"
            + " different sweep (another seed, precision, training engine or task; family "
            + abbreviate(found) + ", this sweep '" + sweepName + "' is " + abbreviate(family)
            + "); allowed: a new directory (--out), or remove it first. Outputs written before"
            + " training.engine existed were trained by engine 'weights': add"
            + " 'training: {engine: weights}' to resume one");
      }
      Path marker = new Path(root, FINGERPRINT_FILE);
      boolean complete = fs.exists(marker) && readString(marker).trim().equals(fingerprint);
      return complete ? State.SAME_SWEEP_COMPLETE : State.EMPTY;
    }
    for (FileStatus child : fs.listStatus(root)) {
      String name = child.getPath().getName();
      if (!name.startsWith(STAGING_PREFIX) && !name.equals(TheoryCache.FOLDER)
          && !name.startsWith(".")) {
        throw new IllegalArgumentException("output: '" + root + "' exists and holds '"
            + name + "', which is not a finite-width sweep's result; allowed: a new or empty"
            + " directory, or one holding results of this sweep");
      }
    }
    return State.EMPTY;
  }

  /** Marks the directory as this sweep family's before any block is written into it. */
  void claim(String family) throws IOException {
    fs.mkdirs(root);
    Path familyFile = new Path(root, FAMILY_FILE);
    if (!fs.exists(familyFile)) {
      writeString(familyFile, family + "\n");
    }
  }

  /** Moves {@code from} to {@code to}, replacing what was there. */
  void replace(Path from, Path to) throws IOException {
    if (fs.exists(to)) {
      fs.delete(to, true);
    }
    fs.mkdirs(to.getParent());
    if (!fs.rename(from, to)) {
      throw new IOException("could not move " + from + " to " + to);
    }
  }

  /** A fresh staging folder inside the output directory. */
  Path newStaging() throws IOException {
    Path staging = new Path(root, STAGING_PREFIX + UUID.randomUUID());
    fs.mkdirs(staging);
    return staging;
  }

  /**
   * Moves every result from the staging folder into place, replacing older ones of the same
   * sweep, and writes the fingerprint last.
   */
  void commit(Path staging, String fingerprint) throws IOException {
    Path marker = new Path(root, FINGERPRINT_FILE);
    fs.delete(marker, false);
    for (String name : RESULTS) {
      Path from = new Path(staging, name);
      if (!fs.exists(from)) {
        continue;
      }
      Path to = new Path(root, name);
      if (fs.exists(to)) {
        fs.delete(to, true);
      }
      if (!fs.rename(from, to)) {
        throw new IOException("could not move " + from + " to " + to);
      }
    }
    fs.delete(staging, true);
    writeString(marker, fingerprint + "\n");
  }

  /** Removes staging folders left by this or earlier interrupted runs. */
  void removeStaging() throws IOException {
    if (!fs.exists(root)) {
      return;
    }
    for (FileStatus child : fs.listStatus(root)) {
      if (child.getPath().getName().startsWith(STAGING_PREFIX)) {
        fs.delete(child.getPath(), true);
      }
    }
  }

  void writeString(Path path, String text) throws IOException {
    try (OutputStream out = fs.create(path, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  String readString(Path path) throws IOException {
    try (InputStream in = fs.open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String abbreviate(String fingerprint) {
    return fingerprint.length() > 12 ? fingerprint.substring(0, 12) : fingerprint;
  }
}
