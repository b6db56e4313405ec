package io.finitewidth.dmft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Activation;
import io.finitewidth.model.CanonicalData;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.SymmetricEigen;
import io.finitewidth.model.Task;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import org.junit.jupiter.api.Test;

/**
 * Discrete-time DMFT reduces to gradient flow as the step η → 0: at fixed time t the discrete
 * map's errors converge at first order in dt (halving dt halves the distance), and in the lazy
 * limit they converge to the continuous-time solution Δ(t) = exp(−c K0 t) y of THEORY.md §3.
 */
class DiscreteTimeLimitTest {
  private static final double TIME = 4.0;

  private static double[] errorsAt(Task task, double gamma0, double dt) {
    int steps = (int) Math.round(TIME / dt);
    TwoLayerSetup setup = new TwoLayerSetup(task, Activation.LINEAR, gamma0, LossConvention.MEAN,
        new TimeGrid(dt, steps, new int[] {0, steps}), false);
    var p = LinearTwoLayerDmft.solve(setup);
    ObservableLayout layout = p.layout();
    double[] y = task.trainTargets();
    double[] delta = new double[y.length];
    for (int mu = 0; mu < y.length; mu++) {
      delta[mu] = y[mu] - p.mean()[1][layout.predictionTrain(mu)];
    }
    return delta;
  }

  private static double distance(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(s);
  }

  @Test
  void halvingTheStepHalvesTheDistanceToTheFlowAtFirstOrder() {
    Task task = CanonicalData.task();
    double[] coarse = errorsAt(task, 1.0, 0.1);
    double[] medium = errorsAt(task, 1.0, 0.05);
    double[] fine = errorsAt(task, 1.0, 0.025);
    double ratio = distance(coarse, medium) / distance(medium, fine);
    // A first-order method has ratio 2 + O(dt); 1.8 … 2.2 excludes zeroth and second order.
    assertEquals(2.0, ratio, 0.2);
  }

  @Test
  void lazyDiscreteErrorsApproachTheContinuousExponential() {
    Task task = CanonicalData.task();
    int p = task.trainPoints();
    double c = 1.0 / p;
    // Lazy linear: K0 = 2 Kx on train points, Δ(t) = V exp(−c Λ t) Vᵀ y.
    double[][] kx = task.inputKernel();
    double[][] k0 = new double[p][p];
    for (int a = 0; a < p; a++) {
      for (int b = 0; b < p; b++) {
        k0[a][b] = 2 * kx[a][b];
      }
    }
    SymmetricEigen eig = SymmetricEigen.of(k0);
    double[] y = task.trainTargets();
    double[] flow = new double[p];
    for (int k = 0; k < p; k++) {
      double proj = 0;
      for (int a = 0; a < p; a++) {
        proj += eig.vectors()[a][k] * y[a];
      }
      double decay = Math.exp(-c * eig.values()[k] * TIME);
      for (int a = 0; a < p; a++) {
        flow[a] += eig.vectors()[a][k] * proj * decay;
      }
    }
    double gamma0 = 1e-4; // features move by O(γ0): lazy to ~1e-4
    double previous = Double.POSITIVE_INFINITY;
    for (double dt : new double[] {0.1, 0.01, 0.001}) {
      double d = distance(errorsAt(task, gamma0, dt), flow);
      assertTrue(d < previous / 5, "dt=" + dt + ": distance " + d + " after " + previous);
      previous = d;
    }
    assertTrue(previous < 1e-3, "distance at dt = 0.001: " + previous);
  }
}
