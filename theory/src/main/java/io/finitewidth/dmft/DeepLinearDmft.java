package io.finitewidth.dmft;

import io.finitewidth.model.Activation;
import io.finitewidth.model.DeepLayout;
import io.finitewidth.model.DeepPrediction;
import io.finitewidth.model.DeepSetup;
import io.finitewidth.model.TimeGrid;
import java.util.Arrays;

/**
 * Exact infinite-width dynamics of a deep LINEAR network trained by discrete gradient descent
 * (THEORY-deep.md §3): the two-time (time × sample) DMFT, solved forward in time without any
 * fixed-point iteration.
 *
 * <p>Per layer l a single "neuron" carries h_l[a](n) and g_l(n). Both are linear in two
 * independent zero-mean Gaussian sources of that layer, u_l[a](n) with covariance Φ_{l−1}(n, m)
 * (Φ_0 = Kx at all times) and v_l(n) with covariance G_{l+1}(n, m) (G_{L+1} = 1). Writing the
 * strictly causal field equations as z = s + M z with
 *
 * <pre>
 *   h_l[a](n) ← g_l(m):   M_hg[a](n, m) = A_{l−1}[a](n, m) + η Σ_ν Δ_ν(m) Φ_{l−1}[ν][a](m, n)
 *   g_l(n) ← h_l[μ](m):   M_gh[μ](n, m) = B_{l+1}[μ](n, m) + η G_{l+1}(n, m) Δ_μ(m)
 * </pre>
 *
 * (m &lt; n, μ, ν training points, η = dt γ0 c), the responses A_l = ∂h_l/∂v_l and
 * B_l = ∂g_l/∂u_l are entries of R = (I − M)⁻¹ and the kernels are covariances of z. Neither is
 * formed as a dense matrix: both follow from causal recursions in time. With V the covariance of
 * the newest sources with all earlier fields,
 *
 * <pre>
 *   Cov(u(n), h(m)) = Φ_{l−1}(n, m) + Σ_{k&lt;m} Cov(u(n), g(k)) M_hg(m, k)
 *   Cov(u(n), g(m)) = Σ_{k&lt;m} Cov(u(n), h(k)) M_gh(m, k)
 *   Φ_l(n, m)       = Cov(u(n), h(m)) + Σ_{k&lt;n} M_hg(n, k) Cov(g(k), h(m))
 * </pre>
 *
 * and the mirror images for g with v and G_{l+1}. Step n runs a forward sweep (l = 1..L: rows of
 * h_l(n), A_l(n, ·), Φ_l(n, ·)), a backward sweep (l = L..1: g_l(n), B_l(n, ·), G_l(n, ·)), then
 * f_a(n) = E[g_L(n) h_L[a](n)] / γ0 and Δ(n) = y − f_train(n). Cost O(L T³ Pa²) flops and
 * O(L T² Pa²) memory for T steps and Pa points; deterministic, exact up to rounding.
 *
 * <p>Reported per recorded step (equal times, {@link DeepLayout}): f, loss (c/2) Σ Δ², Φ_l,
 * G_l (input independent, so every entry of the block is the same number) and
 * K = Σ_{l=0..L} G_{l+1} Φ_l.
 */
public final class DeepLinearDmft {
  /** The {@link DeepPrediction#method()} label. */
  public static final String METHOD = "deep_linear_exact";

  private DeepLinearDmft() {}

  /**
   * Infinite-width means of every layout slot at the recorded steps (nvar NaN).
   *
   * @throws IllegalArgumentException if the activation is not LINEAR
   * @throws ArithmeticException if the dynamics diverge (step too large)
   */
  public static DeepPrediction solve(DeepSetup setup) {
    Solver s = new Solver(setup, true);
    s.run();
    return new DeepPrediction(setup.layout(), setup.grid(), s.recorded, nanLike(s.recorded),
        METHOD);
  }

