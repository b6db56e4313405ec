package io.finitewidth.sweep;

import io.finitewidth.data.CnnImageTask;
import io.finitewidth.network.CnnEnsemble;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A validated CNN study ({@code network.architecture: cnn}), built by {@link CnnSweepLoader}:
 * cells width × γ0, each trained by E independently seeded CNNs in seed blocks. Empirical: no
 * theory is attached.
 *
 * @param name label of the study
 * @param seed sweep seed, root of every network seed ({@link Cell#networkSeed} construction)
 * @param output output directory (local path or file://, hdfs://, s3a:// URI)
 * @param task the image task
 * @param cells cells ordered by γ0, then width, ascending
 * @param ensembleSize E ≥ 2
 * @param blockSize networks trained together ≥ 1
 * @param spark where to run (not part of the fingerprint)
 * @param bootstrap resamples for the standard errors of bias, variance and the width fits
 * @param bootstrapSeed seed of the resampling
 * @param fingerprint SHA-256 hex of everything that determines the results
 * @param family SHA-256 hex of the seed, precision and task (finished outputs of the same family
 *     may be overwritten by this study)
 * @param sourceYaml the file's text, kept with the outputs
 */
public record CnnSweep(String name, long seed, String output, CnnImageTask task,
    List<CnnCell> cells, int ensembleSize, int blockSize, SparkSettings spark, int bootstrap,
    long bootstrapSeed, String fingerprint, String family, String sourceYaml)
    implements Serializable {

  public CnnSweep {
    Objects.requireNonNull(task, "task");
    cells = List.copyOf(cells);
    if (cells.isEmpty() || ensembleSize < 2 || blockSize < 1) {
      throw new IllegalArgumentException("need cells, E ≥ 2 and block size ≥ 1");
    }
  }

  /**
   * One cell: a width and a γ0 with everything else fixed.
   *
   * @param key canonical text of the settings and task digest; seeds derive from it
   */
  public record CnnCell(int index, String key, CnnEnsemble.Settings settings)
      implements Serializable {
    public int width() {
      return settings.width();
    }

    public double gamma0() {
      return settings.gamma0();
    }

    /** The seed of network {@code i}: same counter-based construction as {@link Cell}. */
    public long networkSeed(long sweepSeed, int networkIndex) {
      long s0 = Canonical.mix64(sweepSeed + Canonical.GOLDEN_GAMMA);
      long s1 = Canonical.mix64(s0 ^ Canonical.hash64(key));
      return Canonical.mix64(s1 + Canonical.GOLDEN_GAMMA * (networkIndex + 1L));
    }
  }

  /** Every cell's seed blocks, cell by cell, blocks in index order. */
  public List<SeedBlock> allBlocks() {
    List<SeedBlock> blocks = new ArrayList<>();
    for (CnnCell cell : cells) {
      for (int first = 0, b = 0; first < ensembleSize; first += blockSize, b++) {
        blocks.add(new SeedBlock(cell.index(), b, first,
            Math.min(blockSize, ensembleSize - first)));
      }
    }
    return List.copyOf(blocks);
  }
}
