package io.finitewidth.dmft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Activation;
import io.finitewidth.model.CanonicalData;
import io.finitewidth.model.DeepLayout;
import io.finitewidth.model.DeepPrediction;
import io.finitewidth.model.DeepSetup;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.Task;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The exact deep linear DMFT against THEORY-deep.md §3 and §6 (canonical data, c = 1/P,
 * dt = 0.1, step n ↔ t = 0.1 n).
 */
class DeepLinearDmftTest {
  /**
   * THEORY-deep.md §6 prints 6 significant figures (5 decimals for |v| ≥ 1, 6 for |v| &lt; 1) and
   * states the reference is good to ~1e-13: a correct solver is within half a unit of the last
   * printed digit. {@link #halfLastDigit} gives that bound for each printed value.
   */
  private static double halfLastDigit(String printed) {
    int decimals = printed.length() - printed.indexOf('.') - 1;
    return 0.5 * Math.pow(10, -decimals) + 1e-12;
  }

  /**
   * Identities that hold exactly: both sides are sums of ≤ ~1e6 O(10) products in double, so
   * rounding stays far below 1e-10 (observed ~1e-13).
   */
  private static final double ROUNDING = 1e-10;

  private static final double DT = 0.1;
  private static final int[] RECORD = {0, 10, 25, 60, 250};
  private static final Map<String, DeepPrediction> CACHE = new HashMap<>();

  private static DeepSetup setup(int depth, double gamma0, int steps, int[] record) {
    return new DeepSetup(CanonicalData.task(), Activation.LINEAR, depth, gamma0,
        LossConvention.MEAN, new TimeGrid(DT, steps, record));
  }

  private static synchronized DeepPrediction canonical(int depth, double gamma0) {
    return CACHE.computeIfAbsent(depth + "/" + gamma0,
        k -> DeepLinearDmft.solve(setup(depth, gamma0, 250, RECORD)));
  }

  private static int record(double time) {
    int step = (int) Math.round(time / DT);
    for (int r = 0; r < RECORD.length; r++) {
      if (RECORD[r] == step) {
        return r;
      }
    }
    throw new IllegalArgumentException("time " + time + " not recorded");
  }

  private static double error(DeepPrediction d, int mu, double time) {
    return CanonicalData.task().trainTargets()[mu]
        - d.mean()[record(time)][d.layout().prediction(mu)];
  }

  private static void assertPrinted(String printed, double actual, String what) {
    assertEquals(Double.parseDouble(printed), actual, halfLastDigit(printed), what);
  }

  private static void assertErrors(int depth, double gamma0, double time, String d0, String d3) {
    DeepPrediction d = canonical(depth, gamma0);
    String at = "L = " + depth + ", gamma0 = " + gamma0 + ", t = " + time;
    assertPrinted(d0, error(d, 0, time), "Delta_0 " + at);
    assertPrinted(d3, error(d, 3, time), "Delta_3 " + at);
  }

  private static void assertFinalKernels(int depth, double gamma0, String k00, String k01,
      String... gradientKernels) {
    DeepPrediction d = canonical(depth, gamma0);
    DeepLayout layout = d.layout();
    double[] last = d.mean()[record(25)];
    String at = "L = " + depth + ", gamma0 = " + gamma0 + ", t = 25";
    assertPrinted(k00, last[layout.ntk(0, 0)], "K_00 " + at);
    assertPrinted(k01, last[layout.ntk(0, 1)], "K_01 " + at);
    for (int l = 1; l <= gradientKernels.length; l++) {
      assertPrinted(gradientKernels[l - 1], last[layout.gradientKernel(l, 0, 0)],
          "G_" + l + " " + at);
    }
  }

  @Test
  void solve_depthTwoGammaOne_matchesReferenceNumbers() {
    assertErrors(2, 1.0, 1.0, "0.400543", "0.763379");
    assertErrors(2, 1.0, 2.5, "0.239976", "0.166332");
    assertFinalKernels(2, 1.0, "7.90804", "-2.84837", "4.89280", "1.95906");
    DeepPrediction d = canonical(2, 1.0);
    assertPrinted("1.03868", d.mean()[record(25)][d.layout().featureKernel(2, 0, 0)],
        "Phi_2[0][0]");
  }

  @Test
  void solve_depthTwoGammaTwo_matchesReferenceNumbers() {
    assertErrors(2, 2.0, 1.0, "0.402342", "0.467541");
    assertFinalKernels(2, 2.0, "15.31821", "-5.47636", "11.17776", "2.98472");
  }

  @Test
  void solve_depthThreeGammaOne_matchesReferenceNumbers() {
    assertErrors(3, 1.0, 1.0, "0.394156", "0.502184");
    assertErrors(3, 1.0, 2.5, "0.093980", "0.045798");
    assertFinalKernels(3, 1.0, "12.69658", "-4.55571", "6.80462", "3.18953", "1.59280");
  }

  @Test
  void solve_depthThreeGammaTwo_matchesReferenceNumbers() {
    assertErrors(3, 2.0, 1.0, "0.212903", "0.095103");
    assertFinalKernels(3, 2.0, "26.25074", "-9.33520", "16.87417", "5.91190", "2.14483");
    DeepPrediction d = canonical(3, 2.0);
    assertPrinted("1.16105", d.mean()[record(25)][d.layout().featureKernel(3, 0, 0)],
        "Phi_3[0][0]");
  }

  @Test
  void solve_depthThreeNearLazy_matchesReferenceNtk() {
    assertFinalKernels(3, 0.1, "4.18353", "-1.53105");
  }

