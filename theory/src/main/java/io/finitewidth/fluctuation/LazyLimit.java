package io.finitewidth.fluctuation;

import io.finitewidth.dmft.LayoutWriter;
import io.finitewidth.model.Activation;
import io.finitewidth.model.NormalSource;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.SingleSiteMoments;
import io.finitewidth.model.SingleSiteMoments.PairMoments;
import io.finitewidth.model.SymmetricEigen;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;

/**
 * Finite-width fluctuations in the lazy limit γ0 → 0 (THEORY.md §5), in discrete time: N·Var of
 * every layout entry of a two-layer network whose NTK is frozen at a random initial value
 * K = K0 + ε/√N and whose initial output f0 is random.
 *
 * <p>Mean (infinite width): with η = c · dt, Δ∞_0 = y, Δ∞_{n+1} = (I − η K0_tt) Δ∞_n,
 * f∞_test,0 = 0, f∞_test,n+1 = f∞_test,n + η K0_test,train Δ∞_n; K = K0, Φ = Φ0, G = G0 constant.
 *
 * <p>Fluctuation: the exact linearised recursion (equal to the eigenbasis closed form of §5 with
 * r_k = 1 − ηλ_k)
 *
 * <pre>
 *   δΔ_0 = −δf0_train,    δΔ_{n+1} = (I − η K0_tt) δΔ_n − η ε_tt Δ∞_n
 *   δf_test,0 = δf0_test, δf_test,n+1 = δf_test,n + η (ε_test,train Δ∞_n + K0_test,train δΔ_n)
 *   δf_train = −δΔ,       δL_n = c Σ_μ Δ∞_μ,n δΔ_μ,n,     δK = ε, δΦ, δG constant
 * </pre>
 *
 * with δf0 = 0 for a centred network. The sources are single-neuron quantities: δf0_a = zφ(h_a)/γ0
 * with N·Cov = Φ0/γ0², and ε_ab = k_ab − K0_ab, k_ab = φ_aφ_b + z²φ'_aφ'_b Kx_ab; f0 and ε are
 * uncorrelated (odd versus even in z). Each output is linear in the sources, o = R s, so
 * N·Var(o) = R κ Rᵀ with κ the single-site source covariance; R is built by running the
 * recursion on every unit source at once.
 *
 * <p>Source covariance: LINEAR exactly by Isserlis, Cov(k_ab, k_cd) = Kx_ac Kx_bd + Kx_ad Kx_bc
 * + 2 Kx_ab Kx_cd. Other activations: by Monte Carlo over h ~ N(0, Kx) with z integrated
 * analytically (E z² = 1, E z⁴ = 3), using the exact means and overwriting the diagonal
 * variances with their exact values ({@link SingleSiteMoments}). The samples are split into
 * {@value #BATCHES} independent batches; the reported N·Var is the batch average and its standard
 * error the batch spread / √B (the quadratic form is linear in κ, so this is exact batch-means).
 * Kernel, Φ and G variances are exact (standard error 0).
 *
 * <p>Limitations: this is the γ0 → 0 limit. At finite γ0 the kernels move and the fluctuations
 * feed back through the error signal (THEORY.md §4); the error of using this limit grows with γ0
 * (for tanh on the canonical task the final test-prediction N·Var falls by ~20 % between
 * γ0 = 0.05 and 1, THEORY.md §9).
 */
public final class LazyLimit {
  /** The {@link TheoryPrediction#nvarMethod()} label. */
  public static final String METHOD = "lazy_limit";
  /** The {@link TheoryPrediction#meanMethod()} label of the lazy mean. */
  public static final String MEAN_METHOD = "lazy_mean";
  /** Default Monte-Carlo samples for the source covariance of nonlinear activations. */
  public static final int DEFAULT_SAMPLES = 400_000;
  /** Batches for the batch-means standard error (SE itself known to ±1/√(2(B−1)) ≈ ±16 %). */
  public static final int BATCHES = 20;

  private LazyLimit() {}

