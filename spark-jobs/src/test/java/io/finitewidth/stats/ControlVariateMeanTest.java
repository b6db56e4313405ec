package io.finitewidth.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ControlVariateMeanTest {
  /** Sums of ≤ 10⁴ O(1) numbers in double precision: rounding ≤ 1e-12. */
  private static final double ROUNDING = 1e-12;

  @Test
  void withCoefficients_exactLinearDependence_leavesOnlyTheNoise() {
    // Q = 2 + 3 (c − 1) + ε: with a = 3 the adjusted values are 2 + ε exactly, so the estimate
    // equals the plain mean of 2 + ε and its s.e. is sd(ε)/√E.
    SplittableRandom rng = new SplittableRandom(1);
    int count = 1000;
    double[] q = new double[count];
    double[][] c = new double[count][1];
    double[] noise = new double[count];
    for (int i = 0; i < count; i++) {
      c[i][0] = 1 + 5 * (rng.nextDouble() - 0.5);
      noise[i] = 0.1 * (rng.nextDouble() - 0.5);
      q[i] = 2 + 3 * (c[i][0] - 1) + noise[i];
    }
    ControlVariateMean.Estimate est = ControlVariateMean.withCoefficients(q, c,
        new double[] {1}, new double[] {3});
    double[] reference = new double[count];
    for (int i = 0; i < count; i++) {
      reference[i] = 2 + noise[i];
    }
    double[] expected = ControlVariateMean.meanAndStandardError(reference);
    assertEquals(expected[0], est.mean(), ROUNDING);
    assertEquals(expected[1], est.standardError(), ROUNDING);
  }

  @Test
  void fitted_twoCovariates_recoversInterceptAndOlsError() {
    // Hand-checkable design: c1 ∈ {−1, +1}, c2 ∈ {−1, +1} balanced (orthogonal, mean 0), so
    // (XᵀX) = E·I, the intercept is mean(Q) and its s.e. is σ̂/√E with σ̂² = RSS/(E − 3).
    double[] q = {1.0, 2.0, 3.5, 4.0, 1.5, 2.5, 3.0, 4.5};
    double[][] c = {{-1, -1}, {-1, 1}, {1, -1}, {1, 1}, {-1, -1}, {-1, 1}, {1, -1}, {1, 1}};
    ControlVariateMean.Estimate est = ControlVariateMean.fitted(q, c, new double[] {0, 0});
    double mean = 22.0 / 8;
    assertEquals(mean, est.mean(), ROUNDING);
    // Slopes: c1 effect (mean at +1 minus at −1)/2 = (3.75 − 1.75)/2 = 1; c2: (3.25 − 2.25)/2.
    assertEquals(1.0, est.coefficients()[0], ROUNDING);
    assertEquals(0.5, est.coefficients()[1], ROUNDING);
    double rss = 0;
    for (int i = 0; i < q.length; i++) {
      double fit = mean + c[i][0] + 0.5 * c[i][1];
      rss += (q[i] - fit) * (q[i] - fit);
    }
    assertEquals(Math.sqrt(rss / 5 / 8), est.standardError(), ROUNDING);
  }

  @Test
  void fitted_collinearCovariates_isRejected() {
    double[] q = {1, 2, 3, 4, 5};
    double[][] c = {{1, 2}, {2, 4}, {3, 6}, {4, 8}, {5, 10}};
    assertThrows(IllegalArgumentException.class,
        () -> ControlVariateMean.fitted(q, c, new double[] {0, 0}));
  }

  @Test
  void withCoefficients_singleObservation_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> ControlVariateMean.withCoefficients(
        new double[] {1}, new double[][] {{1}}, new double[] {0}, new double[] {1}));
  }

  @Test
  void split_identicalNetworks_hasNoVarianceAndExactBias() {
    double[][] e = {{1, 0}, {1, 0}, {1, 0}};
    double[] split = OnlineWidthCorrection.split(10, e, 0.2);
    assertEquals(0, split[0], 0);
    // |ē|²/(2D) = 1/4, so bias = 10 (0.25 − 0.2).
    assertEquals(0.5, split[1], ROUNDING);
  }
}
