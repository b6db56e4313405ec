package io.finitewidth.network;

import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.Task;
import io.finitewidth.model.TwoLayerSetup;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The two-layer trainer: networks of the mean-field parameterisation (THEORY.md §1) trained by
 * full-batch gradient descent in the space of their pre-activations, one network after another.
 *
 * <p>With fixed inputs, a step moves the input weights of unit i by
 * (η γ0 / √D) Σ_μ g_iμ x_μ with g_iμ = w_i φ'(h_iμ) Δ_μ, so every pre-activation
 * h_i(x_k) = w0_i · x_k / √D moves by
 *
 * <pre>
 *   h_ik += η γ0 Σ_μ g_iμ K(μ, k),     K(μ, k) = x_μ · x_k / D,
 *   w_i  += η γ0 Σ_μ Δ_μ φ(h_iμ),
 * </pre>
 *
 * the same dynamics as the weight-space update of {@link TwoLayerEnsemble} in exact arithmetic,
 * at a cost of N·P² per step instead of N·D·(P + Q): the input dimension enters only once, when
 * the initial weights (drawn from the network's seed exactly as {@link InitialWeights} defines)
 * are projected on the inputs. Test-point pre-activations are brought up to date only when they
 * are recorded, from Σ_t g. Outputs, kernels and the sharpness are the same observables, in the
 * same layout ({@link RecordedSlots}).
 *
 * <p>Determinism: every network is trained alone by pure Java arithmetic (vectorised with
 * jdk.incubator.vector, lane-independent and with sums in a fixed order), so its record is the
 * same bits whatever block it is in, whatever the partitioning, and on every JVM and CPU — unlike
 * a native tanh from the C library. The JVM needs {@code --add-modules=jdk.incubator.vector}
 * (conf/jvm-options); without it the constructor fails naming the flag ({@link VectorModule}).
 */
public final class PreactivationEnsemble {
  private final TwoLayerSetup setup;
  private final int width;
  private final DataType dataType;
  private final boolean vectorised;
  private final ObservableLayout layout;

  public PreactivationEnsemble(TwoLayerSetup setup, int width, DataType dataType) {
    this(setup, width, dataType, true);
  }

  /** {@code vectorised = false} runs the scalar code only: the same bits, slower (for tests). */
  PreactivationEnsemble(TwoLayerSetup setup, int width, DataType dataType, boolean vectorised) {
    VectorModule.require();
    TrainerArguments.check(width, dataType);
    this.setup = setup;
    this.width = width;
    this.dataType = dataType;
    this.vectorised = vectorised;
    Task task = setup.task();
    this.layout = new ObservableLayout(task.trainPoints(), task.testPoints());
  }

  public ObservableLayout layout() {
    return layout;
  }

  /**
   * Trains one network per seed and returns their trajectories in seed order.
   *
   * @param firstNetworkIndex the ensemble index of the first seed (stored in the results)
   */
  public List<NetworkTrajectory> train(int firstNetworkIndex, long[] seeds) {
    List<NetworkTrajectory> out = new ArrayList<>(seeds.length);
    PreactivationDynamics network = dynamics(setup.task());
    for (int b = 0; b < seeds.length; b++) {
      out.add(trainFrom(network, firstNetworkIndex + b, start(seeds[b])));
    }
    return out;
  }

  /**
   * Trains networks from starts already drawn ({@link #start}); the same results as
   * {@link #train} on their seeds. Separates drawing from training for benchmarks.
   */
  List<NetworkTrajectory> trainFrom(int firstNetworkIndex, List<Start> starts) {
    PreactivationDynamics network = dynamics(setup.task());
    List<NetworkTrajectory> out = new ArrayList<>(starts.size());
    for (int b = 0; b < starts.size(); b++) {
      out.add(trainFrom(network, firstNetworkIndex + b, starts.get(b)));
    }
    return out;
  }

  /**
   * Trains like {@link #train} and also returns every network's final weights laid out as
   * {@link TwoLayerEnsemble#finalWeights}: w0 + (η γ0 / √D) Σ_μ (Σ_t g)_μ x_μ, then w.
   */
  double[][] finalWeights(long[] seeds) {
    double[][] weights = new double[seeds.length][];
    PreactivationDynamics network = dynamics(setup.task());
    for (int b = 0; b < seeds.length; b++) {
      trainFrom(network, b, start(seeds[b]));
      weights[b] = finalWeightsOf(InitialWeights.draw(seeds[b], width, setup.task().dim()),
          network, setup.task().allInputs());
    }
    return weights;
  }

  /** A network before training: its seed, initial pre-activations (M × N) and readouts. */
  record Start(long seed, double[] preactivations, double[] readouts) {}

  /** Draws the network of {@code seed} (InitialWeights) and projects it on the inputs. */
  Start start(long seed) {
    Task task = setup.task();
    InitialWeights init = InitialWeights.draw(seed, width, task.dim());
    double[] preactivations = new double[(task.trainPoints() + task.testPoints()) * width];
    project(init.inputWeights(), task.allInputs(), task.dim(), preactivations);
    return new Start(seed, preactivations, init.readoutWeights());
  }

  private NetworkTrajectory trainFrom(PreactivationDynamics network, int networkIndex,
      Start start) {
    int[] recordSteps = setup.grid().recordSteps();
    int steps = setup.grid().steps();
    network.start(start.preactivations(), start.readouts());
    double[][] recorded = new double[recordSteps.length][];
    int next = 0;
    for (int step = 0; step <= steps; step++) {
      boolean recordNow = next < recordSteps.length && recordSteps[next] == step;
      network.forward(recordNow || step == 0);
      if (recordNow) {
        int slot = next;
        network.record((f, delta, ntk, phi, g) ->
            recorded[slot] = observables(f, delta, ntk, phi, g));
        next++;
      }
      if (step == steps) {
        break;
      }
      network.update();
    }
    return new NetworkTrajectory(networkIndex, start.seed(), recorded,
        Divergence.firstDivergedStep(recorded, recordSteps, layout.lossIndex()));
  }

  /** A network's state and kernels for this setup, width and precision. */
  PreactivationDynamics dynamics(Task task) {
    int trainPoints = task.trainPoints();
    int points = trainPoints + task.testPoints();
    double[][] k = task.inputKernel();
    double[] kernel = new double[points * points];
    for (int r = 0; r < points; r++) {
      System.arraycopy(k[r], 0, kernel, r * points, points);
    }
    double[] targets = task.trainTargets();
    double outputScale = setup.gamma0() * width;
    double stepScale = setup.eta() * setup.gamma0();
    if (dataType == DataType.DOUBLE) {
      return new PreactivationDynamics64(width, trainPoints, points, setup.activation(),
          setup.centred(), outputScale, stepScale, kernel, targets, vectorised);
    }
    return new PreactivationDynamics32(width, trainPoints, points, setup.activation(),
        setup.centred(), outputScale, stepScale, narrow(kernel), narrow(targets), vectorised);
  }

  private static float[] narrow(double[] x) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) x[i];
    }
    return out;
  }

  /**
   * h_i(x_k) = (w0_i · x_k) / √D in float64 into {@code out} (point-major, M × N), each dot
   * product with a fixed partial-sum order. Modified: out, partial.
   */
  private void project(double[] inputWeights, double[][] inputs, int dim, double[] out) {
    // A local, not a static field: this class must load (and VectorModule.require() run) on a
    // JVM without the vector module.
    VectorSpecies<Double> species = DoubleVector.SPECIES_256;
    double root = Math.sqrt(dim);
    int lanes = species.length();
    double[] partial = new double[lanes];
    for (int k = 0; k < inputs.length; k++) {
      double[] x = inputs[k];
      for (int i = 0; i < width; i++) {
        int base = i * dim;
        java.util.Arrays.fill(partial, 0);
        int d = 0;
        if (vectorised) {
          DoubleVector acc = DoubleVector.zero(species);
          for (; d < species.loopBound(dim); d += lanes) {
            acc = DoubleVector.fromArray(species, inputWeights, base + d)
                .fma(DoubleVector.fromArray(species, x, d), acc);
          }
          acc.intoArray(partial, 0);
        }
        for (; d < dim; d++) {
          partial[d % lanes] = Math.fma(inputWeights[base + d], x[d], partial[d % lanes]);
        }
        double sum = 0;
        for (double p : partial) {
          sum += p;
        }
        out[k * width + i] = sum / root;
      }
    }
  }

  private double[] finalWeightsOf(InitialWeights init, PreactivationDynamics network,
      double[][] inputs) {
    int dim = init.dim();
    int trainPoints = layout.trainPoints();
    double scale = setup.eta() * setup.gamma0() / Math.sqrt(dim);
    double[] signals = network.summedSignals();
    double[] weights = new double[width * dim + width];
    for (int i = 0; i < width; i++) {
      for (int d = 0; d < dim; d++) {
        double move = 0;
        for (int mu = 0; mu < trainPoints; mu++) {
          move += signals[mu * width + i] * inputs[mu][d];
        }
        weights[i * dim + d] = init.inputWeights()[i * dim + d] + scale * move;
      }
    }
    System.arraycopy(network.readouts(), 0, weights, width * dim, width);
    return weights;
  }

  /** One record in {@link RecordedSlots} layout from outputs, errors and train × all kernels. */
  double[] observables(double[] f, double[] delta, double[] ntk, double[] phi, double[] g) {
    double[] v = RecordedSlots.assemble(layout, setup.lossFactor(), f, 0, delta, 0, ntk, phi, g,
        0);
    RecordedSlots.setSharpness(layout, v, RecordedSlots.largestNtkEigenvalueByBisection(layout, v),
        setup.eta());
    return v;
  }

  /** Receives one record: outputs on every point, errors, then train × all NTK, Φ and G. */
  interface Recorder {
    void take(double[] outputs, double[] errors, double[] ntk, double[] features,
        double[] gradients);
  }
}
