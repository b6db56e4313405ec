package io.finitewidth.dmft;

import io.finitewidth.fluctuation.PropagatorOptions;

/**
 * Settings of {@link TwoLayerTheory#predict}.
 *
 * @param particles S, particles of the particle DMFT (nonlinear activations); at least
 *     2 · {@link ParticleDmft#DEFAULT_REPLICAS}. Its mean has Monte-Carlo error ~1/√S.
 * @param seed seed of every Monte-Carlo draw (particles and lazy-limit source statistics)
 * @param lazyMaxGamma0 the largest γ0 at which the lazy-limit N·Var is reported; ≥ 0
 * @param propagatorParticles particles of the finite-width propagator (per replica)
 * @param tangentParticles of those, the particles carrying tangent derivatives (build D)
 * @param replicas independent propagator replicas; their spread gives the theory's error
 */
public record TheoryOptions(int particles, long seed, double lazyMaxGamma0,
    int propagatorParticles, int tangentParticles, int replicas) {

  /** Propagator defaults: {@link PropagatorOptions#defaults}. */
  public TheoryOptions(int particles, long seed, double lazyMaxGamma0) {
    this(particles, seed, lazyMaxGamma0, PropagatorOptions.DEFAULT_PARTICLES,
        PropagatorOptions.DEFAULT_TANGENT_PARTICLES, PropagatorOptions.DEFAULT_REPLICAS);
  }

  /** 20 000 particles: SE of the mean errors ≈ 1e-3 on the canonical task. */
  public static final int DEFAULT_PARTICLES = 20_000;
  /** Lazy-limit variances are reported up to γ0 = 0.1 by default (see TwoLayerTheory). */
  public static final double DEFAULT_LAZY_MAX_GAMMA0 = 0.1;

  public TheoryOptions {
    if (particles < 2 * ParticleDmft.DEFAULT_REPLICAS) {
      throw new IllegalArgumentException("particles must be at least "
          + 2 * ParticleDmft.DEFAULT_REPLICAS + ", got " + particles);
    }
    if (!(lazyMaxGamma0 >= 0) || Double.isNaN(lazyMaxGamma0)) {
      throw new IllegalArgumentException("lazyMaxGamma0 must be >= 0, got " + lazyMaxGamma0);
    }
  }

  /** Default particles and lazy threshold with the given seed. */
  public static TheoryOptions defaults(long seed) {
    return new TheoryOptions(DEFAULT_PARTICLES, seed, DEFAULT_LAZY_MAX_GAMMA0);
  }
}
