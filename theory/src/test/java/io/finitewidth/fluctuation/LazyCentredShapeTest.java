package io.finitewidth.fluctuation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Activation;
import io.finitewidth.model.CanonicalData;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The universal lazy shape (THEORY.md §5): for the centred network the training-error variance
 * is exactly 0 at t = 0 (no initial-output term), rises while the kernel's randomness acts, and
 * falls back towards 0 once the training set is fitted (every A_kl(t) → 0).
 */
class LazyCentredShapeTest {
  @ParameterizedTest
  @EnumSource(value = Activation.class, names = {"LINEAR", "TANH"})
  void centredTrainingErrorVarianceIsZeroThenRisesThenFalls(Activation activation) {
    // Long enough (t = 200) for the slowest NTK mode of the canonical task (c·λmin ≈ 0.02) to fit.
    TwoLayerSetup setup = new TwoLayerSetup(CanonicalData.task(), activation, 1.0,
        io.finitewidth.model.LossConvention.MEAN,
        io.finitewidth.model.TimeGrid.every(CanonicalData.DT, 1000, 25), true);
    TheoryPrediction lazy = LazyLimit.predict(setup, 200_000, 5L);
    ObservableLayout layout = lazy.layout();
    int steps = lazy.grid().recordCount();
    for (int mu = 0; mu < layout.trainPoints(); mu++) {
      int k = layout.predictionTrain(mu);
      assertEquals(0.0, lazy.nvar()[0][k], 0.0, "t = 0, point " + mu);
      int peak = 0;
      for (int r = 1; r < steps; r++) {
        if (lazy.nvar()[r][k] > lazy.nvar()[peak][k]) {
          peak = r;
        }
      }
      double top = lazy.nvar()[peak][k];
      assertTrue(peak > 0 && peak < steps - 1, "peak inside the run, point " + mu);
      assertTrue(top > 0.01, "a variance that rises, point " + mu + ": " + top);
      // Rising up to the peak and falling after it, step by step (MC noise of the tanh source
      // covariance moves neighbouring values by < 0.5 %, far less than the steps compared).
      for (int r = 1; r <= peak; r++) {
        assertTrue(lazy.nvar()[r][k] >= lazy.nvar()[r - 1][k] - 1e-3 * top, "rise at " + r);
      }
      for (int r = peak + 1; r < steps; r++) {
        assertTrue(lazy.nvar()[r][k] <= lazy.nvar()[r - 1][k] + 1e-3 * top, "fall at " + r);
      }
      assertTrue(lazy.nvar()[steps - 1][k] < 0.2 * top,
          "fallen well below the peak by t = 200, point " + mu);
    }
  }
}