  /**
   * E[g_l(n) h_l[a](n)] / γ0 for every recorded step r, layer l = 1..L (index l − 1) and point a.
   * With the cavity terms this equals f_a(n) in every layer; without them (a deliberately wrong
   * theory, for tests) it does not.
   */
  static double[][][] layerPredictions(DeepSetup setup, boolean cavityTerms) {
    Solver s = new Solver(setup, cavityTerms);
    s.run();
    return s.layerOutputs;
  }

  private static double[][] nanLike(double[][] a) {
    double[][] out = new double[a.length][a[0].length];
    for (double[] row : out) {
      Arrays.fill(row, Double.NaN);
    }
    return out;
  }

  /** All state of one solve. Arrays indexed [layer] use l = 1..L (slot 0 unused). */
  private static final class Solver {
    private final DeepSetup setup;
    private final boolean cavity;
    private final int depth;
    private final int steps;
    private final int pa;
    private final int p;
    private final double eta;
    private final double gamma0;
    private final double[][] kx;
    private final double[] y;
    private final double[][] delta;

    /** Φ_l(n, m)[a][b], m ≤ n, at (tri(n, m) · Pa + a) · Pa + b. */
    private final double[][] phi;
    /** G_l(n, m), m ≤ n, at tri(n, m). */
    private final double[][] gk;
    /** Cov(h_l[a](n), g_l(m)) for all n, m at (n · (T + 1) + m) · Pa + a. */
    private final double[][] chg;
    /** A_l[a](n, m) = ∂h_l[a](n)/∂v_l(m), m &lt; n, at tri(n, m) · Pa + a. */
    private final double[][] rhv;
    /** ∂g_l(n)/∂v_l(m), m ≤ n, at tri(n, m). */
    private final double[][] rgv;
    /** ∂h_l[μ](n)/∂u_l[ν](m), train μ, ν, m ≤ n, at (tri(n, m) · P + μ) · P + ν. */
    private final double[][] rhu;
    /** B_l[μ](n, m) = ∂g_l(n)/∂u_l[μ](m), m &lt; n, at tri(n, m) · P + μ. */
    private final double[][] rgu;
    /** M_hg[a](n, k), k &lt; n, at tri(n, k) · Pa + a. */
    private final double[][] mhg;
    /** M_gh[μ](n, k), k &lt; n, at tri(n, k) · P + μ. */
    private final double[][] mgh;

    private final double[][] recorded;
    private final double[][][] layerOutputs;

    Solver(DeepSetup setup, boolean cavity) {
      if (setup.activation() != Activation.LINEAR) {
        throw new IllegalArgumentException("DeepLinearDmft needs activation linear, got "
            + setup.activation().label());
      }
      this.setup = setup;
      this.cavity = cavity;
      this.depth = setup.depth();
      this.steps = setup.grid().steps();
      this.p = setup.task().trainPoints();
      this.pa = p + setup.task().testPoints();
      this.eta = setup.eta();
      this.gamma0 = setup.gamma0();
      this.kx = setup.task().inputKernel();
      this.y = setup.task().trainTargets();
      this.delta = new double[steps + 1][];
      long pairs = tri(steps + 1, 0);
      long full = (long) (steps + 1) * (steps + 1);
      if (pairs * pa * pa * depth > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("time grid too long for the exact deep solver: "
            + steps + " steps");
      }
      int n2 = (int) pairs;
      phi = new double[depth + 1][];
      gk = new double[depth + 1][];
      chg = new double[depth + 1][];
      rhv = new double[depth + 1][];
      rgv = new double[depth + 1][];
      rhu = new double[depth + 1][];
      rgu = new double[depth + 1][];
      mhg = new double[depth + 1][];
      mgh = new double[depth + 1][];
      for (int l = 1; l <= depth; l++) {
        phi[l] = new double[n2 * pa * pa];
        gk[l] = new double[n2];
        chg[l] = new double[(int) full * pa];
        rhv[l] = new double[n2 * pa];
        rgv[l] = new double[n2];
        rhu[l] = new double[n2 * p * p];
        rgu[l] = new double[n2 * p];
        mhg[l] = new double[n2 * pa];
        mgh[l] = new double[n2 * p];
      }
      int records = setup.grid().recordCount();
      recorded = new double[records][];
      layerOutputs = new double[records][depth][pa];
    }

