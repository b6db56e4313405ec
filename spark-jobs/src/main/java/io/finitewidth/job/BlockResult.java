package io.finitewidth.job;

import io.finitewidth.network.NetworkTrajectory;
import io.finitewidth.stats.CentralMoments;
import java.io.Serializable;
import java.util.List;

/**
 * What one seed block produced on an executor: every network's trajectory (for the networks
 * table) and the moments of the finite ones (slot r·K + k for recorded step r and layout entry k),
 * accumulated in network-index order so that a rerun gives the same bits.
 */
record BlockResult(int cellIndex, int blockIndex, List<NetworkTrajectory> networks,
    CentralMoments moments, int diverged) implements Serializable {

  /** The part the driver needs for the summary: small, collected. */
  BlockMoments blockMoments() {
    return new BlockMoments(cellIndex, blockIndex, moments, diverged);
  }

  record BlockMoments(int cellIndex, int blockIndex, CentralMoments moments, int diverged)
      implements Serializable {}
}
