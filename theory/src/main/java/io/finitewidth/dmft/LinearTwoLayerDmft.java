package io.finitewidth.dmft;

import io.finitewidth.model.Activation;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.Task;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;

/**
 * Exact infinite-width dynamics of a two-layer LINEAR network (THEORY.md §3, "linear activation,
 * closed description"). The network is summarised by C = (1/N) Σ_i w0_i w0_iᵀ (D × D),
 * β = (1/N) Σ_i w_i w0_i (D) and g = (1/N) Σ_i w_i²; infinite width starts from C = I, β = 0,
 * g = 1. With x̂ = x/√D, f(x) = β·x̂/γ0, K_ab = x̂_aᵀ C x̂_b + g Kx_ab, Φ_ab = x̂_aᵀ C x̂_b,
 * G_ab = g, and with M = Σ_μ Δ_μ x̂_μ and η = dt γ0 c each gradient step maps
 *
 * <pre>
 *   C ← C + η (β Mᵀ + M βᵀ) + η² g M Mᵀ
 *   β ← β + η (g M + C M) + η² (β·M) M
 *   g ← g + 2 η β·M + η² Mᵀ C M
 * </pre>
 *
 * with every right-hand side at the old step. This is exact for discrete gradient descent, not a
 * time discretisation. A centred network has the same means (its removed f(θ_init) has mean 0).
 */
public final class LinearTwoLayerDmft {
  /** The {@link TheoryPrediction#meanMethod()} label of this solver. */
  public static final String METHOD = "linear_exact";

  private LinearTwoLayerDmft() {}

  /**
   * Infinite-width means of every layout entry at the recorded steps; meanSe = 0 (no Monte
   * Carlo), nvar left NaN.
   *
   * @throws IllegalArgumentException if the activation is not LINEAR
   * @throws ArithmeticException if the dynamics diverge (step too large)
   */
  public static TheoryPrediction solve(TwoLayerSetup setup) {
    if (setup.activation() != Activation.LINEAR) {
      throw new IllegalArgumentException("LinearTwoLayerDmft needs activation linear, got "
          + setup.activation().label());
    }
    Task task = setup.task();
    int p = task.trainPoints();
    ObservableLayout layout = new ObservableLayout(p, task.testPoints());
    TheoryPrediction out = TheoryPrediction.empty(layout, setup.grid());
    double[][] xhat = scaledInputs(task);
    double[][] kx = task.inputKernel();
    double[] y = task.trainTargets();
    int d = task.dim();
    double gamma0 = setup.gamma0();
    double eta = setup.grid().dt() * gamma0 * setup.lossFactor();

    double[][] c = new double[d][d];
    for (int i = 0; i < d; i++) {
      c[i][i] = 1;
    }
    double[] beta = new double[d];
    double g = 1;

    int[] record = setup.grid().recordSteps();
    int r = 0;
    for (int n = 0; n <= setup.grid().steps() && r < record.length; n++) {
      double[] f = predictions(xhat, beta, gamma0);
      if (n == record[r]) {
        recordInto(out, r, n, setup, xhat, kx, c, g, f, y);
        r++;
      }
      double[] m = errorDirection(xhat, y, f, p);

      // One exact gradient step, every right-hand side at step n.
      double[] cm = times(c, m);
      double betaDotM = dot(beta, m);
      double mcm = dot(m, cm);
      double[] newBeta = new double[d];
      for (int i = 0; i < d; i++) {
        newBeta[i] = beta[i] + eta * (g * m[i] + cm[i]) + eta * eta * betaDotM * m[i];
        for (int j = 0; j < d; j++) {
          c[i][j] += eta * (beta[i] * m[j] + m[i] * beta[j]) + eta * eta * g * m[i] * m[j];
        }
      }
      g += 2 * eta * betaDotM + eta * eta * mcm;
      beta = newBeta;
    }
    return new TheoryPrediction(layout, setup.grid(), out.mean(), zeros(out.mean()), out.nvar(),
        out.nvarSe(), METHOD, "none");
  }

  private static void recordInto(TheoryPrediction out, int r, int n, TwoLayerSetup setup,
      double[][] xhat, double[][] kx, double[][] c, double g, double[] f, double[] y) {
    int all = xhat.length;
    int p = setup.task().trainPoints();
    double[][] phi = new double[all][all];
    double[][] ntk = new double[all][all];
    double[][] grad = new double[p][p];
    for (int a = 0; a < all; a++) {
      double[] ca = times(c, xhat[a]);
      for (int b = 0; b < all; b++) {
        phi[a][b] = dot(xhat[b], ca);
        ntk[a][b] = phi[a][b] + g * kx[a][b];
      }
    }
    for (int a = 0; a < p; a++) {
      java.util.Arrays.fill(grad[a], g);
    }
    LayoutWriter.fillInto(out.layout(), setup.lossFactor(), y, f, ntk, phi, grad, out.mean()[r]);
    LayoutWriter.requireFinite(out.layout(), out.mean()[r], n, "linear DMFT (gamma0 = "
        + setup.gamma0() + ", dt = " + setup.grid().dt() + ")");
  }

  /** x̂_a = x_a/√D for all P + Q points, train first. */
  static double[][] scaledInputs(Task task) {
    double[][] x = task.allInputs();
    double s = 1 / Math.sqrt(task.dim());
    for (double[] row : x) {
      for (int i = 0; i < row.length; i++) {
        row[i] *= s;
      }
    }
    return x;
  }

  /** f_a = β·x̂_a/γ0 on all points. */
  private static double[] predictions(double[][] xhat, double[] beta, double gamma0) {
    double[] f = new double[xhat.length];
    for (int a = 0; a < xhat.length; a++) {
      f[a] = dot(beta, xhat[a]) / gamma0;
    }
    return f;
  }

  /** M = Σ_μ Δ_μ x̂_μ over the training points. */
  private static double[] errorDirection(double[][] xhat, double[] y, double[] f, int p) {
    double[] m = new double[xhat[0].length];
    for (int mu = 0; mu < p; mu++) {
      double err = y[mu] - f[mu];
      for (int i = 0; i < m.length; i++) {
        m[i] += err * xhat[mu][i];
      }
    }
    return m;
  }

  private static double[] times(double[][] a, double[] v) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = dot(a[i], v);
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double[][] zeros(double[][] like) {
    return new double[like.length][like[0].length];
  }
}