    /** Index of the pair (n, m), m ≤ n, in lower-triangular row order. */
    private static int tri(int n, int m) {
      return n * (n + 1) / 2 + m;
    }

    /** Φ_l[a][b](n, m) for any n, m (Φ_0 = Kx). */
    private double phiAt(int l, int a, int b, int n, int m) {
      if (l == 0) {
        return kx[a][b];
      }
      return n >= m ? phi[l][(tri(n, m) * pa + a) * pa + b] : phi[l][(tri(m, n) * pa + b) * pa + a];
    }

    /** G_l(n, m) for any n, m (G_{L+1} = 1). */
    private double gAt(int l, int n, int m) {
      if (l == depth + 1) {
        return 1.0;
      }
      return gk[l][n >= m ? tri(n, m) : tri(m, n)];
    }

    private int chgIndex(int n, int m, int a) {
      return (n * (steps + 1) + m) * pa + a;
    }

    void run() {
      int[] record = setup.grid().recordSteps();
      int r = 0;
      for (int n = 0; n <= steps; n++) {
        for (int l = 1; l <= depth; l++) {
          forward(l, n);
        }
        for (int l = depth; l >= 1; l--) {
          backward(l, n);
        }
        double[] f = new double[pa];
        for (int a = 0; a < pa; a++) {
          f[a] = chg[depth][chgIndex(n, n, a)] / gamma0;
        }
        delta[n] = new double[p];
        for (int mu = 0; mu < p; mu++) {
          delta[n][mu] = y[mu] - f[mu];
        }
        if (r < record.length && record[r] == n) {
          recordInto(r, n, f);
          r++;
        }
      }
    }

