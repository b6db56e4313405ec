package io.finitewidth.stats;

/**
 * The ensemble estimates the summary reports for one quantity: its mean with standard error, and
 * N·Var (width times the unbiased ensemble variance s²) with the standard error of that estimate
 * (THEORY.md §8):
 *
 * <pre>
 *   se(N·s²) = N · √((m4 − s⁴ (E − 3)/(E − 1)) / E),   m4 = M4 / E
 * </pre>
 *
 * which is ≈ N s² √(2/E) for Gaussian data. A negative radicand (possible for tiny E) is
 * clamped to 0.
 */
public record WidthScaledVariance(long ensemble, double mean, double meanSe, double nvar,
    double nvarSe) {

  public static WidthScaledVariance of(CentralMoments moments, int slot, int width) {
    long e = moments.count();
    if (e < 2) {
      return new WidthScaledVariance(e, e == 1 ? moments.mean(slot) : Double.NaN, Double.NaN,
          Double.NaN, Double.NaN);
    }
    double s2 = moments.unbiasedVariance(slot);
    double fourth = moments.m4(slot) / e;
    double radicand = (fourth - s2 * s2 * (e - 3.0) / (e - 1.0)) / e;
    return new WidthScaledVariance(e, moments.mean(slot), Math.sqrt(s2 / e), width * s2,
        width * Math.sqrt(Math.max(radicand, 0.0)));
  }
}
