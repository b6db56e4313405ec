package io.finitewidth.dmft;

import io.finitewidth.model.Activation;
import io.finitewidth.model.GaussianQuadrature;
import io.finitewidth.model.OnlineSetup;
import io.finitewidth.model.OnlineTask;

/**
 * Online learning of a two-layer LINEAR network (THEORY-online.md §2–3), exact in discrete time.
 *
 * <p>The network is summarised by C = (1/N) Σ_i w0_i w0_iᵀ (D × D), β = (1/N) Σ_i w_i w0_i and
 * g = (1/N) Σ_i w_i²; f(x) = β·x/(γ0 √D). With M = (1/B) Σ_batch Δ_μ x_μ/√D (B = ∞: M = e/D for a
 * linear teacher, e = b − β/γ0 the error vector) and η = dt · γ0, one step maps, with old values
 * on the right,
 *
 * <pre>
 *   C ← C + η (β Mᵀ + M βᵀ) + η² g M Mᵀ
 *   β ← β + η (g M + C M) + η² (β·M) M
 *   g ← g + 2 η β·M + η² Mᵀ C M
 * </pre>
 *
 * <p>{@link #run} applies this map from any initial state with the task's batches, so it gives
 * both the infinite-width reference (C = I, β = 0, g = 1) driven by the same batches as a finite
 * network (common random numbers, §6) and, started from a network's own (C, β, g), that network's
 * exact trajectory. {@link #populationLoss} is the two-number recursion of §3 for B = ∞:
 *
 * <pre>
 *   u_0 = v_0 = 1,  ε_n = √D − (u_n − v_n)/(2γ0),  m_n = ε_n/D,
 *   u_{n+1} = u_n (1 + η m_n)²,  v_{n+1} = v_n (1 − η m_n)²,  L∞(n) = ε_n²/(2D).
 * </pre>
 *
 * <p>Limitations: nonlinear networks (tanh) have no finite set of sufficient statistics; their
 * infinite-width online curve is obtained by simulation only (a wide particle run of the
 * ensemble trainer with antithetic readouts, THEORY-online.md §3 and §9), not by this class.
 */
public final class OnlineDmft {

  private OnlineDmft() {}

  /**
   * L∞(n) for n = 0 … steps, B = ∞, linear network and linear teacher with |b|² = D, by the
   * (u, v) recursion of THEORY-online.md §3. Centring does not change the infinite-width curve
   * (β_init = 0 there).
   *
   * @throws ArithmeticException if the recursion diverges (dt too large)
   */
  public static double[] populationLoss(int dim, double gamma0, double dt, int steps) {
    requirePositive(dim, gamma0, dt, steps);
    double eta = dt * gamma0;
    double rootDim = Math.sqrt(dim);
    double u = 1;
    double v = 1;
    double[] loss = new double[steps + 1];
    for (int n = 0; n <= steps; n++) {
      double error = rootDim - (u - v) / (2 * gamma0);
      loss[n] = error * error / (2 * dim);
      if (!Double.isFinite(loss[n])) {
        throw new ArithmeticException("online recursion diverged at step " + n + " (D = " + dim
            + ", gamma0 = " + gamma0 + ", dt = " + dt + ")");
      }
      double m = error / dim;
      u *= (1 + eta * m) * (1 + eta * m);
      v *= (1 - eta * m) * (1 - eta * m);
    }
    return loss;
  }

  /**
   * The gradient-flow limit dt → 0 of §3: u v = 1, u = e^s, ds/dt = (2/D)(γ0 √D − sinh s),
   * L∞ = (γ0 √D − sinh s)² / (2 D γ0²), integrated by classical RK4 with {@code substeps} equal
   * steps per unit of time. Only for comparison with the discrete map (never compare a discrete
   * simulation with this, §8).
   *
   * @param times increasing times t ≥ 0
   */
  public static double[] gradientFlowLoss(int dim, double gamma0, double[] times, int substeps) {
    requirePositive(dim, gamma0, 1, substeps);
    double target = gamma0 * Math.sqrt(dim);
    double h = 1.0 / substeps;
    double s = 0;
    double t = 0;
    double[] loss = new double[times.length];
    for (int k = 0; k < times.length; k++) {
      while (t < times[k] - 1e-12) {
        double step = Math.min(h, times[k] - t);
        double k1 = flowRate(s, target, dim);
        double k2 = flowRate(s + 0.5 * step * k1, target, dim);
        double k3 = flowRate(s + 0.5 * step * k2, target, dim);
        double k4 = flowRate(s + step * k3, target, dim);
        s += step * (k1 + 2 * k2 + 2 * k3 + k4) / 6;
        t += step;
      }
      double residual = target - Math.sinh(s);
      loss[k] = residual * residual / (2 * dim * gamma0 * gamma0);
    }
    return loss;
  }

