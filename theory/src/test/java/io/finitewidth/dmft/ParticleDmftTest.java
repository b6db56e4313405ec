package io.finitewidth.dmft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.fluctuation.LazyLimit;
import io.finitewidth.model.Activation;
import io.finitewidth.model.CanonicalData;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import org.junit.jupiter.api.Test;

class ParticleDmftTest {
  /**
   * Monte-Carlo allowance: 4 standard errors. With SE from 16 replicas the ratio is t-distributed
   * with 15 degrees of freedom, P(|t| > 4) ≈ 1.2e-3 per comparison, so ≤ 2 % for the ≤ 20
   * comparisons of a test (the seed is fixed, so CI is deterministic either way).
   */
  private static final double Z = 4;
  private static final int PARTICLES = 20_000;
  private static final long SEED = 7_151_202L;
  private static final int[] TIMES = {10, 20, 50, 100};
  private static final double TINY_GAMMA0 = 1e-3;
  /**
   * Means are even in γ0 (the map is invariant under γ0 → −γ0, z → −z, and z is symmetric), so the
   * lazy mean is off by O(γ0²); on this task mean kernels change by at most ~10² over γ0 ≤ 3
   * (THEORY.md §9), so 10² γ0² = 1e-4 bounds it.
   */
  private static final double TINY_GAMMA0_BIAS = 1e2 * TINY_GAMMA0 * TINY_GAMMA0;

  @Test
  void solve_linearGammaOne_agreesWithExactWithinMonteCarlo() {
    TwoLayerSetup setup = CanonicalData.setup(Activation.LINEAR, 1.0, false);
    TheoryPrediction exact = LinearTwoLayerDmft.solve(setup);
    TheoryPrediction particles = ParticleDmft.solve(setup, 2 * PARTICLES, SEED);
    ObservableLayout layout = exact.layout();
    double[] y = setup.task().trainTargets();
    for (int n : TIMES) {
      // Errors Δ_μ = y_μ − f_μ (the SE of Δ is that of f) at the §9 times t = 2, 4 (later they
      // decay towards 0, where a 5 % change is below any Monte-Carlo resolution), and NTK entries.
      for (int mu : n <= 20 ? new int[] {0, 3} : new int[0]) {
        int k = layout.predictionTrain(mu);
        assertAgreesAndIsSensitive(y[mu] - exact.mean()[n][k], y[mu] - particles.mean()[n][k],
            particles.meanSe()[n][k], "error " + mu + " step " + n);
      }
      for (int k : new int[] {layout.ntk(0, 0), layout.ntk(0, 1)}) {
        assertAgreesAndIsSensitive(exact.mean()[n][k], particles.mean()[n][k],
            particles.meanSe()[n][k], layout.entry(k) + " step " + n);
      }
    }
  }

  private static void assertAgreesAndIsSensitive(double want, double got, double se,
      String what) {
    assertEquals(want, got, Z * se, what);
    // Sensitivity: a solver wrong by 5 % would be detected.
    assertTrue(Z * se < 0.05 * Math.abs(want), "SE " + se + " too large to detect 5 % at " + what);
  }

  @Test
  void solve_tanhTinyGamma_followsLazyMean() {
    TwoLayerSetup setup = CanonicalData.setup(Activation.TANH, TINY_GAMMA0, true);
    TheoryPrediction lazy = LazyLimit.lazyMean(setup);
    TheoryPrediction particles = ParticleDmft.solve(setup, PARTICLES, SEED);
    ObservableLayout layout = lazy.layout();
    int[] entries = {layout.predictionTrain(0), layout.predictionTrain(2), layout.predictionTest(0),
        layout.ntk(0, 0), layout.ntk(1, 5)};
    for (int n : TIMES) {
      for (int k : entries) {
        double se = particles.meanSe()[n][k];
        assertEquals(lazy.mean()[n][k], particles.mean()[n][k], Z * se + TINY_GAMMA0_BIAS,
            "entry " + layout.entry(k) + " step " + n);
      }
    }
  }

  @Test
  void solve_tanhInitialStep_samplesExactKernels() {
    // THEORY.md §9 (Gauss–Hermite reference): Φ_μμ(0) = 0.394294, K_μμ(0) = 0.858697.
    TwoLayerSetup setup = shortRun(Activation.TANH);
    TheoryPrediction particles = ParticleDmft.solve(setup, PARTICLES, SEED);
    ObservableLayout layout = particles.layout();
    double[] row = particles.mean()[0];
    double[] se = particles.meanSe()[0];
    for (int mu = 0; mu < 6; mu++) {
      assertEquals(0.394294, row[layout.featureKernel(mu, mu)], Z * se[layout.featureKernel(mu, mu)]
          + 5e-7);
      assertEquals(0.858697, row[layout.ntk(mu, mu)], Z * se[layout.ntk(mu, mu)] + 5e-7);
      // The control variate makes the initial prediction exactly 0.
      assertEquals(0.0, row[layout.predictionTrain(mu)], 0);
    }
  }

  @Test
  void solve_sameSeed_isReproducibleAndSeedMatters() {
    TwoLayerSetup setup = shortRun(Activation.RELU);
    TheoryPrediction a = ParticleDmft.solve(setup, 2_000, SEED);
    TheoryPrediction b = ParticleDmft.solve(setup, 2_000, SEED);
    TheoryPrediction c = ParticleDmft.solve(setup, 2_000, SEED + 1);
    int last = setup.grid().recordCount() - 1;
    assertArrayEquals(a.mean()[last], b.mean()[last], 0);
    assertNotEquals(a.mean()[last][1], c.mean()[last][1]);
    assertEquals("particles", a.meanMethod());
  }

  @Test
  void solve_tooFewParticles_isRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> ParticleDmft.solve(shortRun(Activation.TANH), 3, 2, SEED));
  }

  @Test
  void solve_unstableStep_failsLoudly() {
    // dt = 200 with c = 1/6 and K ~ 1 gives η λ ≫ 2: the map diverges.
    TwoLayerSetup setup = new TwoLayerSetup(CanonicalData.task(), Activation.TANH, 1.0,
        io.finitewidth.model.LossConvention.MEAN, TimeGrid.every(200, 200, 200), false);
    assertThrows(ArithmeticException.class, () -> ParticleDmft.solve(setup, 64, 2, SEED));
  }

  private static TwoLayerSetup shortRun(Activation act) {
    return new TwoLayerSetup(CanonicalData.task(), act, 1.0,
        io.finitewidth.model.LossConvention.MEAN, TimeGrid.every(CanonicalData.DT, 10, 5), false);
  }
}
