package io.finitewidth.fluctuation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.finitewidth.fluctuation.OnlineFiniteWidthCorrection.Correction;
import io.finitewidth.fluctuation.OnlineFiniteWidthCorrection.Delay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OnlineFiniteWidthCorrectionTest {
  private static final int DIM = 16;
  private static final double DT = 0.2;

  /**
   * §10 states the corrections to 1e-6 (finite-difference error of the reference); ours are
   * jets, exact to rounding. The printed 6 significant digits add half a unit of the last one.
   */
  private static final double REFERENCE_TOLERANCE = 1e-6;

  private static double printed(double value, double lastDigit) {
    return REFERENCE_TOLERANCE + 0.5 * lastDigit;
  }

  @Test
  void compute_initialStep_isHalfOverGammaSquaredOrZeroWhenCentred() {
    for (double gamma0 : new double[] {0.1, 0.5, 1.0, 3.0}) {
      Correction plain = OnlineFiniteWidthCorrection.compute(DIM, gamma0, DT, 1, false);
      Correction centred = OnlineFiniteWidthCorrection.compute(DIM, gamma0, DT, 1, true);
      // Exact identities at n = 0, evaluated with a handful of O(1) operations.
      assertEquals(0.5 / (gamma0 * gamma0), plain.variance()[0], 1e-12 / (gamma0 * gamma0));
      assertEquals(0, plain.bias()[0], 0);
      assertEquals(0, centred.variance()[0], 0);
      assertEquals(0, centred.bias()[0], 0);
    }
  }

  @Test
  void compute_gammaOneUncentred_matchesReferenceSplit() {
    Correction c = OnlineFiniteWidthCorrection.compute(DIM, 1.0, DT, 40, false);
    assertEquals(0.771233, c.total(10), printed(0.771233, 1e-6));
    assertEquals(0.459197, c.variance()[10], printed(0, 1e-6));
    assertEquals(0.312036, c.bias()[10], printed(0, 1e-6));
    assertEquals(1.03276, c.total(20), printed(0, 1e-5));
    assertEquals(0.464533, c.variance()[20], printed(0, 1e-6));
    assertEquals(0.568225, c.bias()[20], printed(0, 1e-6));
    assertEquals(0.585521, c.total(30), printed(0, 1e-6));
    assertEquals(0.27628, c.variance()[30], printed(0, 1e-5));
    assertEquals(0.309242, c.bias()[30], printed(0, 1e-6));
    assertEquals(0.18289, c.total(40), printed(0, 1e-5));
    assertEquals(0.104266, c.variance()[40], printed(0, 1e-6));
    assertEquals(0.0786239, c.bias()[40], printed(0, 1e-7));
  }

  @Test
  void compute_gammaOneCentred_matchesReference() {
    Correction c = OnlineFiniteWidthCorrection.compute(DIM, 1.0, DT, 30, true);
    assertEquals(0.209511, c.total(10), printed(0, 1e-6));
    assertEquals(0.531312, c.total(20), printed(0, 1e-6));
    assertEquals(0.406992, c.total(30), printed(0, 1e-6));
  }

  @Test
  void compute_lateTime_matchesReferenceLimit() {
    // §4: the O(1/N) limit at γ0 = 1, step 120 is 3.6e-6 (2 digits: ± 0.05e-6).
    Correction c = OnlineFiniteWidthCorrection.compute(DIM, 1.0, DT, 120, false);
    assertEquals(3.6e-6, c.total(120), 0.05e-6);
  }

  @Test
  void sgdNoiseCoefficient_gammaOne_matchesReference() {
    // §10: tolerance 1e-7 plus half a unit of the 6th significant digit.
    double[] s = OnlineFiniteWidthCorrection.sgdNoiseCoefficient(DIM, 1.0, DT, 40);
    assertEquals(0, s[0], 0);
    assertEquals(0.0354064, s[10], 1e-7 + 5e-8);
    assertEquals(0.0780360, s[20], 1e-7 + 5e-8);
    assertEquals(0.0658576, s[30], 1e-7 + 5e-8);
    assertEquals(0.0261769, s[40], 1e-7 + 5e-8);
  }

  /**
   * THEORY-online.md §5 table: γ0, L*, n∞, uncentred N·δ (V, Bias), centred N·δ (V, Bias), and
   * the unit of the last printed digit of the delays. The brief claims < 0.1 % reproduction; we
   * allow max(0.1 %, half a printed unit) on totals and one printed unit on the parts (parts
   * are rounded separately, so their printed sum can differ from the total by one unit).
   */
  @ParameterizedTest
  @CsvSource({
      "0.1, 0.01, 75.10, 2997, 2373, 624, 683, 346, 337, 1",
      "0.25, 0.01, 66.77, 1043, 612, 431, 519, 268, 251, 1",
      "0.5, 0.01, 52.42, 462, 246, 217, 303, 161, 143, 1",
      "1, 0.1, 20.92, 84.0, 37.6, 46.4, 44.8, 20.9, 23.8, 0.1",
      "1, 0.01, 35.50, 173.8, 90.3, 83.5, 134.7, 72.3, 62.3, 0.1",
      "1, 0.001, 47.11, 331, 219, 112, 297, 194, 103, 1",
      "2, 0.01, 21.89, 61.6, 31.0, 30.6, 52.8, 27.9, 24.9, 0.1",
      "4, 0.01, 12.88, 22.8, 10.9, 11.8, 20.9, 10.6, 10.2, 0.1"})
  void delay_referenceTable_reproduces(double gamma0, double target, double crossing,
      double plain, double plainV, double plainBias, double centred, double centredV,
      double centredBias, double unit) {
    int steps = 200;
    Delay p = OnlineFiniteWidthCorrection.delay(
        OnlineFiniteWidthCorrection.compute(DIM, gamma0, DT, steps, false), target);
    Delay c = OnlineFiniteWidthCorrection.delay(
        OnlineFiniteWidthCorrection.compute(DIM, gamma0, DT, steps, true), target);
    assertEquals(crossing, p.crossingStep(), 0.005);
    assertEquals(crossing, c.crossingStep(), 0.005);
    assertEquals(plain, p.totalSteps(), Math.max(1e-3 * plain, 0.5 * unit));
    assertEquals(plainV, p.varianceSteps(), unit);
    assertEquals(plainBias, p.biasSteps(), unit);
    assertEquals(centred, c.totalSteps(), Math.max(1e-3 * centred, 0.5 * unit));
    assertEquals(centredV, c.varianceSteps(), unit);
    assertEquals(centredBias, c.biasSteps(), unit);
  }

  @Test
  void delay_gammaQuarterAtTenPercent_matchesReference() {
    // §10: N δ_n = 495 steps, tolerance 1.
    Delay d = OnlineFiniteWidthCorrection.delay(
        OnlineFiniteWidthCorrection.compute(DIM, 0.25, DT, 200, false), 0.1);
    assertEquals(495, d.totalSteps(), 1);
  }

  @ParameterizedTest
  @CsvSource({"0.02, 49466, 49372", "0.05, 7992, 7900", "0.1, 2065, 1975"})
  void delay_lazyLimit_initialOutputPartMatchesClosedForm(double gamma0, double difference,
      double closedForm) {
    // §5, L* = 0.1: uncentred minus centred N δ_n against 1/(2 γ0² (−ln(1 − 2dt/D))); both
    // printed as integers (± 0.5, plus 0.1 % for the reference's own reproduction limit).
    int steps = 400;
    Delay p = OnlineFiniteWidthCorrection.delay(
        OnlineFiniteWidthCorrection.compute(DIM, gamma0, DT, steps, false), 0.1);
    Delay c = OnlineFiniteWidthCorrection.delay(
        OnlineFiniteWidthCorrection.compute(DIM, gamma0, DT, steps, true), 0.1);
    assertEquals(difference, p.totalSteps() - c.totalSteps(), 0.5 + 1e-3 * difference);
    assertEquals(closedForm, OnlineFiniteWidthCorrection.lazyInitialOutputDelaySteps(DIM, gamma0,
        DT), 0.5);
  }

  @Test
  void delay_lazyLimitCentred_tendsToGammaIndependentValue() {
    // §5: the centred delay at L* = 0.1 tends to a γ0-independent value, printed as 122 without
    // saying at which γ0. Ours: 122.68 at γ0 = 0.001 and 0.005 (equal to 0.01), 122.55 at 0.02,
    // 121.89 at 0.05; so we check the limit's γ0-independence tightly (the O(γ0²) drift between
    // 0.001 and 0.005 is ~1e-2) and the printed integer only to ± 1.
    double[] centred = new double[2];
    double[] gammas = {0.001, 0.005};
    for (int i = 0; i < 2; i++) {
      centred[i] = OnlineFiniteWidthCorrection.delay(
          OnlineFiniteWidthCorrection.compute(DIM, gammas[i], DT, 400, true), 0.1).totalSteps();
    }
    assertEquals(centred[0], centred[1], 0.02);
    assertEquals(122, centred[0], 1);
  }

  @Test
  void crossingStep_lossAlreadyBelowTarget_isRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> OnlineFiniteWidthCorrection.crossingStep(new double[] {0.05, 0.01}, 0.1));
    assertThrows(IllegalArgumentException.class,
        () -> OnlineFiniteWidthCorrection.crossingStep(new double[] {0.5, 0.4}, 0.1));
  }

  @Test
  void crossingStep_geometricCurve_isExact() {
    double[] loss = new double[20];
    for (int n = 0; n < loss.length; n++) {
      loss[n] = Math.exp(-0.3 * n);
    }
    assertEquals(7.25, OnlineFiniteWidthCorrection.crossingStep(loss, Math.exp(-0.3 * 7.25)),
        1e-12);
  }
}
