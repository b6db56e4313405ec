package io.finitewidth.model;

import java.util.SplittableRandom;

/**
 * A seeded stream of independent N(0, 1) numbers: {@link SplittableRandom} uniforms turned into
 * normals by the Box–Muller transform z = √(−2 ln u1) cos(2π u2), √(−2 ln u1) sin(2π u2), using
 * {@link StrictMath} so the stream is identical on every JVM. Not thread-safe; {@link #split()}
 * gives an independent stream for another thread or replica.
 */
public final class NormalSource {
  private final SplittableRandom random;
  private double spare;
  private boolean hasSpare;

  public NormalSource(long seed) {
    this(new SplittableRandom(seed));
  }

  private NormalSource(SplittableRandom random) {
    this.random = random;
  }

  /** An independent stream derived deterministically from this one's state. */
  public NormalSource split() {
    return new NormalSource(random.split());
  }

  /** The next standard normal number. */
  public double next() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    // 1 − u lies in (0, 1], so the logarithm is finite.
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    double radius = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
    double angle = 2.0 * StrictMath.PI * u2;
    spare = radius * StrictMath.sin(angle);
    hasSpare = true;
    return radius * StrictMath.cos(angle);
  }
}
