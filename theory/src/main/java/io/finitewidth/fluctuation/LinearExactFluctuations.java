package io.finitewidth.fluctuation;

import io.finitewidth.model.Activation;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.Task;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;

/**
 * Exact finite-width statistics of a two-layer <em>linear</em> network (φ(h) = h), without Monte
 * Carlo, to first order in 1/N for variances and (optionally) for means.
 *
 * <p>Closed description (THEORY.md §3). With x̂ = x / √D, the network is exactly described by
 * {@code C = (1/N) Σ_i w0_i w0_iᵀ} (D × D), {@code β = (1/N) Σ_i w_i w0_i} and
 * {@code g = (1/N) Σ_i w_i²}: {@code f(x) = β·x̂ / γ0}, feature kernel {@code Φ_ab = x̂_aᵀ C x̂_b},
 * gradient kernel {@code G_ab = g}, NTK {@code K_ab = Φ_ab + g Kx_ab}. One gradient step with
 * {@code M = Σ_μ Δ_μ x̂_μ} and {@code η = dt · γ0 · c} is the exact map
 *
 * <pre>
 *   C ← C + η (β Mᵀ + M βᵀ) + η² g M Mᵀ
 *   β ← β + η (g M + C M) + η² (β·M) M
 *   g ← g + 2 η β·M + η² Mᵀ C M
 * </pre>
 *
 * (Bordelon and Pehlevan 2023, arXiv 2304.03408, re-derived in THEORY.md §3). Infinite width is
 * C = I, β = 0, g = 1.
 *
 * <p>Initial fluctuations. With i.i.d. N(0, 1) weights, by Isserlis' theorem the entries of
 * √N (C − I, β, g − 1) are uncorrelated, with variances Var √N C_aa = 2, Var √N C_ab = 1 (a ≠ b,
 * C symmetric), Var √N β_a = 1, Var √N g = 2; all third and higher cumulants are O(1/√N) smaller.
 * So (C, β, g) = (I, 0, 1) + Σ_k e_k ζ_k / √N with K = r(r+1)/2 + r + 1 independent
 * unit-variance ζ_k (r = rank of the inputs, see below) and fixed directions e_k. For every
 * observable q (any entry of {@link ObservableLayout} at any step), propagating a second-order
 * Taylor jet q(ε) = q∞ + q1_k ε + q2_k ε² along each direction through the exact map gives
 *
 * <pre>
 *   N · Var q          = Σ_k q1_k²                      + O(1/N)
 *   N · (E[q] − q∞)    = Σ_k q2_k = ½ Σ_k ∂²q/∂ζ_k²    + O(1/N)
 * </pre>
 *
 * <p>Centred network: f is replaced by (β − β(0))·x̂ / γ0 in both Δ and the reported predictions.
 *
 * <p>Everything is computed in the span of the P + Q inputs (rank r ≤ min(D, P + Q)), which is
 * exact (see {@code spanCoordinates}). Cost: K · steps · O(r² + (P + Q) r) with
 * K = r(r+1)/2 + r + 1, i.e. O(r⁴ · steps), about 10⁷ flops for P + Q = 9, 100 steps; memory
 * O(r²).
 */
public final class LinearExactFluctuations {

  /** Method label stored in {@link TheoryPrediction} for means and variances. */
  public static final String METHOD = "linear_exact";

  /**
   * Relative size below which a Gram–Schmidt residual counts as linearly dependent: residuals of
   * exactly dependent inputs are ~1e-15 of the input norm after two orthogonalisation passes.
   */
  private static final double RANK_TOLERANCE = 1e-10;

  /** Jet order + 1: value, first and second Taylor coefficient. */
  private static final int JET = 3;

  private LinearExactFluctuations() {}

  /**
   * Infinite-width means and N·Var of every {@link ObservableLayout} entry at every recorded step,
   * with zero standard errors (no Monte Carlo).
   *
   * @throws IllegalArgumentException if the activation is not {@link Activation#LINEAR}
   */
  public static TheoryPrediction predict(TwoLayerSetup setup) {
    Result r = solve(setup);
    ObservableLayout layout = r.layout;
    int records = setup.grid().recordCount();
    return new TheoryPrediction(layout, setup.grid(), r.mean, new double[records][layout.size()],
        r.nvar, new double[records][layout.size()], METHOD, METHOD);
  }

  /**
   * The O(1/N) mean correction {@code N · (E[q_N] − q∞)} of every layout entry at every recorded
   * step, rows in the order of {@link TimeGrid#recordSteps()}.
   *
   * @throws IllegalArgumentException if the activation is not {@link Activation#LINEAR}
   */
  public static double[][] meanCorrection(TwoLayerSetup setup) {
    return solve(setup).correction;
  }

