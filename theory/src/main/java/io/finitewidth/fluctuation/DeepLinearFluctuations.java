package io.finitewidth.fluctuation;

import io.finitewidth.model.Activation;
import io.finitewidth.model.DeepLayout;
import io.finitewidth.model.DeepPrediction;
import io.finitewidth.model.DeepSetup;
import io.finitewidth.model.TimeGrid;

/**
 * Exact finite-width fluctuations of deep LINEAR networks where a closed form exists
 * (THEORY-deep.md §4a, §4b): N·Var of every {@link DeepLayout} slot at initialisation (any γ0),
 * and along the whole trajectory in the lazy limit.
 *
 * <p>Initialisation: to first order every weight matrix adds an independent Wishart fluctuation,
 *
 * <pre>
 *   N Cov(Φ_l[a][b], Φ_l'[c][d]) = min(l, l') (Kx_ac Kx_bd + Kx_ad Kx_bc)
 *   N Cov(G_l, G_l')             = 2 (L + 1 − max(l, l'))
 *   N Cov(f_a, f_b)              = Kx_ab / γ0²,   Φ–G and f–kernel covariances 0,
 * </pre>
 *
 * so δK = Σ_l δΦ_l + Kx Σ_l δG_l and
 * N Cov(K_ab, K_cd) = s_L (2 Kx_ab Kx_cd + Kx_ac Kx_bd + Kx_ad Kx_bc), s_L = L(L+1)(2L+1)/6.
 *
 * <p>Lazy limit (kernels frozen at their random initial values, K = (L+1) Kx + ε/√N, with the
 * f(0) term kept at the given γ0): η = c dt, mean Δ∞_0 = y, Δ∞_{n+1} = (I − η K0_tt) Δ∞_n,
 * f∞_test,n+1 = f∞_test,n + η K0_et Δ∞_n, and the exact linearised recursion
 *
 * <pre>
 *   δΔ_0 = −δf0_train,     δΔ_{n+1} = (I − η K0_tt) δΔ_n − η ε_tt Δ∞_n
 *   δf_test,0 = δf0_test,  δf_test,n+1 = δf_test,n + η (ε_et Δ∞_n + K0_et δΔ_n)
 *   δf_train = −δΔ,        δloss_n = c Σ_μ Δ∞_μ,n δΔ_μ,n
 * </pre>
 *
 * Each output is linear in the sources s = (δf0, ε), o = R s, so N·Var(o) = R κ Rᵀ with κ the
 * source covariance above; kernel slots keep their initial N·Var. Everything is closed form.
 */
public final class DeepLinearFluctuations {
  /** The {@link DeepPrediction#method()} label of {@link #lazy}. */
  public static final String LAZY_METHOD = "deep_linear_lazy";

  private DeepLinearFluctuations() {}

  /** s_L = Σ_{l,l'=1..L} min(l, l') = L(L+1)(2L+1)/6. */
  public static double depthFactor(int depth) {
    return depth * (depth + 1.0) * (2.0 * depth + 1.0) / 6.0;
  }

  /** N·Var of every layout slot at step 0 (exact to first order in 1/N; any γ0). */
  public static double[] initialNvar(DeepSetup setup) {
    requireLinear(setup);
    DeepLayout layout = setup.layout();
    double[][] kx = setup.task().inputKernel();
    double[] y = setup.task().trainTargets();
    int depth = setup.depth();
    int pa = layout.points();
    int p = layout.trainPoints();
    double g2 = setup.gamma0() * setup.gamma0();
    double c = setup.lossFactor();
    double[] v = new double[layout.size()];
    // loss = (c/2) Σ (y − f)², δloss = −c Σ_μ y_μ δf_μ at f∞ = 0.
    double loss = 0;
    for (int mu = 0; mu < p; mu++) {
      for (int nu = 0; nu < p; nu++) {
        loss += y[mu] * y[nu] * kx[mu][nu];
      }
    }
    v[layout.lossIndex()] = c * c * loss / g2;
    double sl = depthFactor(depth);
    for (int a = 0; a < pa; a++) {
      v[layout.prediction(a)] = kx[a][a] / g2;
      for (int b = a; b < pa; b++) {
        double wishart = kx[a][a] * kx[b][b] + kx[a][b] * kx[a][b];
        for (int l = 1; l <= depth; l++) {
          v[layout.featureKernel(l, a, b)] = l * wishart;
          v[layout.gradientKernel(l, a, b)] = 2.0 * (depth + 1 - l);
        }
        v[layout.ntk(a, b)] = sl * (2 * kx[a][b] * kx[a][b] + wishart);
      }
    }
    return v;
  }

