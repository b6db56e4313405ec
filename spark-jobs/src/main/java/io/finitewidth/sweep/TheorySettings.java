package io.finitewidth.sweep;

import java.io.Serializable;

/**
 * How the driver computes the DMFT predictions for a sweep ({@code theory:} section).
 *
 * @param particles Monte Carlo particles for the single-site averages (≥ 100)
 * @param lazyMaxGamma0 cells with γ0 at or below this also get the lazy-limit N·Var (≥ 0)
 * @param seed seed of the theory's own Monte Carlo draws
 */
public record TheorySettings(int particles, double lazyMaxGamma0, long seed)
    implements Serializable {
  /** The fewest particles a sweep file may ask for. */
  public static final int MIN_PARTICLES = 100;

  public TheorySettings {
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
