package io.finitewidth.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.finitewidth.model.SingleSiteMoments.PairMoments;
import org.junit.jupiter.api.Test;

class SingleSiteMomentsTest {
  /** THEORY.md §9 prints 6 decimals, reference accurate to 1e-6: half a unit plus 1e-6. */
  private static final double PRINTED_6_DECIMALS = 1.5e-6;
  /** Closed forms evaluated in double precision. */
  private static final double ROUNDING = 1e-12;
  /** Monte-Carlo allowance: 4 standard errors (two-sided false alarm 6e-5 per comparison). */
  private static final double Z = 4;

  @Test
  void pair_tanhUnitVariance_matchesReferenceInitialStatistics() {
    PairMoments m = SingleSiteMoments.pair(Activation.TANH, 1, 1, 1);
    assertEquals(0.394294, m.m0(), PRINTED_6_DECIMALS);
    assertEquals(0.858697, m.ntk(1), PRINTED_6_DECIMALS);
    assertEquals(0.690260, m.ntkNVar(1), PRINTED_6_DECIMALS);
  }

  @Test
  void pair_linear_matchesIsserlis() {
    // K(0) = 2 Kx, N·Var K_μμ(0) = 4 at Kx = 1, N·Var Φ = Kaa Kbb + Kab², N·Var G = 2.
    PairMoments diag = SingleSiteMoments.pair(Activation.LINEAR, 1, 1, 1);
    assertEquals(2, diag.ntk(1), ROUNDING);
    assertEquals(4, diag.ntkNVar(1), ROUNDING);
    PairMoments off = SingleSiteMoments.pair(Activation.LINEAR, 1.2, 0.8, 0.3);
    assertEquals(2 * 0.3, off.ntk(0.3), ROUNDING);
    assertEquals(1.2 * 0.8 + 0.3 * 0.3, off.featureNVar(), ROUNDING);
    assertEquals(2, off.gradientNVar(), ROUNDING);
    // Cov(k_ab, k_ab) = Kaa Kbb + Kab² + 2 Kab².
    assertEquals(1.2 * 0.8 + 3 * 0.3 * 0.3, off.ntkNVar(0.3), ROUNDING);
  }

  @Test
  void pair_reluClosedForms_agreeWithMonteCarlo() {
    double kaa = 1.1;
    double kbb = 0.9;
    double kab = 0.35;
    PairMoments exact = SingleSiteMoments.pair(Activation.RELU, kaa, kbb, kab);
    double[] want = {exact.m0(), exact.m1(), exact.m2(), exact.m3(), exact.m4()};
    int samples = 400_000;
    double[] sum = new double[5];
    double[] sumSq = new double[5];
    NormalSource normals = new NormalSource(99);
    double l21 = kab / Math.sqrt(kaa);
    double l22 = Math.sqrt(kbb - l21 * l21);
    for (int j = 0; j < samples; j++) {
      double u = normals.next();
      double v = normals.next();
      double ha = Math.sqrt(kaa) * u;
      double hb = l21 * u + l22 * v;
      double pp = Math.max(ha, 0) * Math.max(hb, 0);
      double dd = (ha > 0 ? 1 : 0) * (hb > 0 ? 1 : 0);
      double[] x = {pp, dd, pp * pp, pp * dd, dd * dd};
      for (int i = 0; i < 5; i++) {
        sum[i] += x[i];
        sumSq[i] += x[i] * x[i];
      }
    }
    for (int i = 0; i < 5; i++) {
      double mean = sum[i] / samples;
      double se = Math.sqrt((sumSq[i] / samples - mean * mean) / samples);
      assertEquals(want[i], mean, Z * se, "moment m" + i);
    }
  }

  @Test
  void pair_reluDiagonal_matchesHalfGaussianMoments() {
    // h ~ N(0, k): E ReLU² = k/2, E Θ = 1/2, E ReLU⁴ = 3k²/2.
    PairMoments m = SingleSiteMoments.pair(Activation.RELU, 2, 2, 2);
    assertEquals(1.0, m.m0(), ROUNDING);
    assertEquals(0.5, m.m1(), ROUNDING);
    assertEquals(6.0, m.m2(), ROUNDING);
  }
}
