package io.finitewidth.network;

/**
 * What one network recorded in an online run, at the setup's recorded steps r.
 *
 * @param networkIndex index of the network within its ensemble
 * @param seed the network seed its initial weights were drawn from
 * @param populationLoss exact population loss |e|²/(2D) (linear network and teacher), else NaN
 * @param testLoss (1/2) mean over the fixed test set of (y − f)², NaN without test points
 * @param errorVectors e = b − (β − β_init)/γ0 per recorded step (linear networks; else null),
 *     for the bias/variance split of THEORY-online.md §7c
 * @param testPredictions f on the test set per recorded step, or null if not requested
 * @param initialStatistics the initial statistics indexed by {@link #TEACHER_FEATURE} …
 *     {@link #TEST_TARGET_OUTPUT}; their exact expectations are {@link #INITIAL_STATISTIC_MEANS}
 * @param divergedAtStep first recorded step with a non-finite loss, or −1
 */
public record OnlineTrajectory(int networkIndex, long seed, double[] populationLoss,
    double[] testLoss, double[][] errorVectors, double[][] testPredictions,
    double[] initialStatistics, int divergedAtStep) implements java.io.Serializable {

  /** uᵀ C u with u = b/|b| and C = (1/N) Σ_i w0_i w0_iᵀ (initial). */
  public static final int TEACHER_FEATURE = 0;
  /** u · β with β = (1/N) Σ_i w_i w0_i (initial). */
  public static final int TEACHER_READOUT = 1;
  /** g = (1/N) Σ_i w_i² (initial). */
  public static final int READOUT_NORM = 2;
  /** mean over the test set of y · f_init (uncentred initial output); NaN without test points. */
  public static final int TEST_TARGET_OUTPUT = 3;

  /**
   * Exact expectations over initialisations of the initial statistics at every width:
   * E[uᵀCu] = 1, E[u·β] = 0, E[g] = 1, E[y f_init] = 0 (w is independent of w0 and symmetric).
   */
  public static final double[] INITIAL_STATISTIC_MEANS = {1, 0, 1, 0};

  public boolean diverged() {
    return divergedAtStep >= 0;
  }
}
