package io.finitewidth.fluctuation;

import io.finitewidth.model.Activation;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.Task;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

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
 * <p><b>Implementation and cost.</b> The four stages run as one pass over the steps (everything
 * is causal): at step n the tangents of the S_D tangent particles, held as (nP × S_D) matrices
 * (row = derivative by Δ_(m,ν), column = particle), give dh = Kx · da (one GEMM), the block
 * D(n) (one GEMM and P matrix-vector products), the solve {@code v(n) = u(n) + D(n) v(<n)} for
 * all S particles (one GEMM), and at a record J(n) (one GEMM per tangent group: dz and each
 * point's dh) and {@code w = (O − ⟨O⟩) + J(n) v} (one GEMM); J(n) is dropped after use, so no
 * Jacobian of every record is ever stored. Multiply-adds per replica, with n_r the recorded
 * steps and K ≈ P(P+1) + PQ + Q base observables: ≈ (3K + (P+Q)P) · S_D · P Σ n_r for J and
 * dh, plus K · S · P Σ n_r for w, plus S · P² n²/2 for the solve. Memory per running replica:
 * (2P + Q + 2) · n P · S_D doubles of tangents plus (n+1) P · S doubles of sources, off-heap.
 * Replicas run in parallel (one per core), each single-threaded, BLAS included.
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

  private static final int KIND_OUTPUT = 0;
  private static final int KIND_FEATURE = 1;
  private static final int KIND_GRADIENT = 2;
  private static final int KIND_NTK = 3;

  /**
   * Held while the native BLAS and OpenMP thread counts are pinned to one, so that two
   * concurrent calls cannot restore each other's settings half-way.
   */
  private static final Object NATIVE_THREADS = new Object();

  private TwoLayerPropagator() {}

  /**
   * Particle means and propagator N·Var of every {@link ObservableLayout} entry at every
   * recorded step, each with the replica standard error. Replicas run in parallel on up to
   * {@link Runtime#availableProcessors()} threads; the result does not depend on that number.
   *
   * @throws IllegalStateException if the mean field diverges (names step and seed)
   */
  public static TheoryPrediction predict(TwoLayerSetup setup, PropagatorOptions options) {
    return predict(setup, options, RELU_KINK_SHARPNESS);
  }

  /**
   * Off-heap bytes one running replica needs (class comment): (2P + Q + 2)·n·P·S_D doubles of
   * tangents plus (n + 1)·P·S doubles of sources, n the number of steps.
   */
  public static double estimateBytesPerReplica(TwoLayerSetup setup, PropagatorOptions options) {
    double p = setup.task().trainPoints();
    double q = setup.task().testPoints();
    double n = setup.grid().steps();
    return 8.0 * ((2 * p + q + 2) * n * p * options.tangentParticles()
        + (n + 1) * p * options.particles());
  }

  /**
   * Multiply-adds of all replicas (class comment): (3K + (P+Q)P)·S_D·P·Σn_r + K·S·P·Σn_r +
   * S·P²·n²/2 per replica, with K ≈ P(P+1) + PQ.
   */
  public static double estimateMultiplyAdds(TwoLayerSetup setup, PropagatorOptions options) {
    double p = setup.task().trainPoints();
    double q = setup.task().testPoints();
    double n = setup.grid().steps();
    double k = p * (p + 1) + p * q;
    double sumRecorded = 0;
    for (int step : setup.grid().recordSteps()) {
      sumRecorded += step;
    }
    double perReplica = (3 * k + (p + q) * p) * options.tangentParticles() * p * sumRecorded
        + k * options.particles() * p * sumRecorded + options.particles() * p * p * n * n / 2;
    return perReplica * options.replicas();
  }

  /**
   * As {@link #predict(TwoLayerSetup, PropagatorOptions)} with the bump sharpness β of the ReLU
   * kink term given; β = 0 drops the term (the naive, wrong tangent), which tests use to show
   * that the term matters.
   */
  static TheoryPrediction predict(TwoLayerSetup setup, PropagatorOptions options,
      double kinkSharpness) {
    return predict(setup, options, kinkSharpness, Runtime.getRuntime().availableProcessors());
  }

  /**
   * As {@link #predict(TwoLayerSetup, PropagatorOptions, double)} on at most {@code threads}
   * worker threads (tests use it to show that the thread count leaves every bit unchanged).
   */
  static TheoryPrediction predict(TwoLayerSetup setup, PropagatorOptions options,
      double kinkSharpness, int threads) {
    if (!(kinkSharpness >= 0) || Double.isInfinite(kinkSharpness)) {
      throw new IllegalArgumentException("kink sharpness must be finite and >= 0, got "
          + kinkSharpness);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    ObservableLayout layout = new ObservableLayout(setup.task().trainPoints(),
        setup.task().testPoints());
    int records = setup.grid().recordCount();
    int replicas = options.replicas();
    StandardNormalStream root = new StandardNormalStream(options.seed());
    List<Replica> work = new ArrayList<>(replicas);
    for (int r = 0; r < replicas; r++) {
      work.add(new Replica(setup, options, layout, root.split(), r, kinkSharpness));
    }
    runAll(work, Math.min(threads, replicas));
    double[][][] means = new double[replicas][][];
    double[][][] nvars = new double[replicas][][];
    for (int r = 0; r < replicas; r++) {
      means[r] = work.get(r).mean;
      nvars[r] = work.get(r).nvar;
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
   * Runs every replica, {@code workers} at a time, with BLAS and OpenMP pinned to one thread
   * each (restored afterwards). A replica's arithmetic happens on one thread in a fixed order,
   * and a multi-threaded BLAS call may split its sums differently from a single-threaded one,
   * so pinning is what makes the results independent of the thread count.
   */
  private static void runAll(List<Replica> work, int workers) {
    synchronized (NATIVE_THREADS) {
      Blas blas = Nd4j.factory().blas();
      NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
      int blasThreads = blas.getMaxThreads();
      int ompThreads = ops.ompGetMaxThreads();
      blas.setMaxThreads(1);
      ops.setOmpNumThreads(1);
      ExecutorService pool = workers > 1 ? Executors.newFixedThreadPool(workers, r -> {
        Thread t = new Thread(r, "propagator-replica");
        t.setDaemon(true);
        return t;
      }) : null;
      try {
        if (pool == null) {
          for (Replica replica : work) {
            replica.run();
          }
        } else {
          List<Future<?>> done = new ArrayList<>();
          for (Replica replica : work) {
            done.add(pool.submit(replica::run));
          }
          for (Future<?> f : done) {
            awaitReplica(f);
          }
        }
      } finally {
        if (pool != null) {
          pool.shutdownNow();
        }
        blas.setMaxThreads(blasThreads);
        ops.setOmpNumThreads(ompThreads);
      }
    }
  }

  private static void awaitReplica(Future<?> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the propagator ran", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
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

  /** A rows × cols row-major view of {@code base}'s buffer from {@code offset}. */
  private static INDArray view(INDArray base, long offset, long rows, long cols,
      long rowStride) {
    return Nd4j.create(base.data(), new long[] {rows, cols}, new long[] {rowStride, 1}, offset,
        'c');
  }

  /** Rows [from, from + count) of a contiguous row-major matrix, as a view. */
  private static INDArray rows(INDArray matrix, long from, long count) {
    long cols = matrix.size(1);
    return view(matrix, from * cols, count, cols, cols);
  }

  /**
   * c = α op(a) op(b) + β c through libnd4j's matrix product, which passes row strides to BLAS,
   * so {@code c} may be a view with a row stride (unlike {@link Nd4j#gemm}). Modified: c.
   */
  private static void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA,
      boolean transposeB, double alpha, double beta) {
    Nd4j.exec(new Mmul(a, b, c, alpha, beta, MMulTranspose.builder().transposeA(transposeA)
        .transposeB(transposeB).build()));
  }

  /** The values of a view, row-major, copied into a new Java array. */
  private static double[] pull(INDArray array) {
    return array.dup('c').data().asDouble();
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

    /**
     * Base particle observables: test outputs, train-test NTK, feature and gradient kernels
     * (a ≤ b). The train NTK is not a base observable: K = Φ + Kx ∘ G entry by entry, so its
     * w is the same combination of theirs.
     */
    private final int[] obsKind;
    private final int[] obsA;
    private final int[] obsB;
    private final int[] obsIndex;
    private final int[][] featureRow;
    private final int[][] gradientRow;

    /**
     * The tangent terms of J, grouped by the tangent they multiply: group 0 is dz, group 1 + p
     * is dh_p. Term t of group g adds {@code coefficient(termSlot) · tangent_g} to row
     * {@code termRow} of J (slots as in {@link #coefficients}).
     */
    private final int[][] termRow;
    private final int[][] termSlot;

    private final double[] h0;
    private final double[] z0;
    private final double[][] delta;

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
      Arrays.fill(recordOf, -1);
      for (int r = 0; r < recordSteps.length; r++) {
        recordOf[recordSteps[r]] = r;
      }
      this.gamma0 = setup.gamma0();
      this.stepFactor = setup.eta() * gamma0;
      this.centred = setup.centred();
      this.inputKernel = task.inputKernel();
      this.targets = task.trainTargets();

      List<int[]> obs = new ArrayList<>();
      for (int q = 0; q < task.testPoints(); q++) {
        obs.add(new int[] {KIND_OUTPUT, trainPoints + q, trainPoints + q,
            layout.predictionTest(q)});
      }
      for (int a = 0; a < trainPoints; a++) {
        for (int q = 0; q < task.testPoints(); q++) {
          obs.add(new int[] {KIND_NTK, a, trainPoints + q, layout.ntkTrainTest(a, q)});
        }
      }
      this.featureRow = new int[trainPoints][trainPoints];
      this.gradientRow = new int[trainPoints][trainPoints];
      for (int a = 0; a < trainPoints; a++) {
        for (int b = a; b < trainPoints; b++) {
          featureRow[a][b] = obs.size();
          obs.add(new int[] {KIND_FEATURE, a, b, layout.featureKernel(a, b)});
          gradientRow[a][b] = obs.size();
          obs.add(new int[] {KIND_GRADIENT, a, b, layout.gradientKernel(a, b)});
        }
      }
      int count = obs.size();
      this.obsKind = new int[count];
      this.obsA = new int[count];
      this.obsB = new int[count];
      this.obsIndex = new int[count];
      List<List<int[]>> groups = new ArrayList<>();
      for (int g = 0; g <= points; g++) {
        groups.add(new ArrayList<>());
      }
      for (int k = 0; k < count; k++) {
        obsKind[k] = obs.get(k)[0];
        obsA[k] = obs.get(k)[1];
        obsB[k] = obs.get(k)[2];
        obsIndex[k] = obs.get(k)[3];
        if (obsKind[k] != KIND_FEATURE) {
          groups.get(0).add(new int[] {k, 0});
        }
        groups.get(1 + obsA[k]).add(new int[] {k, 1});
        if (obsKind[k] != KIND_OUTPUT) {
          groups.get(1 + obsB[k]).add(new int[] {k, 2});
        }
      }
      this.termRow = new int[groups.size()][];
      this.termSlot = new int[groups.size()][];
      for (int g = 0; g < groups.size(); g++) {
        List<int[]> terms = groups.get(g);
        termRow[g] = new int[terms.size()];
        termSlot[g] = new int[terms.size()];
        for (int t = 0; t < terms.size(); t++) {
          termRow[g][t] = terms.get(t)[0];
          termSlot[g][t] = terms.get(t)[1];
        }
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
      this.delta = new double[steps + 1][trainPoints];
      this.mean = new double[recordSteps.length][layout.size()];
      this.nvar = new double[recordSteps.length][layout.size()];
    }

    void run() {
      double[] sources = meanField();
      propagate(sources);
    }

    /** Pre-activation of particle j at point a given its a-coordinates. */
    private double preActivation(int j, int a, double[] aCoords, int offset) {
      double h = h0[j * points + a];
      for (int mu = 0; mu < trainPoints; mu++) {
        h += inputKernel[a][mu] * aCoords[offset + mu];
      }
      return h;
    }

    /** φ and φ' on the train points of every particle. Modified: phi, dphi. */
    private void trainActivations(double[] a, double[] phi, double[] dphi) {
      for (int j = 0; j < particles; j++) {
        for (int mu = 0; mu < trainPoints; mu++) {
          double h = preActivation(j, mu, a, j * trainPoints);
          phi[j * trainPoints + mu] = activation.value(h);
          dphi[j * trainPoints + mu] = activation.derivative(h);
        }
      }
    }

    /** One step of every particle's state from step n. Modified: z, a. */
    private void advance(int n, double[] z, double[] a, double[] phi, double[] dphi) {
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

    /**
     * Stage 1: the mean-field trajectory Δ∞(n) and every particle's source u. Returns u stored
     * particle-fastest, element (n, μ, j) at {@code (n P + μ) S + j}: the (n+1)P × S matrix
     * whose rows the triangular solve combines.
     */
    private double[] meanField() {
      double[] sources = new double[particles * (steps + 1) * trainPoints];
      double[] z = z0.clone();
      double[] a = new double[particles * trainPoints];
      double[] phi = new double[particles * trainPoints];
      double[] dphi = new double[particles * trainPoints];
      double[][] meanPsi = new double[steps + 1][trainPoints];
      for (int n = 0; n <= steps; n++) {
        trainActivations(a, phi, dphi);
        for (int j = 0; j < particles; j++) {
          for (int mu = 0; mu < trainPoints; mu++) {
            double psi = z[j] * phi[j * trainPoints + mu];
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
        if (n == steps) {
          break;
        }
        advance(n, z, a, phi, dphi);
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
      return sources;
    }

    /**
     * Stages 2 to 4 in one pass over the steps. Tangents of the S_D tangent particles are kept
     * as column-by-particle matrices (row c = the derivative by Δ_(m,ν), c = mP + ν; column i =
     * particle): dz as one (nP × S_D) matrix, da_μ and dh_p as blocks of one plane each. Per step
     * n, all products over particles are BLAS GEMMs: dh = Kx · da, the response block D(n), the
     * solve {@code v(n) = u(n) + D(n) v(<n)} for all S particles at once, and at a record the
     * Jacobian J(n) and {@code w = (O − ⟨O⟩) + J(n) v}.
     */
    private void propagate(double[] sources) {
      int sd = tangentParticles;
      int maxColumns = steps * trainPoints;
      long plane = (long) maxColumns * sd;
      double[][] kxAll = new double[points][trainPoints];
      for (int p = 0; p < points; p++) {
        System.arraycopy(inputKernel[p], 0, kxAll[p], 0, trainPoints);
      }
      INDArray kx = Nd4j.create(kxAll);
      INDArray v = Nd4j.create(sources, new long[] {(long) (steps + 1) * trainPoints,
          particles}, 'c');
      INDArray tz = Nd4j.create(DataType.DOUBLE, Math.max(1, maxColumns), sd);
      INDArray ta = Nd4j.create(DataType.DOUBLE, trainPoints, Math.max(1, plane));
      INDArray dh = Nd4j.create(DataType.DOUBLE, points, Math.max(1, plane));
      INDArray scratch = Nd4j.create(DataType.DOUBLE, Math.max(1, maxColumns), sd);
      try {
        double[] z = z0.clone();
        double[] a = new double[particles * trainPoints];
        double[] phi = new double[particles * trainPoints];
        double[] dphi = new double[particles * trainPoints];
        double[][] tPhi = new double[points][sd];
        double[][] tDphi = new double[points][sd];
        double[][] tDdphi = new double[points][sd];
        for (int n = 0; n <= steps; n++) {
          int columns = n * trainPoints;
          int r = recordOf[n];
          int needed = r >= 0 ? points : trainPoints;
          trainActivations(a, phi, dphi);
          for (int p = 0; p < needed; p++) {
            for (int i = 0; i < sd; i++) {
              derivatives(activation, kinkSharpness, preActivation(i, p, a, i * trainPoints), i,
                  tPhi[p], tDphi[p], tDdphi[p]);
            }
          }
          if (columns > 0) {
            long active = (long) columns * sd;
            gemm(rows(kx, 0, needed), view(ta, 0, trainPoints, active, plane),
                view(dh, 0, needed, active, plane), false, false, 1.0, 0.0);
            INDArray response = Nd4j.create(response(columns, tz, dh, plane, z, tPhi, tDphi),
                new long[] {trainPoints, columns}, 'c');
            gemm(response, rows(v, 0, columns), rows(v, columns, trainPoints), false,
                false, 1.0, 1.0);
          }
          if (r >= 0) {
            variances(r, columns, z, a, v, tz, dh, plane, tPhi, tDphi, tDdphi);
          }
          if (n == steps) {
            break;
          }
          if (columns > 0) {
            tangentStep(n, columns, z, tz, ta, dh, scratch, plane, tDphi, tDdphi);
          }
          newColumns(columns, z, tz, ta, plane, tPhi, tDphi);
          advance(n, z, a, phi, dphi);
        }
      } finally {
        for (INDArray array : new INDArray[] {kx, v, tz, ta, dh, scratch}) {
          array.close();
        }
      }
    }

    /** dh_p (p a train point) as a (columns × S_D) view. */
    private INDArray tangentOfPoint(INDArray dh, long plane, int p, int columns) {
      return view(dh, p * plane, columns, tangentParticles, tangentParticles);
    }

    /**
     * D(n), P × nP row-major: {@code −(1/(γ0 S_D)) Σ_i (φ_μ dz + z φ'_μ dh_μ)}, the dz part as
     * one GEMM over particles and the dh_μ part as one matrix-vector product per μ.
     */
    private double[] response(int columns, INDArray tz, INDArray dh, long plane, double[] z,
        double[][] tPhi, double[][] tDphi) {
      int sd = tangentParticles;
      double[] phiBy = new double[sd * trainPoints];
      double[] slopeBy = new double[trainPoints * sd];
      for (int mu = 0; mu < trainPoints; mu++) {
        for (int i = 0; i < sd; i++) {
          phiBy[i * trainPoints + mu] = tPhi[mu][i];
          slopeBy[mu * sd + i] = z[i] * tDphi[mu][i];
        }
      }
      INDArray phiMatrix = Nd4j.create(phiBy, new long[] {sd, trainPoints}, 'c');
      INDArray slopes = Nd4j.create(slopeBy, new long[] {trainPoints, sd}, 'c');
      INDArray fromZ = Nd4j.create(DataType.DOUBLE, columns, trainPoints);
      INDArray fromH = Nd4j.create(DataType.DOUBLE, trainPoints, columns);
      gemm(rows(tz, 0, columns), phiMatrix, fromZ, false, false, 1.0, 0.0);
      for (int mu = 0; mu < trainPoints; mu++) {
        gemm(rows(slopes, mu, 1), tangentOfPoint(dh, plane, mu, columns),
            rows(fromH, mu, 1), false, true, 1.0, 0.0);
      }
      double[] z0part = fromZ.data().asDouble();
      double[] out = fromH.data().asDouble();
      double scale = -1.0 / (gamma0 * sd);
      for (int mu = 0; mu < trainPoints; mu++) {
        for (int c = 0; c < columns; c++) {
          out[mu * columns + c] = scale * (z0part[c * trainPoints + mu] + out[mu * columns + c]);
        }
      }
      for (INDArray array : new INDArray[] {phiMatrix, slopes, fromZ, fromH}) {
        array.close();
      }
      return out;
    }

    /**
     * Tangent step from step n (uses the step-n state, the old dz and dh = Kx · da):
     * {@code da_μ += ηγ0 Δ_μ (φ'_μ dz + z φ''_μ dh_μ)}, then {@code dz += ηγ0 Σ_μ Δ_μ φ'_μ dh_μ},
     * as particle-wise scalings of whole (nP × S_D) matrices. Modified: tz, ta, scratch.
     */
    private void tangentStep(int n, int columns, double[] z, INDArray tz, INDArray ta,
        INDArray dh, INDArray scratch, long plane, double[][] tDphi, double[][] tDdphi) {
      int sd = tangentParticles;
      INDArray dz = rows(tz, 0, columns);
      INDArray work = rows(scratch, 0, columns);
      double[] alpha = new double[sd];
      double[] beta = new double[sd];
      for (int mu = 0; mu < trainPoints; mu++) {
        double factor = stepFactor * delta[n][mu];
        boolean curved = false;
        for (int i = 0; i < sd; i++) {
          alpha[i] = factor * tDphi[mu][i];
          beta[i] = factor * z[i] * tDdphi[mu][i];
          curved |= beta[i] != 0.0;
        }
        INDArray da = view(ta, mu * plane, columns, sd, sd);
        scaleColumnsAndAdd(dz, alpha, work, da);
        if (curved) {
          scaleColumnsAndAdd(tangentOfPoint(dh, plane, mu, columns), beta, work, da);
        }
      }
      for (int mu = 0; mu < trainPoints; mu++) {
        double factor = stepFactor * delta[n][mu];
        for (int i = 0; i < sd; i++) {
          alpha[i] = factor * tDphi[mu][i];
        }
        scaleColumnsAndAdd(tangentOfPoint(dh, plane, mu, columns), alpha, work, dz);
      }
    }

    /** into += x · diag(scale), through {@code work}. Modified: work, into. */
    private static void scaleColumnsAndAdd(INDArray x, double[] scale, INDArray work,
        INDArray into) {
      try (INDArray row = Nd4j.create(scale, new long[] {scale.length}, DataType.DOUBLE)) {
        Nd4j.getExecutioner().exec(new BroadcastMulOp(x, row, work, 1));
      }
      into.addi(work);
    }

    /**
     * The P new tangent columns of step n (derivatives by Δ(n)): {@code dz = ηγ0 φ_ν},
     * {@code da_μ = ηγ0 δ_μν z φ'_μ}; other entries of the new rows are still 0.
     * Modified: tz, ta.
     */
    private void newColumns(int columns, double[] z, INDArray tz, INDArray ta, long plane,
        double[][] tPhi, double[][] tDphi) {
      int sd = tangentParticles;
      double[] block = new double[trainPoints * sd];
      for (int nu = 0; nu < trainPoints; nu++) {
        for (int i = 0; i < sd; i++) {
          block[nu * sd + i] = stepFactor * tPhi[nu][i];
        }
      }
      rows(tz, columns, trainPoints).assign(Nd4j.create(block, new long[] {trainPoints, sd},
          'c'));
      double[] row = new double[sd];
      for (int mu = 0; mu < trainPoints; mu++) {
        for (int i = 0; i < sd; i++) {
          row[i] = stepFactor * z[i] * tDphi[mu][i];
        }
        view(ta, mu * plane + (long) (columns + mu) * sd, 1, sd, sd)
            .assign(Nd4j.create(row, new long[] {1, sd}, 'c'));
      }
    }

    /**
     * dO_k = c0 dz + c1 dh_a + c2 dh_b for base observable k, with {@code slot} choosing c0, c1
     * or c2:
     *
     * <pre>
     *   output   ψ_a/γ0:            (φ_a dz + z φ'_a dh_a)/γ0
     *   feature  φ_aφ_b:            φ'_aφ_b dh_a + φ_aφ'_b dh_b
     *   gradient z²φ'_aφ'_b:        2zφ'_aφ'_b dz + z²φ''_aφ'_b dh_a + z²φ'_aφ''_b dh_b
     *   NTK      feature + Kx_ab · gradient
     * </pre>
     */
    private double coefficient(int k, int slot, int i, double z, double[][] phi,
        double[][] dphi, double[][] ddphi) {
      int a = obsA[k];
      int b = obsB[k];
      switch (obsKind[k]) {
        case KIND_OUTPUT -> {
          return slot == 0 ? phi[a][i] / gamma0 : z * dphi[a][i] / gamma0;
        }
        case KIND_FEATURE -> {
          return slot == 1 ? dphi[a][i] * phi[b][i] : phi[a][i] * dphi[b][i];
        }
        default -> {
          double weight = obsKind[k] == KIND_GRADIENT ? 1.0 : inputKernel[a][b];
          double feature = obsKind[k] == KIND_GRADIENT ? 0.0 : 1.0;
          if (slot == 0) {
            return weight * 2.0 * z * dphi[a][i] * dphi[b][i];
          }
          if (slot == 1) {
            return feature * dphi[a][i] * phi[b][i] + weight * z * z * ddphi[a][i] * dphi[b][i];
          }
          return feature * phi[a][i] * dphi[b][i] + weight * z * z * dphi[a][i] * ddphi[b][i];
        }
      }
    }

    /**
     * J(n) = ∂⟨O⟩/∂Δ(<n) for every base observable, K × nP row-major: per tangent group one
     * GEMM (terms × S_D) · (S_D × nP) of the particle coefficients against that tangent, then
     * each term's row added to its observable's row.
     */
    private double[] jacobian(int columns, double[] z, INDArray tz, INDArray dh, long plane,
        double[][] tPhi, double[][] tDphi, double[][] tDdphi) {
      int sd = tangentParticles;
      double[] jac = new double[obsKind.length * columns];
      for (int g = 0; g < termRow.length; g++) {
        int terms = termRow[g].length;
        if (terms == 0) {
          continue;
        }
        double[] coefficients = new double[terms * sd];
        for (int t = 0; t < terms; t++) {
          for (int i = 0; i < sd; i++) {
            coefficients[t * sd + i] = coefficient(termRow[g][t], termSlot[g][t], i, z[i],
                tPhi, tDphi, tDdphi);
          }
        }
        INDArray tangent = g == 0 ? rows(tz, 0, columns)
            : view(dh, (g - 1) * plane, columns, sd, sd);
        double[] product;
        try (INDArray c = Nd4j.create(coefficients, new long[] {terms, sd}, 'c');
            INDArray out = Nd4j.create(DataType.DOUBLE, terms, columns)) {
          gemm(c, tangent, out, false, true, 1.0, 0.0);
          product = out.data().asDouble();
        }
        for (int t = 0; t < terms; t++) {
          int row = termRow[g][t] * columns;
          for (int col = 0; col < columns; col++) {
            jac[row + col] += product[t * columns + col];
          }
        }
      }
      double scale = 1.0 / sd;
      for (int e = 0; e < jac.length; e++) {
        jac[e] *= scale;
      }
      return jac;
    }

    /** The value of base observable k for a particle with the given φ, φ' and z. */
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

    /** Stage 4: means and N·Var of every layout entry at record r (step n = columns / P). */
    private void variances(int r, int columns, double[] z, double[] a, INDArray v, INDArray tz,
        INDArray dh, long plane, double[][] tPhi, double[][] tDphi, double[][] tDdphi) {
      int n = recordSteps[r];
      double lossFactor = setup.lossFactor();
      double loss = 0;
      for (int mu = 0; mu < trainPoints; mu++) {
        loss += 0.5 * lossFactor * delta[n][mu] * delta[n][mu];
        mean[r][layout.predictionTrain(mu)] = targets[mu] - delta[n][mu];
      }
      mean[r][layout.lossIndex()] = loss;

      // Base observables of every particle, row k = observable, column j = particle.
      int count = obsKind.length;
      double[] w = new double[count * particles];
      double[] average = new double[count];
      double[] phi = new double[points];
      double[] dphi = new double[points];
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
          double value = observableValue(k, z[j], phi, dphi, initialOutput);
          w[k * particles + j] = value;
          average[k] += value;
        }
      }
      for (int k = 0; k < count; k++) {
        average[k] /= particles;
        mean[r][obsIndex[k]] = average[k];
        for (int j = 0; j < particles; j++) {
          w[k * particles + j] -= average[k];
        }
      }

      // w = O − ⟨O⟩ + J v as one GEMM over all particles.
      if (columns > 0) {
        double[] jac = jacobian(columns, z, tz, dh, plane, tPhi, tDphi, tDdphi);
        try (INDArray jm = Nd4j.create(jac, new long[] {count, columns}, 'c');
            INDArray wm = Nd4j.create(w, new long[] {count, particles}, 'c')) {
          gemm(jm, rows(v, 0, columns), wm, false, false, 1.0, 1.0);
          w = wm.data().asDouble();
        }
      }
      for (int k = 0; k < count; k++) {
        nvar[r][obsIndex[k]] = meanSquare(w, k * particles, null, 0, 0.0);
      }
      for (int i = 0; i < trainPoints; i++) {
        for (int j = i; j < trainPoints; j++) {
          int f = featureRow[i][j];
          int g = gradientRow[i][j];
          double kx = inputKernel[i][j];
          mean[r][layout.ntk(i, j)] = average[f] + kx * average[g];
          nvar[r][layout.ntk(i, j)] = meanSquare(w, f * particles, w, g * particles, kx);
        }
      }

      // Train predictions (w = v) and the linearised loss (w = c Σ_μ Δ_μ v_μ).
      double[] vn = pull(rows(v, columns, trainPoints));
      double[] lossW = new double[particles];
      for (int mu = 0; mu < trainPoints; mu++) {
        nvar[r][layout.predictionTrain(mu)] = meanSquare(vn, mu * particles, null, 0, 0.0);
        double lossWeight = lossFactor * delta[n][mu];
        for (int j = 0; j < particles; j++) {
          lossW[j] += lossWeight * vn[mu * particles + j];
        }
      }
      nvar[r][layout.lossIndex()] = meanSquare(lossW, 0, null, 0, 0.0);
    }

    /** (1/S) Σ_j (x[from + j] + weight · y[yFrom + j])², y optional. */
    private double meanSquare(double[] x, int from, double[] y, int yFrom, double weight) {
      double s = 0;
      for (int j = 0; j < particles; j++) {
        double value = x[from + j] + (y == null ? 0.0 : weight * y[yFrom + j]);
        s += value * value;
      }
      return s / particles;
    }
  }
}
