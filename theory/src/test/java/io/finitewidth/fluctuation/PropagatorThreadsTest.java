package io.finitewidth.fluctuation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.finitewidth.model.Activation;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import org.junit.jupiter.api.Test;

/**
 * The propagator's results are a function of the seed alone: the number of worker threads (and
 * with it which replica runs beside which) changes no bit, because each replica's arithmetic,
 * BLAS calls included, runs single-threaded in a fixed order.
 */
class PropagatorThreadsTest {

  @Test
  void threadCountChangesNoBit() {
    // Every step recorded and tanh: all stages (tangents, J, the solve) take part.
    TwoLayerSetup setup = new TwoLayerSetup(CanonicalData.task(), Activation.TANH, 1.0,
        LossConvention.MEAN, TimeGrid.every(CanonicalData.DT, 12, 1), false);
    PropagatorOptions options = new PropagatorOptions(257, 61, 5L, 3);
    TheoryPrediction one = TwoLayerPropagator.predict(setup, options,
        TwoLayerPropagator.RELU_KINK_SHARPNESS, 1);
    TheoryPrediction two = TwoLayerPropagator.predict(setup, options,
        TwoLayerPropagator.RELU_KINK_SHARPNESS, 2);
    TheoryPrediction three = TwoLayerPropagator.predict(setup, options,
        TwoLayerPropagator.RELU_KINK_SHARPNESS, 3);
    for (int r = 0; r < one.nvar().length; r++) {
      assertArrayEquals(one.nvar()[r], two.nvar()[r], 0.0, "N·Var, 1 vs 2 threads, row " + r);
      assertArrayEquals(one.nvar()[r], three.nvar()[r], 0.0, "N·Var, 1 vs 3 threads, row " + r);
      assertArrayEquals(one.nvarSe()[r], two.nvarSe()[r], 0.0, "se, 1 vs 2 threads, row " + r);
      assertArrayEquals(one.mean()[r], two.mean()[r], 0.0, "means, 1 vs 2 threads, row " + r);
    }
  }

  @Test
  void divergenceInAWorkerIsReportedToTheCaller() {
    // γ0 = 1 with dt = 60 overshoots at once (η λ_max(cK) ≫ 2): the mean field blows up.
    TwoLayerSetup setup = new TwoLayerSetup(CanonicalData.task(), Activation.LINEAR, 1.0,
        LossConvention.MEAN, TimeGrid.every(60.0, 200, 200), false);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TwoLayerPropagator.predict(setup, new PropagatorOptions(50, 10, 1L, 2),
            TwoLayerPropagator.RELU_KINK_SHARPNESS, 2));
    assertEquals(true, e.getMessage().contains("diverged"), e.getMessage());
  }

  @Test
  void threadCountIsValidated() {
    TwoLayerSetup setup = CanonicalData.setup(Activation.TANH, 1.0, false, 0, 100);
    assertThrows(IllegalArgumentException.class, () -> TwoLayerPropagator.predict(setup,
        new PropagatorOptions(10, 5, 1L, 2), TwoLayerPropagator.RELU_KINK_SHARPNESS, 0));
  }
}