  @Test
  void solve_richConvergedNetworks_predictTheMinimumNormInterpolantAtTestPoints() {
    String[] printed = {"-0.76061", "0.30464", "-0.54264"};
    for (int depth : new int[] {2, 3}) {
      for (double gamma0 : new double[] {1.0, 2.0}) {
        DeepPrediction d = canonical(depth, gamma0);
        for (int q = 0; q < 3; q++) {
          assertPrinted(printed[q], d.mean()[record(25)][d.layout().prediction(6 + q)],
              "f_test " + q + " L = " + depth + " gamma0 = " + gamma0);
        }
      }
    }
  }

  @Test
  void solve_initialStep_isKxOneAndLPlusOneKx() {
    Task task = CanonicalData.task();
    double[][] kx = task.inputKernel();
    for (int depth = 1; depth <= 4; depth++) {
      DeepPrediction d = DeepLinearDmft.solve(setup(depth, 1.5, 1, new int[] {0}));
      DeepLayout layout = d.layout();
      double[] v = d.mean()[0];
      for (int a = 0; a < layout.points(); a++) {
        assertEquals(0.0, v[layout.prediction(a)], 0.0);
        for (int b = 0; b < layout.points(); b++) {
          assertEquals((depth + 1) * kx[a][b], v[layout.ntk(a, b)], ROUNDING);
          for (int l = 1; l <= depth; l++) {
            assertEquals(kx[a][b], v[layout.featureKernel(l, a, b)], ROUNDING);
            assertEquals(1.0, v[layout.gradientKernel(l, a, b)], 0.0);
          }
        }
      }
    }
  }

  @Test
  void solve_depthOne_equalsTheTwoLayerClosedMap() {
    for (double gamma0 : new double[] {0.5, 2.0}) {
      TimeGrid grid = TimeGrid.every(DT, 80, 1);
      DeepPrediction deep = DeepLinearDmft.solve(new DeepSetup(CanonicalData.task(),
          Activation.LINEAR, 1, gamma0, LossConvention.MEAN, grid));
      TheoryPrediction two = LinearTwoLayerDmft.solve(new TwoLayerSetup(CanonicalData.task(),
          Activation.LINEAR, gamma0, LossConvention.MEAN, grid, false));
      DeepLayout dl = deep.layout();
      ObservableLayout tl = two.layout();
      for (int r = 0; r < grid.recordCount(); r++) {
        double[] a = deep.mean()[r];
        double[] b = two.mean()[r];
        assertEquals(b[tl.lossIndex()], a[dl.lossIndex()], ROUNDING, "loss r = " + r);
        for (int i = 0; i < 6; i++) {
          assertEquals(b[tl.predictionTrain(i)], a[dl.prediction(i)], ROUNDING);
          for (int j = i; j < 6; j++) {
            assertEquals(b[tl.ntk(i, j)], a[dl.ntk(i, j)], ROUNDING, "K r = " + r);
            assertEquals(b[tl.featureKernel(i, j)], a[dl.featureKernel(1, i, j)], ROUNDING);
            assertEquals(b[tl.gradientKernel(i, j)], a[dl.gradientKernel(1, i, j)], ROUNDING);
          }
          for (int q = 0; q < 3; q++) {
            assertEquals(b[tl.ntkTrainTest(i, q)], a[dl.ntk(i, 6 + q)], ROUNDING);
          }
        }
        for (int q = 0; q < 3; q++) {
          assertEquals(b[tl.predictionTest(q)], a[dl.prediction(6 + q)], ROUNDING);
        }
      }
    }
  }

  @Test
  void layerPredictions_everyLayerGivesTheSameOutput_onlyWithTheCavityTerms() {
    DeepSetup setup = setup(2, 1.0, 60, new int[] {0, 30, 60});
    double[][][] exact = DeepLinearDmft.layerPredictions(setup, true);
    for (int depth : new int[] {3}) {
      double[][][] deeper = DeepLinearDmft.layerPredictions(
          setup(depth, 2.0, 30, new int[] {10, 30}), true);
      for (double[][] perLayer : deeper) {
        for (int l = 1; l < depth; l++) {
          for (int a = 0; a < 9; a++) {
            assertEquals(perLayer[depth - 1][a], perLayer[l - 1][a], ROUNDING);
          }
        }
      }
    }
    for (double[][] perLayer : exact) {
      for (int a = 0; a < 9; a++) {
        assertEquals(perLayer[1][a], perLayer[0][a], ROUNDING);
      }
    }
    // THEORY-deep.md §3: at t = 6 the correct f_0 is 0.249; dropping A and B gives 0.219 from
    // the top layer and 0.256 from layer 1 (printed to 3 decimals: tolerance 5e-4).
    assertEquals(0.249, exact[2][1][0], 5e-4 + 1e-12);
    double[][][] wrong = DeepLinearDmft.layerPredictions(setup, false);
    assertEquals(0.219, wrong[2][1][0], 5e-4 + 1e-12);
    assertEquals(0.256, wrong[2][0][0], 5e-4 + 1e-12);
  }

  @Test
  void solve_nonlinearActivation_isRejected() {
    DeepSetup tanh = new DeepSetup(CanonicalData.task(), Activation.TANH, 2, 1.0,
        LossConvention.MEAN, new TimeGrid(DT, 1, new int[] {0}));
    assertThrows(IllegalArgumentException.class, () -> DeepLinearDmft.solve(tanh));
  }

  @Test
  void solve_tooLargeStep_throwsArithmeticException() {
    DeepSetup unstable = new DeepSetup(CanonicalData.task(), Activation.LINEAR, 3, 2.0,
        LossConvention.SUM, TimeGrid.every(5.0, 60, 60));
    assertTrue(assertThrows(ArithmeticException.class, () -> DeepLinearDmft.solve(unstable))
        .getMessage().contains("diverged"));
  }
}
