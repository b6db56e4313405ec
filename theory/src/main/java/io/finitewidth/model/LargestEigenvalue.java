package io.finitewidth.model;

/**
 * The largest eigenvalue of a small dense symmetric matrix, without eigenvectors: Householder
 * reduction to tridiagonal form (backward stable, 4n³/3 flops), then bisection on the Sturm
 * sequence count of the tridiagonal matrix down to adjacent doubles. For n = 16 this is about
 * twenty times cheaper than the full Jacobi decomposition of {@link SymmetricEigen}, which matters
 * when every network records its sharpness at every recorded step.
 */
public final class LargestEigenvalue {
  private static final int MAX_BISECTIONS = 200;

  private LargestEigenvalue() {}

  /**
   * λmax of the symmetric matrix whose upper triangle is {@code a} (the lower is not read).
   * Not modified: a.
   *
   * @throws IllegalArgumentException if {@code a} is not square or holds a non-finite value
   */
  public static double of(double[][] a) {
    int n = a.length;
    double[][] m = SymmetricEigen.symmetricCopy(a);
    double[] diagonal = new double[n];
    double[] offDiagonal = new double[Math.max(n - 1, 0)];
    tridiagonalise(m, diagonal, offDiagonal);
    return largestOfTridiagonal(diagonal, offDiagonal);
  }

  /**
   * H_k = I − β v vᵀ zeroes column k below the sub-diagonal; A ← H A H on the trailing block as
   * A −= v qᵀ + q vᵀ with p = β A v, q = p − (β vᵀp / 2) v. Modified: m, diagonal, offDiagonal.
   */
  private static void tridiagonalise(double[][] m, double[] diagonal, double[] offDiagonal) {
    int n = m.length;
    double[] v = new double[n];
    double[] p = new double[n];
    for (int k = 0; k + 2 < n; k++) {
      double norm = 0;
      for (int i = k + 1; i < n; i++) {
        norm = Math.hypot(norm, m[i][k]);
      }
      if (norm == 0) {
        offDiagonal[k] = 0;
        continue;
      }
      double alpha = m[k + 1][k] > 0 ? -norm : norm;
      double vv = 0;
      for (int i = k + 1; i < n; i++) {
        v[i] = m[i][k];
      }
      v[k + 1] -= alpha;
      for (int i = k + 1; i < n; i++) {
        vv += v[i] * v[i];
      }
      offDiagonal[k] = alpha;
      double beta = 2 / vv;
      double vp = 0;
      for (int i = k + 1; i < n; i++) {
        double s = 0;
        for (int j = k + 1; j < n; j++) {
          s += m[i][j] * v[j];
        }
        p[i] = beta * s;
        vp += v[i] * p[i];
      }
      double half = beta * vp / 2;
      for (int i = k + 1; i < n; i++) {
        p[i] -= half * v[i];
      }
      for (int i = k + 1; i < n; i++) {
        for (int j = k + 1; j < n; j++) {
          m[i][j] -= v[i] * p[j] + p[i] * v[j];
        }
      }
    }
    for (int i = 0; i < n; i++) {
      diagonal[i] = m[i][i];
    }
    if (n >= 2) {
      offDiagonal[n - 2] = m[n - 1][n - 2];
    }
  }

  /** Bisection between Gershgorin bounds on the count of eigenvalues below x. */
  static double largestOfTridiagonal(double[] d, double[] e) {
    int n = d.length;
    if (n == 0) {
      return Double.NaN;
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double radius = (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < n - 1 ? Math.abs(e[i]) : 0);
      lo = Math.min(lo, d[i] - radius);
      hi = Math.max(hi, d[i] + radius);
    }
    for (int it = 0; it < MAX_BISECTIONS; it++) {
      double mid = lo + (hi - lo) / 2;
      if (mid <= lo || mid >= hi) {
        break; // adjacent doubles
      }
      if (countBelow(d, e, mid) == n) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return lo + (hi - lo) / 2;
  }

  /** Eigenvalues of the tridiagonal (d, e) below x: negative pivots of LDLᵀ of T − xI. */
  private static int countBelow(double[] d, double[] e, double x) {
    int count = 0;
    double q = 1;
    for (int i = 0; i < d.length; i++) {
      double coupling = i > 0 ? e[i - 1] * e[i - 1] / q : 0;
      q = d[i] - x - coupling;
      if (q == 0) {
        q = -Double.MIN_NORMAL; // a zero pivot: x is an eigenvalue; count it as below
      }
      if (q < 0) {
        count++;
      }
    }
    return count;
  }
}
