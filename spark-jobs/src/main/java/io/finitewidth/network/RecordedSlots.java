package io.finitewidth.network;

import io.finitewidth.model.LargestEigenvalue;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.SymmetricEigen;

/**
 * What a network records at each recorded step: the order parameters of
 * {@link ObservableLayout} (slots 0 … K−1) followed by two derived scalars,
 *
 * <ul>
 *   <li>{@code sharpness} (slot K): λmax, the largest eigenvalue of the NTK on train points;
 *   <li>{@code sharpness_lr} (slot K + 1): η · λmax with η = c · dt, the step's stability
 *       number — gradient descent on a quadratic with this curvature is stable for η·λmax < 2
 *       (the edge of stability).
 * </ul>
 */
public final class RecordedSlots {
  public static final String SHARPNESS = "sharpness";
  public static final String SHARPNESS_LR = "sharpness_lr";

  private RecordedSlots() {}

  /** K + 2. */
  public static int size(ObservableLayout layout) {
    return layout.size() + 2;
  }

  public static int sharpness(ObservableLayout layout) {
    return layout.size();
  }

  public static int sharpnessLr(ObservableLayout layout) {
    return layout.size() + 1;
  }

  /** The name of slot k: an ObservableLayout observable or one of the derived scalars. */
  public static String observable(ObservableLayout layout, int k) {
    if (k < layout.size()) {
      return layout.entry(k).observable().label();
    }
    return k == sharpness(layout) ? SHARPNESS : SHARPNESS_LR;
  }

  /**
   * One network's record without the sharpness slots: loss (c/2) Σ Δ², predictions on train then
   * test points, and the NTK, Φ and G entries the layout holds, read from rows of train × all
   * points (row length P + Q) starting at {@code kernelBase}.
   *
   * @param f outputs on train then test points, from {@code fBase}
   * @param delta errors on train points, from {@code deltaBase}
   */
  static double[] assemble(ObservableLayout layout, double lossFactor, double[] f, int fBase,
      double[] delta, int deltaBase, double[] ntk, double[] phi, double[] g, int kernelBase) {
    int trainPoints = layout.trainPoints();
    int testPoints = layout.testPoints();
    int points = trainPoints + testPoints;
    double[] v = new double[size(layout)];
    double sumSquares = 0;
    for (int mu = 0; mu < trainPoints; mu++) {
      double e = delta[deltaBase + mu];
      sumSquares += e * e;
      v[layout.predictionTrain(mu)] = f[fBase + mu];
    }
    v[layout.lossIndex()] = 0.5 * lossFactor * sumSquares;
    for (int q = 0; q < testPoints; q++) {
      v[layout.predictionTest(q)] = f[fBase + trainPoints + q];
    }
    for (int i = 0; i < trainPoints; i++) {
      for (int j = i; j < trainPoints; j++) {
        int at = kernelBase + i * points + j;
        v[layout.ntk(i, j)] = ntk[at];
        v[layout.featureKernel(i, j)] = phi[at];
        v[layout.gradientKernel(i, j)] = g[at];
      }
      for (int q = 0; q < testPoints; q++) {
        v[layout.ntkTrainTest(i, q)] = ntk[kernelBase + i * points + trainPoints + q];
      }
    }
    return v;
  }

  /** Writes λmax and η·λmax into their slots. Modified: values. */
  static void setSharpness(ObservableLayout layout, double[] values, double sharpness,
      double eta) {
    values[sharpness(layout)] = sharpness;
    values[sharpnessLr(layout)] = eta * sharpness;
  }

  /**
   * λmax of the train-point NTK whose upper triangle sits in {@code values} at the layout's
   * {@code ntk(i, j)} slots, from the full Jacobi decomposition (the weight-space and deep
   * trainers'); NaN if any entry is not finite.
   */
  public static double largestNtkEigenvalue(ObservableLayout layout, double[] values) {
    double[][] k = trainNtk(layout, values);
    if (k == null) {
      return Double.NaN;
    }
    double largest = Double.NEGATIVE_INFINITY;
    for (double lambda : SymmetricEigen.of(k).values()) {
      largest = Math.max(largest, lambda);
    }
    return largest;
  }

  /**
   * The same λmax by tridiagonalisation and bisection ({@link LargestEigenvalue}), about twenty
   * times cheaper at P = 16 and equal to the Jacobi value within ~1e-13 of the NTK's norm: the
   * pre-activation trainer's, which records it for every network at every recorded step.
   */
  public static double largestNtkEigenvalueByBisection(ObservableLayout layout,
      double[] values) {
    double[][] k = trainNtk(layout, values);
    return k == null ? Double.NaN : LargestEigenvalue.of(k);
  }

  /** The train NTK as a full matrix, or null if an entry is not finite. */
  private static double[][] trainNtk(ObservableLayout layout, double[] values) {
    int p = layout.trainPoints();
    double[][] k = new double[p][p];
    for (int i = 0; i < p; i++) {
      for (int j = i; j < p; j++) {
        double v = values[layout.ntk(i, j)];
        if (!Double.isFinite(v)) {
          return null;
        }
        k[i][j] = v;
        k[j][i] = v;
      }
    }
    return k;
  }
}
