package io.finitewidth.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Activation;
import io.finitewidth.model.DeepLayout;
import io.finitewidth.model.DeepSetup;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.Task;
import io.finitewidth.model.TimeGrid;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;

class DeepEnsembleTest {
  private static final int DIM = 5;
  private static final int WIDTH = 6;
  private static final int DEPTH = 3;
  private static final double GAMMA0 = 0.8;

  /**
   * Central differences of a float64 function with step h have truncation error ~ h² |f'''| and
   * rounding error ~ ε |f| / h (h = 1e-5: ~1e-10 and ~1e-11 here); relative agreement to 1e-6
   * is far above both and far below any real mistake (a wrong factor or a missing term).
   */
  private static final double FINITE_DIFFERENCE_RELATIVE_TOLERANCE = 1e-6;

  private static DeepSetup setup(Task task, Activation act, int depth, double gamma0,
      TimeGrid grid) {
    return new DeepSetup(task, act, depth, gamma0, LossConvention.MEAN, grid);
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void oneStepMovesEveryWeightByMinusDtGammaSquaredNTimesTheLossGradient(Activation act) {
    Task task = TwoLayerEnsembleTest.smallTask(11, 4, 2);
    double dt = 0.3;
    DeepSetup setup = setup(task, act, DEPTH, GAMMA0, new TimeGrid(dt, 1, new int[] {0, 1}));
    long seed = 12345L;
    double[] after = new DeepEnsemble(setup, WIDTH, DataType.DOUBLE)
        .finalWeights(new long[] {seed})[0];
    double[] before = DeepEnsemble.initialWeights(seed, WIDTH, DIM, DEPTH);
    double c = setup.lossFactor();
    double h = 1e-5;
    double scale = dt * GAMMA0 * GAMMA0 * WIDTH;
    for (int k = 0; k < before.length; k++) {
      double[] plus = before.clone();
      double[] minus = before.clone();
      plus[k] += h;
      minus[k] -= h;
      double gradient = (ReferenceDeepNetwork.loss(plus, WIDTH, DIM, DEPTH, act, GAMMA0,
          task.trainInputs(), task.trainTargets(), c) - ReferenceDeepNetwork.loss(minus, WIDTH,
          DIM, DEPTH, act, GAMMA0, task.trainInputs(), task.trainTargets(), c)) / (2 * h);
      double expected = before[k] - scale * gradient;
      double tol = FINITE_DIFFERENCE_RELATIVE_TOLERANCE * (Math.abs(after[k] - before[k]) + 1e-9);
      assertEquals(expected, after[k], tol, act + ": parameter " + k);
    }
  }

  /**
   * Per layer: Φ^l equals the reference forward pass, the weight block W_l of the
   * finite-difference Jacobian gives γ0² N Σ_{θ ∈ W_l} ∂f_a ∂f_b = G^{l+1} ∘ Φ^l (Φ^0 = Kx,
   * G^{L+1} = 1), and the recorded NTK equals the whole Jacobian NTK.
   */
  @ParameterizedTest
  @EnumSource(value = Activation.class, names = {"LINEAR", "TANH"})
  void layerKernelsAndNtkEqualTheBruteForceJacobian(Activation act) {
    Task task = TwoLayerEnsembleTest.smallTask(3, 3, 2);
    DeepSetup setup = setup(task, act, DEPTH, GAMMA0, new TimeGrid(0.1, 1, new int[] {0}));
    long seed = 99L;
    DeepObservables rec = new DeepEnsemble(setup, WIDTH, DataType.DOUBLE)
        .train(0, new long[] {seed}).get(0);
    double[] theta = DeepEnsemble.initialWeights(seed, WIDTH, DIM, DEPTH);
    double[][] x = task.allInputs();
    double[][] kx = task.inputKernel();
    int points = x.length;
    double h = 1e-6;
    double[][] jacobian = new double[points][theta.length];
    for (int k = 0; k < theta.length; k++) {
      double[] plus = theta.clone();
      double[] minus = theta.clone();
      plus[k] += h;
      minus[k] -= h;
      for (int a = 0; a < points; a++) {
        jacobian[a][k] = (ReferenceDeepNetwork.output(plus, WIDTH, DIM, DEPTH, act, GAMMA0, x[a])
            - ReferenceDeepNetwork.output(minus, WIDTH, DIM, DEPTH, act, GAMMA0, x[a])) / (2 * h);
      }
    }
    // Parameter blocks: W0, W1 .. W_{L−1}, w; block l feeds on Φ^l.
    int[] start = new int[DEPTH + 2];
    start[1] = WIDTH * DIM;
    for (int l = 1; l < DEPTH; l++) {
      start[l + 1] = start[l] + WIDTH * WIDTH;
    }
    start[DEPTH + 1] = theta.length;
    double[][][] features = new double[points][][];
    for (int a = 0; a < points; a++) {
      features[a] = ReferenceDeepNetwork.features(theta, WIDTH, DIM, DEPTH, act, x[a]);
    }
    double scale = GAMMA0 * GAMMA0 * WIDTH;
    for (int a = 0; a < points; a++) {
      for (int b = 0; b < points; b++) {
        double total = 0;
        for (int l = 0; l <= DEPTH; l++) {
          double block = 0;
          for (int k = start[l]; k < start[l + 1]; k++) {
            block += jacobian[a][k] * jacobian[b][k];
          }
          block *= scale;
          total += block;
          double phi;
          if (l == 0) {
            phi = kx[a][b];
          } else {
            phi = 0;
            for (int i = 0; i < WIDTH; i++) {
              phi += features[a][l - 1][i] * features[b][l - 1][i];
            }
            phi /= WIDTH;
            assertEquals(phi, rec.featureKernel(0, l, a, b), 1e-12 * (1 + Math.abs(phi)),
                act + " Phi^" + l + "(" + a + "," + b + ")");
          }
          double gAbove = l == DEPTH ? 1.0 : rec.gradientKernel(0, l + 1, a, b);
          assertEquals(block, gAbove * phi, 1e-6 * (1 + Math.abs(block)),
              act + " layer " + l + " block (" + a + "," + b + ")");
        }
        assertEquals(total, rec.ntk(0, a, b), 1e-6 * (1 + Math.abs(total)),
            act + " K(" + a + "," + b + ")");
      }
    }
    if (act == Activation.LINEAR) {
      for (int l = 1; l <= DEPTH; l++) {
        assertEquals(rec.gradientKernel(0, l, 0, 0), rec.gradientKernel(0, l, 1, 4), 1e-12,
            "linear G^" + l + " is input independent");
      }
    }
  }

  @Test
  void aNetworkTrainedAloneEqualsTheSameNetworkInsideABlock() {
    Task task = TwoLayerEnsembleTest.smallTask(5, 6, 3);
    DeepSetup setup = setup(task, Activation.TANH, DEPTH, 1.0, TimeGrid.every(0.2, 30, 10));
    long[] seeds = new long[32];
    for (int b = 0; b < seeds.length; b++) {
      seeds[b] = 1000 + 7L * b;
    }
    DeepEnsemble ensemble = new DeepEnsemble(setup, 17, DataType.DOUBLE);
    List<DeepObservables> block = ensemble.train(0, seeds);
    for (int b : new int[] {0, 13, 31}) {
      DeepObservables alone = ensemble.train(b, new long[] {seeds[b]}).get(0);
      assertEquals(b, block.get(b).networkIndex());
      for (int r = 0; r < alone.values().length; r++) {
        assertArrayEquals(alone.values()[r], block.get(b).values()[r], 0.0,
            "network " + b + " record " + r);
      }
    }
  }

  @Test
  void predictionsFollowTheNtkToFirstOrderInDt() {
    // f(n+1) − f(n) = dt c K(n) Δ(n) + O(dt²) on train and test points: with dt = 1e-4 the
    // O(dt²) part is ~1e-4 of the step, so 1e-3 relative agreement checks f, Δ and K together.
    Task task = TwoLayerEnsembleTest.smallTask(8, 4, 2);
    double dt = 1e-4;
    for (int depth : new int[] {2, 4}) {
      DeepSetup setup = setup(task, Activation.TANH, depth, GAMMA0,
          new TimeGrid(dt, 1, new int[] {0, 1}));
      DeepObservables t = new DeepEnsemble(setup, 40, DataType.DOUBLE)
          .train(0, new long[] {4L}).get(0);
      double c = setup.lossFactor();
      double[] y = task.trainTargets();
      for (int a = 0; a < 6; a++) {
        double predicted = 0;
        for (int b = 0; b < 4; b++) {
          predicted += dt * c * t.ntk(0, a, b) * (y[b] - t.prediction(0, b));
        }
        double actual = t.prediction(1, a) - t.prediction(0, a);
        assertEquals(predicted, actual, 1e-3 * Math.abs(predicted) + 1e-12,
            "L = " + depth + " point " + a);
      }
    }
  }

  @Test
  void divergedNetworksAreFlagged() {
    Task task = TwoLayerEnsembleTest.smallTask(9, 3, 2);
    DeepSetup unstable = new DeepSetup(task, Activation.LINEAR, 3, 1.0, LossConvention.SUM,
        TimeGrid.every(50.0, 200, 50));
    List<DeepObservables> blown = new DeepEnsemble(unstable, 16, DataType.DOUBLE)
        .train(0, new long[] {1L, 2L});
    assertTrue(blown.get(0).diverged() && blown.get(1).diverged());
    DeepLayout layout = new DeepLayout(3, 2, 3);
    assertEquals(layout, blown.get(0).layout());
  }
}
