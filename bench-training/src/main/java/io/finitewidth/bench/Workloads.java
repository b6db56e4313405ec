package io.finitewidth.bench;

import io.finitewidth.model.Activation;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.Task;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import java.util.SplittableRandom;

/** The benchmark tasks: Gaussian inputs, a fixed nonlinear target, P train and Q test points. */
public final class Workloads {
  private Workloads() {}

  public static Task task(long seed, int dim, int trainPoints, int testPoints) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] train = new double[trainPoints][dim];
    double[][] test = new double[testPoints][dim];
    for (double[][] block : new double[][][] {train, test}) {
      for (double[] x : block) {
        for (int d = 0; d < dim; d++) {
          x[d] = 2 * rng.nextDouble() - 1;
        }
      }
    }
    double[] y = new double[trainPoints];
    for (int mu = 0; mu < trainPoints; mu++) {
      y[mu] = Math.tanh(2 * train[mu][0]) + 0.5 * train[mu][dim > 1 ? 1 : 0];
    }
    double[] yTest = new double[testPoints];
    for (int q = 0; q < testPoints; q++) {
      yTest[q] = Math.tanh(2 * test[q][0]) + 0.5 * test[q][dim > 1 ? 1 : 0];
    }
    return new Task("bench-d" + dim, train, y, test, yTest);
  }

  /**
   * The benchmark task, from a formula that the NumPy peer repeats (so both train on the same
   * points): x[a][d] = sin(0.37 + 1.3 a + 0.71 d + 0.013 a d), points a = 0 … P+Q−1 train first,
   * y = tanh(2 x[a][0]) + 0.5 x[a][1].
   */
  public static Task benchTask(int dim, int trainPoints, int testPoints) {
    int points = trainPoints + testPoints;
    double[][] x = new double[points][dim];
    double[] y = new double[points];
    for (int a = 0; a < points; a++) {
      for (int d = 0; d < dim; d++) {
        x[a][d] = Math.sin(0.37 + 1.3 * a + 0.71 * d + 0.013 * a * d);
      }
      y[a] = Math.tanh(2 * x[a][0]) + 0.5 * x[a][dim > 1 ? 1 : 0];
    }
    double[][] train = java.util.Arrays.copyOfRange(x, 0, trainPoints);
    double[][] test = java.util.Arrays.copyOfRange(x, trainPoints, points);
    return new Task("bench-d" + dim, train, java.util.Arrays.copyOfRange(y, 0, trainPoints), test,
        java.util.Arrays.copyOfRange(y, trainPoints, points));
  }

  /** tanh, γ0, c = 1/P, dt, S steps, recorded every 10. */
  public static TwoLayerSetup setup(Task task, Activation activation, double gamma0, double dt,
      int steps, int every, boolean centred) {
    return new TwoLayerSetup(task, activation, gamma0, LossConvention.MEAN,
        TimeGrid.every(dt, steps, every), centred);
  }
}
