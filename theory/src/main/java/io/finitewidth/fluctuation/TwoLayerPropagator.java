package io.finitewidth.fluctuation;

import io.finitewidth.model.Activation;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.Task;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Infinite-width means and O(1/N) variances (N·Var) of a two-layer mean-field network trained by
 * discrete gradient descent, from the single-site particle DMFT and its linear-response
 * propagator (Bordelon and Pehlevan 2023, arXiv 2304.03408; algorithm of THEORY.md §4).
 *
 * <p><b>Single-site process</b> (discrete, exact at infinite width). Each particle has
 * z(0) ~ N(0, 1), h(0) ~ N(0, Kx) on all P + Q points (sampled as h_a(0) = w0·x_a/√D with
 * w0 ~ N(0, I_D)) and a(0) = 0. With η = c·dt and the state at step n:
 *
 * <pre>
 *   h_a(n)      = h_a(0) + Σ_μ Kx_aμ a_μ(n)
 *   z(n+1)      = z(n) + η γ0 Σ_μ Δ_μ(n) φ(h_μ(n))
 *   a_μ(n+1)    = a_μ(n) + η γ0 Δ_μ(n) z(n) φ'(h_μ(n))
 *   ψ_a(n)      = z(n) φ(h_a(n)),   f_a(n) = ⟨ψ_a(n)⟩ / γ0,   Δ(n) = y − f_train(n)
 * </pre>
 *
 * Centred networks use ψ(n) − ψ(0) in place of ψ(n) everywhere outputs enter.
 *
 * <p><b>Propagator.</b> The order parameters are the errors Δ_n ∈ R^P at every step. A width-N
 * network is the same process with the population average replaced by the average over its N
 * neurons, so to first order δΔ = u + D δΔ with source u = −(ψ − ⟨ψ⟩)/γ0 (one sample per neuron)
 * and {@code D_(n,μ),(m,ν) = −(1/γ0) ∂⟨ψ_μ(n)⟩/∂Δ_ν(m)}, nonzero only for m < n (causality). Per
 * particle j (steps of THEORY.md §4):
 *
 * <ol>
 *   <li>the mean field Δ∞ from S particles, storing every particle's ψ_train at every step;
 *   <li>tangent-linear derivatives of (z, a) with respect to every earlier Δ_(m,ν), on the first
 *       S_D particles, averaged into D and into the Jacobians J_O = ∂⟨O⟩/∂Δ of every other
 *       observable O (test outputs ψ_test/γ0, NTK φ_aφ_b + z²φ'_aφ'_b Kx_ab, feature kernel
 *       φ_aφ_b, gradient kernel z²φ'_aφ'_b) at the recorded steps;
 *   <li>{@code (I − D) v_j = u_j} by forward substitution (unit lower block-triangular; no
 *       inverse is formed);
 *   <li>{@code N·Var Δ = mean_j v_j²}, {@code N·Var O = mean_j w_j²} with
 *       {@code w_j = (O_j − ⟨O⟩) + J_O v_j}; the loss L = (c/2) Σ Δ² is linearised,
 *       {@code w_j = c Σ_μ Δ∞_μ v_(j,μ)}.
 * </ol>
 *
 * The uncentred initial-output fluctuation (N·Var f(0) = Φ(0)/γ0²) and its correlation with all
 * later quantities come out of the same construction. Each of the R replicas repeats all four
 * stages on its own random stream; reported values are replica means, and their standard errors
 * are the replica standard deviation / √R.
 *
 * <p><b>Cost</b> per replica, in multiply-adds: tangent pass ≈ S_D · P³ · n²/2 · (a small
 * constant, ~3), Jacobians ≈ S_D · 3 K' · P Σ_r n_r, triangular solve ≈ S · P² · n²/2,
 * variances ≈ S · K' · P Σ_r n_r, with n steps, K' ≈ (P+1)(P/2) · 3 + PQ + Q particle
 * observables, n_r the recorded steps. Memory: S · (n+1) · P doubles for the sources plus
 * (n P)²/2 for D and K' · P Σ_r n_r for the Jacobians, per tangent work block. Measured for
 * P = 6, Q = 3, 100 steps, tanh, S = 4000, S_D = 1000, 4 replicas on a shared 2-core machine:
 * 9 s and ~125 MB of heap recording every 10th step; 44 s and ~490 MB recording every step
 * (the Jacobians and J·v products then dominate).
 *
 * <p><b>ReLU.</b> φ' is a step, so the pathwise tangent misses the term from particles whose h
 * crosses 0 (the average response is smooth because h(0) is Gaussian). Following THEORY-relu.md
 * (method 1), the forward pass, the sources and every observable use exact ReLU, while the
 * tangent pass replaces φ'' (0 almost everywhere) by the unit-area logistic bump
 * {@code k(h) = β s(βh) (1 − s(βh))}, s the logistic function, β = {@link #RELU_KINK_SHARPNESS}.
 * Its results are labelled {@link #NVAR_METHOD_RELU}.
 *
 * <p><b>Limitations.</b> For ReLU the kink term is linearised, which is right only as dt → 0; at
 * dt = 0.2 the late-time NTK variances depend on β (THEORY-relu.md: at γ0 = 1, N·Var K_00(t=20)
 * ≈ 14, 15.7, 17 for β = 8, 16, 32 against 14.9 ± 0.2 simulated), a systematic uncertainty of
 * about ±10 % on late-time NTK variances that the reported standard error does NOT contain;
 * errors and predictions move by less than 3 %. Monte-Carlo noise in D and J biases N·Var
 * upwards by a relative O(1/S_D); the mean Δ∞ has error O(1/√S) and is not suitable for O(1/N)
 * mean corrections. Near the edge of stability (η λ_max(cK) ≈ 2) first-order theory itself
 * breaks down (THEORY.md §6).
 */
public final class TwoLayerPropagator {

  /** Label of the particle means in {@link TheoryPrediction#meanMethod()}. */
  public static final String MEAN_METHOD = "particles";
  /** Label of the propagator variances in {@link TheoryPrediction#nvarMethod()}. */
  public static final String NVAR_METHOD = "propagator";
  /** Label of ReLU variances, which carry the kink term's systematic error (see above). */
  public static final String NVAR_METHOD_RELU = "propagator_relu_kink";

  /**
   * β of the logistic bump standing in for ReLU's φ'' in the tangent pass: 16 matched simulated
   * ensembles best at dt = 0.2 (THEORY-relu.md; 8 came out low, 32 high).
   */
  public static final double RELU_KINK_SHARPNESS = 16.0;

  /**
   * Fixed partition of the particles into work blocks. The results depend on it (floating-point
   * summation order) but not on the number of threads, so a seed reproduces bit for bit.
   */
  private static final int WORK_BLOCKS = 8;

  /**
   * Particles per work unit in the triangular solve and the variance sums: small enough that a
   * unit's sources, 128 · (n+1) · P doubles (≈ 0.6 MB for P = 6, n = 100), stay in cache.
   */
  private static final int PARTICLE_BLOCK = 128;

  private static final int KIND_OUTPUT = 0;
  private static final int KIND_FEATURE = 1;
  private static final int KIND_GRADIENT = 2;
  private static final int KIND_NTK = 3;

  private TwoLayerPropagator() {}

  /**
   * Particle means and propagator N·Var of every {@link ObservableLayout} entry at every
   * recorded step, each with the replica standard error.
   *
   * @throws IllegalStateException if the mean field diverges (names step and seed)
   */
  public static TheoryPrediction predict(TwoLayerSetup setup, PropagatorOptions options) {
    return predict(setup, options, RELU_KINK_SHARPNESS);
  }

  /**
   * As {@link #predict(TwoLayerSetup, PropagatorOptions)} with the bump sharpness β of the ReLU
   * kink term given; β = 0 drops the term (the naive, wrong tangent), which tests use to show
   * that the term matters.
   */
  static TheoryPrediction predict(TwoLayerSetup setup, PropagatorOptions options,
      double kinkSharpness) {
    if (!(kinkSharpness >= 0) || Double.isInfinite(kinkSharpness)) {
      throw new IllegalArgumentException("kink sharpness must be finite and >= 0, got "
          + kinkSharpness);
    }
    ObservableLayout layout = new ObservableLayout(setup.task().trainPoints(),
        setup.task().testPoints());
    int records = setup.grid().recordCount();
    int replicas = options.replicas();
    StandardNormalStream root = new StandardNormalStream(options.seed());
    double[][][] means = new double[replicas][][];
    double[][][] nvars = new double[replicas][][];
    for (int r = 0; r < replicas; r++) {
      Replica replica = new Replica(setup, options, layout, root.split(), r, kinkSharpness);
      replica.run();
      means[r] = replica.mean;
      nvars[r] = replica.nvar;
    }
    double[][] mean = new double[records][layout.size()];
    double[][] meanSe = new double[records][layout.size()];
    double[][] nvar = new double[records][layout.size()];
    double[][] nvarSe = new double[records][layout.size()];
    summarise(means, mean, meanSe);
    summarise(nvars, nvar, nvarSe);
    return new TheoryPrediction(layout, setup.grid(), mean, meanSe, nvar, nvarSe, MEAN_METHOD,
        setup.activation() == Activation.RELU ? NVAR_METHOD_RELU : NVAR_METHOD);
  }

  /**
   * Replica mean and its standard error s/√R (s the unbiased replica standard deviation).
   * Modified: {@code meanInto}, {@code seInto}.
   */
  private static void summarise(double[][][] perReplica, double[][] meanInto, double[][] seInto) {
    int replicas = perReplica.length;
    for (int t = 0; t < meanInto.length; t++) {
      for (int k = 0; k < meanInto[t].length; k++) {
        double s = 0;
        for (double[][] r : perReplica) {
          s += r[t][k];
        }
        double m = s / replicas;
        double ss = 0;
        for (double[][] r : perReplica) {
          ss += (r[t][k] - m) * (r[t][k] - m);
        }
        meanInto[t][k] = m;
        seInto[t][k] = Math.sqrt(ss / (replicas - 1) / replicas);
      }
    }
  }

  /**
   * φ, φ' and the tangent pass's φ'' at h into element p of the three arrays: tanh: φ' = 1 − t²,
   * φ'' = −2 t (1 − t²) with t = tanh h (one evaluation); linear: h, 1, 0; ReLU: max(h, 0), the
   * step, and the bump β s(βh)(1 − s(βh)) = β / (4 cosh²(βh/2)). Modified: phi, dphi, ddphi.
   */
  private static void derivatives(Activation activation, double kinkSharpness, double h, int p,
      double[] phi, double[] dphi, double[] ddphi) {
    if (activation == Activation.RELU) {
      phi[p] = activation.value(h);
      dphi[p] = activation.derivative(h);
      double c = Math.cosh(0.5 * kinkSharpness * h);
      ddphi[p] = kinkSharpness / (4.0 * c * c);
    } else if (activation == Activation.TANH) {
      double t = Math.tanh(h);
      double slope = 1.0 - t * t;
      phi[p] = t;
      dphi[p] = slope;
      ddphi[p] = -2.0 * t * slope;
    } else {
      phi[p] = activation.value(h);
      dphi[p] = activation.derivative(h);
      ddphi[p] = 0.0;
    }
  }

  /** One independent solution of the whole problem on one random stream. */
  private static final class Replica {
    private final TwoLayerSetup setup;
    private final ObservableLayout layout;
    private final Activation activation;
    private final double kinkSharpness;
    private final int replicaIndex;
    private final long seed;
    private final int trainPoints;
    private final int points;
    private final int particles;
    private final int tangentParticles;
    private final int steps;
    private final int[] recordSteps;
    private final int[] recordOf;
    private final double gamma0;
    private final double stepFactor;
    private final boolean centred;
    private final double[][] inputKernel;
    private final double[] targets;
    /** Row length of one particle's sources: (steps + 1) · P. */
    private final int sourceLength;

    // Particle observables other than loss and train predictions (kinds and points a, b).
    private final int[] obsKind;
    private final int[] obsA;
    private final int[] obsB;
    private final int[] obsIndex;

    private final double[] h0;
    private final double[] z0;
    /**
     * ψ_train of every particle at every step, turned into u and then, in place, into v; stored
     * particle-fastest, element (n, μ, j) at {@code (n P + μ) S + j}, so that the triangular solve
     * and the Jacobian products run as vectorisable axpy loops over particles.
     */
    private final double[] sources;
    private final double[][] recordedZ;
    private final double[][] recordedA;
    private final double[][] delta;
    /** D as rows (n, μ) over columns (m < n, ν): block n is P × nP, row-major. */
    private final double[][] response;
    /** J_O at record r: K' × n_r P, row-major. */
    private final double[][] jacobian;

    final double[][] mean;
    final double[][] nvar;

    Replica(TwoLayerSetup setup, PropagatorOptions options, ObservableLayout layout,
        StandardNormalStream normals, int replicaIndex, double kinkSharpness) {
      this.setup = setup;
      this.kinkSharpness = kinkSharpness;
      this.layout = layout;
      this.activation = setup.activation();
      this.replicaIndex = replicaIndex;
      this.seed = options.seed();
      Task task = setup.task();
      this.trainPoints = task.trainPoints();
      this.points = task.trainPoints() + task.testPoints();
      this.particles = options.particles();
      this.tangentParticles = options.tangentParticles();
      TimeGrid grid = setup.grid();
      this.steps = grid.steps();
      this.recordSteps = grid.recordSteps();
      this.recordOf = new int[steps + 1];
      java.util.Arrays.fill(recordOf, -1);
      for (int r = 0; r < recordSteps.length; r++) {
        recordOf[recordSteps[r]] = r;
      }
      this.gamma0 = setup.gamma0();
      this.stepFactor = setup.eta() * gamma0;
      this.centred = setup.centred();
      this.inputKernel = task.inputKernel();
      this.targets = task.trainTargets();
      this.sourceLength = (steps + 1) * trainPoints;

      List<int[]> obs = new ArrayList<>();
      for (int q = 0; q < task.testPoints(); q++) {
        obs.add(new int[] {KIND_OUTPUT, trainPoints + q, trainPoints + q,
            layout.predictionTest(q)});
      }
      for (int a = 0; a < trainPoints; a++) {
        for (int b = a; b < trainPoints; b++) {
          obs.add(new int[] {KIND_NTK, a, b, layout.ntk(a, b)});
          obs.add(new int[] {KIND_FEATURE, a, b, layout.featureKernel(a, b)});
          obs.add(new int[] {KIND_GRADIENT, a, b, layout.gradientKernel(a, b)});
        }
        for (int q = 0; q < task.testPoints(); q++) {
          obs.add(new int[] {KIND_NTK, a, trainPoints + q, layout.ntkTrainTest(a, q)});
        }
      }
      int count = obs.size();
      this.obsKind = new int[count];
      this.obsA = new int[count];
      this.obsB = new int[count];
      this.obsIndex = new int[count];
      for (int k = 0; k < count; k++) {
        obsKind[k] = obs.get(k)[0];
        obsA[k] = obs.get(k)[1];
        obsB[k] = obs.get(k)[2];
        obsIndex[k] = obs.get(k)[3];
      }

      // Initial conditions: h(0) = w0·x/√D on all points, z(0) ~ N(0, 1).
      double[][] inputs = task.allInputs();
      int dim = task.dim();
      double rootDim = Math.sqrt(dim);
      this.h0 = new double[particles * points];
      this.z0 = new double[particles];
      double[] w0 = new double[dim];
      for (int j = 0; j < particles; j++) {
        for (int i = 0; i < dim; i++) {
          w0[i] = normals.next();
        }
        for (int a = 0; a < points; a++) {
          double s = 0;
          for (int i = 0; i < dim; i++) {
            s += w0[i] * inputs[a][i];
          }
          h0[j * points + a] = s / rootDim;
        }
        z0[j] = normals.next();
      }
      this.sources = new double[particles * sourceLength];
      this.recordedZ = new double[recordSteps.length][];
      this.recordedA = new double[recordSteps.length][];
      this.delta = new double[steps + 1][trainPoints];
      this.response = new double[steps + 1][];
      this.jacobian = new double[recordSteps.length][];
      this.mean = new double[recordSteps.length][layout.size()];
      this.nvar = new double[recordSteps.length][layout.size()];
    }

    void run() {
      meanField();
      tangents();
      solveTriangular();
      for (int r = 0; r < recordSteps.length; r++) {
        variances(r);
      }
    }

    /** Pre-activation of particle j at point a given its a-coordinates. */
    private double preActivation(int j, int a, double[] aCoords, int offset) {
      double h = h0[j * points + a];
      for (int mu = 0; mu < trainPoints; mu++) {
        h += inputKernel[a][mu] * aCoords[offset + mu];
      }
      return h;
    }

    /** Stage 1: the mean-field trajectory Δ∞(n) and every particle's ψ_train(n) (→ u). */
    private void meanField() {
      double[] z = z0.clone();
      double[] a = new double[particles * trainPoints];
      double[] phi = new double[particles * trainPoints];
      double[] dphi = new double[particles * trainPoints];
      double[][] meanPsi = new double[steps + 1][trainPoints];
      for (int n = 0; n <= steps; n++) {
        for (int j = 0; j < particles; j++) {
          for (int mu = 0; mu < trainPoints; mu++) {
            double h = preActivation(j, mu, a, j * trainPoints);
            double p = activation.value(h);
            phi[j * trainPoints + mu] = p;
            dphi[j * trainPoints + mu] = activation.derivative(h);
            double psi = z[j] * p;
            sources[(n * trainPoints + mu) * particles + j] = psi;
            meanPsi[n][mu] += psi;
          }
        }
        for (int mu = 0; mu < trainPoints; mu++) {
          meanPsi[n][mu] /= particles;
          double output = (meanPsi[n][mu] - (centred ? meanPsi[0][mu] : 0.0)) / gamma0;
          delta[n][mu] = targets[mu] - output;
          if (!Double.isFinite(delta[n][mu])) {
            throw new IllegalStateException("mean-field error Δ_" + mu + " is " + delta[n][mu]
                + " at step " + n + " (seed " + seed + ", replica " + replicaIndex
                + ", particles " + particles + "): the infinite-width dynamics diverged");
          }
        }
        int r = recordOf[n];
        if (r >= 0) {
          recordedZ[r] = z.clone();
          recordedA[r] = a.clone();
        }
        if (n == steps) {
          break;
        }
        for (int j = 0; j < particles; j++) {
          double dz = 0;
          for (int mu = 0; mu < trainPoints; mu++) {
            int jm = j * trainPoints + mu;
            dz += delta[n][mu] * phi[jm];
            a[jm] += stepFactor * delta[n][mu] * z[j] * dphi[jm];
          }
          z[j] += stepFactor * dz;
        }
      }

      // u_j = −((ψ_j − [centred] ψ_j(0)) − ⟨same⟩)/γ0; step 0 last so ψ_j(0) is still intact.
      for (int n = steps; n >= 0; n--) {
        for (int mu = 0; mu < trainPoints; mu++) {
          int row = (n * trainPoints + mu) * particles;
          double meanTerm = meanPsi[n][mu] - (centred ? meanPsi[0][mu] : 0.0);
          for (int j = 0; j < particles; j++) {
            double psi = sources[row + j] - (centred ? sources[mu * particles + j] : 0.0);
            sources[row + j] = -(psi - meanTerm) / gamma0;
          }
        }
      }
    }

    /** Stage 2: D and J_O averaged over the first S_D particles' tangent-linear derivatives. */
    private void tangents() {
      List<double[][][]> blocks = IntStream.range(0, WORK_BLOCKS).parallel()
          .mapToObj(b -> tangentBlock(b * tangentParticles / WORK_BLOCKS,
              (b + 1) * tangentParticles / WORK_BLOCKS))
          .toList();
      double responseScale = -1.0 / (gamma0 * tangentParticles);
      for (int n = 1; n <= steps; n++) {
        response[n] = new double[trainPoints * n * trainPoints];
        for (double[][][] block : blocks) {
          add(response[n], block[0][n]);
        }
        scale(response[n], responseScale);
      }
      for (int r = 0; r < recordSteps.length; r++) {
        jacobian[r] = new double[obsKind.length * recordSteps[r] * trainPoints];
        for (double[][][] block : blocks) {
          add(jacobian[r], block[1][r]);
        }
        scale(jacobian[r], 1.0 / tangentParticles);
      }
    }

    private static void add(double[] into, double[] term) {
      for (int i = 0; i < into.length; i++) {
        into[i] += term[i];
      }
    }

    private static void scale(double[] into, double factor) {
      for (int i = 0; i < into.length; i++) {
        into[i] *= factor;
      }
    }

    /**
     * Sums, over particles [from, to), of ∂ψ_train(n)/∂Δ (element [0][n]) and ∂O/∂Δ at each
     * record (element [1][r]).
     */
    private double[][][] tangentBlock(int from, int to) {
      int maxColumns = steps * trainPoints;
      double[][] responseSum = new double[steps + 1][];
      for (int n = 1; n <= steps; n++) {
        responseSum[n] = new double[trainPoints * n * trainPoints];
      }
      double[][] jacobianSum = new double[recordSteps.length][];
      for (int r = 0; r < recordSteps.length; r++) {
        jacobianSum[r] = new double[obsKind.length * recordSteps[r] * trainPoints];
      }
      double[] tz = new double[maxColumns];
      double[][] ta = new double[trainPoints][maxColumns];
      double[][] dh = new double[points][maxColumns];
      double[] a = new double[trainPoints];
      double[] phi = new double[points];
      double[] dphi = new double[points];
      double[] ddphi = new double[points];
      double[] coefficients = new double[3];

      for (int j = from; j < to; j++) {
        double z = z0[j];
        java.util.Arrays.fill(a, 0.0);
        for (int n = 0; n <= steps; n++) {
          int columns = n * trainPoints;
          int r = recordOf[n];
          int needed = r >= 0 ? points : trainPoints;
          for (int p = 0; p < needed; p++) {
            derivatives(activation, kinkSharpness, preActivation(j, p, a, 0), p, phi, dphi,
                ddphi);
          }

          // dh_p = Σ_μ Kx_pμ da_μ on the points needed now.
          for (int p = 0; p < needed; p++) {
            java.util.Arrays.fill(dh[p], 0, columns, 0.0);
            for (int mu = 0; mu < trainPoints; mu++) {
              axpy(columns, inputKernel[p][mu], ta[mu], dh[p], 0);
            }
          }

          // ∂ψ_μ = φ_μ dz + z φ'_μ dh_μ.
          if (n > 0) {
            double[] sum = responseSum[n];
            for (int mu = 0; mu < trainPoints; mu++) {
              axpy(columns, phi[mu], tz, sum, mu * columns);
              axpy(columns, z * dphi[mu], dh[mu], sum, mu * columns);
            }
          }
          if (r >= 0 && columns > 0) {
            double[] sum = jacobianSum[r];
            for (int k = 0; k < obsKind.length; k++) {
              tangentCoefficients(k, z, phi, dphi, ddphi, coefficients);
              axpy(columns, coefficients[0], tz, sum, k * columns);
              axpy(columns, coefficients[1], dh[obsA[k]], sum, k * columns);
              axpy(columns, coefficients[2], dh[obsB[k]], sum, k * columns);
            }
          }
          if (n == steps) {
            break;
          }

          // Tangent step (uses the step-n state and the old tz), then the new column block n.
          for (int mu = 0; mu < trainPoints; mu++) {
            double factor = stepFactor * delta[n][mu];
            axpy(columns, factor * dphi[mu], tz, ta[mu], 0);
            axpy(columns, factor * z * ddphi[mu], dh[mu], ta[mu], 0);
          }
          for (int mu = 0; mu < trainPoints; mu++) {
            axpy(columns, stepFactor * delta[n][mu] * dphi[mu], dh[mu], tz, 0);
          }
          for (int nu = 0; nu < trainPoints; nu++) {
            tz[columns + nu] = stepFactor * phi[nu];
            for (int mu = 0; mu < trainPoints; mu++) {
              ta[mu][columns + nu] = mu == nu ? stepFactor * z * dphi[mu] : 0.0;
            }
          }

          // State step.
          double dz = 0;
          for (int mu = 0; mu < trainPoints; mu++) {
            dz += delta[n][mu] * phi[mu];
            a[mu] += stepFactor * delta[n][mu] * z * dphi[mu];
          }
          z += stepFactor * dz;
        }
      }
      return new double[][][] {responseSum, jacobianSum};
    }

    /** into[offset + c] += α x[c] for c < length. Modified: into. */
    private static void axpy(int length, double alpha, double[] x, double[] into, int offset) {
      for (int c = 0; c < length; c++) {
        into[offset + c] += alpha * x[c];
      }
    }

    /** into[intoOffset + j] += α x[xOffset + j] for j in [from, to). Modified: into. */
    private static void axpyRange(double alpha, double[] x, int xOffset, double[] into,
        int intoOffset, int from, int to) {
      for (int j = from; j < to; j++) {
        into[intoOffset + j] += alpha * x[xOffset + j];
      }
    }

    /**
     * dO_k = c0 dz + c1 dh_a + c2 dh_b for particle observable k. Modified: into.
     *
     * <pre>
     *   output   ψ_a/γ0:            (φ_a dz + z φ'_a dh_a)/γ0
     *   feature  φ_aφ_b:            φ'_aφ_b dh_a + φ_aφ'_b dh_b
     *   gradient z²φ'_aφ'_b:        2zφ'_aφ'_b dz + z²φ''_aφ'_b dh_a + z²φ'_aφ''_b dh_b
     *   NTK      feature + Kx_ab · gradient
     * </pre>
     */
    private void tangentCoefficients(int k, double z, double[] phi, double[] dphi,
        double[] ddphi, double[] into) {
      int a = obsA[k];
      int b = obsB[k];
      switch (obsKind[k]) {
        case KIND_OUTPUT -> {
          into[0] = phi[a] / gamma0;
          into[1] = z * dphi[a] / gamma0;
          into[2] = 0.0;
        }
        case KIND_FEATURE -> {
          into[0] = 0.0;
          into[1] = dphi[a] * phi[b];
          into[2] = phi[a] * dphi[b];
        }
        default -> {
          double weight = obsKind[k] == KIND_GRADIENT ? 1.0 : inputKernel[a][b];
          double feature = obsKind[k] == KIND_GRADIENT ? 0.0 : 1.0;
          into[0] = weight * 2.0 * z * dphi[a] * dphi[b];
          into[1] = feature * dphi[a] * phi[b] + weight * z * z * ddphi[a] * dphi[b];
          into[2] = feature * phi[a] * dphi[b] + weight * z * z * dphi[a] * ddphi[b];
        }
      }
    }

    /** The value of particle observable k for a particle with the given φ, φ' and z. */
    private double observableValue(int k, double z, double[] phi, double[] dphi,
        double initialOutput) {
      int a = obsA[k];
      int b = obsB[k];
      return switch (obsKind[k]) {
        case KIND_OUTPUT -> (z * phi[a] - initialOutput) / gamma0;
        case KIND_FEATURE -> phi[a] * phi[b];
        case KIND_GRADIENT -> z * z * dphi[a] * dphi[b];
        default -> phi[a] * phi[b] + z * z * dphi[a] * dphi[b] * inputKernel[a][b];
      };
    }

    private int particleBlocks() {
      return (particles + PARTICLE_BLOCK - 1) / PARTICLE_BLOCK;
    }

    /** Stage 3: (I − D) v = u by forward substitution, in place, for every particle. */
    private void solveTriangular() {
      IntStream.range(0, particleBlocks()).parallel().forEach(b -> {
        int from = b * PARTICLE_BLOCK;
        int to = Math.min(particles, from + PARTICLE_BLOCK);
        for (int n = 1; n <= steps; n++) {
          int columns = n * trainPoints;
          double[] block = response[n];
          for (int mu = 0; mu < trainPoints; mu++) {
            int target = (columns + mu) * particles;
            int row = mu * columns;
            for (int c = 0; c < columns; c++) {
              axpyRange(block[row + c], sources, c * particles, sources, target, from, to);
            }
          }
        }
      });
    }

    /** Stage 4: means and N·Var of every layout entry at record r. */
    private void variances(int r) {
      int n = recordSteps[r];
      int columns = n * trainPoints;
      double lossFactor = setup.lossFactor();
      double loss = 0;
      for (int mu = 0; mu < trainPoints; mu++) {
        loss += 0.5 * lossFactor * delta[n][mu] * delta[n][mu];
        mean[r][layout.predictionTrain(mu)] = targets[mu] - delta[n][mu];
      }
      mean[r][layout.lossIndex()] = loss;

      // Particle observables at this record, then their averages.
      int count = obsKind.length;
      double[] values = new double[particles * count];
      double[] average = new double[count];
      double[] phi = new double[points];
      double[] dphi = new double[points];
      double[] a = recordedA[r];
      double[] z = recordedZ[r];
      for (int j = 0; j < particles; j++) {
        for (int p = 0; p < points; p++) {
          double h = preActivation(j, p, a, j * trainPoints);
          phi[p] = activation.value(h);
          dphi[p] = activation.derivative(h);
        }
        for (int k = 0; k < count; k++) {
          double initialOutput = 0.0;
          if (centred && obsKind[k] == KIND_OUTPUT) {
            initialOutput = z0[j] * activation.value(h0[j * points + obsA[k]]);
          }
          double v = observableValue(k, z[j], phi, dphi, initialOutput);
          values[j * count + k] = v;
          average[k] += v;
        }
      }
      for (int k = 0; k < count; k++) {
        average[k] /= particles;
        mean[r][obsIndex[k]] = average[k];
      }

      // Σ_j w_j² per entry, block by block: w = O − ⟨O⟩ + J v, and the Δ/loss terms.
      double[] jac = jacobian[r];
      List<double[]> sums = IntStream.range(0, particleBlocks()).parallel().mapToObj(b -> {
        int from = b * PARTICLE_BLOCK;
        int to = Math.min(particles, from + PARTICLE_BLOCK);
        double[] s = new double[count + trainPoints + 1];
        double[] w = new double[to - from];
        for (int k = 0; k < count; k++) {
          for (int j = from; j < to; j++) {
            w[j - from] = values[j * count + k] - average[k];
          }
          int row = k * columns;
          for (int c = 0; c < columns; c++) {
            axpyRange(jac[row + c], sources, c * particles + from, w, 0, 0, to - from);
          }
          for (int i = 0; i < w.length; i++) {
            s[k] += w[i] * w[i];
          }
        }
        java.util.Arrays.fill(w, 0.0);
        for (int mu = 0; mu < trainPoints; mu++) {
          int source = (columns + mu) * particles;
          double lossWeight = lossFactor * delta[n][mu];
          for (int j = from; j < to; j++) {
            double v = sources[source + j];
            s[count + mu] += v * v;
            w[j - from] += lossWeight * v;
          }
        }
        for (int i = 0; i < w.length; i++) {
          s[count + trainPoints] += w[i] * w[i];
        }
        return s;
      }).toList();
      double[] total = new double[count + trainPoints + 1];
      for (double[] s : sums) {
        add(total, s);
      }
      for (int k = 0; k < count; k++) {
        nvar[r][obsIndex[k]] = total[k] / particles;
      }
      for (int mu = 0; mu < trainPoints; mu++) {
        nvar[r][layout.predictionTrain(mu)] = total[count + mu] / particles;
      }
      nvar[r][layout.lossIndex()] = total[count + trainPoints] / particles;
    }
  }
}