  /** {@link #predict(TwoLayerSetup, int, long)} with {@value #DEFAULT_SAMPLES} samples. */
  public static TheoryPrediction predict(TwoLayerSetup setup, long seed) {
    return predict(setup, DEFAULT_SAMPLES, seed);
  }

  /**
   * The lazy mean (meanSe 0) and the lazy-limit N·Var with its Monte-Carlo standard error of every
   * layout entry at the recorded steps.
   *
   * @param samples Monte-Carlo samples of h for the source covariance (ignored for LINEAR)
   * @param seed seed of the Monte-Carlo samples
   */
  public static TheoryPrediction predict(TwoLayerSetup setup, int samples, long seed) {
    if (setup.activation() != Activation.LINEAR && samples < 2 * BATCHES) {
      throw new IllegalArgumentException("samples must be at least " + 2 * BATCHES + ", got "
          + samples);
    }
    Problem pb = new Problem(setup);
    TheoryPrediction mean = lazyMean(setup);
    ObservableLayout layout = mean.layout();
    TimeGrid grid = setup.grid();
    int records = grid.recordCount();
    double[][] nvar = new double[records][layout.size()];
    double[][] nvarSe = new double[records][layout.size()];
    Responses resp = responses(pb);

    // Outputs driven by the error signal: Δ/f_train, f_test, loss.
    double[][][] batches;
    if (setup.activation() == Activation.LINEAR) {
      batches = new double[][][] {outputVariances(pb, resp, pb.linearCovariance())};
    } else {
      batches = new double[BATCHES][][];
      NormalSource master = new NormalSource(seed);
      for (int b = 0; b < BATCHES; b++) {
        batches[b] = outputVariances(pb, resp, pb.sampledCovariance(master.split(),
            samples / BATCHES));
      }
    }
    for (int r = 0; r < records; r++) {
      for (int o = 0; o < pb.outputs(); o++) {
        double[] v = new double[batches.length];
        for (int b = 0; b < batches.length; b++) {
          v[b] = batches[b][r][o];
        }
        int k = pb.outputIndex(layout, o);
        nvar[r][k] = average(v);
        nvarSe[r][k] = v.length > 1 ? standardError(v, nvar[r][k]) : 0;
      }
      fillKernelVariancesInto(pb, layout, nvar[r]);
    }
    return new TheoryPrediction(layout, grid, mean.mean(), mean.meanSe(), nvar, nvarSe,
        MEAN_METHOD, METHOD);
  }

  /**
   * The exact infinite-width lazy mean (class comment) of every layout entry; meanSe = 0 and
   * nvar NaN. Centring does not change it.
   */
  public static TheoryPrediction lazyMean(TwoLayerSetup setup) {
    Problem pb = new Problem(setup);
    ObservableLayout layout = new ObservableLayout(pb.p, pb.q);
    TimeGrid grid = setup.grid();
    TheoryPrediction empty = TheoryPrediction.empty(layout, grid);
    double[][] mean = new double[grid.recordCount()][layout.size()];
    int[] record = grid.recordSteps();
    double[] f = new double[pb.points];
    for (int r = 0; r < record.length; r++) {
      int n = record[r];
      for (int mu = 0; mu < pb.p; mu++) {
        f[mu] = pb.y[mu] - pb.errors[n][mu];
      }
      for (int t = 0; t < pb.q; t++) {
        f[pb.p + t] = pb.testPredictions[n][t];
      }
      LayoutWriter.fillInto(layout, pb.c, pb.y, f, pb.k0, pb.phi0, pb.g0, mean[r]);
    }
    return new TheoryPrediction(layout, grid, mean, new double[mean.length][layout.size()],
        empty.nvar(), empty.nvarSe(), MEAN_METHOD, "none");
  }

  /** The lazy mean errors Δ∞_n = (I − η K0_tt)^n y for n = 0..steps (row n). */
  public static double[][] lazyErrors(TwoLayerSetup setup) {
    return new Problem(setup).errors.clone();
  }

