package io.finitewidth.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The a + b/N fit against sums worked out by hand (x = 1/N = 1, 1/2, 1/4). */
class InverseWidthFitTest {
  private static final double[] WIDTHS = {1, 2, 4};
  private static final double[] VALUES = {3, 2, 2};

  @Test
  void equalErrors_matchOrdinaryLeastSquaresByHand() {
    // S = 3, Sx = 7/4, Sxx = 21/16, Sy = 7, Sxy = 9/2, Δ = 63/16 − 49/16 = 7/8.
    // a = (21/16·7 − 7/4·9/2) / (7/8) = 3/2;  b = (3·9/2 − 7/4·7) / (7/8) = 10/7.
    InverseWidthFit fit = InverseWidthFit.fit(WIDTHS, VALUES, new double[] {1, 1, 1});
    assertEquals(1.5, fit.intercept(), 1e-13);
    assertEquals(10.0 / 7, fit.slope(), 1e-13);
    assertEquals(Math.sqrt(1.5), fit.interceptSe(), 1e-13); // √(Sxx/Δ) = √(3/2)
    assertEquals(Math.sqrt(24.0 / 7), fit.slopeSe(), 1e-13); // √(S/Δ) = √(24/7)
    // a + b·x = 41/14, 31/14, 26/14, so the residuals are 1/14, −3/14, 2/14.
    assertEquals(14.0 / 196, fit.chiSquared(), 1e-13);
    assertEquals(1, fit.degreesOfFreedom());
  }

  @Test
  void weights_areInverseSquaredErrors() {
    // σ = 1, 1, 1/2 → w = 1, 1, 4: S = 6, Sx = 5/2, Sxx = 3/2, Sy = 13, Sxy = 6, Δ = 11/4.
    // a = (3/2·13 − 5/2·6) / (11/4) = 18/11;  b = (6·6 − 5/2·13) / (11/4) = 14/11.
    InverseWidthFit fit = InverseWidthFit.fit(WIDTHS, VALUES, new double[] {1, 1, 0.5});
    assertEquals(18.0 / 11, fit.intercept(), 1e-13);
    assertEquals(14.0 / 11, fit.slope(), 1e-13);
    assertEquals(Math.sqrt(6.0 / 11), fit.interceptSe(), 1e-13);
    assertEquals(Math.sqrt(24.0 / 11), fit.slopeSe(), 1e-13);
    // residuals 1/11, −3/11, 1/22 with weights 1, 1, 4: χ² = (1 + 9 + 1) / 121 = 1/11.
    assertEquals(1.0 / 11, fit.chiSquared(), 1e-13);
    assertEquals(18.0 / 11 + 14.0 / 11 / 8, fit.valueAt(8), 1e-13);
  }

  @Test
  void scalingAllErrors_keepsEstimatesAndScalesTheirErrors() {
    InverseWidthFit unit = InverseWidthFit.fit(WIDTHS, VALUES, new double[] {1, 1, 0.5});
    InverseWidthFit triple = InverseWidthFit.fit(WIDTHS, VALUES, new double[] {3, 3, 1.5});
    assertEquals(unit.intercept(), triple.intercept(), 1e-13);
    assertEquals(3 * unit.interceptSe(), triple.interceptSe(), 1e-13);
    assertEquals(unit.chiSquared() / 9, triple.chiSquared(), 1e-13);
  }

  @Test
  void twoWidths_passThroughBothPoints() {
    // 5 = a + b/100, 4 = a + b/200 → b = 200, a = 3; se(a)² = Sxx/Δ with σ = 0.1 at both.
    InverseWidthFit fit = InverseWidthFit.fit(new double[] {100, 200}, new double[] {5, 4},
        new double[] {0.1, 0.1});
    assertEquals(3, fit.intercept(), 1e-11);
    assertEquals(200, fit.slope(), 1e-9);
    assertEquals(0, fit.chiSquared(), 1e-18);
    assertEquals(0, fit.degreesOfFreedom());
    // x = 0.01, 0.005; w = 100: S = 200, Sx = 1.5, Sxx = 0.0125, Δ = 2.5 − 2.25 = 0.25.
    assertEquals(Math.sqrt(0.0125 / 0.25), fit.interceptSe(), 1e-12);
  }

  @Test
  void badInput_isRefusedWithTheReason() {
    double[] one = {1, 1, 1};
    assertThrows(IllegalArgumentException.class,
        () -> InverseWidthFit.fit(new double[] {64, 64, 64}, VALUES, one));
    assertThrows(IllegalArgumentException.class,
        () -> InverseWidthFit.fit(WIDTHS, VALUES, new double[] {1, 0, 1}));
    assertThrows(IllegalArgumentException.class,
        () -> InverseWidthFit.fit(WIDTHS, VALUES, new double[] {1, Double.NaN, 1}));
    assertThrows(IllegalArgumentException.class,
        () -> InverseWidthFit.fit(WIDTHS, new double[] {3, Double.NaN, 2}, one));
    assertThrows(IllegalArgumentException.class,
        () -> InverseWidthFit.fit(new double[] {0, 2, 4}, VALUES, one));
    assertThrows(IllegalArgumentException.class,
        () -> InverseWidthFit.fit(WIDTHS, VALUES, new double[] {1, 1}));
  }
}
