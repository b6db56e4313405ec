package io.finitewidth.stats;

/**
 * The mean of an ensemble quantity Q with control variates c_k whose expectations μ_k are known
 * exactly (THEORY-online.md §7b): the estimator
 *
 * <pre>
 *   Q̄' = mean_i [ Q_i − Σ_k a_k (c_ik − μ_k) ]
 * </pre>
 *
 * is unbiased for E[Q] for any fixed coefficients a_k, and its variance is smallest when a is
 * the regression coefficient of Q on c. Two ways to choose a:
 *
 * <ul>
 *   <li>{@link #withCoefficients}: from theory (for the width correction of linear networks,
 *       a = N · ∂L/∂c, the exact first-order response); still exactly unbiased, s.e. =
 *       sd(Q')/√E;
 *   <li>{@link #fitted}: by least squares of Q on (1, c − μ); the estimate is the intercept, with
 *       the usual OLS standard error σ̂ √((XᵀX)⁻¹_00), σ̂² = RSS/(E − K − 1). Fitting the
 *       coefficients on the same data biases the mean by O(1/E) (§7b).
 * </ul>
 *
 * Also returns the plain mean and its s.e. sd(Q)/√E for comparison.
 */
public final class ControlVariateMean {

  private ControlVariateMean() {}

  /**
   * @param mean the control-variate estimate of E[Q]
   * @param standardError its standard error
   * @param plainMean mean of Q
   * @param plainStandardError sd(Q)/√E (unbiased variance)
   * @param coefficients the a_k used
   */
  public record Estimate(double mean, double standardError, int count, double plainMean,
      double plainStandardError, double[] coefficients) {
    public Estimate {
      coefficients = coefficients.clone();
    }

    @Override
    public double[] coefficients() {
      return coefficients.clone();
    }
  }

  /**
   * Control-variate mean with given coefficients. Not modified: the arguments.
   *
   * @param values Q_i, E ≥ 2 of them
   * @param covariates c_ik (E rows of K)
   * @param covariateMeans μ_k, exact
   * @param coefficients a_k
   */
  public static Estimate withCoefficients(double[] values, double[][] covariates,
      double[] covariateMeans, double[] coefficients) {
    int count = checkShapes(values, covariates, covariateMeans, 1);
    if (coefficients.length != covariateMeans.length) {
      throw new IllegalArgumentException("expected " + covariateMeans.length
          + " coefficients, got " + coefficients.length);
    }
    double[] adjusted = new double[count];
    for (int i = 0; i < count; i++) {
      double shift = 0;
      for (int k = 0; k < coefficients.length; k++) {
        shift += coefficients[k] * (covariates[i][k] - covariateMeans[k]);
      }
      adjusted[i] = values[i] - shift;
    }
    double[] plain = meanAndStandardError(values);
    double[] cv = meanAndStandardError(adjusted);
    return new Estimate(cv[0], cv[1], count, plain[0], plain[1], coefficients);
  }

  /**
   * Control-variate mean with least-squares coefficients (needs E > K + 1 and covariates that
   * are not collinear). Not modified: the arguments.
   */
  public static Estimate fitted(double[] values, double[][] covariates, double[] covariateMeans) {
    int k = covariateMeans.length;
    int count = checkShapes(values, covariates, covariateMeans, k + 2);
    int p = k + 1;
    double[][] normal = new double[p][p];
    double[] rhs = new double[p];
    double[] row = new double[p];
    for (int i = 0; i < count; i++) {
      row[0] = 1;
      for (int j = 0; j < k; j++) {
        row[j + 1] = covariates[i][j] - covariateMeans[j];
      }
      for (int a = 0; a < p; a++) {
        rhs[a] += row[a] * values[i];
        for (int b = 0; b < p; b++) {
          normal[a][b] += row[a] * row[b];
        }
      }
    }
    double[][] inverse = invertSymmetric(normal);
    double[] beta = new double[p];
    for (int a = 0; a < p; a++) {
      for (int b = 0; b < p; b++) {
        beta[a] += inverse[a][b] * rhs[b];
      }
    }
    double rss = 0;
    for (int i = 0; i < count; i++) {
      double fit = beta[0];
      for (int j = 0; j < k; j++) {
        fit += beta[j + 1] * (covariates[i][j] - covariateMeans[j]);
      }
      double residual = values[i] - fit;
      rss += residual * residual;
    }
    double sigma2 = rss / (count - p);
    double[] coefficients = new double[k];
    System.arraycopy(beta, 1, coefficients, 0, k);
    double[] plain = meanAndStandardError(values);
    return new Estimate(beta[0], Math.sqrt(sigma2 * inverse[0][0]), count, plain[0], plain[1],
        coefficients);
  }

  /** {mean, sd/√n} with the unbiased variance. */
  static double[] meanAndStandardError(double[] x) {
    double mean = 0;
    for (double v : x) {
      mean += v;
    }
    mean /= x.length;
    double m2 = 0;
    for (double v : x) {
      m2 += (v - mean) * (v - mean);
    }
    return new double[] {mean, Math.sqrt(m2 / (x.length - 1) / x.length)};
  }

  private static int checkShapes(double[] values, double[][] covariates, double[] means,
      int minimum) {
    int count = values.length;
    if (count < Math.max(2, minimum)) {
      throw new IllegalArgumentException("need at least " + Math.max(2, minimum)
          + " observations, got " + count);
    }
    if (covariates.length != count) {
      throw new IllegalArgumentException("expected " + count + " covariate rows, got "
          + covariates.length);
    }
    for (double[] c : covariates) {
      if (c.length != means.length) {
        throw new IllegalArgumentException("expected " + means.length + " covariates per row, got "
            + c.length);
      }
    }
    return count;
  }

  /** Gauss–Jordan inverse with partial pivoting of a small matrix. Not modified: a. */
  private static double[][] invertSymmetric(double[][] a) {
    int n = a.length;
    double[][] m = new double[n][2 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], 0, m[i], 0, n);
      m[i][n + i] = 1;
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
          pivot = r;
        }
      }
      if (!(Math.abs(m[pivot][col]) > 1e-300)) {
        throw new IllegalArgumentException("control variates are collinear (singular normal"
            + " equations at column " + col + ")");
      }
      double[] tmp = m[col];
      m[col] = m[pivot];
      m[pivot] = tmp;
      double d = m[col][col];
      for (int j = 0; j < 2 * n; j++) {
        m[col][j] /= d;
      }
      for (int r = 0; r < n; r++) {
        if (r != col && m[r][col] != 0) {
          double f = m[r][col];
          for (int j = 0; j < 2 * n; j++) {
            m[r][j] -= f * m[col][j];
          }
        }
      }
    }
    double[][] inv = new double[n][n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(m[i], n, inv[i], 0, n);
    }
    return inv;
  }
}
