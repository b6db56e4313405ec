package io.finitewidth.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GaussianQuadratureTest {
  /** Sums of ~100 O(1) terms from eigenvectors accurate to ~1e-15: allow 1e-12 relative. */
  private static final double RELATIVE_ROUNDING = 1e-12;

  @Test
  void hermite_polynomialsUpToDegreeTwoNMinusOne_areExact() {
    GaussianQuadrature rule = GaussianQuadrature.hermite(10);
    // E u^{2k} = (2k − 1)!! for u ~ N(0, 1); odd moments vanish.
    double doubleFactorial = 1;
    for (int k = 1; 2 * k <= 19; k++) {
      doubleFactorial *= 2 * k - 1;
      int power = 2 * k;
      double want = doubleFactorial;
      assertEquals(want, rule.expect(1.0, u -> Math.pow(u, power)), RELATIVE_ROUNDING * want,
          "E u^" + power);
      assertEquals(0.0, rule.expect(1.0, u -> Math.pow(u, power - 1)), RELATIVE_ROUNDING * want);
    }
  }

  @Test
  void expect_bivariateMoment_matchesIsserlis() {
    // E[h_a² h_b²] = Kaa Kbb + 2 Kab² and E[h_a h_b] = Kab for a Gaussian pair.
    GaussianQuadrature rule = GaussianQuadrature.hermite(6);
    double kaa = 1.3;
    double kbb = 0.7;
    double kab = -0.4;
    assertEquals(kaa * kbb + 2 * kab * kab,
        rule.expect(kaa, kbb, kab, (a, b) -> a * a * b * b), RELATIVE_ROUNDING);
    assertEquals(kab, rule.expect(kaa, kbb, kab, (a, b) -> a * b), RELATIVE_ROUNDING);
  }

  @Test
  void trapezoid_tanhMoment_agreesWithManyNodeHermite() {
    // For Kx = 1 Gauss–Hermite with 200 nodes is converged to ~1e-11 on E tanh⁴ (checked against
    // 240 nodes); the trapezoid rule must agree at that level.
    double hermite = GaussianQuadrature.hermite(200).expect(1.0, u -> Math.pow(Math.tanh(u), 4));
    double trapezoid = GaussianQuadrature.TANH_RULE.expect(1.0, u -> Math.pow(Math.tanh(u), 4));
    assertEquals(hermite, trapezoid, 1e-10);
  }

  @Test
  void expect_notPositiveSemiDefinite_isRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> GaussianQuadrature.hermite(4).expect(1.0, 1.0, 1.5, (a, b) -> a));
    assertThrows(IllegalArgumentException.class, () -> GaussianQuadrature.hermite(0));
  }
}
