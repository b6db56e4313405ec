package io.finitewidth.network;

import io.finitewidth.model.Activation;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.Task;
import io.finitewidth.model.TwoLayerSetup;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A block of B same-shape two-layer networks in the mean-field parameterisation, trained together
 * with ND4J so that every operation is batched over the ensemble (one ND4J call costs microseconds;
 * a per-network loop of calls would dominate small networks).
 *
 * <p>The model (THEORY.md §1): h_i(x) = w0_i · x / √D, f(x) = (1/(γ0 N)) Σ_i w_i φ(h_i(x)), square
 * loss L = (c/2) Σ_μ Δ_μ² with Δ = y − f, and every parameter moves by −dt · γ0² · N · ∂L/∂θ per
 * step. Written out, with η = c · dt:
 *
 * <pre>
 *   w_i    += η γ0 Σ_μ Δ_μ φ(h_iμ)
 *   w0_i   += (η γ0 / √D) Σ_μ Δ_μ w_i φ'(h_iμ) x_μ
 * </pre>
 *
 * both from the state before the step. Centred networks use f − f(θ_init) everywhere.
 *
 * <p>Layout of the batched state: the input weights of all networks are one (B·N) × D matrix,
 * network b owning rows b·N … b·N + N − 1, so the forward pass over all P + Q points is a single
 * GEMM; readouts, kernels and per-network reductions are batched 3-D products.
 *
 * <p>Recorded at every step of the time grid (train first, then test points): loss, predictions,
 * NTK K = Φ + G∘Kx on train points and train × test, feature kernel Φ_μν = (1/N) Σ_i φ(h_iμ)φ(h_iν)
 * and gradient kernel G_μν = (1/N) Σ_i w_i² φ'(h_iμ) φ'(h_iν), then the sharpness (largest NTK
 * eigenvalue) and η times it ({@link RecordedSlots}).
 */
public final class TwoLayerEnsemble {
  private final TwoLayerSetup setup;
  private final int width;
  private final DataType dataType;
  private final ObservableLayout layout;

  public TwoLayerEnsemble(TwoLayerSetup setup, int width, DataType dataType) {
    TrainerArguments.check(width, dataType);
    this.setup = setup;
    this.width = width;
    this.dataType = dataType;
    Task task = setup.task();
    this.layout = new ObservableLayout(task.trainPoints(), task.testPoints());
  }

  public ObservableLayout layout() {
    return layout;
  }

  /**
   * Trains one network per seed, all together, and returns their trajectories in seed order.
   *
   * @param firstNetworkIndex the ensemble index of the first seed (stored in the results)
   */
  public List<NetworkTrajectory> train(int firstNetworkIndex, long[] seeds) {
    return run(firstNetworkIndex, seeds, null);
  }

  /**
   * Trains like {@link #train} and also returns every network's final weights (network b's
   * input weights at [b][0 .. N·D), row-major by hidden unit, then its N readout weights).
   * Meant for checks of the update rule against finite differences.
   */
  double[][] finalWeights(long[] seeds) {
    double[][] weights = new double[seeds.length][];
    run(0, seeds, weights);
    return weights;
  }

  private List<NetworkTrajectory> run(int firstNetworkIndex, long[] seeds, double[][] weightsOut) {
    int[] recordSteps = setup.grid().recordSteps();
    Block block = new Block(seeds);
    double[][][] recorded = new double[seeds.length][recordSteps.length][];
    int next = 0;
    for (int step = 0; step <= setup.grid().steps(); step++) {
      block.forward();
      if (next < recordSteps.length && recordSteps[next] == step) {
        block.record(recorded, next);
        next++;
      }
      if (step == setup.grid().steps()) {
        break;
      }
      block.update();
    }

    if (weightsOut != null) {
      block.weightsInto(weightsOut);
    }
    List<NetworkTrajectory> out = new ArrayList<>(seeds.length);
    for (int b = 0; b < seeds.length; b++) {
      out.add(new NetworkTrajectory(firstNetworkIndex + b, seeds[b], recorded[b],
          Divergence.firstDivergedStep(recorded[b], recordSteps, layout.lossIndex())));
    }
    return out;
  }