  /** Constant-in-time exact N·Var of K, K_train_test, Φ and G. Modified: {@code row}. */
  private static void fillKernelVariancesInto(Problem pb, ObservableLayout layout, double[] row) {
    for (int a = 0; a < pb.p; a++) {
      for (int b = a; b < pb.p; b++) {
        PairMoments m = pb.moments[a][b];
        row[layout.ntk(a, b)] = m.ntkNVar(pb.kx[a][b]);
        row[layout.featureKernel(a, b)] = m.featureNVar();
        row[layout.gradientKernel(a, b)] = m.gradientNVar();
      }
      for (int t = 0; t < pb.q; t++) {
        row[layout.ntkTrainTest(a, t)] = pb.moments[a][pb.p + t].ntkNVar(pb.kx[a][pb.p + t]);
      }
    }
  }

  /**
   * Linear responses at the recorded steps: {@code eps[r][o][s]} of output o to the unit kernel
   * source s, and {@code f0[r][o][a]} to the unit initial output at point a.
   */
  private record Responses(double[][][] eps, double[][][] f0) {}

  /** Runs the linearised recursion on every unit source at once (class comment). */
  private static Responses responses(Problem pb) {
    int m = pb.sources();
    int cols = m + pb.points;
    double[][] dErr = new double[pb.p][cols];
    double[][] dTest = new double[pb.q][cols];
    for (int mu = 0; mu < pb.p; mu++) {
      dErr[mu][m + mu] = -1;
    }
    for (int t = 0; t < pb.q; t++) {
      dTest[t][m + pb.p + t] = 1;
    }
    int[] record = pb.grid.recordSteps();
    double[][][] eps = new double[record.length][pb.outputs()][m];
    double[][][] f0 = new double[record.length][pb.outputs()][pb.points];
    int r = 0;
    double eta = pb.eta;
    for (int n = 0; n <= pb.grid.steps() && r < record.length; n++) {
      if (n == record[r]) {
        recordResponses(pb, n, dErr, dTest, eps[r], f0[r]);
        r++;
      }
      double[] err = pb.errors[n];
      double[][] nextErr = new double[pb.p][cols];
      for (int mu = 0; mu < pb.p; mu++) {
        for (int s = 0; s < cols; s++) {
          double v = dErr[mu][s];
          for (int nu = 0; nu < pb.p; nu++) {
            v -= eta * pb.k0[mu][nu] * dErr[nu][s];
          }
          nextErr[mu][s] = v;
        }
      }
      for (int t = 0; t < pb.q; t++) {
        for (int s = 0; s < cols; s++) {
          double v = 0;
          for (int nu = 0; nu < pb.p; nu++) {
            v += pb.k0[pb.p + t][nu] * dErr[nu][s];
          }
          dTest[t][s] += eta * v;
        }
      }

      // Kernel sources: ε_ab (a ≤ b) perturbs K_ab and K_ba by 1.
      for (int s = 0; s < m; s++) {
        int a = pb.sourceA[s];
        int b = pb.sourceB[s];
        if (b < pb.p) {
          nextErr[a][s] -= eta * err[b];
          if (a != b) {
            nextErr[b][s] -= eta * err[a];
          }
        } else {
          dTest[b - pb.p][s] += eta * err[a];
        }
      }
      dErr = nextErr;
    }
    return new Responses(eps, f0);
  }

  /** Outputs o: 0..P−1 errors (= −f_train), P..P+Q−1 test predictions, P+Q the loss. */
  private static void recordResponses(Problem pb, int n, double[][] dErr, double[][] dTest,
      double[][] eps, double[][] f0) {
    int m = pb.sources();
    for (int s = 0; s < m + pb.points; s++) {
      double loss = 0;
      for (int mu = 0; mu < pb.p; mu++) {
        store(eps, f0, m, mu, s, dErr[mu][s]);
        loss += pb.c * pb.errors[n][mu] * dErr[mu][s];
      }
      for (int t = 0; t < pb.q; t++) {
        store(eps, f0, m, pb.p + t, s, dTest[t][s]);
      }
      store(eps, f0, m, pb.p + pb.q, s, loss);
    }
  }

  private static void store(double[][] eps, double[][] f0, int m, int o, int s, double v) {
    if (s < m) {
      eps[o][s] = v;
    } else {
      f0[o][s - m] = v;
    }
  }

