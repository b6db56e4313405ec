package io.finitewidth.dmft;

import io.finitewidth.model.Activation;
import io.finitewidth.model.NormalSource;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.SymmetricEigen;
import io.finitewidth.model.Task;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;
import java.util.stream.IntStream;

/**
 * Forward-time particle solver of the infinite-width two-layer DMFT (THEORY.md §3) for any
 * activation, in discrete steps.
 *
 * <p>Each particle j is one draw of the single-site process: z(0) ~ N(0, 1) and h(0) ~ N(0, Kx)
 * on all P + Q points (train first), drawn as h(0) = L ξ with L Lᵀ = Kx from
 * {@link SymmetricEigen#psdFactor}, so a singular Kx is fine. Pre-activations move only along the
 * training inputs, h_ν(n) = h_ν(0) + Σ_μ Kx_νμ a_μ(n), and with η = c · dt each step n → n + 1 is
 *
 * <pre>
 *   z   ← z   + γ0 η Σ_μ Δ_μ(n) φ(h_μ(n))
 *   a_μ ← a_μ + γ0 η Δ_μ(n) z(n) φ'(h_μ(n))
 *   f_ν(n) = (1/γ0) ⟨ z(n) φ(h_ν(n)) − z(0) φ(h_ν(0)) ⟩,   Δ_μ(n) = y_μ − f_μ(n)
 *   K_ab = ⟨φ_a φ_b⟩ + ⟨z² φ'_a φ'_b⟩ Kx_ab,  Φ_ab = ⟨φ_a φ_b⟩,  G_ab = ⟨z² φ'_a φ'_b⟩
 * </pre>
 *
 * where ⟨·⟩ is the particle average. The discrete map is the exact infinite-width limit of
 * gradient descent with the same dt.
 *
 * <p>The prediction is estimated from the increment zφ(h) − z(0)φ(h(0)): since
 * ⟨z(0)φ(h(0))⟩ = 0 exactly at infinite width, subtracting the particles' own estimate of it is an
 * unbiased control variate that removes the O(1/(γ0 √S)) noise of the initial output, which would
 * otherwise swamp small-γ0 runs. Centred and uncentred networks therefore get the same mean, as
 * they must at infinite width.
 *
 * <p>Monte-Carlo error: the S particles are split into R independent replicas (each its own
 * self-consistent solve from its own seed); the mean is the replica average and its standard
 * error is the replica standard deviation / √R. The loss is (c/2) Σ_μ Δ̄_μ² from the averaged
 * errors, with a delta-method error (replica spread of c Σ_μ Δ̄_μ Δ_μ^(r)). A replica's nonlinear
 * bias is O(1/(S/R)), far below the standard error for the default sizes.
 *
 * <p>Random numbers: one {@link NormalSource} per replica, split in order from the seed, so results
 * are reproducible regardless of threads.
 */
public final class ParticleDmft {
  /** The {@link TheoryPrediction#meanMethod()} label of this solver. */
  public static final String METHOD = "particles";
  /** Replicas used for the standard error: 16 gives the SE to ±18 % (1/√(2(R−1))). */
  public static final int DEFAULT_REPLICAS = 16;

  private ParticleDmft() {}

  /** {@link #solve(TwoLayerSetup, int, int, long)} with {@value #DEFAULT_REPLICAS} replicas. */
  public static TheoryPrediction solve(TwoLayerSetup setup, int particles, long seed) {
    return solve(setup, particles, DEFAULT_REPLICAS, seed);
  }

  /**
   * Infinite-width means and their Monte-Carlo standard errors of every layout entry at the
   * recorded steps; nvar is left NaN.
   *
   * @param particles S, the total number of particles (split evenly over the replicas)
   * @param replicas R ≥ 2 independent replicas used for the standard error
   * @throws IllegalArgumentException if S < 2R or R < 2
   * @throws ArithmeticException if the dynamics diverge, naming the step, γ0 and seed
   */
  public static TheoryPrediction solve(TwoLayerSetup setup, int particles, int replicas,
      long seed) {
    if (replicas < 2) {
      throw new IllegalArgumentException("replicas must be at least 2, got " + replicas);
    }
    if (particles < 2 * replicas) {
      throw new IllegalArgumentException("particles must be at least 2 per replica: particles = "
          + particles + ", replicas = " + replicas);
    }
    Task task = setup.task();
    ObservableLayout layout = new ObservableLayout(task.trainPoints(), task.testPoints());
    double[][] factor = SymmetricEigen.psdFactor(task.inputKernel());
    NormalSource master = new NormalSource(seed);
    NormalSource[] sources = new NormalSource[replicas];
    for (int r = 0; r < replicas; r++) {
      sources[r] = master.split();
    }
    int perReplica = particles / replicas;
    double[][][] rows = new double[replicas][][];
    IntStream.range(0, replicas).parallel().forEach(r ->
        rows[r] = new Replica(setup, layout, factor, perReplica, sources[r], seed, r).run());
    return combine(setup, layout, rows);
  }

