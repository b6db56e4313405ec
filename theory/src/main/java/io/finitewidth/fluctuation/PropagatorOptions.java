package io.finitewidth.fluctuation;

/**
 * Monte-Carlo settings of {@link TwoLayerPropagator}.
 *
 * <p>Each replica is an independent solution of the whole problem (particle mean field, tangent
 * pass, triangular solve) on its own random stream split from {@code seed}; the spread of the
 * replicas is the reported Monte-Carlo standard error, so at least two are required.
 *
 * @param particles S, the single-site samples per replica that estimate means and the source
 *     covariance κ (relative standard error of an N·Var ≈ √(2 / (S · replicas)))
 * @param tangentParticles S_D ≤ S, the first particles of each replica that also carry
 *     tangent-linear derivatives and estimate D and the Jacobians J_O
 * @param seed the root seed; replica r uses the r-th split of {@code new SplittableRandom(seed)}
 * @param replicas independent repetitions, at least 2
 */
public record PropagatorOptions(int particles, int tangentParticles, long seed, int replicas) {

  /** Two replicas are the fewest from which a spread, hence a standard error, exists. */
  public static final int MIN_REPLICAS = 2;

  /**
   * Default S. With the other two defaults the final NTK entries of the bench target (P = 16,
   * Q = 8, tanh, γ0 = 1, all 100 steps recorded) come out with a mean relative standard error
   * nvarSe/nvar of 2.0 % and the final test predictions with at most 2.8 %, for about 106
   * CPU-seconds (bench/README.md has the measurements).
   */
  public static final int DEFAULT_PARTICLES = 3400;
  /** Default S_D: the Jacobian and response work grows with S_D, the source work with S. */
  public static final int DEFAULT_TANGENT_PARTICLES = 850;
  /** Default R: four replicas run two at a time on two cores. */
  public static final int DEFAULT_REPLICAS = 4;

  public PropagatorOptions {
    if (particles < 2) {
      throw new IllegalArgumentException("particles must be at least 2, got " + particles);
    }
    if (tangentParticles < 1 || tangentParticles > particles) {
      throw new IllegalArgumentException("tangentParticles must lie in [1, particles = "
          + particles + "], got " + tangentParticles);
    }
    if (replicas < MIN_REPLICAS) {
      throw new IllegalArgumentException("replicas must be at least " + MIN_REPLICAS
          + " so that a Monte-Carlo standard error exists, got " + replicas);
    }
  }

  /** The default particle counts and replicas with the given seed. */
  public static PropagatorOptions defaults(long seed) {
    return new PropagatorOptions(DEFAULT_PARTICLES, DEFAULT_TANGENT_PARTICLES, seed,
        DEFAULT_REPLICAS);
  }
}
