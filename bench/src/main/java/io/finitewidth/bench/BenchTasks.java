package io.finitewidth.bench;

import io.finitewidth.model.Activation;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.Task;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import java.util.SplittableRandom;

/**
 * The settings the benchmarks time: a synthetic teacher task in the canonical style of
 * THEORY.md §9 (inputs with |x|² = D, targets tanh(2 b·x/√D) rescaled to mean y² = 1 over the
 * training points), mean loss, dt = 0.2, 100 steps, tanh, γ0 = 1.
 */
public final class BenchTasks {
  /** Input dimension of the synthetic tasks. */
  public static final int DIM = 32;
  public static final double DT = 0.2;
  public static final int STEPS = 100;

  private BenchTasks() {}

  /**
   * The target: 16 train and 8 test points, every one of the 100 steps recorded.
   * {@code small}: 6 train and 3 test points (the canonical sizes), every 10th step recorded.
   */
  public static TwoLayerSetup setup(String name) {
    return switch (name) {
      case "target" -> setup(16, 8, 1);
      case "small" -> setup(6, 3, 10);
      default -> throw new IllegalArgumentException("unknown setting " + name
          + " (expected target or small)");
    };
  }

  /** The teacher task with P train and Q test points, recording every {@code every} steps. */
  public static TwoLayerSetup setup(int trainPoints, int testPoints, int every) {
    return new TwoLayerSetup(teacherTask(trainPoints, testPoints, 20240917L), Activation.TANH,
        1.0, LossConvention.MEAN, TimeGrid.every(DT, STEPS, every), false);
  }

  /** Inputs uniform on the sphere of radius √D, tanh teacher with a Gaussian direction b. */
  static Task teacherTask(int trainPoints, int testPoints, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] teacher = gaussians(random, DIM);
    int total = trainPoints + testPoints;
    double[][] inputs = new double[total][];
    double[] targets = new double[total];
    for (int a = 0; a < total; a++) {
      double[] x = gaussians(random, DIM);
      double norm = 0;
      for (double v : x) {
        norm += v * v;
      }
      double scale = Math.sqrt(DIM / norm);
      double overlap = 0;
      for (int i = 0; i < DIM; i++) {
        x[i] *= scale;
        overlap += teacher[i] * x[i];
      }
      inputs[a] = x;
      targets[a] = Math.tanh(2.0 * overlap / Math.sqrt(DIM));
    }
    double meanSquare = 0;
    for (int a = 0; a < trainPoints; a++) {
      meanSquare += targets[a] * targets[a] / trainPoints;
    }
    double rescale = 1.0 / Math.sqrt(meanSquare);
    double[][] train = new double[trainPoints][];
    double[] y = new double[trainPoints];
    double[][] test = new double[testPoints][];
    double[] yTest = new double[testPoints];
    for (int a = 0; a < total; a++) {
      if (a < trainPoints) {
        train[a] = inputs[a];
        y[a] = targets[a] * rescale;
      } else {
        test[a - trainPoints] = inputs[a];
        yTest[a - trainPoints] = targets[a] * rescale;
      }
    }
    return new Task("teacher-" + trainPoints + "-" + testPoints, train, y, test, yTest);
  }

  /** n independent N(0, 1) draws (Box–Muller). */
  private static double[] gaussians(SplittableRandom random, int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i += 2) {
      double radius = Math.sqrt(-2.0 * Math.log(1.0 - random.nextDouble()));
      double angle = 2.0 * Math.PI * random.nextDouble();
      out[i] = radius * Math.cos(angle);
      if (i + 1 < n) {
        out[i + 1] = radius * Math.sin(angle);
      }
    }
    return out;
  }
}
