package io.finitewidth.network;

import java.io.Serializable;

/**
 * What one CNN of an ensemble recorded ({@link CnnEnsemble}). Index r runs over the recorded
 * steps {@code recordSteps[r]}; m over the steps at which the probe-set NTK was measured
 * ({@code ntkSteps[m]}, a subset of the recorded steps).
 *
 * @param networkIndex position in the cell's ensemble
 * @param seed the network's seed
 * @param recordSteps the recorded steps n (times are n·dt)
 * @param trainLoss L(n) = (1/(2P)) Σ_μ (y_μ − f_μ)² at every step n = 0..steps
 * @param trainPredictions [r][μ] f on the training images
 * @param testPredictions [r][q] f on the test images
 * @param featureMovement [r][0 or 1] rms over probe images, positions and channels of
 *     h1(n) − h1(0) and of h2(n) − h2(0)
 * @param ntkSteps steps at which the probe NTK was measured
 * @param probeNtk [m][part][a·A + b], A probe images, parts 0 = total, 1 = W1, 2 = W2, 3 = readout
 *     w; K = γ0² N Σ_θ ∂f_a/∂θ ∂f_b/∂θ accumulated in float64
 * @param probeOutputs [m][a] f on the probe images at the NTK steps
 */
public record CnnTrajectory(int networkIndex, long seed, int[] recordSteps, double[] trainLoss,
    double[][] trainPredictions, double[][] testPredictions, double[][] featureMovement,
    int[] ntkSteps, double[][][] probeNtk, double[][] probeOutputs) implements Serializable {

  /** NTK parts in {@link #probeNtk()}. */
  public static final int NTK_TOTAL = 0;
  public static final int NTK_W1 = 1;
  public static final int NTK_W2 = 2;
  public static final int NTK_READOUT = 3;
  public static final int NTK_PARTS = 4;

  /** True when every recorded number is finite (the network did not diverge). */
  public boolean finite() {
    for (double v : trainLoss) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    for (double[][] block : new double[][][] {trainPredictions, testPredictions,
        featureMovement, probeOutputs}) {
      for (double[] row : block) {
        for (double v : row) {
          if (!Double.isFinite(v)) {
            return false;
          }
        }
      }
    }
    return true;
  }
}