  /** Replica mean and standard error per entry; the loss from the averaged errors. */
  private static TheoryPrediction combine(TwoLayerSetup setup, ObservableLayout layout,
      double[][][] rows) {
    int replicas = rows.length;
    int times = rows[0].length;
    int size = layout.size();
    int p = layout.trainPoints();
    double c = setup.lossFactor();
    double[] y = setup.task().trainTargets();
    double[][] mean = new double[times][size];
    double[][] se = new double[times][size];
    for (int t = 0; t < times; t++) {
      for (int k = 0; k < size; k++) {
        double[] values = new double[replicas];
        for (int r = 0; r < replicas; r++) {
          values[r] = rows[r][t][k];
        }
        mean[t][k] = average(values);
        se[t][k] = standardError(values, mean[t][k]);
      }
      double[] errBar = new double[p];
      double loss = 0;
      for (int mu = 0; mu < p; mu++) {
        errBar[mu] = y[mu] - mean[t][layout.predictionTrain(mu)];
        loss += 0.5 * c * errBar[mu] * errBar[mu];
      }
      double[] linear = new double[replicas];
      for (int r = 0; r < replicas; r++) {
        for (int mu = 0; mu < p; mu++) {
          linear[r] += c * errBar[mu] * (y[mu] - rows[r][t][layout.predictionTrain(mu)]);
        }
      }
      mean[t][layout.lossIndex()] = loss;
      se[t][layout.lossIndex()] = standardError(linear, average(linear));
    }
    TheoryPrediction empty = TheoryPrediction.empty(layout, setup.grid());
    return new TheoryPrediction(layout, setup.grid(), mean, se, empty.nvar(), empty.nvarSe(),
        METHOD, "none");
  }