    /** Forward sweep of layer l at step n: M_hg(n, ·), A_l(n, ·), Cov(h(n), g(·)), Φ_l(n, ·). */
    private void forward(int l, int n) {
      int rowN = tri(n, 0);
      double[] m1 = mhg[l];
      // Couplings of h(n) to g(k), k < n; Φ_{l−1}[ν][a](k, n) = Φ_{l−1}[a][ν](n, k).
      for (int k = 0; k < n; k++) {
        int at = (rowN + k) * pa;
        for (int a = 0; a < pa; a++) {
          double drift = 0;
          for (int nu = 0; nu < p; nu++) {
            drift += delta[k][nu] * (l == 1 ? kx[a][nu] : phi[l - 1][(at + a) * pa + nu]);
          }
          double response = (cavity && l > 1) ? rhv[l - 1][at + a] : 0.0;
          m1[at + a] = response + eta * drift;
        }
      }
      // Responses of h(n): to v(m), m < n, and to u[ν](m), m ≤ n (train rows only).
      for (int m = 0; m <= n; m++) {
        int nm = rowN + m;
        for (int a = 0; a < pa; a++) {
          double s = 0;
          for (int k = m; k < n; k++) {
            s += m1[(rowN + k) * pa + a] * rgv[l][tri(k, m)];
          }
          rhv[l][nm * pa + a] = s;
        }
        int out = nm * p * p;
        for (int mu = 0; mu < p; mu++) {
          rhu[l][out + mu * p + mu] = m == n ? 1.0 : 0.0;
          for (int nu = 0; nu < p; nu++) {
            if (nu != mu) {
              rhu[l][out + mu * p + nu] = 0.0;
            }
          }
        }
        for (int k = m + 1; k < n; k++) {
          int km = tri(k, m) * p;
          int nk = (rowN + k) * pa;
          for (int mu = 0; mu < p; mu++) {
            double c = m1[nk + mu];
            for (int nu = 0; nu < p; nu++) {
              rhu[l][out + mu * p + nu] += c * rgu[l][km + nu];
            }
          }
        }
      }
      // Covariances of the newest sources u(n) with the fields h(m), g(m), m ≤ n.
      int pp = pa * pa;
      double[] uh = new double[(n + 1) * pp];
      double[] ug = new double[(n + 1) * pa];
      for (int m = 0; m <= n; m++) {
        int base = m * pp;
        if (l == 1) {
          for (int a = 0; a < pa; a++) {
            System.arraycopy(kx[a], 0, uh, base + a * pa, pa);
          }
        } else {
          System.arraycopy(phi[l - 1], tri(n, m) * pp, uh, base, pp);
        }
        int rowM = tri(m, 0);
        for (int k = 0; k < m; k++) {
          int mk = (rowM + k) * pa;
          for (int a = 0; a < pa; a++) {
            double c = ug[k * pa + a];
            int to = base + a * pa;
            for (int b = 0; b < pa; b++) {
              uh[to + b] += c * m1[mk + b];
            }
          }
        }
        if (m < n) {
          for (int k = 0; k < m; k++) {
            int mk = (rowM + k) * p;
            for (int a = 0; a < pa; a++) {
              int from = (k * pa + a) * pa;
              double s = 0;
              for (int mu = 0; mu < p; mu++) {
                s += uh[from + mu] * mgh[l][mk + mu];
              }
              ug[m * pa + a] += s;
            }
          }
        }
      }
      // Cov(h[a](n), g(m)), m < n.
      for (int m = 0; m < n; m++) {
        for (int a = 0; a < pa; a++) {
          double s = ug[m * pa + a];
          for (int k = 0; k < n; k++) {
            s += m1[(rowN + k) * pa + a] * gAt(l, k, m);
          }
          chg[l][chgIndex(n, m, a)] = s;
        }
      }
      // Φ_l(n, m) = Cov(u(n), h(m)) + Σ_k M_hg(n, k) Cov(g(k), h(m)), m ≤ n.
      double[] target = phi[l];
      double[] cross = chg[l];
      for (int m = 0; m <= n; m++) {
        int base = tri(n, m) * pp;
        System.arraycopy(uh, m * pp, target, base, pp);
        for (int k = 0; k < n; k++) {
          int nk = (rowN + k) * pa;
          int mk = chgIndex(m, k, 0);
          for (int a = 0; a < pa; a++) {
            double c = m1[nk + a];
            int to = base + a * pa;
            for (int b = 0; b < pa; b++) {
              target[to + b] += c * cross[mk + b];
            }
          }
        }
      }
    }