  /**
   * N Cov(K_ab, K_cd) at initialisation (THEORY-deep.md §4a).
   */
  public static double initialNtkCovariance(double[][] kx, int depth, int a, int b, int c,
      int d) {
    return depthFactor(depth)
        * (2 * kx[a][b] * kx[c][d] + kx[a][c] * kx[b][d] + kx[a][d] * kx[b][c]);
  }

  /**
   * The lazy-limit mean (K = (L+1) Kx frozen) and N·Var of every layout slot at the recorded
   * steps. The f(0) contribution uses setup.gamma0(); the kernel-induced part is its γ0 → 0 limit.
   */
  public static DeepPrediction lazy(DeepSetup setup) {
    requireLinear(setup);
    DeepLayout layout = setup.layout();
    double[][] kx = setup.task().inputKernel();
    double[] y = setup.task().trainTargets();
    int depth = setup.depth();
    int pa = layout.points();
    int p = layout.trainPoints();
    int q = layout.testPoints();
    double eta = setup.lossFactor() * setup.grid().dt();
    double c = setup.lossFactor();
    double g2 = setup.gamma0() * setup.gamma0();
    double[][] k0 = new double[pa][pa];
    for (int a = 0; a < pa; a++) {
      for (int b = 0; b < pa; b++) {
        k0[a][b] = (depth + 1) * kx[a][b];
      }
    }
    // Sources: δf0_a (a < Pa), then ε_ab (a ≤ b, upper triangle row by row).
    int pairs = pa * (pa + 1) / 2;
    int sources = pa + pairs;
    int[][] pairIndex = new int[pa][pa];
    int[] pairA = new int[pairs];
    int[] pairB = new int[pairs];
    for (int a = 0, s = 0; a < pa; a++) {
      for (int b = a; b < pa; b++, s++) {
        pairIndex[a][b] = s;
        pairIndex[b][a] = s;
        pairA[s] = a;
        pairB[s] = b;
      }
    }
    double[][] kappa = new double[sources][sources];
    for (int a = 0; a < pa; a++) {
      for (int b = 0; b < pa; b++) {
        kappa[a][b] = kx[a][b] / g2;
      }
    }
    for (int s = 0; s < pairs; s++) {
      for (int t = 0; t < pairs; t++) {
        kappa[pa + s][pa + t] = initialNtkCovariance(kx, depth, pairA[s], pairB[s], pairA[t],
            pairB[t]);
      }
    }
    double[] initial = initialNvar(setup);

    TimeGrid grid = setup.grid();
    int[] record = grid.recordSteps();
    double[][] mean = new double[record.length][layout.size()];
    double[][] nvar = new double[record.length][layout.size()];
    double[] delta = y.clone();
    double[] fTest = new double[q];
    // Responses dΔ/ds (P × S) and df_test/ds (Q × S).
    double[][] rDelta = new double[p][sources];
    double[][] rTest = new double[q][sources];
    for (int mu = 0; mu < p; mu++) {
      rDelta[mu][mu] = -1.0;
    }
    for (int j = 0; j < q; j++) {
      rTest[j][p + j] = 1.0;
    }
    int r = 0;
    for (int n = 0; n <= grid.steps() && r < record.length; n++) {
      if (n == record[r]) {
        fill(layout, mean[r], nvar[r], initial, kx, k0, y, delta, fTest, rDelta, rTest, kappa, c,
            depth);
        r++;
      }
      double[][] nextDelta = new double[p][sources];
      double[][] nextTest = new double[q][sources];
      for (int mu = 0; mu < p; mu++) {
        for (int s = 0; s < sources; s++) {
          double v = rDelta[mu][s];
          for (int nu = 0; nu < p; nu++) {
            v -= eta * k0[mu][nu] * rDelta[nu][s];
          }
          nextDelta[mu][s] = v;
        }
        for (int nu = 0; nu < p; nu++) {
          nextDelta[mu][pa + pairIndex[mu][nu]] -= eta * delta[nu];
        }
      }
      for (int j = 0; j < q; j++) {
        for (int s = 0; s < sources; s++) {
          double v = rTest[j][s];
          for (int nu = 0; nu < p; nu++) {
            v += eta * k0[p + j][nu] * rDelta[nu][s];
          }
          nextTest[j][s] = v;
        }
        for (int nu = 0; nu < p; nu++) {
          nextTest[j][pa + pairIndex[p + j][nu]] += eta * delta[nu];
        }
      }
      double[] nextMeanDelta = new double[p];
      for (int mu = 0; mu < p; mu++) {
        double v = delta[mu];
        for (int nu = 0; nu < p; nu++) {
          v -= eta * k0[mu][nu] * delta[nu];
        }
        nextMeanDelta[mu] = v;
      }
      for (int j = 0; j < q; j++) {
        for (int nu = 0; nu < p; nu++) {
          fTest[j] += eta * k0[p + j][nu] * delta[nu];
        }
      }
      delta = nextMeanDelta;
      rDelta = nextDelta;
      rTest = nextTest;
    }
    return new DeepPrediction(layout, grid, mean, nvar, LAZY_METHOD);
  }

