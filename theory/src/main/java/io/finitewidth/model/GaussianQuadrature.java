package io.finitewidth.model;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Quadrature rules for Gaussian expectations E[F(u)] ≈ Σ_i w_i F(u_i), u ~ N(0, 1), and their
 * tensor products for bivariate normals.
 *
 * <p>Two rules:
 *
 * <ul>
 *   <li>{@link #hermite(int)}: Gauss–Hermite for the probabilists' weight, exact when F is a
 *       polynomial of degree ≤ 2n − 1. Nodes and weights come from the Golub–Welsch method: the
 *       nodes are the eigenvalues of the symmetric tridiagonal Jacobi matrix with
 *       J_{k,k+1} = √k (from He_{k+1}(u) = u He_k(u) − k He_{k−1}(u)) and w_i is the squared first
 *       component of eigenvector i (the weight has total mass 1).
 *   <li>{@link #trapezoid(double, double)}: the trapezoidal rule on [−L, L] with weights
 *       step · e^{−u²/2}/√(2π). For F analytic in a strip |Im u| < d it converges like
 *       exp(−2π d/step) (plus the tail mass beyond L), much faster than Gauss–Hermite when F has
 *       complex poles near the real axis, as tanh does (poles at h = ±iπ/2).
 * </ul>
 *
 * <p>Limitations: Gauss–Hermite converges only like exp(−c√n) for tanh (e.g. N·Var of a tanh NTK
 * entry at Kx = 1 is off by 2e-6 with 80 nodes, 2e-11 with 200, and by 4e-5 with 240 nodes at
 * Kx = 4), and algebraically for F with a kink (ReLU); use {@link #TANH_RULE} or closed forms
 * ({@link SingleSiteMoments} does).
 */
public final class GaussianQuadrature {
  /** Trapezoid step in units of the standard deviation; error ~ exp(−π²/(σ · step)) for tanh. */
  public static final double TRAPEZOID_STEP = 0.05;
  /** Trapezoid half-width in standard deviations: neglected tail mass 2Φ(−9) ≈ 2e-19. */
  public static final double TRAPEZOID_HALF_WIDTH = 9;
  /**
   * The rule used for tanh moments: relative error below 1e-12 while the pre-activation standard
   * deviation σ ≤ 7 (exp(−π²/(7 · 0.05)) ≈ 6e-13).
   */
  public static final GaussianQuadrature TANH_RULE =
      trapezoid(TRAPEZOID_STEP, TRAPEZOID_HALF_WIDTH);

  private static final ConcurrentHashMap<Integer, GaussianQuadrature> CACHE =
      new ConcurrentHashMap<>();

  private final double[] nodes;
  private final double[] weights;

  private GaussianQuadrature(double[] nodes, double[] weights) {
    this.nodes = nodes;
    this.weights = weights;
  }

  /** The n-point Gauss–Hermite rule (cached). */
  public static GaussianQuadrature hermite(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("Gauss-Hermite needs at least 1 node, got " + n);
    }
    return CACHE.computeIfAbsent(n, GaussianQuadrature::computeHermite);
  }

  /**
   * The trapezoidal rule u_i = i · step on [−halfWidth, halfWidth] with weights proportional to
   * e^{−u_i²/2}, normalised to total mass 1 (which removes the O(tail) normalisation error).
   */
  public static GaussianQuadrature trapezoid(double step, double halfWidth) {
    if (!(step > 0) || !(halfWidth >= step)) {
      throw new IllegalArgumentException("trapezoid needs 0 < step <= halfWidth, got step = "
          + step + ", halfWidth = " + halfWidth);
    }
    int half = (int) Math.floor(halfWidth / step);
    double[] x = new double[2 * half + 1];
    double[] w = new double[x.length];
    double total = 0;
    for (int i = 0; i < x.length; i++) {
      x[i] = (i - half) * step;
      w[i] = Math.exp(-0.5 * x[i] * x[i]);
      total += w[i];
    }
    for (int i = 0; i < x.length; i++) {
      w[i] /= total;
    }
    return new GaussianQuadrature(x, w);
  }

  private static GaussianQuadrature computeHermite(int n) {
    double[][] jacobi = new double[n][n];
    for (int k = 1; k < n; k++) {
      jacobi[k - 1][k] = Math.sqrt(k);
      jacobi[k][k - 1] = Math.sqrt(k);
    }
    SymmetricEigen eig = SymmetricEigen.of(jacobi);
    double[] lambda = eig.values();
    double[][] v = eig.vectors();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(lambda[a], lambda[b]));
    double[] x = new double[n];
    double[] w = new double[n];
    double total = 0;
    for (int i = 0; i < n; i++) {
      x[i] = lambda[order[i]];
      w[i] = v[0][order[i]] * v[0][order[i]];
      total += w[i];
    }
    // Renormalise to total mass 1 exactly (removes the O(n ε) rounding of the eigenvectors).
    for (int i = 0; i < n; i++) {
      w[i] /= total;
    }
    return new GaussianQuadrature(x, w);
  }

  public int size() {
    return nodes.length;
  }

  public double[] nodes() {
    return nodes.clone();
  }

  public double[] weights() {
    return weights.clone();
  }

  /** E[F(h)] for h ~ N(0, variance): Σ_i w_i F(√variance · u_i). */
  public double expect(double variance, DoubleUnaryOperator f) {
    requireVariance(variance);
    double sd = Math.sqrt(variance);
    double s = 0;
    for (int i = 0; i < nodes.length; i++) {
      s += weights[i] * f.applyAsDouble(sd * nodes[i]);
    }
    return s;
  }

  /** A vector of functions of (h_a, h_b), evaluated together. */
  @FunctionalInterface
  public interface PairFunction {
    /** Writes F_i(h_a, h_b) into {@code out[i]}. Modified: {@code out}. */
    void evaluateInto(double ha, double hb, double[] out);
  }

  /** E[F(h_a, h_b)] of one function, by the rule of the vector form below. */
  public double expect(double kaa, double kbb, double kab, DoubleBinaryOperator f) {
    return expect(kaa, kbb, kab, 1, (ha, hb, out) -> out[0] = f.applyAsDouble(ha, hb))[0];
  }

  /**
   * E[F_i(h_a, h_b)], i = 0..count−1, for (h_a, h_b) ~ N(0, [[kaa, kab], [kab, kbb]]), by the
   * tensor-product rule on the Cholesky map h_a = l11 u, h_b = l21 u + l22 v with l11 = √kaa,
   * l21 = kab/l11, l22 = √(kbb − l21²) (clamped at 0 for a singular covariance).
   *
   * @throws IllegalArgumentException if the covariance is not positive semi-definite
   */
  public double[] expect(double kaa, double kbb, double kab, int count, PairFunction f) {
    requireVariance(kaa);
    requireVariance(kbb);
    if (kab * kab > kaa * kbb * (1 + SymmetricEigen.PSD_SLACK) + Double.MIN_NORMAL) {
      throw new IllegalArgumentException("covariance [[" + kaa + ", " + kab + "], [" + kab + ", "
          + kbb + "]] is not positive semi-definite");
    }
    double l11 = Math.sqrt(kaa);
    double l21 = l11 > 0 ? kab / l11 : 0;
    double l22 = Math.sqrt(Math.max(kbb - l21 * l21, 0));
    double[] sum = new double[count];
    double[] value = new double[count];
    for (int i = 0; i < nodes.length; i++) {
      double ha = l11 * nodes[i];
      for (int j = 0; j < nodes.length; j++) {
        f.evaluateInto(ha, l21 * nodes[i] + l22 * nodes[j], value);
        double w = weights[i] * weights[j];
        for (int c = 0; c < count; c++) {
          sum[c] += w * value[c];
        }
      }
    }
    return sum;
  }

  private static void requireVariance(double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException("variance must be finite and >= 0, got " + v);
    }
  }
}
