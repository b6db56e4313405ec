package io.finitewidth.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Activation;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.Task;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class TwoLayerEnsembleTest {
  private static final int DIM = 5;
  private static final int WIDTH = 7;
  private static final double GAMMA0 = 0.8;

  /**
   * Central differences of a float64 loss with step 1e-5 have truncation error ~ h² · |L'''| and
   * rounding error ~ ε·|L| / h ≈ 1e-11; relative agreement to 1e-6 is far above both.
   */
  private static final double FINITE_DIFFERENCE_RELATIVE_TOLERANCE = 1e-6;

  static Task smallTask(long seed, int trainPoints, int testPoints) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] train = new double[trainPoints][DIM];
    double[][] test = new double[testPoints][DIM];
    double[] y = new double[trainPoints];
    double[] yTest = new double[testPoints];
    for (double[][] block : new double[][][] {train, test}) {
      for (double[] x : block) {
        for (int d = 0; d < DIM; d++) {
          x[d] = 2 * rng.nextDouble() - 1;
        }
      }
    }
    for (int mu = 0; mu < trainPoints; mu++) {
      y[mu] = Math.sin(3 * train[mu][0]) + train[mu][1];
    }
    return new Task("small", train, y, test, yTest);
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void oneStepMovesEveryWeightByMinusDtGammaSquaredNTimesTheLossGradient(Activation act) {
    Task task = smallTask(11, 4, 2);
    double dt = 0.3;
    TwoLayerSetup setup = new TwoLayerSetup(task, act, GAMMA0, LossConvention.MEAN,
        new TimeGrid(dt, 1, new int[] {0, 1}), false);
    long seed = 12345L;
    double[] after = new TwoLayerEnsemble(setup, WIDTH, DataType.DOUBLE)
        .finalWeights(new long[] {seed})[0];
    InitialWeights init = InitialWeights.draw(seed, WIDTH, DIM);
    double[] before = new double[after.length];
    System.arraycopy(init.inputWeights(), 0, before, 0, WIDTH * DIM);
    System.arraycopy(init.readoutWeights(), 0, before, WIDTH * DIM, WIDTH);

    double c = setup.lossFactor();
    double h = 1e-5;
    double scale = dt * GAMMA0 * GAMMA0 * WIDTH;
    for (int k = 0; k < before.length; k++) {
      double[] plus = before.clone();
      double[] minus = before.clone();
      plus[k] += h;
      minus[k] -= h;
      double gradient = (ReferenceNetwork.loss(plus, WIDTH, DIM, act, GAMMA0,
          task.trainInputs(), task.trainTargets(), c)
          - ReferenceNetwork.loss(minus, WIDTH, DIM, act, GAMMA0, task.trainInputs(),
          task.trainTargets(), c)) / (2 * h);
      double expected = before[k] - scale * gradient;
      double tol = FINITE_DIFFERENCE_RELATIVE_TOLERANCE * (Math.abs(after[k] - before[k]) + 1e-9);
      assertEquals(expected, after[k], tol, act + ": weight " + k);
    }
  }

  /**
   * The NTK from the kernels (Φ + G∘Kx) equals γ0² N Σ_θ ∂f(x_a)/∂θ ∂f(x_b)/∂θ with the parameter
   * Jacobian taken by central differences of a plain-Java forward pass.
   */
  @ParameterizedTest
  @EnumSource(value = Activation.class, names = {"LINEAR", "TANH", "RELU"})
  void ntkFromKernelsEqualsBruteForceJacobianNtk(Activation act) {
    Task task = smallTask(3, 3, 2);
    TwoLayerSetup setup = new TwoLayerSetup(task, act, GAMMA0, LossConvention.MEAN,
        new TimeGrid(0.1, 1, new int[] {0}), false);
    long seed = 99L;
    NetworkTrajectory t = new TwoLayerEnsemble(setup, WIDTH, DataType.DOUBLE)
        .train(0, new long[] {seed}).get(0);
    InitialWeights init = InitialWeights.draw(seed, WIDTH, DIM);
    double[] theta = new double[WIDTH * DIM + WIDTH];
    System.arraycopy(init.inputWeights(), 0, theta, 0, WIDTH * DIM);
    System.arraycopy(init.readoutWeights(), 0, theta, WIDTH * DIM, WIDTH);

    double[][] x = task.allInputs();
    int points = x.length;
    double h = 1e-6;
    double[][] jacobian = new double[points][theta.length];
    for (int k = 0; k < theta.length; k++) {
      double[] plus = theta.clone();
      double[] minus = theta.clone();
      plus[k] += h;
      minus[k] -= h;
      for (int a = 0; a < points; a++) {
        jacobian[a][k] = (ReferenceNetwork.output(plus, WIDTH, DIM, act, GAMMA0, x[a])
            - ReferenceNetwork.output(minus, WIDTH, DIM, act, GAMMA0, x[a])) / (2 * h);
      }
    }
    ObservableLayout layout = new ObservableLayout(3, 2);
    double[] recorded = t.observables()[0];
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < points; b++) {
        double brute = 0;
        for (int k = 0; k < theta.length; k++) {
          brute += jacobian[a][k] * jacobian[b][k];
        }
        brute *= GAMMA0 * GAMMA0 * WIDTH;
        double measured = b < 3 ? recorded[layout.ntk(a, b)] : recorded[layout.ntkTrainTest(a, b - 3)];
        assertEquals(brute, measured, 1e-6 * (1 + Math.abs(brute)), act + " K(" + a + "," + b + ")");
      }
    }
  }

  @Test
  void aNetworkTrainedAloneEqualsTheSameNetworkInsideABlockOf64() {
    Task task = smallTask(5, 6, 3);
    TwoLayerSetup setup = new TwoLayerSetup(task, Activation.TANH, 1.0, LossConvention.MEAN,
        TimeGrid.every(0.2, 40, 10), false);
    long[] seeds = new long[64];
    for (int b = 0; b < 64; b++) {
      seeds[b] = 1000 + 7L * b;
    }
    TwoLayerEnsemble ensemble = new TwoLayerEnsemble(setup, 33, DataType.DOUBLE);
    List<NetworkTrajectory> block = ensemble.train(0, seeds);
    for (int b : new int[] {0, 17, 63}) {
      NetworkTrajectory alone = ensemble.train(b, new long[] {seeds[b]}).get(0);
      for (int r = 0; r < alone.observables().length; r++) {
        assertArrayEquals(alone.observables()[r], block.get(b).observables()[r], 0.0,
            "network " + b + " record " + r);
      }
    }
  }

  @Test
  void predictionsFollowTheNtkToFirstOrderInDt() {
    // f(n+1) − f(n) = dt · c · K(n) Δ(n) + O(dt²): checks outputs, errors and NTK together.
    Task task = smallTask(8, 4, 1);
    double dt = 1e-4;
    TwoLayerSetup setup = new TwoLayerSetup(task, Activation.TANH, GAMMA0, LossConvention.MEAN,
        new TimeGrid(dt, 1, new int[] {0, 1}), false);
    NetworkTrajectory t = new TwoLayerEnsemble(setup, 50, DataType.DOUBLE)
        .train(0, new long[] {4L}).get(0);
    ObservableLayout layout = new ObservableLayout(4, 1);
    double c = setup.lossFactor();
    double[] y = task.trainTargets();
    for (int a = 0; a < 4; a++) {
      double predicted = 0;
      for (int b = 0; b < 4; b++) {
        double delta = y[b] - t.observables()[0][layout.predictionTrain(b)];
        predicted += dt * c * t.observables()[0][layout.ntk(a, b)] * delta;
      }
      double actual = t.observables()[1][layout.predictionTrain(a)]
          - t.observables()[0][layout.predictionTrain(a)];
      assertEquals(predicted, actual, 1e-3 * Math.abs(predicted) + 1e-12);
    }
  }

  @Test
  void centredNetworksStartAtZeroAndDivergedNetworksAreFlagged() {
    Task task = smallTask(9, 3, 2);
    TwoLayerSetup centred = new TwoLayerSetup(task, Activation.TANH, 1.0, LossConvention.MEAN,
        TimeGrid.every(0.1, 4, 2), true);
    NetworkTrajectory t = new TwoLayerEnsemble(centred, 16, DataType.DOUBLE)
        .train(0, new long[] {1L}).get(0);
    ObservableLayout layout = new ObservableLayout(3, 2);
    assertEquals(0.0, t.observables()[0][layout.predictionTrain(0)], 0.0);
    assertEquals(0.0, t.observables()[0][layout.predictionTest(1)], 0.0);
    assertTrue(!t.diverged());

    TwoLayerSetup unstable = new TwoLayerSetup(task, Activation.LINEAR, 1.0, LossConvention.SUM,
        TimeGrid.every(50.0, 200, 50), false);
    List<NetworkTrajectory> blown = new TwoLayerEnsemble(unstable, 16, DataType.DOUBLE)
        .train(0, new long[] {1L, 2L});
    assertTrue(blown.get(0).diverged() && blown.get(1).diverged());
  }
}