  private static double average(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  /** √(s²/R) with s² the unbiased variance of the R replica values. */
  private static double standardError(double[] v, double mean) {
    double s = 0;
    for (double x : v) {
      s += (x - mean) * (x - mean);
    }
    return Math.sqrt(s / (v.length - 1) / v.length);
  }

  /** One self-consistent solve with its own particles. */
  private static final class Replica {
    private final TwoLayerSetup setup;
    private final ObservableLayout layout;
    private final Activation act;
    private final double[][] kx;
    private final double[] y;
    private final int size;
    private final int points;
    private final int p;
    private final long seed;
    private final int index;
    private final double[] z;
    private final double[] z0;
    private final double[][] h0;
    private final double[][] psi0;
    private final double[][] a;
    private final double[][] phiTrain;
    private final double[][] dphiTrain;

    Replica(TwoLayerSetup setup, ObservableLayout layout, double[][] factor, int size,
        NormalSource normals, long seed, int index) {
      this.setup = setup;
      this.layout = layout;
      this.act = setup.activation();
      this.kx = setup.task().inputKernel();
      this.y = setup.task().trainTargets();
      this.size = size;
      this.points = kx.length;
      this.p = setup.task().trainPoints();
      this.seed = seed;
      this.index = index;
      this.z = new double[size];
      this.z0 = new double[size];
      this.h0 = new double[size][points];
      this.psi0 = new double[size][points];
      this.a = new double[size][p];
      this.phiTrain = new double[size][p];
      this.dphiTrain = new double[size][p];
      double[] xi = new double[points];
      for (int j = 0; j < size; j++) {
        z[j] = normals.next();
        z0[j] = z[j];
        for (int i = 0; i < points; i++) {
          xi[i] = normals.next();
        }
        for (int i = 0; i < points; i++) {
          double s = 0;
          for (int k = 0; k < points; k++) {
            s += factor[i][k] * xi[k];
          }
          h0[j][i] = s;
          psi0[j][i] = z0[j] * act.value(s);
        }
      }
    }

    /** The layout rows at the recorded steps. */
    double[][] run() {
      int[] record = setup.grid().recordSteps();
      double[][] rows = new double[record.length][layout.size()];
      double step = setup.gamma0() * setup.eta();
      int r = 0;
      for (int n = 0; n <= setup.grid().steps() && r < record.length; n++) {
        if (n == record[r]) {
          recordInto(rows[r], n);
          r++;
        }
        evaluateTrainFields();
        double[] err = errors();

        // Move every particle with the errors of step n.
        for (int j = 0; j < size; j++) {
          double dz = 0;
          for (int mu = 0; mu < p; mu++) {
            dz += err[mu] * phiTrain[j][mu];
            a[j][mu] += step * err[mu] * z[j] * dphiTrain[j][mu];
          }
          z[j] += step * dz;
        }
      }
      return rows;
    }

    /** φ(h_μ) and φ'(h_μ) of every particle on the training points. */
    private void evaluateTrainFields() {
      for (int j = 0; j < size; j++) {
        for (int mu = 0; mu < p; mu++) {
          double h = preActivation(j, mu);
          phiTrain[j][mu] = act.value(h);
          dphiTrain[j][mu] = act.derivative(h);
        }
      }
    }

    /** h_ν = h_ν(0) + Σ_μ Kx_νμ a_μ. */
    private double preActivation(int j, int nu) {
      double h = h0[j][nu];
      double[] aj = a[j];
      double[] kxRow = kx[nu];
      for (int mu = 0; mu < p; mu++) {
        h += kxRow[mu] * aj[mu];
      }
      return h;
    }

    /** Δ_μ = y_μ − (1/γ0) ⟨zφ(h_μ) − z(0)φ(h_μ(0))⟩, from the current train fields. */
    private double[] errors() {
      double[] sum = new double[p];
      for (int j = 0; j < size; j++) {
        for (int mu = 0; mu < p; mu++) {
          sum[mu] += z[j] * phiTrain[j][mu] - psi0[j][mu];
        }
      }
      double[] err = new double[p];
      for (int mu = 0; mu < p; mu++) {
        err[mu] = y[mu] - sum[mu] / (size * setup.gamma0());
        if (!Double.isFinite(err[mu])) {
          throw new ArithmeticException("particle DMFT error signal " + mu + " is " + err[mu]
              + " (gamma0 = " + setup.gamma0() + ", seed = " + seed + ", replica = " + index
              + "); the step dt = " + setup.grid().dt() + " is probably unstable");
        }
      }
      return err;
    }

    /** Particle averages of f, K, Φ, G at step n into {@code row}. Modified: {@code row}. */
    private void recordInto(double[] row, int n) {
      double[] f = new double[points];
      double[][] phiPhi = new double[points][points];
      double[][] zzDphiDphi = new double[points][points];
      double[] phi = new double[points];
      double[] dphi = new double[points];
      for (int j = 0; j < size; j++) {
        for (int nu = 0; nu < points; nu++) {
          double h = preActivation(j, nu);
          phi[nu] = act.value(h);
          dphi[nu] = act.derivative(h);
          f[nu] += z[j] * phi[nu] - psi0[j][nu];
        }
        double zz = z[j] * z[j];
        for (int b = 0; b < p; b++) {
          for (int c = b; c < points; c++) {
            phiPhi[b][c] += phi[b] * phi[c];
            zzDphiDphi[b][c] += zz * dphi[b] * dphi[c];
          }
        }
      }
      double[][] ntk = new double[points][points];
      for (int b = 0; b < p; b++) {
        for (int c = b; c < points; c++) {
          phiPhi[b][c] /= size;
          zzDphiDphi[b][c] /= size;
          phiPhi[c][b] = phiPhi[b][c];
          zzDphiDphi[c][b] = zzDphiDphi[b][c];
          ntk[b][c] = phiPhi[b][c] + zzDphiDphi[b][c] * kx[b][c];
          ntk[c][b] = ntk[b][c];
        }
      }
      for (int nu = 0; nu < points; nu++) {
        f[nu] /= size * setup.gamma0();
      }
      LayoutWriter.fillInto(layout, setup.lossFactor(), y, f, ntk, phiPhi, zzDphiDphi, row);
      LayoutWriter.requireFinite(layout, row, n, "particle DMFT (gamma0 = " + setup.gamma0()
          + ", seed = " + seed + ", replica = " + index + ")");
    }
  }
}