  private record Result(ObservableLayout layout, double[][] mean, double[][] nvar,
      double[][] correction) {}

  private static Result solve(TwoLayerSetup setup) {
    if (setup.activation() != Activation.LINEAR) {
      throw new IllegalArgumentException("the closed (C, β, g) description holds only for the "
          + "linear activation, got " + setup.activation().label());
    }
    Task task = setup.task();
    int trainPoints = task.trainPoints();
    int testPoints = task.testPoints();
    double[][] inputs = task.allInputs();
    double[][] scaled = new double[inputs.length][task.dim()];
    double rootDim = Math.sqrt(task.dim());
    for (int a = 0; a < inputs.length; a++) {
      for (int i = 0; i < task.dim(); i++) {
        scaled[a][i] = inputs[a][i] / rootDim;
      }
    }
    double[][] xHat = spanCoordinates(scaled);
    int dim = xHat[0].length;
    ObservableLayout layout = new ObservableLayout(trainPoints, testPoints);
    int records = setup.grid().recordCount();
    double[][] mean = new double[records][layout.size()];
    double[][] nvar = new double[records][layout.size()];
    double[][] correction = new double[records][layout.size()];

    Jets jets = new Jets(setup, xHat, layout);
    int diagonal = dim;
    int offDiagonal = dim * (dim - 1) / 2;
    int directions = diagonal + offDiagonal + dim + 1;
    for (int k = 0; k < directions; k++) {
      jets.reset();
      if (k < dim) {
        jets.c[1][k * dim + k] = Math.sqrt(2.0);
      } else if (k < dim + offDiagonal) {
        int index = k - dim;
        int a = 0;
        while (index >= dim - 1 - a) {
          index -= dim - 1 - a;
          a++;
        }
        int b = a + 1 + index;
        jets.c[1][a * dim + b] = 1.0;
        jets.c[1][b * dim + a] = 1.0;
      } else if (k < dim + offDiagonal + dim) {
        jets.beta[1][k - dim - offDiagonal] = 1.0;
      } else {
        jets.g[1] = Math.sqrt(2.0);
      }
      jets.run(mean, nvar, correction);
    }
    return new Result(layout, mean, nvar, correction);
  }

  /**
   * Coordinates of the inputs in an orthonormal basis U of their span (modified Gram–Schmidt),
   * so that (C, β) can be replaced by (UᵀCU, Uᵀβ). This is exact: M and every input lie in the
   * span, components of β outside it never reach an output, kernel or β·M, and since w0 ~ N(0, I)
   * is rotation invariant, Uᵀw0 ~ N(0, I_r) gives the same Wick covariances in r = rank
   * dimensions. It turns the D⁴ cost into r⁴ with r ≤ P + Q.
   */
  private static double[][] spanCoordinates(double[][] x) {
    int dim = x[0].length;
    double largest = 0;
    for (double[] row : x) {
      largest = Math.max(largest, Math.sqrt(dotProduct(row, row)));
    }
    java.util.List<double[]> basis = new java.util.ArrayList<>();
    for (double[] row : x) {
      double[] residual = row.clone();
      for (int pass = 0; pass < 2; pass++) {
        for (double[] u : basis) {
          double projection = dotProduct(residual, u);
          for (int i = 0; i < dim; i++) {
            residual[i] -= projection * u[i];
          }
        }
      }
      double norm = Math.sqrt(dotProduct(residual, residual));
      if (norm > RANK_TOLERANCE * largest) {
        for (int i = 0; i < dim; i++) {
          residual[i] /= norm;
        }
        basis.add(residual);
      }
    }
    if (basis.isEmpty()) {
      throw new IllegalArgumentException("all inputs are zero: the network output is constant");
    }
    double[][] coordinates = new double[x.length][basis.size()];
    for (int a = 0; a < x.length; a++) {
      for (int b = 0; b < basis.size(); b++) {
        coordinates[a][b] = dotProduct(x[a], basis.get(b));
      }
    }
    return coordinates;
  }