  private static double flowRate(double s, double target, int dim) {
    return 2.0 / dim * (target - Math.sinh(s));
  }

  /**
   * Chi-square grid for {@link #initialOutputCorrection(Activation, int, double)}: trapezoid on
   * s = |x|² ∈ (0, D + 40√(2D)] with this many points, self-normalised; the integrand is smooth
   * and the neglected tail beyond 40 standard deviations is below 1e-30.
   */
  private static final int CHI_SQUARE_POINTS = 20_000;

  /**
   * N (E L_N(0) − L∞(0)) for the uncentred network at any width (THEORY-online.md §7e): the
   * initial output has mean 0 and E_x Var f_init(x) = E_x E φ(h)² / (γ0² N), so the excess is
   * E_x E φ(h)² / (2 γ0²) exactly, here over the population x ~ N(0, I_D): h | x ~
   * N(0, |x|²/D) with |x|² ~ χ²_D.
   */
  public static double initialOutputCorrection(Activation activation, int dim, double gamma0) {
    double top = dim + 40 * Math.sqrt(2.0 * dim);
    double step = top / CHI_SQUARE_POINTS;
    double mass = 0;
    double sum = 0;
    for (int k = 1; k <= CHI_SQUARE_POINTS; k++) {
      double s = k * step;
      double density = Math.exp((dim / 2.0 - 1) * Math.log(s) - s / 2);
      double weight = k == CHI_SQUARE_POINTS ? 0.5 * density : density;
      mass += weight;
      sum += weight * secondMoment(activation, s / dim);
    }
    return sum / mass / (2 * gamma0 * gamma0);
  }

  /** The same on a fixed test set: mean_q E φ(h_q)² / (2 γ0²), h_q ~ N(0, |x_q|²/D). */
  public static double initialOutputCorrection(Activation activation, double[][] testInputs,
      double gamma0) {
    double sum = 0;
    for (double[] x : testInputs) {
      double norm2 = 0;
      for (double v : x) {
        norm2 += v * v;
      }
      sum += secondMoment(activation, norm2 / x.length);
    }
    return sum / testInputs.length / (2 * gamma0 * gamma0);
  }

  private static double secondMoment(Activation activation, double variance) {
    return GaussianQuadrature.TANH_RULE.expect(variance, h -> {
      double phi = activation.value(h);
      return phi * phi;
    });
  }

  /** One linear-network trajectory of the exact map, at the setup's recorded steps. */
  public record LinearRun(int[] recordSteps, double[] populationLoss, double[] testLoss,
      double[][] errorVectors, double[][] testPredictions) {}

  /** The infinite-width state C = I, β = 0, g = 1 run with the setup's batches. */
  public static LinearRun infiniteWidth(OnlineSetup setup) {
    int d = setup.task().dim();
    double[][] c = new double[d][d];
    for (int i = 0; i < d; i++) {
      c[i][i] = 1;
    }
    return run(setup, c, new double[d], 1.0);
  }