  /** A block of networks ready to train: its state and the work buffers of every step. */
  Block block(long[] seeds) {
    return new Block(seeds);
  }

  /**
   * The batched state of one block. A training step is {@link #forward()} (outputs and errors of
   * the current weights), optionally {@link #record}, then {@link #update()}.
   */
  final class Block {
    private final int blockSize;
    private final int trainPoints;
    private final int points;
    private final long rows;
    private final double gamma0;
    private final double eta;
    private final double inputStepScale;
    private final Activation activation;
    private final INDArray inputsScaledT;
    private final INDArray trainInputs;
    private final INDArray targets;
    private final INDArray inputKernel;
    private final INDArray w0;
    private final INDArray w;
    private final INDArray pre;
    private final INDArray features;
    private final INDArray slopes;
    private final INDArray features3;
    private final INDArray slopes3;
    private final INDArray trainFeatures;
    private final INDArray trainSlopes;
    private final INDArray backward;
    private final INDArray backwardRows;
    private INDArray initialOutputs;
    private INDArray outputs;
    private INDArray errors;

    private Block(long[] seeds) {
      Task task = setup.task();
      blockSize = seeds.length;
      int dim = task.dim();
      trainPoints = task.trainPoints();
      points = trainPoints + task.testPoints();
      gamma0 = setup.gamma0();
      eta = setup.eta();
      activation = setup.activation();

      // Fixed inputs: X^T / √D over all points, the training inputs, targets, input kernel.
      double[][] allInputs = task.allInputs();
      inputsScaledT = Nd4j.create(allInputs).castTo(dataType).transpose().dup('c')
          .divi(Math.sqrt(dim));
      trainInputs = Nd4j.create(task.trainInputs()).castTo(dataType);
      targets = Nd4j.create(task.trainTargets(), new long[] {1, trainPoints}).castTo(dataType);
      inputKernel = Nd4j.create(task.inputKernel()).castTo(dataType);

      // Initial weights, each network from its own seed, cast and copied into its rows one
      // network at a time: a block-wide double[] on the heap plus a block-wide float64 copy
      // off-heap (and a cast) used to set the task's peak memory. Same values, same casts.
      rows = (long) blockSize * width;
      w0 = Nd4j.create(dataType, rows, dim);
      double[] readoutWeights = new double[blockSize * width];
      for (int b = 0; b < blockSize; b++) {
        InitialWeights init = InitialWeights.draw(seeds[b], width, dim);
        INDArray own = Nd4j.create(init.inputWeights(), new long[] {width, dim}, 'c')
            .castTo(dataType);
        w0.get(NDArrayIndex.interval((long) b * width, (long) (b + 1) * width),
            NDArrayIndex.all()).assign(own);
        own.close();
        System.arraycopy(init.readoutWeights(), 0, readoutWeights, b * width, width);
      }
      w = Nd4j.create(readoutWeights, new long[] {blockSize, width, 1}, 'c').castTo(dataType);

      // Work buffers reused by every step: no allocation of (B·N) × D or (B·N) × (P+Q) arrays
      // inside the loop (allocating them per step costs more than the arithmetic).
      pre = Nd4j.create(dataType, new long[] {rows, points}, 'f');
      features = Nd4j.create(dataType, rows, points);
      slopes = Nd4j.create(dataType, rows, points);
      features3 = features.reshape(blockSize, width, points);
      slopes3 = slopes.reshape(blockSize, width, points);
      trainFeatures = features3.get(NDArrayIndex.all(), NDArrayIndex.all(),
          NDArrayIndex.interval(0, trainPoints));
      trainSlopes = slopes3.get(NDArrayIndex.all(), NDArrayIndex.all(),
          NDArrayIndex.interval(0, trainPoints));
      backward = Nd4j.create(dataType, blockSize, width, trainPoints);
      backwardRows = backward.reshape(rows, trainPoints);
      inputStepScale = eta * gamma0 / Math.sqrt(dim);
    }

