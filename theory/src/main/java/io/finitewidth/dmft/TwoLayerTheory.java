package io.finitewidth.dmft;

import io.finitewidth.fluctuation.LazyLimit;
import io.finitewidth.model.Activation;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;

/**
 * The theory's single entry point for a two-layer cell: infinite-width means and, where
 * available, the finite-width N·Var of every {@link io.finitewidth.model.ObservableLayout} entry.
 *
 * <p>Means: {@link LinearTwoLayerDmft} (exact, meanSe 0) for LINEAR, otherwise
 * {@link ParticleDmft} at the setup's γ0 with {@link TheoryOptions#particles()} particles.
 *
 * <p>Variances: {@link LazyLimit} (nvarMethod {@code lazy_limit}) only when
 * γ0 ≤ {@link TheoryOptions#lazyMaxGamma0()}; otherwise nvar and nvarSe are NaN and nvarMethod is
 * {@code none}.
 *
 * <p>Limitations: the lazy N·Var is the γ0 → 0 limit, built around the lazy mean trajectory
 * (frozen K0), not around the DMFT mean returned beside it; the two differ by O(γ0), so the
 * threshold should be small. Beyond it no variance is reported rather than a wrong one: the
 * rich-regime propagator of THEORY.md §4 is a separate component, to be wired in here.
 */
public final class TwoLayerTheory {
  /**
   * Mixed into the seed for the lazy-limit draws so they do not reuse the particle streams (the
   * 64-bit golden-ratio constant of SplitMix64).
   */
  private static final long LAZY_SEED_MIX = 0x9E3779B97F4A7C15L;

  private TwoLayerTheory() {}

  /** Means for every setup, N·Var for lazy setups (class comment). */
  public static TheoryPrediction predict(TwoLayerSetup setup, TheoryOptions options) {
    TheoryPrediction mean = setup.activation() == Activation.LINEAR
        ? LinearTwoLayerDmft.solve(setup)
        : ParticleDmft.solve(setup, options.particles(), options.seed());
    if (setup.gamma0() > options.lazyMaxGamma0()) {
      return mean;
    }
    TheoryPrediction lazy = LazyLimit.predict(setup, options.seed() ^ LAZY_SEED_MIX);
    return new TheoryPrediction(mean.layout(), mean.grid(), mean.mean(), mean.meanSe(),
        lazy.nvar(), lazy.nvarSe(), mean.meanMethod(), lazy.nvarMethod());
  }
}
