package io.finitewidth.dmft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.fluctuation.LinearExactFluctuations;
import io.finitewidth.model.Activation;
import io.finitewidth.model.CanonicalData;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import org.junit.jupiter.api.Test;

class TwoLayerTheoryTest {
  private static final TheoryOptions OPTIONS = new TheoryOptions(2_000, 11L, 0.1);

  @Test
  void predict_linearRich_usesExactMeanAndExactVariance() {
    TwoLayerSetup setup = CanonicalData.setup(Activation.LINEAR, 1.0, false);
    TheoryPrediction pred = TwoLayerTheory.predict(setup, OPTIONS);
    assertEquals("linear_exact", pred.meanMethod());
    assertEquals("linear_exact", pred.nvarMethod());
    assertArrayEquals(LinearTwoLayerDmft.solve(setup).mean()[100], pred.mean()[100], 0);
    assertArrayEquals(LinearExactFluctuations.predict(setup).nvar()[100], pred.nvar()[100], 0);
  }

  @Test
  void predict_tanhRich_usesThePropagatorWithItsOwnError() {
    TwoLayerSetup setup = new TwoLayerSetup(CanonicalData.task(), Activation.TANH, 1.0,
        LossConvention.MEAN, TimeGrid.every(CanonicalData.DT, 20, 10), false);
    TheoryPrediction pred = TwoLayerTheory.predict(setup,
        new TheoryOptions(2_000, 11L, 0.1, 600, 200, 3));
    assertEquals("propagator", pred.nvarMethod());
    int k = pred.layout().ntk(0, 0);
    for (int r = 0; r < pred.grid().recordCount(); r++) {
      assertTrue(pred.nvar()[r][k] > 0 && pred.nvarSe()[r][k] > 0,
          "N·Var and its Monte-Carlo error at record " + r);
    }
  }

  @Test
  void predict_tanhLazy_usesParticlesAndLazyVariance() {
    TwoLayerSetup setup = new TwoLayerSetup(CanonicalData.task(), Activation.TANH, 0.05,
        LossConvention.MEAN, TimeGrid.every(CanonicalData.DT, 20, 10), true);
    TheoryPrediction pred = TwoLayerTheory.predict(setup, OPTIONS);
    assertEquals("particles", pred.meanMethod());
    assertEquals("lazy_limit", pred.nvarMethod());
    for (int r = 0; r < pred.grid().recordCount(); r++) {
      for (int k = 0; k < pred.layout().size(); k++) {
        assertTrue(Double.isFinite(pred.nvar()[r][k]) && pred.nvar()[r][k] >= 0,
            "N·Var of " + pred.layout().entry(k) + " at record " + r);
        assertTrue(Double.isFinite(pred.mean()[r][k]));
      }
    }
    // §9: N·Var K_μμ(0) = 0.690260 for tanh (printed to 6 decimals, reference ±1e-6).
    assertEquals(0.690260, pred.nvar()[0][pred.layout().ntk(2, 2)], 1.5e-6);
  }

  @Test
  void predict_propagatorTooLargeForTheBudget_isRefusedBeforeAllocating() {
    // 3000 steps: tangents of (2P+Q+2)·n·P·S_D doubles are about 2.4 GB per replica for the
    // canonical task at the default 850 tangent particles, and the work ~n² is far past budget.
    TwoLayerSetup setup = new TwoLayerSetup(CanonicalData.task(), Activation.TANH, 1.0,
        LossConvention.MEAN, TimeGrid.every(CanonicalData.DT, 3000, 500), false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TwoLayerTheory.predict(setup, new TheoryOptions(2_000, 11L, 0.1)));
    assertTrue(e.getMessage().contains("3000 steps") && e.getMessage().contains("training.steps"),
        e.getMessage());
  }

  @Test
  void options_invalid_areRejected() {
    assertThrows(IllegalArgumentException.class, () -> new TheoryOptions(1, 0, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new TheoryOptions(2_000, 0, -1));
    assertThrows(IllegalArgumentException.class, () -> new TheoryOptions(2_000, 0, Double.NaN));
  }
}
