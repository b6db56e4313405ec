package io.finitewidth.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * A regression task as matrices: P training inputs with targets y and Q test inputs with targets
 * (NaN where unknown). Inputs are rows of length D. Immutable: arrays are copied in and out.
 *
 * <p>Points are indexed train first, then test, wherever a kernel spans both: index a in [0, P)
 * is training point a, index P + q is test point q.
 */
public final class Task implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final double[][] trainInputs;
  private final double[] trainTargets;
  private final double[][] testInputs;
  private final double[] testTargets;

  public Task(String name, double[][] trainInputs, double[] trainTargets, double[][] testInputs,
      double[] testTargets) {
    this.name = Objects.requireNonNull(name, "name");
    if (trainInputs.length == 0) {
      throw new IllegalArgumentException("a task needs at least one training point");
    }
    if (trainInputs.length != trainTargets.length) {
      throw new IllegalArgumentException("train inputs (" + trainInputs.length
          + ") and targets (" + trainTargets.length + ") differ in count");
    }
    if (testInputs.length != testTargets.length) {
      throw new IllegalArgumentException("test inputs (" + testInputs.length
          + ") and targets (" + testTargets.length + ") differ in count");
    }
    int dim = trainInputs[0].length;
    for (double[][] block : new double[][][] {trainInputs, testInputs}) {
      for (double[] x : block) {
        if (x.length != dim) {
          throw new IllegalArgumentException("inputs differ in dimension: " + x.length + " vs " + dim);
        }
      }
    }
    this.trainInputs = deepCopy(trainInputs);
    this.trainTargets = trainTargets.clone();
    this.testInputs = deepCopy(testInputs);
    this.testTargets = testTargets.clone();
  }

  public String name() { return name; }

  /** D, the input dimension. */
  public int dim() { return trainInputs[0].length; }

  /** P. */
  public int trainPoints() { return trainInputs.length; }

  /** Q. */
  public int testPoints() { return testInputs.length; }

  public double[][] trainInputs() { return deepCopy(trainInputs); }

  public double[] trainTargets() { return trainTargets.clone(); }

  public double[][] testInputs() { return deepCopy(testInputs); }

  public double[] testTargets() { return testTargets.clone(); }

  /** All P + Q inputs, train first. */
  public double[][] allInputs() {
    double[][] all = new double[trainPoints() + testPoints()][];
    for (int a = 0; a < trainPoints(); a++) {
      all[a] = trainInputs[a].clone();
    }
    for (int q = 0; q < testPoints(); q++) {
      all[trainPoints() + q] = testInputs[q].clone();
    }
    return all;
  }

  /** The input kernel Kx_ab = x_a · x_b / D over all P + Q points, train first. */
  public double[][] inputKernel() {
    double[][] x = allInputs();
    int m = x.length;
    int d = dim();
    double[][] k = new double[m][m];
    for (int a = 0; a < m; a++) {
      for (int b = a; b < m; b++) {
        double s = 0;
        for (int i = 0; i < d; i++) {
          s += x[a][i] * x[b][i];
        }
        k[a][b] = s / d;
        k[b][a] = k[a][b];
      }
    }
    return k;
  }

  /** A content hash: equal for equal matrices, used to key caches and seeds. */
  public long fingerprint() {
    long h = 1125899906842597L;
    for (double[][] block : new double[][][] {trainInputs, testInputs}) {
      for (double[] x : block) {
        h = 31 * h + Arrays.hashCode(x);
      }
      h = 31 * h + 17;
    }
    h = 31 * h + Arrays.hashCode(trainTargets);
    return h;
  }

  private static double[][] deepCopy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }
}
