package io.finitewidth.sweep;

import io.finitewidth.model.Task;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A validated, immutable sweep: the cells to run, their ensemble and block sizes, and the settings
 * around them. Built by {@link SweepLoader#load}.
 *
 * @param name label of the sweep (the file name without extension unless {@code name:} is set)
 * @param seed sweep seed, the root of every network seed ({@link Cell#networkSeed})
 * @param output output directory as given: a local path, or a file://, hdfs:// or s3a:// URI
 * @param task the task every cell trains on
 * @param cells cells in order: activation (linear, tanh, relu), then γ0, width and dt ascending
 * @param ensembleSize E, networks per cell (≥ 2)
 * @param blockSize networks per seed block (≥ 1)
 * @param precision floating-point type of training
 * @param engine how two-layer cells are trained
 * @param theory DMFT settings
 * @param spark where to run; never part of the fingerprint
 * @param fingerprint SHA-256 hex of everything that determines results (see {@link SweepLoader})
 * @param sourceYaml the sweep file's text, kept with the outputs
 */
public record Sweep(String name, long seed, String output, Task task, List<Cell> cells,
    int ensembleSize, int blockSize, Precision precision, TrainingEngine engine,
    TheorySettings theory,
    SparkSettings spark, String fingerprint, String sourceYaml) implements Serializable {

  public Sweep {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(theory, "theory");
    Objects.requireNonNull(spark, "spark");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(sourceYaml, "sourceYaml");
    cells = List.copyOf(cells);
    if (cells.isEmpty()) {
      throw new IllegalArgumentException("a sweep needs at least one cell");
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

  /** Whether the pre-activation trainer runs ({@link TrainingEngine#trainsInPreactivationSpace}). */
  public boolean trainsInPreactivationSpace() {
    return engine.trainsInPreactivationSpace(cells);
  }

  /** Every cell's seed blocks, cell by cell in cell order, blocks in index order. */
  public List<SeedBlock> allBlocks() {
    List<SeedBlock> blocks = new ArrayList<>();
    for (Cell cell : cells) {
      blocks.addAll(cell.seedBlocks(ensembleSize, blockSize));
    }
    return List.copyOf(blocks);
  }

  /** The seed of network {@code networkIndex} of cell {@code cellIndex}. */
  public long networkSeed(int cellIndex, int networkIndex) {
    return cells.get(cellIndex).networkSeed(seed, networkIndex);
  }

  /** The same sweep run against another Spark master (not part of the fingerprint). */
  public Sweep withMaster(String master) {
    return new Sweep(name, seed, output, task, cells, ensembleSize, blockSize, precision, engine,
        theory, new SparkSettings(master, spark.partitions()), fingerprint, sourceYaml);
  }
}
