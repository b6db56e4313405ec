package io.finitewidth.network;

import io.finitewidth.model.Activation;
import io.finitewidth.model.OnlineSetup;
import io.finitewidth.model.OnlineTask;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A block of B same-shape two-layer mean-field networks trained ONLINE together with ND4J
 * (THEORY-online.md §1): every step n draws a fresh batch of {@code batchSize} inputs
 * x ~ N(0, I_D) from the task (never reused), per-step loss (1/(2B)) Σ (y − f)², and every
 * parameter moves by −dt · γ0² · N · ∂loss/∂θ. With η = dt · γ0, from the state before the step,
 *
 * <pre>
 *   w_i  += (η / B) Σ_μ Δ_μ φ(h_iμ)
 *   w0_i += (η / (B √D)) Σ_μ Δ_μ w_i φ'(h_iμ) x_μ
 * </pre>
 *
 * <p>Batches: step n's batch is a pure function of the task's data seed and n (see
 * {@link OnlineTask.GaussianBatches}), so EVERY network of an ensemble, at every width, and the
 * infinite-width reference {@code OnlineDmft.infiniteWidth} see the same batches. That is the
 * common-random-numbers design THEORY-online.md §6 requires to separate the width effect from SGD
 * noise (pair each finite network with the reference on the same batches); it makes the networks
 * of one ensemble conditionally independent given the batch sequence, so for finite B repeat the
 * experiment over several data seeds (§9) rather than treating one sequence as the population.
 *
 * <p>Population gradient ({@link OnlineSetup#POPULATION}, B = ∞; linear network and teacher only):
 * the exact expectation over x of the gradient. With β = (1/N) Σ_i w_i w0_i and
 * e = b − (β − β_init)/γ0 (β_init only when centred), E_x[Δ x/√D] = e/D =: M, so
 * w_i += η w0_i·M and w0_i += η w_i M; no inputs are drawn.
 *
 * <p>Recorded at the grid's steps: population loss |e|²/(2D) (linear network, linear teacher),
 * the loss on the task's fixed test set, optionally the test predictions, and (linear) the error
 * vector e. Also the initial statistics of {@link OnlineTrajectory} used as control variates.
 *
 * <p>Layout and cost mirror {@link TwoLayerEnsemble}: input weights of all networks are one
 * (B·N) × D matrix, forward passes are single GEMMs into preallocated buffers, and the input
 * weight step is one accumulating GEMM. Initial weights come from {@link InitialWeights} per seed;
 * {@code antithetic} replaces units N/2 … N−1 by copies of units 0 … N/2−1 with negated readout,
 * so f_init = 0 exactly (the particle DMFT of §3 for nonlinear networks: use N = S ≫ the widths
 * studied).
 */
public final class OnlineTwoLayerEnsemble {
  private final OnlineSetup setup;
  private final int width;
  private final DataType dataType;
  private final boolean recordTestPredictions;
  private final boolean antithetic;

  /**
   * @param recordTestPredictions keep f on every test point at every recorded step (memory
   *     Q × records doubles per network)
   * @param antithetic draw units in (w0, w), (w0, −w) pairs; needs an even width
   */
  public OnlineTwoLayerEnsemble(OnlineSetup setup, int width, DataType dataType,
      boolean recordTestPredictions, boolean antithetic) {
    if (width < 1 || (antithetic && width % 2 != 0)) {
      throw new IllegalArgumentException("width must be at least 1 (even when antithetic), got "
          + width);
    }
    if (dataType != DataType.DOUBLE && dataType != DataType.FLOAT) {
      throw new IllegalArgumentException("precision must be DOUBLE or FLOAT, got " + dataType);
    }
    this.setup = setup;
    this.width = width;
    this.dataType = dataType;
    this.recordTestPredictions = recordTestPredictions;
    this.antithetic = antithetic;
  }

  public OnlineTwoLayerEnsemble(OnlineSetup setup, int width, DataType dataType) {
    this(setup, width, dataType, false, false);
  }

  /**
   * Trains one network per seed, all together, and returns their trajectories in seed order.
   *
   * @param firstNetworkIndex the ensemble index of the first seed (stored in the results)
   */
  public List<OnlineTrajectory> train(int firstNetworkIndex, long[] seeds) {
    OnlineTask task = setup.task();
    int blockSize = seeds.length;
    int dim = task.dim();
    long rows = (long) blockSize * width;
    double gamma0 = setup.gamma0();
    double eta = setup.eta();
    int[] recordSteps = setup.grid().recordSteps();
    int testPoints = task.testPoints();
    boolean linear = setup.activation() == Activation.LINEAR;
    boolean exactLoss = setup.exactPopulationLoss();

    // Initial weights, each network from its own seed, and their control-variate statistics.
    double[] inputWeights = new double[blockSize * width * dim];
    double[] readoutWeights = new double[blockSize * width];
    double[][] initialStatistics = new double[blockSize][];
    for (int b = 0; b < blockSize; b++) {
      InitialWeights init = initialWeights(seeds[b]);
      System.arraycopy(init.inputWeights(), 0, inputWeights, b * width * dim, width * dim);
      System.arraycopy(init.readoutWeights(), 0, readoutWeights, b * width, width);
      initialStatistics[b] = initialStatistics(init, task);
    }
    INDArray w0 = Nd4j.create(inputWeights, new long[] {rows, dim}, 'c').castTo(dataType);
    INDArray w = Nd4j.create(readoutWeights, new long[] {blockSize, width, 1}, 'c')
        .castTo(dataType);
    INDArray w03 = w0.reshape(blockSize, width, dim);
    INDArray teacher = Nd4j.create(task.teacher(), new long[] {1, dim, 1}).castTo(dataType);

    // Initial network, kept for centring (outputs on fresh batches need its weights).
    INDArray w0Init = setup.centred() ? w0.dup() : null;
    INDArray wInit = setup.centred() ? w.dup() : null;
    INDArray betaInit = setup.centred() ? readoutDirection(w03, w) : null;

    // Test set: X_testᵀ/√D, targets, initial outputs (centred).
    Forward testForward = testPoints == 0 ? null
        : new Forward(rows, testPoints, scaledTranspose(task.testInputs(), dim));
    INDArray testTargets = testPoints == 0 ? null
        : Nd4j.create(task.testTargets(), new long[] {1, testPoints}).castTo(dataType);
    INDArray testInitial = setup.centred() && testPoints > 0
        ? testForward.outputs(w0Init, wInit, blockSize) : null;

    // Work buffers reused by every step.
    int batch = setup.batchSize();
    Forward batchForward = setup.population() ? null : new Forward(rows, batch, null);
    INDArray outerBuffer = setup.population()
        ? Nd4j.create(dataType, blockSize, width, dim) : null;

    double[][] populationLoss = new double[blockSize][recordSteps.length];
    double[][] testLoss = new double[blockSize][recordSteps.length];
    double[][][] errorVectors = linear ? new double[blockSize][recordSteps.length][] : null;
    double[][][] predictions = recordTestPredictions
        ? new double[blockSize][recordSteps.length][] : null;
    int next = 0;
    for (int step = 0; step <= setup.grid().steps(); step++) {
      if (next < recordSteps.length && recordSteps[next] == step) {
        // Error vectors e = b − (β − β_init)/γ0 (linear) and the exact population loss.
        if (linear) {
          INDArray e = errorVector(w03, w, betaInit, teacher);
          double[] flat = e.castTo(DataType.DOUBLE).dup('c').data().asDouble();
          for (int b = 0; b < blockSize; b++) {
            double[] eb = new double[dim];
            System.arraycopy(flat, b * dim, eb, 0, dim);
            errorVectors[b][next] = eb;
            double sum = 0;
            for (double v : eb) {
              sum += v * v;
            }
            populationLoss[b][next] = exactLoss ? sum / (2 * dim) : Double.NaN;
          }
        } else {
          for (int b = 0; b < blockSize; b++) {
            populationLoss[b][next] = Double.NaN;
          }
        }
        recordTestInto(testForward, testTargets, testInitial, w0, w, blockSize, next, testLoss,
            predictions);
        next++;
      }
      if (step == setup.grid().steps()) {
        break;
      }

      if (setup.population()) {
        // M = e/D; readout step η (W0 M), input step η w Mᵀ, both from the old state.
        INDArray m = errorVector(w03, w, betaInit, teacher).divi(dim);
        INDArray readoutStep = Nd4j.matmul(w03, m).muli(eta);
        Nd4j.matmul(w, m, outerBuffer, false, true, false);
        w03.addi(outerBuffer.muli(eta));
        w.addi(readoutStep);
      } else {
        batchStep(step, batchForward, w0, w, w0Init, wInit, blockSize, eta);
      }
    }

    List<OnlineTrajectory> out = new ArrayList<>(blockSize);
    for (int b = 0; b < blockSize; b++) {
      out.add(new OnlineTrajectory(firstNetworkIndex + b, seeds[b], populationLoss[b],
          testLoss[b], linear ? errorVectors[b] : null,
          recordTestPredictions ? predictions[b] : null, initialStatistics[b],
          firstNonFinite(populationLoss[b], testLoss[b], exactLoss,
              testPoints > 0, recordSteps)));
    }
    return out;
  }

  /** One SGD step on step n's fresh batch. Modified: w0, w. */
  private void batchStep(int step, Forward forward, INDArray w0, INDArray w, INDArray w0Init,
      INDArray wInit, int blockSize, double eta) {
    OnlineTask task = setup.task();
    int dim = task.dim();
    int batch = setup.batchSize();
    double[][] x = task.batchInputs(step, batch);
    INDArray inputs = Nd4j.create(x).castTo(dataType);
    forward.setInputs(inputs.transpose().div(Math.sqrt(dim)).dup('c'));
    INDArray targets = Nd4j.create(task.targets(x), new long[] {1, batch}).castTo(dataType);

    INDArray initialOutputs = setup.centred() ? forward.outputs(w0Init, wInit, blockSize) : null;
    INDArray outputs = forward.outputs(w0, w, blockSize);
    if (initialOutputs != null) {
      outputs.subi(initialOutputs);
    }
    INDArray errors = targets.sub(outputs);

    INDArray features3 = forward.features.reshape(blockSize, width, batch);
    INDArray slopes3 = forward.slopes.reshape(blockSize, width, batch);
    INDArray readoutStep = Nd4j.matmul(features3, errors.reshape(blockSize, batch, 1))
        .muli(eta / batch);
    INDArray backward = slopes3.mul(w).muli(errors.reshape(blockSize, 1, batch));
    Nd4j.gemm(backward.reshape((long) blockSize * width, batch), inputs, w0, false, false,
        eta / (batch * Math.sqrt(dim)), 1.0);
    w.addi(readoutStep);
  }

  /** Test loss (and predictions) of every network at record r. Modified: testLoss, predictions. */
  private void recordTestInto(Forward forward, INDArray targets, INDArray initial, INDArray w0,
      INDArray w, int blockSize, int r, double[][] testLoss, double[][][] predictions) {
    if (forward == null) {
      for (int b = 0; b < blockSize; b++) {
        testLoss[b][r] = Double.NaN;
        if (predictions != null) {
          predictions[b][r] = new double[0];
        }
      }
      return;
    }
    INDArray outputs = forward.outputs(w0, w, blockSize);
    if (initial != null) {
      outputs.subi(initial);
    }
    int q = (int) targets.length();
    double[] f = outputs.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] y = targets.castTo(DataType.DOUBLE).data().asDouble();
    for (int b = 0; b < blockSize; b++) {
      double sum = 0;
      for (int k = 0; k < q; k++) {
        double residual = y[k] - f[b * q + k];
        sum += residual * residual;
      }
      testLoss[b][r] = 0.5 * sum / q;
      if (predictions != null) {
        double[] fb = new double[q];
        System.arraycopy(f, b * q, fb, 0, q);
        predictions[b][r] = fb;
      }
    }
  }

  /** β = (1/N) W0ᵀ w per network, shape (B, D, 1). Not modified: the arguments. */
  private INDArray readoutDirection(INDArray w03, INDArray w) {
    return Nd4j.matmul(w03, w, true, false, false).divi(width);
  }

  /** e = b − (β − β_init)/γ0 per network, shape (B, D, 1) (linear networks). */
  private INDArray errorVector(INDArray w03, INDArray w, INDArray betaInit, INDArray teacher) {
    INDArray beta = readoutDirection(w03, w);
    if (betaInit != null) {
      beta.subi(betaInit);
    }
    return beta.divi(-setup.gamma0()).addi(teacher);
  }

  private InitialWeights initialWeights(long seed) {
    int dim = setup.task().dim();
    if (!antithetic) {
      return InitialWeights.draw(seed, width, dim);
    }
    InitialWeights half = InitialWeights.draw(seed, width / 2, dim);
    double[] w0 = new double[width * dim];
    double[] w = new double[width];
    int h = width / 2;
    System.arraycopy(half.inputWeights(), 0, w0, 0, h * dim);
    System.arraycopy(half.inputWeights(), 0, w0, h * dim, h * dim);
    for (int i = 0; i < h; i++) {
      w[i] = half.readoutWeights()[i];
      w[h + i] = -half.readoutWeights()[i];
    }
    return new InitialWeights(width, dim, w0, w);
  }

  /** The statistics of {@link OnlineTrajectory#initialStatistics()}, from the initial weights. */
  private double[] initialStatistics(InitialWeights init, OnlineTask task) {
    int dim = task.dim();
    double[] u = task.teacher();
    for (int a = 0; a < dim; a++) {
      u[a] /= Math.sqrt(dim);
    }
    double[] w0 = init.inputWeights();
    double[] w = init.readoutWeights();
    double uCu = 0;
    double uBeta = 0;
    double g = 0;
    for (int i = 0; i < width; i++) {
      double projection = 0;
      for (int a = 0; a < dim; a++) {
        projection += w0[i * dim + a] * u[a];
      }
      uCu += projection * projection;
      uBeta += w[i] * projection;
      g += w[i] * w[i];
    }
    double targetOutput = Double.NaN;
    double[][] test = task.testInputs();
    if (test.length > 0) {
      double[] y = task.testTargets();
      Activation act = setup.activation();
      targetOutput = 0;
      for (int q = 0; q < test.length; q++) {
        double f = 0;
        for (int i = 0; i < width; i++) {
          double h = 0;
          for (int a = 0; a < dim; a++) {
            h += w0[i * dim + a] * test[q][a];
          }
          f += w[i] * act.value(h / Math.sqrt(dim));
        }
        targetOutput += y[q] * f / (setup.gamma0() * width) / test.length;
      }
    }
    return new double[] {uCu / width, uBeta / width, g / width, targetOutput};
  }

  private static double[][] scaledTranspose(double[][] x, int dim) {
    double[][] t = new double[dim][x.length];
    double s = 1 / Math.sqrt(dim);
    for (int q = 0; q < x.length; q++) {
      for (int a = 0; a < dim; a++) {
        t[a][q] = x[q][a] * s;
      }
    }
    return t;
  }

  private static int firstNonFinite(double[] population, double[] test, boolean exactLoss,
      boolean hasTest, int[] recordSteps) {
    for (int r = 0; r < recordSteps.length; r++) {
      if ((exactLoss && !Double.isFinite(population[r]))
          || (hasTest && !Double.isFinite(test[r]))) {
        return recordSteps[r];
      }
    }
    return -1;
  }

  /**
   * Forward pass of all networks over a fixed set of points, into preallocated buffers:
   * pre = W0 X̂ᵀ, features φ(pre), slopes φ'(pre), outputs (1/(γ0 N)) Σ_i w_i φ.
   */
  private final class Forward {
    private INDArray inputsScaledT;
    final INDArray pre;
    final INDArray features;
    final INDArray slopes;
    private final int points;

    Forward(long rows, int points, double[][] inputsScaledT) {
      this.points = points;
      this.pre = Nd4j.create(dataType, rows, points);
      this.features = Nd4j.create(dataType, rows, points);
      this.slopes = Nd4j.create(dataType, rows, points);
      if (inputsScaledT != null) {
        this.inputsScaledT = Nd4j.create(inputsScaledT).castTo(dataType);
      }
    }

    void setInputs(INDArray scaledT) {
      this.inputsScaledT = scaledT;
    }

    /** Outputs (B, points) of the networks with weights (w0, w). Modified: the buffers. */
    INDArray outputs(INDArray w0, INDArray w, int blockSize) {
      w0.mmuli(inputsScaledT, pre);
      BatchedActivation.applyInto(setup.activation(), pre, features, slopes);
      return Nd4j.matmul(w, features.reshape(blockSize, width, points), true, false, false)
          .reshape(blockSize, points).divi(setup.gamma0() * width);
    }
  }

}
