package io.finitewidth.model;

/**
 * Eigen-decomposition A = V diag(λ) Vᵀ of a small dense symmetric matrix by the cyclic Jacobi
 * method, with helpers built on it (a square-root factor of a positive semi-definite matrix).
 *
 * <p>Jacobi rotations are used because they are simple, need no library and deliver eigenvectors
 * that are orthonormal to working precision, which matters for Gauss–Hermite weights and for
 * factoring input kernels that are singular (more points than input dimensions). The cost is
 * O(n³) per sweep, fine for the n ≲ 200 matrices of this module.
 */
public final class SymmetricEigen {
  /** Sweeps after which the method gives up; Jacobi converges quadratically, ~10 suffice. */
  private static final int MAX_SWEEPS = 100;
  /** Relative size of a negative eigenvalue still treated as rounding noise (~1e4 ulps of 1). */
  public static final double PSD_SLACK = 1e-12;

  private final double[] values;
  private final double[][] vectors;

  private SymmetricEigen(double[] values, double[][] vectors) {
    this.values = values;
    this.vectors = vectors;
  }

  /**
   * Decomposes a symmetric matrix; only the upper triangle is read. Not modified: {@code a}.
   *
   * @throws IllegalArgumentException if {@code a} is not square or holds a non-finite value
   * @throws IllegalStateException if the rotations do not converge within {@value MAX_SWEEPS}
   */
  public static SymmetricEigen of(double[][] a) {
    int n = a.length;
    double[][] m = symmetricCopy(a);
    double[][] v = new double[n][n];
    for (int i = 0; i < n; i++) {
      v[i][i] = 1.0;
    }
    rotateUntilDiagonal(m, v);
    double[] lambda = new double[n];
    for (int i = 0; i < n; i++) {
      lambda[i] = m[i][i];
    }
    return new SymmetricEigen(lambda, v);
  }

  /**
   * The full symmetric matrix whose upper triangle is {@code a}, checked.
   *
   * @throws IllegalArgumentException if {@code a} is not square or holds a non-finite value
   */
  static double[][] symmetricCopy(double[][] a) {
    int n = a.length;
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) {
      if (a[i].length != n) {
        throw new IllegalArgumentException("matrix is not square: row " + i + " has "
            + a[i].length + " columns, expected " + n);
      }
      for (int j = i; j < n; j++) {
        if (!Double.isFinite(a[i][j])) {
          throw new IllegalArgumentException("non-finite matrix entry at (" + i + ", " + j + ")");
        }
        m[i][j] = a[i][j];
        m[j][i] = a[i][j];
      }
    }
    return m;
  }

  /** Annihilates off-diagonal entries in place. Modified: {@code m}, {@code v}. */
  private static void rotateUntilDiagonal(double[][] m, double[][] v) {
    int n = m.length;
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      double off = 0;
      double scale = 0;
      for (int i = 0; i < n; i++) {
        scale += m[i][i] * m[i][i];
        for (int j = i + 1; j < n; j++) {
          off += m[i][j] * m[i][j];
        }
      }
      // Converged once the off-diagonal mass is at the rounding level of the diagonal.
      if (off <= 1e-32 * scale || off == 0) {
        return;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          if (m[p][q] != 0) {
            rotate(m, v, p, q);
          }
        }
      }
    }
    throw new IllegalStateException("Jacobi eigen-decomposition did not converge in "
        + MAX_SWEEPS + " sweeps (n = " + n + ")");
  }

  /**
   * One Jacobi rotation zeroing m[p][q]: θ = (m_qq − m_pp)/(2 m_pq), t = sgn θ/(|θ| + √(θ²+1)).
   * Modified: {@code m}, {@code v}.
   */
  private static void rotate(double[][] m, double[][] v, int p, int q) {
    int n = m.length;
    double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
    if (theta == 0) {
      t = 1;
    }
    double c = 1 / Math.sqrt(t * t + 1);
    double s = t * c;
    for (int k = 0; k < n; k++) {
      double mkp = m[k][p];
      double mkq = m[k][q];
      m[k][p] = c * mkp - s * mkq;
      m[k][q] = s * mkp + c * mkq;
    }
    for (int k = 0; k < n; k++) {
      double mpk = m[p][k];
      double mqk = m[q][k];
      m[p][k] = c * mpk - s * mqk;
      m[q][k] = s * mpk + c * mqk;
    }
    for (int k = 0; k < n; k++) {
      double vkp = v[k][p];
      double vkq = v[k][q];
      v[k][p] = c * vkp - s * vkq;
      v[k][q] = s * vkp + c * vkq;
    }
  }

  /** The eigenvalues λ_k, in the order of the columns of {@link #vectors()} (unsorted). */
  public double[] values() {
    return values.clone();
  }

  /** V, whose column k is the unit eigenvector e_k. */
  public double[][] vectors() {
    double[][] c = new double[vectors.length][];
    for (int i = 0; i < c.length; i++) {
      c[i] = vectors[i].clone();
    }
    return c;
  }

  /**
   * A factor L with L Lᵀ = A for a positive semi-definite A: L = V diag(√max(λ, 0)). Eigenvalues
   * that rounding made slightly negative are set to 0, so singular matrices (e.g. an input kernel
   * of more points than input dimensions) are handled; a clearly negative eigenvalue (below
   * −{@value #PSD_SLACK}·max|λ|) is rejected.
   *
   * @throws IllegalArgumentException if A is not positive semi-definite
   */
  public static double[][] psdFactor(double[][] a) {
    SymmetricEigen e = of(a);
    int n = a.length;
    double maxAbs = 0;
    for (double l : e.values) {
      maxAbs = Math.max(maxAbs, Math.abs(l));
    }
    double[][] factor = new double[n][n];
    for (int k = 0; k < n; k++) {
      double l = e.values[k];
      if (l < -PSD_SLACK * maxAbs) {
        throw new IllegalArgumentException("matrix is not positive semi-definite: eigenvalue "
            + l + " (largest magnitude " + maxAbs + ")");
      }
      double root = Math.sqrt(Math.max(l, 0));
      for (int i = 0; i < n; i++) {
        factor[i][k] = e.vectors[i][k] * root;
      }
    }
    return factor;
  }
}
