package io.finitewidth.data;

import java.util.SplittableRandom;

/**
 * Standard normal draws from a seeded {@link SplittableRandom} by the Box–Muller transform
 * (G. E. P. Box and M. E. Muller, Ann. Math. Statist. 29, 610, 1958): with u1 in (0, 1] and u2 in
 * [0, 1) uniform, r = √(−2 ln u1) and z = r cos(2π u2), z′ = r sin(2π u2) are independent N(0, 1).
 * The second value of each pair is kept for the next call.
 *
 * <p>All transcendental functions are {@link StrictMath}'s, so the same seed gives the same bits
 * on every JVM and platform. Not thread-safe.
 */
final class Gaussians {
  private final SplittableRandom random;
  private double spare;
  private boolean hasSpare;

  Gaussians(long seed) {
    this.random = new SplittableRandom(seed);
  }

  double next() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    double u1 = 1.0 - random.nextDouble(); // (0, 1]: keeps the logarithm finite
    double u2 = random.nextDouble();
    double radius = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
    double angle = 2.0 * StrictMath.PI * u2;
    spare = radius * StrictMath.sin(angle);
    hasSpare = true;
    return radius * StrictMath.cos(angle);
  }

  /** A fresh vector of {@code dim} independent N(0, 1) values. */
  double[] vector(int dim) {
    double[] v = new double[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = next();
    }
    return v;
  }
}
