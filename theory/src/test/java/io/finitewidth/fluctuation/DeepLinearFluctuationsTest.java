package io.finitewidth.fluctuation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.finitewidth.model.Activation;
import io.finitewidth.model.DeepLayout;
import io.finitewidth.model.DeepPrediction;
import io.finitewidth.model.DeepSetup;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.Task;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import org.junit.jupiter.api.Test;

/** Closed-form finite-width variances of deep linear nets against THEORY-deep.md §4a, §4b, §6. */
class DeepLinearFluctuationsTest {
  /** Identities between closed forms: rounding of ≤ 1e5 O(100) operations, far below 1e-9. */
  private static final double ROUNDING = 1e-9;

  private static final Task TASK = io.finitewidth.model.CanonicalData.task();

  private static DeepSetup setup(int depth, double gamma0, TimeGrid grid) {
    return new DeepSetup(TASK, Activation.LINEAR, depth, gamma0, LossConvention.MEAN, grid);
  }

  @Test
  void initialNvar_matchesTheWishartCountsOfTheBrief() {
    for (int depth = 1; depth <= 4; depth++) {
      DeepSetup s = setup(depth, 0.5, new TimeGrid(0.1, 1, new int[] {0}));
      DeepLayout layout = s.layout();
      double[] v = DeepLinearFluctuations.initialNvar(s);
      // Kx_aa = 1 to 1e-15 on the canonical data, so diagonal values are the integers of §6.
      int[] ntkDiagonal = {4, 20, 56, 120};
      for (int a = 0; a < 6; a++) {
        assertEquals(ntkDiagonal[depth - 1], v[layout.ntk(a, a)], ROUNDING);
        assertEquals(4.0, v[layout.prediction(a)], ROUNDING);
        for (int l = 1; l <= depth; l++) {
          assertEquals(2.0 * l, v[layout.featureKernel(l, a, a)], ROUNDING);
          assertEquals(2.0 * (depth + 1 - l), v[layout.gradientKernel(l, a, 3)], 0.0);
        }
      }
    }
    // §6 prints N Var K_01 = 7.013 (L = 2) and 19.64 (L = 3): half a unit of the last digit.
    double[] two = DeepLinearFluctuations.initialNvar(setup(2, 1, new TimeGrid(0.1, 1,
        new int[] {0})));
    double[] three = DeepLinearFluctuations.initialNvar(setup(3, 1, new TimeGrid(0.1, 1,
        new int[] {0})));
    DeepLayout l2 = new DeepLayout(6, 3, 2);
    DeepLayout l3 = new DeepLayout(6, 3, 3);
    assertEquals(7.013, two[l2.ntk(0, 1)], 5e-4);
    assertEquals(19.64, three[l3.ntk(0, 1)], 5e-3);
  }

  @Test
  void lazy_finalTestPredictionVariance_matchesReference() {
    // THEORY-deep.md §6: lazy kernels, f(0) term at gamma0 = 0.1, t = 25, printed to 0.1.
    String[][] printed = {{"77.2", "86.5", "70.2"}, {"79.0", "88.5", "71.8"}};
    for (int depth = 2; depth <= 3; depth++) {
      DeepPrediction lazy = DeepLinearFluctuations.lazy(
          setup(depth, 0.1, new TimeGrid(0.1, 250, new int[] {0, 250})));
      for (int q = 0; q < 3; q++) {
        assertEquals(Double.parseDouble(printed[depth - 2][q]),
            lazy.nvar()[1][lazy.layout().prediction(6 + q)], 0.05 + 1e-9,
            "L = " + depth + " test point " + q);
      }
    }
  }

  /**
   * For L = 1 the deep lazy recursion must equal the two-layer lazy limit (an independent
   * implementation, LINEAR sources by Isserlis) slot by slot.
   */
  @Test
  void lazy_depthOne_equalsTheTwoLayerLazyLimit() {
    TimeGrid grid = TimeGrid.every(0.2, 60, 10);
    double gamma0 = 0.3;
    DeepPrediction deep = DeepLinearFluctuations.lazy(setup(1, gamma0, grid));
    TheoryPrediction two = LazyLimit.predict(new TwoLayerSetup(TASK, Activation.LINEAR, gamma0,
        LossConvention.MEAN, grid, false), 1L);
    DeepLayout dl = deep.layout();
    ObservableLayout tl = two.layout();
    for (int r = 0; r < grid.recordCount(); r++) {
      assertEquals(two.nvar()[r][tl.lossIndex()], deep.nvar()[r][dl.lossIndex()],
          ROUNDING * 100, "loss r " + r);
      assertEquals(two.mean()[r][tl.lossIndex()], deep.mean()[r][dl.lossIndex()], ROUNDING);
      for (int i = 0; i < 6; i++) {
        assertEquals(two.nvar()[r][tl.predictionTrain(i)], deep.nvar()[r][dl.prediction(i)],
            ROUNDING * 100);
        for (int j = i; j < 6; j++) {
          assertEquals(two.nvar()[r][tl.ntk(i, j)], deep.nvar()[r][dl.ntk(i, j)], ROUNDING);
        }
      }
      for (int q = 0; q < 3; q++) {
        assertEquals(two.nvar()[r][tl.predictionTest(q)], deep.nvar()[r][dl.prediction(6 + q)],
            ROUNDING * 100);
        assertEquals(two.mean()[r][tl.predictionTest(q)], deep.mean()[r][dl.prediction(6 + q)],
            ROUNDING);
      }
    }
  }
}