  private static void fill(DeepLayout layout, double[] mean, double[] nvar, double[] initial,
      double[][] kx, double[][] k0, double[] y, double[] delta, double[] fTest,
      double[][] rDelta, double[][] rTest, double[][] kappa, double c, int depth) {
    int pa = layout.points();
    int p = layout.trainPoints();
    System.arraycopy(initial, 0, nvar, 0, initial.length);
    double loss = 0;
    double[] rLoss = new double[kappa.length];
    for (int mu = 0; mu < p; mu++) {
      loss += delta[mu] * delta[mu];
      mean[layout.prediction(mu)] = y[mu] - delta[mu];
      nvar[layout.prediction(mu)] = quadratic(rDelta[mu], kappa);
      for (int s = 0; s < rLoss.length; s++) {
        rLoss[s] += c * delta[mu] * rDelta[mu][s];
      }
    }
    mean[layout.lossIndex()] = 0.5 * c * loss;
    nvar[layout.lossIndex()] = quadratic(rLoss, kappa);
    for (int j = 0; j < fTest.length; j++) {
      mean[layout.prediction(p + j)] = fTest[j];
      nvar[layout.prediction(p + j)] = quadratic(rTest[j], kappa);
    }
    for (int a = 0; a < pa; a++) {
      for (int b = a; b < pa; b++) {
        mean[layout.ntk(a, b)] = k0[a][b];
        for (int l = 1; l <= depth; l++) {
          mean[layout.featureKernel(l, a, b)] = kx[a][b];
          mean[layout.gradientKernel(l, a, b)] = 1.0;
        }
      }
    }
  }

  /** rᵀ κ r. */
  private static double quadratic(double[] r, double[][] kappa) {
    double s = 0;
    for (int i = 0; i < r.length; i++) {
      if (r[i] == 0) {
        continue;
      }
      double t = 0;
      for (int j = 0; j < r.length; j++) {
        t += kappa[i][j] * r[j];
      }
      s += r[i] * t;
    }
    return s;
  }

  private static void requireLinear(DeepSetup setup) {
    if (setup.activation() != Activation.LINEAR) {
      throw new IllegalArgumentException("DeepLinearFluctuations needs activation linear, got "
          + setup.activation().label());
    }
  }
}