  /**
   * Runs the exact map from (C, β, g) with the setup's batches (B = ∞: M = e/D). The population
   * loss |e|²/(2D) is NaN for a tanh teacher; the test loss (1/2) mean_q (y_q − f_q)² is NaN
   * without test points. Centred: f uses β − β_init. Not modified: the arguments.
   *
   * @throws IllegalArgumentException if the activation is not linear
   * @throws ArithmeticException if the trajectory becomes non-finite
   */
  public static LinearRun run(OnlineSetup setup, double[][] c0, double[] beta0, double g0) {
    if (setup.activation() != Activation.LINEAR) {
      throw new IllegalArgumentException("the exact online map needs a linear network, got "
          + setup.activation().label() + "; nonlinear networks: simulation only");
    }
    OnlineTask task = setup.task();
    int d = task.dim();
    double rootDim = Math.sqrt(d);
    double gamma0 = setup.gamma0();
    double eta = setup.eta();
    double[] b = task.teacher();
    double[][] test = task.testInputs();
    double[] testTargets = task.testTargets();
    boolean linearTeacher = task.link() == OnlineTask.Link.LINEAR;
    int[] record = setup.grid().recordSteps();
    int steps = setup.grid().steps();

    double[][] c = new double[d][];
    for (int i = 0; i < d; i++) {
      c[i] = c0[i].clone();
    }
    double[] beta = beta0.clone();
    double[] betaInit = setup.centred() ? beta0.clone() : new double[d];
    double g = g0;

    double[] populationLoss = new double[record.length];
    double[] testLoss = new double[record.length];
    double[][] errorVectors = new double[record.length][];
    double[][] testPredictions = new double[record.length][];
    int r = 0;
    for (int n = 0; n <= steps && r < record.length; n++) {
      // Effective readout direction β − β_init (centred) and error vector e = b − that/γ0.
      double[] readout = new double[d];
      double[] e = new double[d];
      for (int i = 0; i < d; i++) {
        readout[i] = beta[i] - betaInit[i];
        e[i] = b[i] - readout[i] / gamma0;
      }
      if (n == record[r]) {
        populationLoss[r] = linearTeacher ? dot(e, e) / (2 * d) : Double.NaN;
        double[] f = new double[test.length];
        double sum = 0;
        for (int q = 0; q < test.length; q++) {
          f[q] = dot(readout, test[q]) / (gamma0 * rootDim);
          double residual = testTargets[q] - f[q];
          sum += residual * residual;
        }
        testLoss[r] = test.length == 0 ? Double.NaN : 0.5 * sum / test.length;
        errorVectors[r] = e;
        testPredictions[r] = f;
        if (!Double.isFinite(dot(e, e)) || !Double.isFinite(g)) {
          throw new ArithmeticException("online map became non-finite at step " + n
              + " (gamma0 = " + gamma0 + ", dt = " + setup.grid().dt() + ")");
        }
        r++;
      }
      if (n == steps) {
        break;
      }

      double[] m = errorDirection(setup, n, readout, e);

      // One exact step, every right-hand side at step n.
      double[] cm = new double[d];
      for (int i = 0; i < d; i++) {
        cm[i] = dot(c[i], m);
      }
      double betaDotM = dot(beta, m);
      double mcm = dot(m, cm);
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < d; j++) {
          c[i][j] += eta * (beta[i] * m[j] + m[i] * beta[j]) + eta * eta * g * m[i] * m[j];
        }
      }
      double[] next = new double[d];
      for (int i = 0; i < d; i++) {
        next[i] = beta[i] + eta * (g * m[i] + cm[i]) + eta * eta * betaDotM * m[i];
      }
      g += 2 * eta * betaDotM + eta * eta * mcm;
      beta = next;
    }
    return new LinearRun(record, populationLoss, testLoss, errorVectors, testPredictions);
  }

  /** M = (1/B) Σ_μ Δ_μ x_μ/√D over step n's batch, or e/D for B = ∞. */
  private static double[] errorDirection(OnlineSetup setup, int n, double[] readout,
      double[] e) {
    OnlineTask task = setup.task();
    int d = task.dim();
    double[] m = new double[d];
    if (setup.population()) {
      for (int i = 0; i < d; i++) {
        m[i] = e[i] / d;
      }
      return m;
    }
    int batch = setup.batchSize();
    double rootDim = Math.sqrt(d);
    double[][] x = task.batchInputs(n, batch);
    double[] y = task.targets(x);
    for (int mu = 0; mu < batch; mu++) {
      double residual = y[mu] - dot(readout, x[mu]) / (setup.gamma0() * rootDim);
      for (int i = 0; i < d; i++) {
        m[i] += residual * x[mu][i] / (batch * rootDim);
      }
    }
    return m;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static void requirePositive(int dim, double gamma0, double dt, int steps) {
    if (dim < 1 || !(gamma0 > 0) || !(dt > 0) || steps < 0 || Double.isInfinite(gamma0)
        || Double.isInfinite(dt)) {
      throw new IllegalArgumentException("need dim ≥ 1, gamma0 > 0, dt > 0, steps ≥ 0, got "
          + dim + ", " + gamma0 + ", " + dt + ", " + steps);
    }
  }
}
