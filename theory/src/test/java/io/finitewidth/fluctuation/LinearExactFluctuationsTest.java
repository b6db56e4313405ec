package io.finitewidth.fluctuation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.finitewidth.model.Activation;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.Task;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import org.junit.jupiter.api.Test;

/**
 * The exact linear path against the numbers of THEORY.md §9 (canonical data, mean loss,
 * dt = 0.2, uncentred unless stated). The reference values are printed to 4 or 5 significant
 * digits, so the tolerance is half a unit in the last printed digit (rounding) plus 1e-9 for
 * floating-point accumulation over 100 steps (every quantity is O(1), ~10⁵ operations each).
 */
class LinearExactFluctuationsTest {
  private static final double ROUNDING_SLACK = 1e-9;
  private static final int[] RECORD = {0, 10, 20, 50, 100};

  private static double tolerance(int decimals) {
    return 0.5 * Math.pow(10, -decimals) + ROUNDING_SLACK;
  }

  @Test
  void infiniteWidthMeansMatchTheReference() {
    TwoLayerSetup setup = CanonicalData.setup(Activation.LINEAR, 1.0, false, RECORD);
    TheoryPrediction p = LinearExactFluctuations.predict(setup);
    ObservableLayout l = p.layout();
    double[] y = setup.task().trainTargets();
    int t2 = CanonicalData.row(RECORD, 10);
    int t4 = CanonicalData.row(RECORD, 20);
    int t20 = CanonicalData.row(RECORD, 100);
    assertEquals(0.39822, y[0] - p.mean()[t2][l.predictionTrain(0)], tolerance(5));
    assertEquals(0.65635, y[3] - p.mean()[t2][l.predictionTrain(3)], tolerance(5));
    assertEquals(0.28025, y[0] - p.mean()[t4][l.predictionTrain(0)], tolerance(5));
    assertEquals(0.24105, y[3] - p.mean()[t4][l.predictionTrain(3)], tolerance(5));
    assertEquals(3.93196, p.mean()[t20][l.ntk(0, 0)], tolerance(5));
    assertEquals(-1.42523, p.mean()[t20][l.ntk(0, 1)], tolerance(5));
  }

  @Test
  void variancesMatchTheReference() {
    TwoLayerSetup setup = CanonicalData.setup(Activation.LINEAR, 1.0, false, RECORD);
    TheoryPrediction p = LinearExactFluctuations.predict(setup);
    ObservableLayout l = p.layout();
    double[][] v = p.nvar();
    int t2 = CanonicalData.row(RECORD, 10);
    int t4 = CanonicalData.row(RECORD, 20);
    int t20 = CanonicalData.row(RECORD, 100);
    assertEquals(0.38066, v[t2][l.predictionTrain(0)], tolerance(5));
    assertEquals(0.61003, v[t2][l.predictionTrain(3)], tolerance(5));
    assertEquals(0.18834, v[t4][l.predictionTrain(0)], tolerance(5));
    assertEquals(0.18475, v[t4][l.predictionTrain(3)], tolerance(5));
    assertEquals(2.1582, v[t20][l.predictionTest(0)], tolerance(4));
    assertEquals(2.4192, v[t20][l.predictionTest(1)], tolerance(4));
    assertEquals(1.9626, v[t20][l.predictionTest(2)], tolerance(4));
    assertEquals(3.0080, v[t20][l.ntk(0, 0)], tolerance(4));
    assertEquals(1.2709, v[t20][l.ntk(0, 1)], tolerance(4));
  }

  @Test
  void initialStatisticsAreTheWickValues() {
    // Linear φ at t = 0: K = 2 Kx, N·Var K_μμ = 4 (|x|² = D), N·Var f_μ = Kx_μμ / γ0².
    double gamma0 = 0.5;
    TwoLayerSetup setup = CanonicalData.setup(Activation.LINEAR, gamma0, false, RECORD);
    TheoryPrediction p = LinearExactFluctuations.predict(setup);
    ObservableLayout l = p.layout();
    double[][] kx = setup.task().inputKernel();
    for (int mu = 0; mu < l.trainPoints(); mu++) {
      assertEquals(2 * kx[mu][mu], p.mean()[0][l.ntk(mu, mu)], 1e-12);
      assertEquals(4 * kx[mu][mu] * kx[mu][mu], p.nvar()[0][l.ntk(mu, mu)], 1e-12);
      assertEquals(kx[mu][mu] / (gamma0 * gamma0), p.nvar()[0][l.predictionTrain(mu)], 1e-12);
    }
    // Off-diagonal: N·Var K_01 = Kx00 Kx11 + Kx01² + 2 Kx01² (THEORY.md §5, linear sources).
    double k01 = kx[0][1];
    assertEquals(kx[0][0] * kx[1][1] + 3 * k01 * k01, p.nvar()[0][l.ntk(0, 1)], 1e-12);
  }

