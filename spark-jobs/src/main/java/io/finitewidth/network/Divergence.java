package io.finitewidth.network;

/**
 * When a network counts as diverged: some recorded value is NaN or infinite, or its loss has
 * grown past {@link #LOSS_GROWTH_LIMIT} times its initial loss (plus one, for a zero start).
 * The second rule catches runs past the edge of stability whose values are still finite but
 * astronomically large (outputs of 1e150 were seen one step before overflow); averaging them
 * in would swamp every moment, so they are counted and excluded like NaN runs.
 */
public final class Divergence {
  /** 1e12: no converging run grows its loss by more than a few orders of magnitude. */
  public static final double LOSS_GROWTH_LIMIT = 1e12;

  private Divergence() {}

  /**
   * The first recorded step at which the trajectory diverged, or −1.
   *
   * @param trajectory values per recorded step
   * @param lossSlot where the loss sits in each row
   */
  public static int firstDivergedStep(double[][] trajectory, int[] recordSteps, int lossSlot) {
    double limit = Double.NaN;
    for (int r = 0; r < trajectory.length; r++) {
      for (double x : trajectory[r]) {
        if (!Double.isFinite(x)) {
          return recordSteps[r];
        }
      }
      double loss = trajectory[r][lossSlot];
      if (r == 0) {
        limit = LOSS_GROWTH_LIMIT * (1.0 + Math.abs(loss));
      } else if (Math.abs(loss) > limit) {
        return recordSteps[r];
      }
    }
    return -1;
  }
}
