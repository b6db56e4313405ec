package io.finitewidth.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Lazy against rich: the change, its z and the words the findings table uses. */
class FeatureLearningEffectTest {
  private static Point point(double nvar, double se, double theory, double theorySe) {
    return new Point(20, 10, 3, nvar, se, theory, theorySe, 0, 0, 0, 40, 0);
  }

  @Test
  void errorsOfIndependentEnsembles_addInQuadrature() {
    // Δ = 1.0 − 1.8 = −0.8, se = √(0.3² + 0.4²) = 0.5, z = −1.6: not resolved.
    FeatureLearningEffect e = FeatureLearningEffect.between(point(1.8, 0.3, 2, 0),
        point(1.0, 0.4, 1.5, 0));
    assertEquals(-0.8, e.measured(), 1e-12);
    assertEquals(0.5, e.measuredSe(), 1e-12);
    assertEquals(-1.6, e.z(), 1e-12);
    assertEquals("no resolved change", e.measuredVerdict());
    assertEquals(-0.5, e.predicted(), 1e-12);
    assertEquals("lowers", e.predictedVerdict());
  }

  @Test
  void resolvedChanges_areNamedByTheirSign() {
    assertEquals("lowered", FeatureLearningEffect.between(point(2, 0.1, 1, 0.1),
        point(1, 0.1, 1, 0.1)).measuredVerdict());
    assertEquals("raised", FeatureLearningEffect.between(point(1, 0.1, 1, 0.1),
        point(2, 0.1, 1, 0.1)).measuredVerdict());
    // Theory 1 → 1.2 with Monte-Carlo errors 0.1 each: 0.2 < 2·0.141, not resolved.
    assertEquals("no resolved change", FeatureLearningEffect.between(point(1, 0.1, 1, 0.1),
        point(2, 0.1, 1.2, 0.1)).predictedVerdict());
  }

  @Test
  void missingTheoryOrErrors_sayWhatIsMissing() {
    FeatureLearningEffect e = FeatureLearningEffect.between(point(2, 0.1, 2, 0),
        point(1, Double.NaN, Double.NaN, Double.NaN));
    assertEquals("no prediction", e.predictedVerdict());
    assertEquals("unknown", e.measuredVerdict());
  }
}