  @Test
  void meanCorrectionMatchesTheReference() {
    TwoLayerSetup setup = CanonicalData.setup(Activation.LINEAR, 1.0, false, RECORD);
    double[][] corr = LinearExactFluctuations.meanCorrection(setup);
    ObservableLayout l = new ObservableLayout(6, 3);
    int t2 = CanonicalData.row(RECORD, 10);
    // Δ = y − f, so N (E[Δ] − Δ∞) = −N (E[f] − f∞).
    assertEquals(0.8318, -corr[t2][l.predictionTrain(2)], tolerance(4));
    assertEquals(0.7880, -corr[t2][l.predictionTrain(3)], tolerance(4));
    assertEquals(-0.9061, -corr[t2][l.predictionTrain(5)], tolerance(4));
  }

  @Test
  void smallGammaCentredMatchesTheLazyClosedForm() {
    // Feature-learning changes the kernel by O(γ0²) = 1e-6 here, far below the 4-decimal
    // rounding of the reference values.
    int[] record = {0, 10, 20, 50, 100};
    TwoLayerSetup setup = CanonicalData.setup(Activation.LINEAR, 1e-3, true, record);
    TheoryPrediction p = LinearExactFluctuations.predict(setup);
    ObservableLayout l = p.layout();
    double[][] v = p.nvar();
    assertEquals(0.0, v[0][l.predictionTrain(0)], 1e-12);
    assertEquals(0.1526, v[CanonicalData.row(record, 10)][l.predictionTrain(0)], tolerance(4));
    assertEquals(0.1735, v[CanonicalData.row(record, 20)][l.predictionTrain(0)], tolerance(4));
    assertEquals(0.0889, v[CanonicalData.row(record, 50)][l.predictionTrain(0)], tolerance(4));
    assertEquals(1.3293, v[CanonicalData.row(record, 100)][l.predictionTest(0)], tolerance(4));
  }

  @Test
  void duplicatedInputDirectionsDoNotChangeTheAnswer() {
    // Embedding every input as [x, x, 0, 0, 0]·s in D' = 2D + 3 dimensions, with s chosen so
    // that x·x'/D' is unchanged, leaves the input kernel and the rank (9) of the inputs as they
    // were; by rotation invariance of w0 every statistic must agree to rounding (1e-10: O(1)
    // quantities after ~10⁵ operations in a different basis).
    Task task = CanonicalData.task();
    int dim = task.dim();
    double[][] train = widen(task.trainInputs(), dim);
    double[][] test = widen(task.testInputs(), dim);
    Task wide = new Task("widened", train, task.trainTargets(), test, task.testTargets());
    TimeGrid grid = new TimeGrid(CanonicalData.DT, CanonicalData.STEPS, RECORD);
    TheoryPrediction base = LinearExactFluctuations.predict(
        CanonicalData.setup(Activation.LINEAR, 1.0, false, RECORD));
    TheoryPrediction other = LinearExactFluctuations.predict(new TwoLayerSetup(wide,
        Activation.LINEAR, 1.0, LossConvention.MEAN, grid, false));
    for (int r = 0; r < RECORD.length; r++) {
      assertArrayEquals(base.mean()[r], other.mean()[r], 1e-10);
      assertArrayEquals(base.nvar()[r], other.nvar()[r], 1e-10);
    }
  }

  /** [x, x, 0, 0, 0]·s, s = √(D'/(2D)): the same input kernel in D' = 2D + 3 dimensions. */
  private static double[][] widen(double[][] x, int dim) {
    double[][] out = new double[x.length][2 * dim + 3];
    for (int a = 0; a < x.length; a++) {
      for (int i = 0; i < dim; i++) {
        double s = Math.sqrt((2.0 * dim + 3.0) / (2.0 * dim));
        out[a][i] = x[a][i] * s;
        out[a][dim + i] = x[a][i] * s;
      }
    }
    return out;
  }

  @Test
  void refusesNonlinearActivations() {
    TwoLayerSetup setup = CanonicalData.setup(Activation.TANH, 1.0, false, RECORD);
    assertThrows(IllegalArgumentException.class, () -> LinearExactFluctuations.predict(setup));
  }
}
