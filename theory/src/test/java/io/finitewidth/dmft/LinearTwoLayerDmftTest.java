package io.finitewidth.dmft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.finitewidth.model.Activation;
import io.finitewidth.model.CanonicalData;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;
import org.junit.jupiter.api.Test;

class LinearTwoLayerDmftTest {
  /**
   * THEORY.md §9 prints 5 decimals; the reference itself is good to 1e-8, so a correct solver is
   * within half a unit of the last printed digit (5e-6) plus rounding of ours (~1e-13).
   */
  private static final double PRINTED_5_DECIMALS = 5e-6 + 1e-12;
  /** Identities that hold up to accumulated rounding of 100 steps of O(1) numbers. */
  private static final double ROUNDING = 1e-12;

  private final TwoLayerSetup setup = CanonicalData.setup(Activation.LINEAR, 1.0, false);
  private final TheoryPrediction pred = LinearTwoLayerDmft.solve(setup);
  private final ObservableLayout layout = pred.layout();
  private final double[] y = CanonicalData.task().trainTargets();

  private double error(int mu, double time) {
    return y[mu] - pred.mean()[CanonicalData.step(time)][layout.predictionTrain(mu)];
  }

  @Test
  void solve_canonicalGammaOne_matchesReferenceErrors() {
    assertEquals(0.39822, error(0, 2), PRINTED_5_DECIMALS);
    assertEquals(0.65635, error(3, 2), PRINTED_5_DECIMALS);
    assertEquals(0.28025, error(0, 4), PRINTED_5_DECIMALS);
    assertEquals(0.24105, error(3, 4), PRINTED_5_DECIMALS);
  }

  @Test
  void solve_canonicalGammaOne_matchesReferenceNtk() {
    int r = CanonicalData.step(20);
    assertEquals(3.93196, pred.mean()[r][layout.ntk(0, 0)], PRINTED_5_DECIMALS);
    assertEquals(-1.42523, pred.mean()[r][layout.ntk(0, 1)], PRINTED_5_DECIMALS);
  }

  @Test
  void solve_initialStep_isTwiceInputKernelAndZeroOutput() {
    double[][] kx = CanonicalData.task().inputKernel();
    double[] row = pred.mean()[0];
    for (int a = 0; a < 6; a++) {
      assertEquals(0, row[layout.predictionTrain(a)], 0);
      for (int b = a; b < 6; b++) {
        assertEquals(2 * kx[a][b], row[layout.ntk(a, b)], ROUNDING);
        assertEquals(kx[a][b], row[layout.featureKernel(a, b)], ROUNDING);
        assertEquals(1, row[layout.gradientKernel(a, b)], 0);
      }
      for (int q = 0; q < 3; q++) {
        assertEquals(2 * kx[a][6 + q], row[layout.ntkTrainTest(a, q)], ROUNDING);
      }
    }
  }

  @Test
  void solve_everyStep_lossAndNtkAreConsistent() {
    // Loss = (c/2) Σ Δ², and K = Φ + G Kx on train pairs: independent identities of the layout.
    double[][] kx = CanonicalData.task().inputKernel();
    for (double[] row : pred.mean()) {
      double sum = 0;
      for (int mu = 0; mu < 6; mu++) {
        double err = y[mu] - row[layout.predictionTrain(mu)];
        sum += err * err;
      }
      assertEquals(sum / 12, row[layout.lossIndex()], ROUNDING);
      assertEquals(row[layout.featureKernel(1, 4)] + row[layout.gradientKernel(1, 4)] * kx[1][4],
          row[layout.ntk(1, 4)], ROUNDING);
    }
  }

  @Test
  void solve_tanhSetup_isRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> LinearTwoLayerDmft.solve(CanonicalData.setup(Activation.TANH, 1.0, false)));
  }
}
