package io.finitewidth.dmft;

import io.finitewidth.fluctuation.LazyLimit;
import io.finitewidth.fluctuation.LinearExactFluctuations;
import io.finitewidth.fluctuation.PropagatorOptions;
import io.finitewidth.fluctuation.TwoLayerPropagator;
import io.finitewidth.model.Activation;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;

/**
 * The theory's single entry point for a two-layer cell: infinite-width means and the
 * finite-width N·Var of every {@link io.finitewidth.model.ObservableLayout} entry.
 *
 * <p>Means: {@link LinearTwoLayerDmft} (exact, meanSe 0) for LINEAR, otherwise
 * {@link ParticleDmft} at the setup's γ0 with {@link TheoryOptions#particles()} particles.
 *
 * <p>Variances, by activation and γ0:
 *
 * <ul>
 *   <li>LINEAR, any γ0: {@link LinearExactFluctuations} (exact, no Monte Carlo).
 *   <li>TANH/RELU, γ0 ≤ {@link TheoryOptions#lazyMaxGamma0()}: {@link LazyLimit}, the γ0 → 0
 *       closed form (THEORY.md §5), cheap and accurate where the lazy limit applies.
 *   <li>TANH/RELU, larger γ0: {@link TwoLayerPropagator}, Σ = (I − D)⁻¹ κ (I − D)⁻ᵀ
 *       (THEORY.md §4), with its replica spread as the standard error; ReLU carries the kink
 *       correction of THEORY-relu.md and its method label says so.
 * </ul>
 *
 * <p>Limitations: the lazy N·Var is built around the lazy mean trajectory (frozen K0), not the
 * DMFT mean returned beside it; they differ by O(γ0), so lazyMaxGamma0 should stay small.
 */
public final class TwoLayerTheory {
  /**
   * Mixed into the seed for the lazy-limit draws so they do not reuse the particle streams (the
   * 64-bit golden-ratio constant of SplitMix64).
   */
  private static final long LAZY_SEED_MIX = 0x9E3779B97F4A7C15L;
  /** Mixed into the seed of the propagator's replicas, for the same reason. */
  private static final long PROPAGATOR_SEED_MIX = 0xBF58476D1CE4E5B9L;

  /** Off-heap memory all concurrently running propagator replicas may take: 4 GiB. */
  public static final double PROPAGATOR_MEMORY_BUDGET_BYTES = 4.0 * (1L << 30);
  /** Work the propagator may take on the driver: 2e12 multiply-adds (about an hour on 2 cores). */
  public static final double PROPAGATOR_WORK_BUDGET = 2e12;

  private TwoLayerTheory() {}

  /**
   * Refuses, before allocating anything, a propagator run that would not fit the memory budget or
   * would run for hours (memory and work grow with the number of steps n as n and n²).
   *
   * @throws IllegalArgumentException saying what it would need and what to reduce
   */
  public static void checkAffordable(TwoLayerSetup setup, PropagatorOptions options) {
    int parallel = Math.min(options.replicas(), Runtime.getRuntime().availableProcessors());
    double bytes = parallel * TwoLayerPropagator.estimateBytesPerReplica(setup, options);
    double work = TwoLayerPropagator.estimateMultiplyAdds(setup, options);
    if (bytes > PROPAGATOR_MEMORY_BUDGET_BYTES || work > PROPAGATOR_WORK_BUDGET) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
          "the finite-width propagator would need %.1f GB and %.1e multiply-adds for %d steps"
          + " of %d train points (budget %.0f GB, %.0e); reduce training.steps,"
          + " theory.tangent_particles or theory.propagator_particles",
          bytes / 1e9, work, setup.grid().steps(), setup.task().trainPoints(),
          PROPAGATOR_MEMORY_BUDGET_BYTES / 1e9, PROPAGATOR_WORK_BUDGET));
    }
  }

  /** Means and N·Var for every setup (class comment). */
  public static TheoryPrediction predict(TwoLayerSetup setup, TheoryOptions options) {
    TheoryPrediction mean = setup.activation() == Activation.LINEAR
        ? LinearTwoLayerDmft.solve(setup)
        : ParticleDmft.solve(setup, options.particles(), options.seed());
    TheoryPrediction variance;
    if (setup.activation() == Activation.LINEAR) {
      variance = LinearExactFluctuations.predict(setup);
    } else if (setup.gamma0() <= options.lazyMaxGamma0()) {
      variance = LazyLimit.predict(setup, options.seed() ^ LAZY_SEED_MIX);
    } else {
      PropagatorOptions propagator = new PropagatorOptions(options.propagatorParticles(),
          options.tangentParticles(), options.seed() ^ PROPAGATOR_SEED_MIX, options.replicas());
      checkAffordable(setup, propagator);
      variance = TwoLayerPropagator.predict(setup, propagator);
    }
    return new TheoryPrediction(mean.layout(), mean.grid(), mean.mean(), mean.meanSe(),
        variance.nvar(), variance.nvarSe(), mean.meanMethod(), variance.nvarMethod());
  }
}
