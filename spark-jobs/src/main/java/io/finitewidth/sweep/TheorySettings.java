package io.finitewidth.sweep;

import io.finitewidth.fluctuation.PropagatorOptions;
import java.io.Serializable;

/**
 * How the driver computes the DMFT predictions for a sweep ({@code theory:} section).
 *
 * @param particles Monte Carlo particles for the single-site averages (≥ 100)
 * @param lazyMaxGamma0 cells with γ0 at or below this also get the lazy-limit N·Var (≥ 0)
 * @param seed seed of the theory's own Monte Carlo draws
 */
public record TheorySettings(int particles, double lazyMaxGamma0, long seed,
    int propagatorParticles, int tangentParticles, int replicas) implements Serializable {
  /** The fewest particles a sweep file may ask for. */
  public static final int MIN_PARTICLES = 100;

  /** Defaults of the finite-width propagator: see io.finitewidth.dmft.TheoryOptions. */
  public TheorySettings(int particles, double lazyMaxGamma0, long seed) {
    this(particles, lazyMaxGamma0, seed, PropagatorOptions.DEFAULT_PARTICLES,
        PropagatorOptions.DEFAULT_TANGENT_PARTICLES, PropagatorOptions.DEFAULT_REPLICAS);
  }

  public TheorySettings {
    if (tangentParticles < 1 || tangentParticles > propagatorParticles) {
      throw new IllegalArgumentException("theory.tangent_particles must be in [1, "
          + propagatorParticles + "], got " + tangentParticles);
    }
    if (replicas < 2) {
      throw new IllegalArgumentException("theory.replicas must be ≥ 2, got " + replicas);
    }
    if (particles < MIN_PARTICLES) {
      throw new IllegalArgumentException(
          "theory.particles must be ≥ " + MIN_PARTICLES + ", got " + particles);
    }
    if (!(lazyMaxGamma0 >= 0) || Double.isInfinite(lazyMaxGamma0)) {
      throw new IllegalArgumentException(
          "theory.lazy_max_gamma0 must be a finite number ≥ 0, got " + lazyMaxGamma0);
    }
  }
}