  /** N·Var of every error-driven output at every record: R_ε κ R_εᵀ + R_f Φ0 R_fᵀ / γ0². */
  private static double[][] outputVariances(Problem pb, Responses resp, double[][] kappa) {
    int records = resp.eps().length;
    double[][] out = new double[records][pb.outputs()];
    double f0Scale = pb.centred ? 0 : 1 / (pb.gamma0 * pb.gamma0);
    for (int r = 0; r < records; r++) {
      for (int o = 0; o < pb.outputs(); o++) {
        double v = quadraticForm(kappa, resp.eps()[r][o]);
        if (f0Scale > 0) {
          v += f0Scale * quadraticForm(pb.phi0, resp.f0()[r][o]);
        }
        out[r][o] = v;
      }
    }
    return out;
  }

  /** xᵀ A x. */
  private static double quadraticForm(double[][] a, double[] x) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      double row = 0;
      for (int j = 0; j < x.length; j++) {
        row += a[i][j] * x[j];
      }
      s += x[i] * row;
    }
    return s;
  }

  private static double average(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double standardError(double[] v, double mean) {
    double s = 0;
    for (double x : v) {
      s += (x - mean) * (x - mean);
    }
    return Math.sqrt(s / (v.length - 1) / v.length);
  }

  /** Everything fixed by the setup: kernels, lazy mean trajectory and the source list. */
  private static final class Problem {
    final TwoLayerSetup setup;
    final TimeGrid grid;
    final Activation act;
    final int p;
    final int q;
    final int points;
    final double c;
    final double eta;
    final double gamma0;
    final boolean centred;
    final double[] y;
    final double[][] kx;
    final PairMoments[][] moments;
    final double[][] k0;
    final double[][] phi0;
    final double[][] g0;
    /** Δ∞_n, n = 0..steps. */
    final double[][] errors;
    /** f∞_test,n, n = 0..steps. */
    final double[][] testPredictions;
    /** Kernel sources s = (sourceA[s], sourceB[s]): train pairs a ≤ b, then train × test. */
    final int[] sourceA;
    final int[] sourceB;

    Problem(TwoLayerSetup setup) {
      this.setup = setup;
      this.grid = setup.grid();
      this.act = setup.activation();
      this.p = setup.task().trainPoints();
      this.q = setup.task().testPoints();
      this.points = p + q;
      this.c = setup.lossFactor();
      this.eta = setup.eta();
      this.gamma0 = setup.gamma0();
      this.centred = setup.centred();
      this.y = setup.task().trainTargets();
      this.kx = setup.task().inputKernel();
      this.moments = SingleSiteMoments.allPairs(act, kx);
      this.k0 = new double[points][points];
      this.phi0 = new double[points][points];
      this.g0 = new double[points][points];
      for (int a = 0; a < points; a++) {
        for (int b = 0; b < points; b++) {
          k0[a][b] = moments[a][b].ntk(kx[a][b]);
          phi0[a][b] = moments[a][b].m0();
          g0[a][b] = moments[a][b].m1();
        }
      }
      int steps = grid.steps();
      this.errors = new double[steps + 1][];
      this.testPredictions = new double[steps + 1][q];
      errors[0] = y.clone();
      for (int n = 0; n < steps; n++) {
        errors[n + 1] = new double[p];
        for (int mu = 0; mu < p; mu++) {
          double v = errors[n][mu];
          for (int nu = 0; nu < p; nu++) {
            v -= eta * k0[mu][nu] * errors[n][nu];
          }
          errors[n + 1][mu] = v;
        }
        for (int t = 0; t < q; t++) {
          double v = testPredictions[n][t];
          for (int nu = 0; nu < p; nu++) {
            v += eta * k0[p + t][nu] * errors[n][nu];
          }
          testPredictions[n + 1][t] = v;
        }
      }
      int m = p * (p + 1) / 2 + p * q;
      this.sourceA = new int[m];
      this.sourceB = new int[m];
      int s = 0;
      for (int a = 0; a < p; a++) {
        for (int b = a; b < p; b++) {
          sourceA[s] = a;
          sourceB[s++] = b;
        }
      }
      for (int a = 0; a < p; a++) {
        for (int t = 0; t < q; t++) {
          sourceA[s] = a;
          sourceB[s++] = p + t;
        }
      }
    }

    int sources() {
      return sourceA.length;
    }

    int outputs() {
      return p + q + 1;
    }

    /** Layout index of output o (errors map to f_train, whose variance is the same). */
    int outputIndex(ObservableLayout layout, int o) {
      if (o < p) {
        return layout.predictionTrain(o);
      }
      return o < p + q ? layout.predictionTest(o - p) : layout.lossIndex();
    }

    /** Isserlis: Cov(k_ab, k_cd) = Kx_ac Kx_bd + Kx_ad Kx_bc + 2 Kx_ab Kx_cd. */
    double[][] linearCovariance() {
      int m = sources();
      double[][] kappa = new double[m][m];
      for (int s = 0; s < m; s++) {
        int a = sourceA[s];
        int b = sourceB[s];
        for (int u = 0; u < m; u++) {
          int cc = sourceA[u];
          int d = sourceB[u];
          kappa[s][u] = kx[a][cc] * kx[b][d] + kx[a][d] * kx[b][cc] + 2 * kx[a][b] * kx[cc][d];
        }
      }
      return kappa;
    }

    /**
     * One batch's estimate of Cov(k_s, k_u) = E[u_s u_u] + Kx_u E[u_s v_u] + Kx_s E[v_s u_u]
     * + 3 Kx_s Kx_u E[v_s v_u] − K0_s K0_u, with u = φ_aφ_b, v = φ'_aφ'_b sampled over
     * h ~ N(0, Kx), exact K0, and the exact variance on the diagonal.
     */
    double[][] sampledCovariance(NormalSource normals, int samples) {
      int m = sources();
      double[][] factor = SymmetricEigen.psdFactor(kx);
      double[][] uu = new double[m][m];
      double[][] uv = new double[m][m];
      double[][] vv = new double[m][m];
      double[] xi = new double[points];
      double[] phi = new double[points];
      double[] dphi = new double[points];
      double[] u = new double[m];
      double[] v = new double[m];
      for (int j = 0; j < samples; j++) {
        for (int i = 0; i < points; i++) {
          xi[i] = normals.next();
        }
        for (int i = 0; i < points; i++) {
          double h = 0;
          for (int k = 0; k < points; k++) {
            h += factor[i][k] * xi[k];
          }
          phi[i] = act.value(h);
          dphi[i] = act.derivative(h);
        }
        for (int s = 0; s < m; s++) {
          u[s] = phi[sourceA[s]] * phi[sourceB[s]];
          v[s] = dphi[sourceA[s]] * dphi[sourceB[s]];
        }
        for (int s = 0; s < m; s++) {
          double us = u[s];
          double vs = v[s];
          double[] uuRow = uu[s];
          double[] uvRow = uv[s];
          double[] vvRow = vv[s];
          for (int w = s; w < m; w++) {
            uuRow[w] += us * u[w];
            vvRow[w] += vs * v[w];
          }
          for (int w = 0; w < m; w++) {
            uvRow[w] += us * v[w];
          }
        }
      }
      double[][] kappa = new double[m][m];
      for (int s = 0; s < m; s++) {
        double kxS = kx[sourceA[s]][sourceB[s]];
        double k0S = k0[sourceA[s]][sourceB[s]];
        for (int w = s; w < m; w++) {
          double kxW = kx[sourceA[w]][sourceB[w]];
          double k0W = k0[sourceA[w]][sourceB[w]];
          double cov = (uu[s][w] + kxW * uv[s][w] + kxS * uv[w][s] + 3 * kxS * kxW * vv[s][w])
              / samples - k0S * k0W;
          kappa[s][w] = cov;
          kappa[w][s] = cov;
        }
        kappa[s][s] = moments[sourceA[s]][sourceB[s]].ntkNVar(kxS);
      }
      return kappa;
    }
  }
}
