package io.finitewidth.sweep;

import java.util.List;
import java.util.Locale;

/**
 * How two-layer networks are trained ({@code training.engine}); deep networks always train in
 * weight space. Both engines train the same networks (same seeds, same initial weights) by the
 * same dynamics and agree to rounding; their recorded bits differ, so outputs of one are never
 * merged with outputs of the other.
 */
public enum TrainingEngine {
  /**
   * Full-batch dynamics of the pre-activations h_i(x_k) on the JVM's vector unit, network by
   * network (io.finitewidth.network.PreactivationEnsemble): N·P² work per step whatever the input
   * dimension, the same bits on every machine. The default.
   */
  PREACTIVATION,
  /**
   * Weight-space gradient descent batched over a block with ND4J
   * (io.finitewidth.network.TwoLayerEnsemble): N·D·(P + Q) per step; runs on a GPU with the
   * cuda profile. The only engine of releases before the pre-activation one.
   */
  WEIGHTS;

  /**
   * Whether the pre-activation trainer runs for these cells: this engine is the pre-activation
   * one and some cell is a two-layer network (deep cells always train in weight space). Decides
   * the vector-module check, the fingerprint and the block family.
   */
  public boolean trainsInPreactivationSpace(List<Cell> cells) {
    return this == PREACTIVATION && cells.stream().anyMatch(cell -> !cell.deep());
  }

  /** The name used in sweep files. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Networks per seed block when the sweep file sets none: small for the pre-activation engine
   * (its speed does not depend on the block, so small blocks spread a cell over all cores), 64 for
   * the weight engine (ND4J's per-call cost is shared by the block).
   */
  public int defaultMaxBlockSize() {
    return this == PREACTIVATION ? 16 : 64;
  }
}
