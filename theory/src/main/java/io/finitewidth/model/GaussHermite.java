package io.finitewidth.model;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Gauss–Hermite quadrature for the standard normal weight (probabilists' Hermite polynomials):
 * E[F(u)] ≈ Σ_i w_i F(u_i) for u ~ N(0, 1), exact when F is a polynomial of degree ≤ 2n − 1.
 *
 * <p>Nodes and weights come from the Golub–Welsch method: the nodes are the eigenvalues of the
 * symmetric tridiagonal Jacobi matrix J with J_{k,k+1} = √k (from the recurrence
 * He_{k+1}(u) = u He_k(u) − k He_{k−1}(u)), and w_i = (first component of eigenvector i)², since
 * the weight has total mass 1.
 *
 * <p>Limitations: convergence is exponential for analytic F (tanh) but only algebraic for F with a
 * kink (ReLU off the symmetric cases); use closed forms there ({@link SingleSiteMoments} does).
 */
public final class GaussHermite {
  /** Nodes per dimension used by default: enough for 1e-12 accuracy on tanh moments. */
  public static final int DEFAULT_NODES = 80;

  private static final ConcurrentHashMap<Integer, GaussHermite> CACHE = new ConcurrentHashMap<>();

  private final double[] nodes;
  private final double[] weights;

  private GaussHermite(double[] nodes, double[] weights) {
    this.nodes = nodes;
    this.weights = weights;
  }

  /** The n-point rule (cached). */
  public static GaussHermite of(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("Gauss-Hermite needs at least 1 node, got " + n);
    }
    return CACHE.computeIfAbsent(n, GaussHermite::compute);
  }

  private static GaussHermite compute(int n) {
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
    return new GaussHermite(x, w);
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

  /**
   * E[F(h_a, h_b)] for (h_a, h_b) ~ N(0, [[kaa, kab], [kab, kbb]]), by the tensor-product rule on
   * the Cholesky map h_a = l11 u, h_b = l21 u + l22 v with l11 = √kaa, l21 = kab/l11,
   * l22 = √(kbb − l21²) (clamped at 0 for a singular covariance).
   *
   * @throws IllegalArgumentException if the covariance is not positive semi-definite
   */
  public double expect(double kaa, double kbb, double kab, DoubleBinaryOperator f) {
    requireVariance(kaa);
    requireVariance(kbb);
    if (kab * kab > kaa * kbb * (1 + SymmetricEigen.PSD_SLACK) + Double.MIN_NORMAL) {
      throw new IllegalArgumentException("covariance [[" + kaa + ", " + kab + "], [" + kab + ", "
          + kbb + "]] is not positive semi-definite");
    }
    double l11 = Math.sqrt(kaa);
    double l21 = l11 > 0 ? kab / l11 : 0;
    double l22 = Math.sqrt(Math.max(kbb - l21 * l21, 0));
    double s = 0;
    for (int i = 0; i < nodes.length; i++) {
      double ha = l11 * nodes[i];
      double inner = 0;
      for (int j = 0; j < nodes.length; j++) {
        inner += weights[j] * f.applyAsDouble(ha, l21 * nodes[i] + l22 * nodes[j]);
      }
      s += weights[i] * inner;
    }
    return s;
  }

  private static void requireVariance(double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException("variance must be finite and >= 0, got " + v);
    }
  }
}
