package io.finitewidth.report;

import java.util.HashSet;
import java.util.Set;

/**
 * Weighted least-squares fit of {@code y(N) = a + b/N} over widths N, with weights {@code 1/σ²}
 * from the standard errors of the measured values.
 *
 * <p>With {@code x = 1/N} and {@code w = 1/σ²}, and the weighted sums {@code S = Σw},
 * {@code Sx = Σwx}, {@code Sxx = Σwx²}, {@code Sy = Σwy}, {@code Sxy = Σwxy},
 * {@code Δ = S·Sxx − Sx²}:
 *
 * <pre>
 *   a = (Sxx·Sy − Sx·Sxy) / Δ      se(a) = √(Sxx / Δ)
 *   b = (S·Sxy − Sx·Sy) / Δ        se(b) = √(S / Δ)
 *   χ² = Σ w (y − a − b x)²        degrees of freedom = points − 2
 * </pre>
 *
 * <p>The standard errors take the σ as known (they are the ensemble's standard errors), so they
 * are not rescaled by χ²/dof; compare {@link #chiSquared()} with {@link #degreesOfFreedom()} to
 * see whether the 1/N form describes the widths. The intercept {@code a} is the infinite-width
 * limit, the quantity the theory predicts for {@code N·Var}. Immutable.
 */
public final class InverseWidthFit {
  private final double intercept;
  private final double interceptSe;
  private final double slope;
  private final double slopeSe;
  private final double chiSquared;
  private final int points;

  private InverseWidthFit(double intercept, double interceptSe, double slope, double slopeSe,
      double chiSquared, int points) {
    this.intercept = intercept;
    this.interceptSe = interceptSe;
    this.slope = slope;
    this.slopeSe = slopeSe;
    this.chiSquared = chiSquared;
    this.points = points;
  }

  /**
   * Fits {@code values[k] ≈ a + b / widths[k]} with weights {@code 1 / standardErrors[k]²}.
   *
   * @param widths the widths N, positive; at least two distinct
   * @param values the measured values at each width, finite
   * @param standardErrors their standard errors, finite and positive
   * @throws IllegalArgumentException when the arrays differ in length, fewer than two distinct
   *     widths are given, or a width, value or standard error is out of range
   */
  public static InverseWidthFit fit(double[] widths, double[] values, double[] standardErrors) {
    if (widths.length != values.length || widths.length != standardErrors.length) {
      throw new IllegalArgumentException("widths, values and standard errors differ in length: "
          + widths.length + ", " + values.length + ", " + standardErrors.length);
    }
    double s = 0;
    double sx = 0;
    double sxx = 0;
    double sy = 0;
    double sxy = 0;
    Set<Double> distinct = new HashSet<>();
    for (int k = 0; k < widths.length; k++) {
      double n = widths[k];
      double y = values[k];
      double se = standardErrors[k];
      if (!(n > 0) || Double.isInfinite(n)) {
        throw new IllegalArgumentException("width " + n + " at index " + k
            + "; allowed: finite and positive");
      }
      if (!Double.isFinite(y)) {
        throw new IllegalArgumentException("value " + y + " at index " + k + "; allowed: finite");
      }
      if (!(se > 0) || Double.isInfinite(se)) {
        throw new IllegalArgumentException("standard error " + se + " at index " + k
            + "; allowed: finite and positive");
      }
      distinct.add(n);
      double w = 1 / (se * se);
      double x = 1 / n;
      s += w;
      sx += w * x;
      sxx += w * x * x;
      sy += w * y;
      sxy += w * x * y;
    }
    if (distinct.size() < 2) {
      throw new IllegalArgumentException("a + b/N needs at least two distinct widths, got "
          + distinct);
    }
    double det = s * sxx - sx * sx;
    double a = (sxx * sy - sx * sxy) / det;
    double b = (s * sxy - sx * sy) / det;
    double chi2 = 0;
    for (int k = 0; k < widths.length; k++) {
      double r = (values[k] - a - b / widths[k]) / standardErrors[k];
      chi2 += r * r;
    }
    return new InverseWidthFit(a, Math.sqrt(sxx / det), b, Math.sqrt(s / det), chi2,
        widths.length);
  }

  /** The infinite-width limit {@code a}. */
  public double intercept() {
    return intercept;
  }

  /** The standard error of {@link #intercept()}. */
  public double interceptSe() {
    return interceptSe;
  }

  /** The finite-width coefficient {@code b} of {@code 1/N}. */
  public double slope() {
    return slope;
  }

  /** The standard error of {@link #slope()}. */
  public double slopeSe() {
    return slopeSe;
  }

  /** The weighted sum of squared residuals, {@code Σ ((y − a − b/N) / σ)²}. */
  public double chiSquared() {
    return chiSquared;
  }

  /** Points minus the two fitted parameters; 0 when the fit passes through every point. */
  public int degreesOfFreedom() {
    return points - 2;
  }

  /** The fitted value {@code a + b/N} at width N. */
  public double valueAt(double width) {
    return intercept + slope / width;
  }

  @Override
  public String toString() {
    return "a + b/N with a = " + intercept + " ± " + interceptSe + ", b = " + slope + " ± "
        + slopeSe + ", χ² = " + chiSquared + " on " + degreesOfFreedom() + " dof";
  }
}
