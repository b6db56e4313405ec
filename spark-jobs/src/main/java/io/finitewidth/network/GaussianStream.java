package io.finitewidth.network;

import java.util.SplittableRandom;

/**
 * Standard normal draws from one network seed, reproducible on every JVM: SplittableRandom's
 * uniforms (specified bit for bit by the JDK) through the Box–Muller transform with StrictMath.
 * ND4J's shared generator is never used for initial weights: its state is per process and was
 * seen to differ between runs for the same seed inside Spark tasks.
 */
public final class GaussianStream {
  private final SplittableRandom uniforms;
  private double spare;
  private boolean hasSpare;

  public GaussianStream(long seed) {
    this.uniforms = new SplittableRandom(seed);
  }

  /** The next N(0, 1) draw. */
  public double next() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    // u1 in (0, 1] so that log(u1) is finite.
    double u1 = 1.0 - uniforms.nextDouble();
    double u2 = uniforms.nextDouble();
    double radius = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
    double angle = 2.0 * StrictMath.PI * u2;
    spare = radius * StrictMath.sin(angle);
    hasSpare = true;
    return radius * StrictMath.cos(angle);
  }

  /**
   * Fills {@code into[offset .. offset + count)} with draws. Modified: into.
   */
  public void fillInto(double[] into, int offset, int count) {
    for (int k = 0; k < count; k++) {
      into[offset + k] = next();
    }
  }
}