  private static double dotProduct(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /**
   * Second-order Taylor jets of (C, β, g) along one initial direction; component 0 is the
   * infinite-width value, 1 and 2 the first and second Taylor coefficients.
   */
  private static final class Jets {
    private final TwoLayerSetup setup;
    private final double[][] xHat;
    private final double[][] inputKernel;
    private final double[] targets;
    private final ObservableLayout layout;
    private final int dim;
    private final int trainPoints;
    private final int points;
    private final double[][] c;
    private final double[][] beta;
    private final double[] g;
    private final double[][] betaInit;

    Jets(TwoLayerSetup setup, double[][] xHat, ObservableLayout layout) {
      this.setup = setup;
      this.xHat = xHat;
      this.inputKernel = setup.task().inputKernel();
      this.targets = setup.task().trainTargets();
      this.layout = layout;
      this.dim = xHat[0].length;
      this.trainPoints = setup.task().trainPoints();
      this.points = xHat.length;
      this.c = new double[JET][dim * dim];
      this.beta = new double[JET][dim];
      this.g = new double[JET];
      this.betaInit = new double[JET][dim];
    }

    /** Infinite-width initial state (C, β, g) = (I, 0, 1) with all Taylor coefficients 0. */
    void reset() {
      for (int o = 0; o < JET; o++) {
        java.util.Arrays.fill(c[o], 0.0);
        java.util.Arrays.fill(beta[o], 0.0);
        g[o] = 0.0;
      }
      for (int i = 0; i < dim; i++) {
        c[0][i * dim + i] = 1.0;
      }
      g[0] = 1.0;
    }

    /**
     * Runs all steps from the current initial jets and adds, at every recorded step, q∞ (set),
     * q1² (summed) and q2 (summed) into the three arrays. Modified: the three arrays, this jet.
     */
    void run(double[][] mean, double[][] nvar, double[][] correction) {
      for (int o = 0; o < JET; o++) {
        System.arraycopy(beta[o], 0, betaInit[o], 0, dim);
      }
      TimeGrid grid = setup.grid();
      int[] recordSteps = grid.recordSteps();
      double gamma0 = setup.gamma0();
      double eta = grid.dt() * gamma0 * setup.lossFactor();
      double[][] f = new double[JET][points];
      double[][] delta = new double[JET][trainPoints];
      double[][] m = new double[JET][dim];
      double[][] cm = new double[JET][dim];
      double[][] gm = new double[JET][dim];
      double[] observable = new double[JET];
      int nextRecord = 0;
      for (int n = 0; n <= grid.steps(); n++) {
        // Outputs f_a = (β − [centred] β(0))·x̂_a / γ0 and errors Δ = y − f_train.
        for (int o = 0; o < JET; o++) {
          for (int a = 0; a < points; a++) {
            double s = 0;
            for (int i = 0; i < dim; i++) {
              s += (beta[o][i] - (setup.centred() ? betaInit[o][i] : 0.0)) * xHat[a][i];
            }
            f[o][a] = s / gamma0;
          }
          for (int mu = 0; mu < trainPoints; mu++) {
            delta[o][mu] = (o == 0 ? targets[mu] : 0.0) - f[o][mu];
          }
        }

        if (nextRecord < recordSteps.length && recordSteps[nextRecord] == n) {
          record(nextRecord, f, delta, observable, mean, nvar, correction);
          nextRecord++;
        }
        if (n == grid.steps()) {
          break;
        }

        // M = Σ_μ Δ_μ x̂_μ, then C M, g M, β·M and Mᵀ C M as jets.
        for (int o = 0; o < JET; o++) {
          for (int i = 0; i < dim; i++) {
            double s = 0;
            for (int mu = 0; mu < trainPoints; mu++) {
              s += delta[o][mu] * xHat[mu][i];
            }
            m[o][i] = s;
          }
        }
        for (int i = 0; i < dim; i++) {
          double s0 = 0;
          double s1 = 0;
          double s2 = 0;
          for (int j = 0; j < dim; j++) {
            int ij = i * dim + j;
            s0 += c[0][ij] * m[0][j];
            s1 += c[0][ij] * m[1][j] + c[1][ij] * m[0][j];
            s2 += c[0][ij] * m[2][j] + c[1][ij] * m[1][j] + c[2][ij] * m[0][j];
          }
          cm[0][i] = s0;
          cm[1][i] = s1;
          cm[2][i] = s2;
          gm[0][i] = g[0] * m[0][i];
          gm[1][i] = g[0] * m[1][i] + g[1] * m[0][i];
          gm[2][i] = g[0] * m[2][i] + g[1] * m[1][i] + g[2] * m[0][i];
        }
        double[] betaM = dot(beta, m);
        double[] mcm = dot(m, cm);

        // C ← C + η (β Mᵀ + M βᵀ) + η² g M Mᵀ  (uses the old β).
        for (int i = 0; i < dim; i++) {
          for (int j = 0; j < dim; j++) {
            int ij = i * dim + j;
            c[0][ij] += eta * (beta[0][i] * m[0][j] + m[0][i] * beta[0][j])
                + eta * eta * gm[0][i] * m[0][j];
            c[1][ij] += eta * (beta[0][i] * m[1][j] + beta[1][i] * m[0][j]
                + m[0][i] * beta[1][j] + m[1][i] * beta[0][j])
                + eta * eta * (gm[0][i] * m[1][j] + gm[1][i] * m[0][j]);
            c[2][ij] += eta * (beta[0][i] * m[2][j] + beta[1][i] * m[1][j] + beta[2][i] * m[0][j]
                + m[0][i] * beta[2][j] + m[1][i] * beta[1][j] + m[2][i] * beta[0][j])
                + eta * eta * (gm[0][i] * m[2][j] + gm[1][i] * m[1][j] + gm[2][i] * m[0][j]);
          }
        }
        // β ← β + η (g M + C M) + η² (β·M) M  (C M and β·M from the old state).
        for (int i = 0; i < dim; i++) {
          beta[0][i] += eta * (gm[0][i] + cm[0][i]) + eta * eta * betaM[0] * m[0][i];
          beta[1][i] += eta * (gm[1][i] + cm[1][i])
              + eta * eta * (betaM[0] * m[1][i] + betaM[1] * m[0][i]);
          beta[2][i] += eta * (gm[2][i] + cm[2][i])
              + eta * eta * (betaM[0] * m[2][i] + betaM[1] * m[1][i] + betaM[2] * m[0][i]);
        }
        // g ← g + 2 η β·M + η² Mᵀ C M.
        for (int o = 0; o < JET; o++) {
          g[o] += 2.0 * eta * betaM[o] + eta * eta * mcm[o];
        }
      }
    }

    /** The jet of Σ_i a_i b_i. */
    private double[] dot(double[][] a, double[][] b) {
      double[] s = new double[JET];
      for (int i = 0; i < a[0].length; i++) {
        s[0] += a[0][i] * b[0][i];
        s[1] += a[0][i] * b[1][i] + a[1][i] * b[0][i];
        s[2] += a[0][i] * b[2][i] + a[1][i] * b[1][i] + a[2][i] * b[0][i];
      }
      return s;
    }

    /** The jet of Φ_ab = x̂_aᵀ C x̂_b (linear in C, so component by component). */
    private void featureKernel(int a, int b, double[] into) {
      for (int o = 0; o < JET; o++) {
        double s = 0;
        for (int i = 0; i < dim; i++) {
          double row = 0;
          for (int j = 0; j < dim; j++) {
            row += c[o][i * dim + j] * xHat[b][j];
          }
          s += xHat[a][i] * row;
        }
        into[o] = s;
      }
    }

    private void record(int r, double[][] f, double[][] delta, double[] q, double[][] mean,
        double[][] nvar, double[][] correction) {
      double lossFactor = setup.lossFactor();
      // Loss (c/2) Σ Δ², as a jet product.
      q[0] = 0;
      q[1] = 0;
      q[2] = 0;
      for (int mu = 0; mu < trainPoints; mu++) {
        q[0] += 0.5 * lossFactor * delta[0][mu] * delta[0][mu];
        q[1] += lossFactor * delta[0][mu] * delta[1][mu];
        q[2] += 0.5 * lossFactor
            * (2.0 * delta[0][mu] * delta[2][mu] + delta[1][mu] * delta[1][mu]);
      }
      add(r, layout.lossIndex(), q, mean, nvar, correction);
      for (int mu = 0; mu < trainPoints; mu++) {
        add(r, layout.predictionTrain(mu), column(f, mu, q), mean, nvar, correction);
      }
      for (int p = 0; p < layout.testPoints(); p++) {
        add(r, layout.predictionTest(p), column(f, trainPoints + p, q), mean, nvar, correction);
      }
      for (int a = 0; a < trainPoints; a++) {
        for (int b = a; b < trainPoints; b++) {
          featureKernel(a, b, q);
          add(r, layout.featureKernel(a, b), q, mean, nvar, correction);
          for (int o = 0; o < JET; o++) {
            q[o] += g[o] * inputKernel[a][b];
          }
          add(r, layout.ntk(a, b), q, mean, nvar, correction);
          add(r, layout.gradientKernel(a, b), g, mean, nvar, correction);
        }
        for (int p = 0; p < layout.testPoints(); p++) {
          featureKernel(a, trainPoints + p, q);
          for (int o = 0; o < JET; o++) {
            q[o] += g[o] * inputKernel[a][trainPoints + p];
          }
          add(r, layout.ntkTrainTest(a, p), q, mean, nvar, correction);
        }
      }
    }

    private static double[] column(double[][] jet, int index, double[] into) {
      for (int o = 0; o < JET; o++) {
        into[o] = jet[o][index];
      }
      return into;
    }

    private static void add(int r, int k, double[] q, double[][] mean, double[][] nvar,
        double[][] correction) {
      mean[r][k] = q[0];
      nvar[r][k] += q[1] * q[1];
      correction[r][k] += q[2];
    }
  }
}
