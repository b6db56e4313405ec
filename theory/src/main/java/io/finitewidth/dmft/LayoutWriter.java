package io.finitewidth.dmft;

import io.finitewidth.model.ObservableLayout;

/**
 * Writes one time's order parameters into the flat vector of an {@link ObservableLayout}, so that
 * every solver fills entry k with the same quantity. Points are indexed train first (0..P−1),
 * then test (P..P+Q−1).
 */
public final class LayoutWriter {
  private LayoutWriter() {}

  /**
   * Fills {@code row}: loss = (c/2) Σ_μ (y_μ − f_μ)², f on train and test points, the NTK on train
   * pairs and train × test, and Φ and G on train pairs. Modified: {@code row}. Not modified: the
   * others.
   *
   * @param lossFactor c
   * @param targets y on the P training points
   * @param predictions f on all P + Q points
   * @param ntk K on all points (only rows 0..P−1 are read)
   * @param feature Φ on train pairs (P × P)
   * @param gradient G on train pairs (P × P)
   */
  public static void fillInto(ObservableLayout layout, double lossFactor, double[] targets,
      double[] predictions, double[][] ntk, double[][] feature, double[][] gradient, double[] row) {
    int p = layout.trainPoints();
    int q = layout.testPoints();
    double loss = 0;
    for (int mu = 0; mu < p; mu++) {
      double err = targets[mu] - predictions[mu];
      loss += err * err;
      row[layout.predictionTrain(mu)] = predictions[mu];
    }
    row[layout.lossIndex()] = 0.5 * lossFactor * loss;
    for (int t = 0; t < q; t++) {
      row[layout.predictionTest(t)] = predictions[p + t];
    }
    for (int a = 0; a < p; a++) {
      for (int b = a; b < p; b++) {
        row[layout.ntk(a, b)] = ntk[a][b];
        row[layout.featureKernel(a, b)] = feature[a][b];
        row[layout.gradientKernel(a, b)] = gradient[a][b];
      }
      for (int t = 0; t < q; t++) {
        row[layout.ntkTrainTest(a, t)] = ntk[a][p + t];
      }
    }
  }

  /** Throws if any value of {@code row} is not finite, naming the entry, step and context. */
  static void requireFinite(ObservableLayout layout, double[] row, int step, String context) {
    for (int k = 0; k < row.length; k++) {
      if (!Double.isFinite(row[k])) {
        throw new ArithmeticException(context + ": " + layout.entry(k) + " is " + row[k]
            + " at step " + step + " (diverged?)");
      }
    }
  }
}
