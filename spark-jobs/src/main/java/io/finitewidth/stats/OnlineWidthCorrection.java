package io.finitewidth.stats;

/**
 * Ensemble estimators of the width correction N · (E[L_N(n)] − L∞(n)) of the online test loss at
 * one recorded step (THEORY-online.md §7), from E independently initialised width-N networks.
 */
public final class OnlineWidthCorrection {

  private OnlineWidthCorrection() {}

  /**
   * §7a/§7b: Q_i = N (L_i − L∞) and, with the first-order responses G_k = ∂L/∂c_k,
   * Q'_i = Q_i − N Σ_k G_k (c_ik − μ_k). Not modified: the arguments.
   *
   * @param losses L_i of each network at the step
   * @param lossInfinite L∞ at the step (or the paired reference loss, see below)
   * @param initialStatistics c_ik (E × K)
   * @param statisticMeans exact μ_k
   * @param lossResponse G_k; pass null to use least-squares coefficients instead
   */
  public static ControlVariateMean.Estimate estimate(int width, double[] losses,
      double lossInfinite, double[][] initialStatistics, double[] statisticMeans,
      double[] lossResponse) {
    double[] q = new double[losses.length];
    for (int i = 0; i < q.length; i++) {
      q[i] = width * (losses[i] - lossInfinite);
    }
    if (lossResponse == null) {
      return ControlVariateMean.fitted(q, initialStatistics, statisticMeans);
    }
    double[] a = new double[lossResponse.length];
    for (int k = 0; k < a.length; k++) {
      a[k] = width * lossResponse[k];
    }
    return ControlVariateMean.withCoefficients(q, initialStatistics, statisticMeans, a);
  }

  /**
   * §7c, linear networks: split from the error vectors e_i (E × D) of the networks,
   * variance part = N mean_i |e_i − ē|²/(2D) · E/(E − 1), bias part = N (|ē|²/(2D) − L∞) −
   * variance/E (the finite-ensemble mean predictor's loss is biased up by Var/E). Returns
   * {variance part, bias part}. Not modified: the arguments.
   */
  public static double[] split(int width, double[][] errorVectors, double lossInfinite) {
    int count = errorVectors.length;
    if (count < 2) {
      throw new IllegalArgumentException("need at least 2 networks, got " + count);
    }
    int dim = errorVectors[0].length;
    double[] mean = new double[dim];
    for (double[] e : errorVectors) {
      for (int a = 0; a < dim; a++) {
        mean[a] += e[a] / count;
      }
    }
    double spread = 0;
    for (double[] e : errorVectors) {
      for (int a = 0; a < dim; a++) {
        spread += (e[a] - mean[a]) * (e[a] - mean[a]);
      }
    }
    double variance = width * spread / count / (2 * dim) * count / (count - 1.0);
    double meanLoss = 0;
    for (double v : mean) {
      meanLoss += v * v;
    }
    meanLoss /= 2 * dim;
    double bias = width * (meanLoss - lossInfinite) - variance / count;
    return new double[] {variance, bias};
  }
}