    /** Forward pass over all points of all networks: one GEMM, then φ and φ', f and Δ. */
    void forward() {
      // Into a column-major buffer: that is where INDArray.mmuli's BLAS call writes, so it
      // writes there directly instead of into a fresh temporary that is then copied into a
      // row-major array; φ and φ' read it and write row-major features and slopes. The same BLAS
      // call as ever, so the same bits (a row-major GEMM output rounds differently in float32).
      w0.mmuli(inputsScaledT, pre);
      BatchedActivation.applyInto(activation, pre, features, slopes);

      // Outputs f[b, m] = (1/(γ0 N)) Σ_i w[b,i] φ[b,i,m]; errors Δ on train points.
      outputs = Nd4j.matmul(w, features3, true, false, false)
          .reshape(blockSize, points).divi(gamma0 * width);
      if (setup.centred()) {
        if (initialOutputs == null) {
          initialOutputs = outputs.dup();
        }
        outputs.subi(initialOutputs);
      }
      errors = targets.sub(
          outputs.get(NDArrayIndex.all(), NDArrayIndex.interval(0, trainPoints)));
    }

    /** Kernels and predictions at record slot r, from the last {@link #forward()}. */
    void record(double[][][] recorded, int r) {
      recordInto(recorded, r, features3, slopes3, w, outputs, errors, inputKernel);
    }

    /**
     * Gradient step from the state of the last {@link #forward()} (η = c·dt); the input weights
     * are updated by one accumulating GEMM, w0 += (η γ0 / √D) · backward · X_train.
     */
    void update() {
      INDArray errorsColumn = errors.reshape(blockSize, trainPoints, 1);
      INDArray readoutStep = Nd4j.matmul(trainFeatures, errorsColumn).muli(eta * gamma0);
      // backward = (φ'_train · w) · Δ into a kept buffer: the same two broadcast products as
      // trainSlopes.mul(w).muli(...), without a fresh (B·N) × P array every step.
      trainSlopes.mul(w, backward).muli(errors.reshape(blockSize, 1, trainPoints));
      Nd4j.gemm(backwardRows, trainInputs, w0, false, false, inputStepScale, 1.0);
      w.addi(readoutStep);
    }

    /** Network b's input weights, row-major by hidden unit, then its readouts. */
    void weightsInto(double[][] weightsOut) {
      int dim = setup.task().dim();
      double[] inputs = w0.castTo(DataType.DOUBLE).data().asDouble();
      double[] readouts = w.castTo(DataType.DOUBLE).data().asDouble();
      for (int b = 0; b < blockSize; b++) {
        weightsOut[b] = new double[width * dim + width];
        System.arraycopy(inputs, b * width * dim, weightsOut[b], 0, width * dim);
        System.arraycopy(readouts, b * width, weightsOut[b], width * dim, width);
      }
    }
  }

  /** Kernels and predictions of every network at one recorded step. Modified: recorded. */
  private void recordInto(double[][][] recorded, int r, INDArray features, INDArray slopes,
      INDArray w, INDArray outputs, INDArray errors, INDArray inputKernel) {
    int blockSize = recorded.length;
    int trainPoints = layout.trainPoints();
    int testPoints = layout.testPoints();
    int points = trainPoints + testPoints;

    INDArray featureKernel = Nd4j.matmul(features, features, true, false, false).divi(width);
    INDArray gradients = slopes.mul(w);
    INDArray gradientKernel = Nd4j.matmul(gradients, gradients, true, false, false).divi(width);
    INDArray ntk = gradientKernel.mul(inputKernel).addi(featureKernel);

    double[] phi = featureKernel.castTo(DataType.DOUBLE).data().asDouble();
    double[] g = gradientKernel.castTo(DataType.DOUBLE).data().asDouble();
    double[] k = ntk.castTo(DataType.DOUBLE).data().asDouble();
    double[] f = outputs.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] delta = errors.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    for (int b = 0; b < blockSize; b++) {
      double[] v = RecordedSlots.assemble(layout, setup.lossFactor(), f, b * points, delta,
          b * trainPoints, k, phi, g, b * points * points);
      RecordedSlots.setSharpness(layout, v, RecordedSlots.largestNtkEigenvalue(layout, v),
          setup.eta());
      recorded[b][r] = v;
    }
  }
}
