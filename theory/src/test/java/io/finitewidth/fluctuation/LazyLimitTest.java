package io.finitewidth.fluctuation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Activation;
import io.finitewidth.model.CanonicalData;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.TheoryPrediction;
import org.junit.jupiter.api.Test;

class LazyLimitTest {
  /** §9 prints 4 decimals of a reference good to 1e-10: half a unit of the last digit. */
  private static final double PRINTED_4_DECIMALS = 5e-5 + 1e-12;
  /** §9: the tanh lazy references carry ±1 % from their own kernel-statistics Monte Carlo. */
  private static final double TANH_REFERENCE_RELATIVE = 0.01;
  /** Our own Monte-Carlo allowance: 3 standard errors (two-sided false alarm ≈ 0.3 %). */
  private static final double Z = 3;
  private static final long SEED = 20240611L;

  @Test
  void predict_linearCentred_matchesReferenceErrorVariance() {
    TheoryPrediction pred = LazyLimit.predict(CanonicalData.setup(Activation.LINEAR, 1e-3, true),
        SEED);
    ObservableLayout layout = pred.layout();
    assertEquals(0.0, pred.nvar()[0][layout.predictionTrain(0)], 0);
    assertEquals(0.1526, nvarAt(pred, 2, layout.predictionTrain(0)), PRINTED_4_DECIMALS);
    assertEquals(0.1735, nvarAt(pred, 4, layout.predictionTrain(0)), PRINTED_4_DECIMALS);
    assertEquals(0.0889, nvarAt(pred, 10, layout.predictionTrain(0)), PRINTED_4_DECIMALS);
    assertEquals(1.3293, nvarAt(pred, 20, layout.predictionTest(0)), PRINTED_4_DECIMALS);
    assertEquals(0.0, pred.nvarSe()[50][layout.predictionTest(0)], 0);
  }

  @Test
  void predict_tanhCentred_matchesReferenceWithinMonteCarlo() {
    TheoryPrediction pred = LazyLimit.predict(CanonicalData.setup(Activation.TANH, 1e-3, true),
        SEED);
    ObservableLayout layout = pred.layout();
    assertTanh(0.0565, pred, 2, layout.predictionTrain(0));
    assertTanh(0.1196, pred, 4, layout.predictionTrain(0));
    assertTanh(0.1647, pred, 10, layout.predictionTrain(0));
    assertTanh(0.9139, pred, 20, layout.predictionTest(0));
  }

  @Test
  void predict_reluUncentred_initialStatisticsMatchHandComputedValues() {
    // Kx_μμ = 1: Φ0 = E ReLU² = 1/2, so N·Var f_μ(0) = 1/(2γ0²); with m0..m4 = 1/2, 1/2, 3/2,
    // 1/2, 1/2: N·Var K_μμ = 3/2 + 2·1/2 + 3·1/2 − 1² = 3. Closed forms: rounding only.
    double gamma0 = 0.25;
    TheoryPrediction pred = LazyLimit.predict(CanonicalData.setup(Activation.RELU, gamma0, false),
        40_000, SEED);
    ObservableLayout layout = pred.layout();
    for (int mu = 0; mu < 6; mu++) {
      assertEquals(0.5 / (gamma0 * gamma0), pred.nvar()[0][layout.predictionTrain(mu)], 1e-9);
      assertEquals(3.0, pred.nvar()[0][layout.ntk(mu, mu)], 1e-12);
      assertEquals(1.0, pred.mean()[0][layout.ntk(mu, mu)], 1e-12);
    }
    // Uncentred at t = 0 the only source is f0: no Monte-Carlo error there, some later.
    assertEquals(0.0, pred.nvarSe()[0][layout.predictionTrain(0)], 1e-12);
    assertTrue(pred.nvarSe()[50][layout.predictionTrain(0)] > 0);
  }

  private static void assertTanh(double reference, TheoryPrediction pred, double time, int k) {
    int n = CanonicalData.step(time);
    double se = pred.nvarSe()[n][k];
    assertTrue(se > 0 && se < 0.01 * reference, "standard error " + se + " should be small");
    assertEquals(reference, pred.nvar()[n][k], TANH_REFERENCE_RELATIVE * reference + Z * se);
  }

  private static double nvarAt(TheoryPrediction pred, double time, int k) {
    return pred.nvar()[CanonicalData.step(time)][k];
  }
}
