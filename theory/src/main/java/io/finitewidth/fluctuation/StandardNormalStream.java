package io.finitewidth.fluctuation;

import java.util.SplittableRandom;

/**
 * A seeded stream of independent N(0, 1) draws: Box–Muller on a {@link SplittableRandom}, with
 * {@link StrictMath} so that the same seed gives the same numbers on every JVM and platform.
 *
 * <p>Box–Muller: for U1 uniform on (0, 1] and U2 uniform on [0, 1),
 * {@code r = sqrt(−2 ln U1)}, and {@code r cos(2π U2)}, {@code r sin(2π U2)} are two independent
 * standard normals. The sine draw is cached and returned by the next call.
 *
 * <p>Not thread-safe: give each thread its own stream ({@link #split()}).
 */
final class StandardNormalStream {
  private static final double TWO_PI = 2.0 * StrictMath.PI;

  private final SplittableRandom uniform;
  private double cached;
  private boolean hasCached;

  /** A stream determined entirely by {@code seed}. */
  StandardNormalStream(long seed) {
    this(new SplittableRandom(seed));
  }

  private StandardNormalStream(SplittableRandom uniform) {
    this.uniform = uniform;
  }

  /** A new, statistically independent stream; this stream advances deterministically. */
  StandardNormalStream split() {
    return new StandardNormalStream(uniform.split());
  }

  /** The next N(0, 1) draw. */
  double next() {
    if (hasCached) {
      hasCached = false;
      return cached;
    }
    // 1 − U with U in [0, 1) lies in (0, 1], so the logarithm is finite.
    double u1 = 1.0 - uniform.nextDouble();
    double u2 = uniform.nextDouble();
    double radius = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
    double angle = TWO_PI * u2;
    cached = radius * StrictMath.sin(angle);
    hasCached = true;
    return radius * StrictMath.cos(angle);
  }
}
