package io.finitewidth.sweep;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A validated, immutable online sweep ({@code training.dynamics: online}), built by
 * {@link OnlineSweepLoader#load}. The schema is {@code online-sweep-schema.md} in the jar's
 * resources.
 *
 * @param name label of the sweep (the file name without extension unless {@code name:} is set)
 * @param seed sweep seed, the root of every network seed
 * @param output output directory as given: a local path, or a file://, hdfs:// or s3a:// URI
 * @param cells cells in order: activation (linear, tanh), then γ0, width, data seed ascending
 * @param ensembleSize E, networks per cell (≥ 2)
 * @param blockSize networks per seed block (≥ 1)
 * @param precision floating-point type of training
 * @param delayTargets loss targets L* for the delay of THEORY-online.md §5, largest first
 *     (possibly empty)
 * @param spark where to run; never part of the fingerprint
 * @param fingerprint SHA-256 hex of everything that determines results
 * @param sourceYaml the sweep file's text, kept with the outputs
 */
public record OnlineSweep(String name, long seed, String output, List<OnlineCell> cells,
    int ensembleSize, int blockSize, Precision precision, List<Double> delayTargets,
    SparkSettings spark, String fingerprint, String sourceYaml) implements Serializable {

  public OnlineSweep {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(spark, "spark");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(sourceYaml, "sourceYaml");
    cells = List.copyOf(cells);
    delayTargets = List.copyOf(delayTargets);
    if (cells.isEmpty()) {
      throw new IllegalArgumentException("an online sweep needs at least one cell");
    }
    for (int i = 0; i < cells.size(); i++) {
      if (cells.get(i).index() != i) {
        throw new IllegalArgumentException("cell " + i + " carries index " + cells.get(i).index());
      }
    }
    if (ensembleSize < 2 || blockSize < 1) {
      throw new IllegalArgumentException("ensemble size must be ≥ 2 and block size ≥ 1, got "
          + ensembleSize + " and " + blockSize);
    }
  }

  /** Every cell's seed blocks, cell by cell in cell order, blocks in index order. */
  public List<SeedBlock> allBlocks() {
    List<SeedBlock> blocks = new ArrayList<>();
    for (OnlineCell cell : cells) {
      blocks.addAll(cell.seedBlocks(ensembleSize, blockSize));
    }
    return List.copyOf(blocks);
  }

  /** The same sweep run against another Spark master (not part of the fingerprint). */
  public OnlineSweep withMaster(String master) {
    return new OnlineSweep(name, seed, output, cells, ensembleSize, blockSize, precision,
        delayTargets, new SparkSettings(master, spark.partitions()), fingerprint, sourceYaml);
  }
}
