package io.finitewidth.sweep;

import io.finitewidth.model.OnlineSetup;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One point of an online sweep: an {@link OnlineSetup} (activation, γ0, task with one data seed,
 * time grid, batch size, centring) at one width, trained by an ensemble of seeded networks.
 *
 * <p>Network seeds use the counter-based scheme of {@link Cell#networkSeed(long, String, int)}
 * on this cell's {@code key}, which names everything that fixes a network's trajectory apart from
 * its seed (see {@link OnlineSweepLoader}); ensemble size, block size, precision and partitions
 * are not in it, so they never move a seed.
 *
 * @param index position in the sweep's cell order
 * @param key canonical parameter text
 * @param width N, hidden units
 * @param setup everything else that fixes training
 * @param dataSeed the seed of the training batches (part of {@code setup}'s task)
 */
public record OnlineCell(int index, String key, int width, OnlineSetup setup, long dataSeed)
    implements Serializable {

  public OnlineCell {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(setup, "setup");
    if (index < 0 || width < 1) {
      throw new IllegalArgumentException("cell needs index ≥ 0 and width ≥ 1, got " + index
          + " and " + width);
    }
  }

  /** The seed of network {@code networkIndex} (≥ 0). */
  public long networkSeed(long sweepSeed, int networkIndex) {
    return Cell.networkSeed(sweepSeed, key, networkIndex);
  }

  /** Networks 0..E−1 in blocks of {@code blockSize} consecutive indices, remainder last. */
  public List<SeedBlock> seedBlocks(int ensembleSize, int blockSize) {
    if (ensembleSize < 1 || blockSize < 1) {
      throw new IllegalArgumentException("ensemble size and block size must be ≥ 1, got "
          + ensembleSize + " and " + blockSize);
    }
    List<SeedBlock> blocks = new ArrayList<>();
    for (int first = 0, block = 0; first < ensembleSize; first += blockSize, block++) {
      blocks.add(new SeedBlock(index, block, first, Math.min(blockSize, ensembleSize - first)));
    }
    return List.copyOf(blocks);
  }

  public double gamma0() {
    return setup.gamma0();
  }
}