    /** Backward sweep of layer l at step n: M_gh(n, ·), B_l(n, ·), Cov(g(n), h(·)), G_l(n, ·). */
    private void backward(int l, int n) {
      int rowN = tri(n, 0);
      double[] m2 = mgh[l];
      for (int k = 0; k < n; k++) {
        int at = (rowN + k) * p;
        double gAbove = gAt(l + 1, n, k);
        for (int mu = 0; mu < p; mu++) {
          double response = (cavity && l < depth) ? rgu[l + 1][at + mu] : 0.0;
          m2[at + mu] = response + eta * gAbove * delta[k][mu];
        }
      }
      for (int m = 0; m <= n; m++) {
        int nm = rowN + m;
        double s = m == n ? 1.0 : 0.0;
        for (int k = m + 1; k < n; k++) {
          int nk = (rowN + k) * p;
          int km = tri(k, m) * pa;
          for (int mu = 0; mu < p; mu++) {
            s += m2[nk + mu] * rhv[l][km + mu];
          }
        }
        rgv[l][nm] = s;
        if (m < n) {
          int out = nm * p;
          for (int nu = 0; nu < p; nu++) {
            rgu[l][out + nu] = 0.0;
          }
          for (int k = m; k < n; k++) {
            int nk = (rowN + k) * p;
            int km = tri(k, m) * p;
            for (int mu = 0; mu < p; mu++) {
              double c = m2[nk + mu];
              int from = (km + mu) * p;
              for (int nu = 0; nu < p; nu++) {
                rgu[l][out + nu] += c * rhu[l][from + nu];
              }
            }
          }
        }
      }
      // Covariances of the newest source v(n) with h(m), g(m), m ≤ n.
      double[] vh = new double[(n + 1) * pa];
      double[] vg = new double[n + 1];
      for (int m = 0; m <= n; m++) {
        int rowM = tri(m, 0);
        for (int k = 0; k < m; k++) {
          double c = vg[k];
          int mk = (rowM + k) * pa;
          for (int b = 0; b < pa; b++) {
            vh[m * pa + b] += c * mhg[l][mk + b];
          }
        }
        double s = gAt(l + 1, n, m);
        for (int k = 0; k < m; k++) {
          int mk = (rowM + k) * p;
          for (int mu = 0; mu < p; mu++) {
            s += vh[k * pa + mu] * m2[mk + mu];
          }
        }
        vg[m] = s;
      }
      // Cov(g(n), h[b](m)) = Cov(v(n), h[b](m)) + Σ_k M_gh(n, k) Φ_l(k, m), stored as chg(m, n).
      int pp = pa * pa;
      double[] own = phi[l];
      double[] acc = new double[pa];
      for (int m = 0; m <= n; m++) {
        System.arraycopy(vh, m * pa, acc, 0, pa);
        for (int k = 0; k < n; k++) {
          int nk = (rowN + k) * p;
          if (k >= m) {
            int km = tri(k, m) * pp;
            for (int mu = 0; mu < p; mu++) {
              double c = m2[nk + mu];
              int from = km + mu * pa;
              for (int b = 0; b < pa; b++) {
                acc[b] += c * own[from + b];
              }
            }
          } else {
            int mk = tri(m, k) * pp;
            for (int b = 0; b < pa; b++) {
              int from = mk + b * pa;
              double t = 0;
              for (int mu = 0; mu < p; mu++) {
                t += m2[nk + mu] * own[from + mu];
              }
              acc[b] += t;
            }
          }
        }
        System.arraycopy(acc, 0, chg[l], chgIndex(m, n, 0), pa);
      }
      // G_l(n, m), m ≤ n.
      for (int m = 0; m <= n; m++) {
        double s = vg[m];
        for (int k = 0; k < n; k++) {
          int nk = (rowN + k) * p;
          int km = chgIndex(k, m, 0);
          for (int mu = 0; mu < p; mu++) {
            s += m2[nk + mu] * chg[l][km + mu];
          }
        }
        gk[l][rowN + m] = s;
      }
    }

    private void recordInto(int r, int n, double[] f) {
      DeepLayout layout = setup.layout();
      double[] v = new double[layout.size()];
      double c = setup.lossFactor();
      double sum = 0;
      for (int mu = 0; mu < p; mu++) {
        sum += delta[n][mu] * delta[n][mu];
      }
      v[layout.lossIndex()] = 0.5 * c * sum;
      for (int a = 0; a < pa; a++) {
        v[layout.prediction(a)] = f[a];
        for (int l = 1; l <= depth; l++) {
          layerOutputs[r][l - 1][a] = chg[l][chgIndex(n, n, a)] / gamma0;
        }
      }
      for (int a = 0; a < pa; a++) {
        for (int b = a; b < pa; b++) {
          double k = 0;
          for (int l = 0; l <= depth; l++) {
            k += gAt(l + 1, n, n) * phiAt(l, a, b, n, n);
          }
          v[layout.ntk(a, b)] = k;
          for (int l = 1; l <= depth; l++) {
            v[layout.featureKernel(l, a, b)] = phiAt(l, a, b, n, n);
            v[layout.gradientKernel(l, a, b)] = gAt(l, n, n);
          }
        }
      }
      for (double x : v) {
        if (!Double.isFinite(x)) {
          TimeGrid g = setup.grid();
          throw new ArithmeticException("deep linear DMFT diverged at step " + n + " (L = "
              + depth + ", gamma0 = " + gamma0 + ", dt = " + g.dt() + ")");
        }
      }
      recorded[r] = v;
    }
  }
}
