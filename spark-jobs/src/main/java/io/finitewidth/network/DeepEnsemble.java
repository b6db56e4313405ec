package io.finitewidth.network;

import io.finitewidth.model.Activation;
import io.finitewidth.model.DeepLayout;
import io.finitewidth.model.DeepSetup;
import io.finitewidth.model.Task;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A block of B same-shape deep mean-field networks (L hidden layers of width N, THEORY-deep.md
 * §1, any {@link Activation}) trained together with ND4J, every operation batched over the block.
 *
 * <p>Model: h^1 = W0 x / √D, h^{l+1} = W_l φ(h^l) / √N (l = 1..L−1), f = w · φ(h^L) / (γ0 N);
 * loss (c/2) Σ_μ Δ_μ², Δ = y − f; every parameter moves by −dt γ0² N ∂L/∂θ, all from the same
 * pre-update pass. With η = dt γ0 c, backward fields z^L = w, g^l = φ'(h^l) ∘ z^l,
 * z^l = W_l^T g^{l+1} / √N (per input), the step is
 *
 * <pre>
 *   W0  += (η / √D) Σ_μ Δ_μ g^1(x_μ) x_μᵀ
 *   W_l += (η / √N) Σ_μ Δ_μ g^{l+1}(x_μ) φ(h^l(x_μ))ᵀ
 *   w   += η Σ_μ Δ_μ φ(h^L(x_μ))
 * </pre>
 *
 * <p>Recorded before the step's update, over all Pa = P + Q points ({@link DeepLayout}): loss,
 * f, Φ^l_ab = (1/N) Σ_i φ(h_i^l(x_a)) φ(h_i^l(x_b)), G^l_ab = (1/N) Σ_i g_i^l(x_a) g_i^l(x_b)
 * (input independent for linear φ) and K = Σ_{l=0..L} G^{l+1} ∘ Φ^l with Φ^0 = Kx and
 * G^{L+1} = 1, which equals γ0² N Σ_θ ∂f(x_a)/∂θ ∂f(x_b)/∂θ.
 *
 * <p>Batched state: W0 of all networks is one (B·N) × D matrix (network b owns rows b·N ..
 * b·N + N − 1), so the first layer and its update are single GEMMs; each W_l is a B × N × N
 * array used through batched 3-D matmuls; w is B × N × 1. Activations and work buffers are
 * allocated once per call.
 *
 * <p>Determinism: network b's initial weights come only from its seed through
 * {@link #initialWeights}, in the order W0 (N × D, row-major, row i = unit i of layer 1), then
 * W1 .. W_{L−1} (each N × N, row-major, row i = unit i of the layer above), then w (N). A
 * network trained alone gives the same bits as inside a block.
 */
public final class DeepEnsemble {
  private final DeepSetup setup;
  private final int width;
  private final DataType dataType;
  private final DeepLayout layout;

  public DeepEnsemble(DeepSetup setup, int width, DataType dataType) {
    TrainerArguments.check(width, dataType);
    this.setup = setup;
    this.width = width;
    this.dataType = dataType;
    this.layout = setup.layout();
  }

  public DeepLayout layout() {
    return layout;
  }

  /** Number of parameters of one network: N·D + (L − 1)·N² + N. */
  public static int parameterCount(int width, int dim, int depth) {
    return width * dim + (depth - 1) * width * width + width;
  }

  /** The initial parameters of one network in the documented draw order. */
  public static double[] initialWeights(long networkSeed, int width, int dim, int depth) {
    double[] theta = new double[parameterCount(width, dim, depth)];
    new GaussianStream(networkSeed).fillInto(theta, 0, theta.length);
    return theta;
  }

  /**
   * Trains one network per seed, all together, and returns their records in seed order.
   *
   * @param firstNetworkIndex the ensemble index of the first seed (stored in the results)
   */
  public List<DeepObservables> train(int firstNetworkIndex, long[] seeds) {
    return run(firstNetworkIndex, seeds, null);
  }

  /** Trains like {@link #train} and returns every network's final parameters (draw order). */
  double[][] finalWeights(long[] seeds) {
    double[][] out = new double[seeds.length][];
    run(0, seeds, out);
    return out;
  }

  private List<DeepObservables> run(int firstNetworkIndex, long[] seeds, double[][] weightsOut) {
    Task task = setup.task();
    int blocks = seeds.length;
    int dim = task.dim();
    int depth = setup.depth();
    int p = task.trainPoints();
    int pa = p + task.testPoints();
    int n = width;
    double gamma0 = setup.gamma0();
    double eta = setup.eta();
    double rootN = Math.sqrt(n);
    Activation activation = setup.activation();
    int[] recordSteps = setup.grid().recordSteps();
    long rows = (long) blocks * n;

    INDArray inputsScaledT = Nd4j.create(task.allInputs()).castTo(dataType).transpose().dup('c')
        .divi(Math.sqrt(dim));
    INDArray trainInputs = Nd4j.create(task.trainInputs()).castTo(dataType);
    INDArray targets = Nd4j.create(task.trainTargets(), new long[] {1, p}).castTo(dataType);
    INDArray inputKernel = Nd4j.create(task.inputKernel()).castTo(dataType);

    // Initial weights in the draw order, split into the batched arrays.
    int perNetwork = parameterCount(n, dim, depth);
    double[] first = new double[blocks * n * dim];
    double[][] hidden = new double[depth][blocks * n * n];
    double[] readout = new double[blocks * n];
    for (int b = 0; b < blocks; b++) {
      double[] theta = initialWeights(seeds[b], n, dim, depth);
      System.arraycopy(theta, 0, first, b * n * dim, n * dim);
      for (int l = 1; l < depth; l++) {
        System.arraycopy(theta, n * dim + (l - 1) * n * n, hidden[l], b * n * n, n * n);
      }
      System.arraycopy(theta, perNetwork - n, readout, b * n, n);
    }
    INDArray w0 = Nd4j.create(first, new long[] {rows, dim}, 'c').castTo(dataType);
    INDArray[] weights = new INDArray[depth];
    for (int l = 1; l < depth; l++) {
      weights[l] = Nd4j.create(hidden[l], new long[] {blocks, n, n}, 'c').castTo(dataType);
    }
    INDArray w = Nd4j.create(readout, new long[] {blocks, n, 1}, 'c').castTo(dataType);

    // Work buffers, index l = 1..L: pre-activations, φ, φ' and backward fields g^l.
    INDArray[] pre = new INDArray[depth + 1];
    INDArray[] features = new INDArray[depth + 1];
    INDArray[] slopes = new INDArray[depth + 1];
    INDArray[] grads = new INDArray[depth + 1];
    for (int l = 1; l <= depth; l++) {
      pre[l] = Nd4j.create(dataType, blocks, n, pa);
      features[l] = Nd4j.create(dataType, blocks, n, pa);
      slopes[l] = Nd4j.create(dataType, blocks, n, pa);
      grads[l] = Nd4j.create(dataType, blocks, n, pa);
    }
    INDArray pre1Flat = pre[1].reshape(rows, pa);
    INDArray backward = Nd4j.create(dataType, blocks, n, pa);
    INDArray hiddenStep = depth > 1 ? Nd4j.create(dataType, blocks, n, n) : null;

    double[][][] recorded = new double[blocks][recordSteps.length][];
    int next = 0;
    for (int step = 0; step <= setup.grid().steps(); step++) {
      // Forward pass: one GEMM for layer 1, batched matmuls above it.
      w0.mmuli(inputsScaledT, pre1Flat);
      BatchedActivation.applyInto(activation, pre[1], features[1], slopes[1]);
      for (int l = 1; l < depth; l++) {
        Nd4j.matmul(weights[l], features[l], pre[l + 1], false, false, false);
        pre[l + 1].divi(rootN);
        BatchedActivation.applyInto(activation, pre[l + 1], features[l + 1], slopes[l + 1]);
      }
      INDArray outputs = Nd4j.matmul(w, features[depth], true, false, false)
          .reshape(blocks, pa).divi(gamma0 * n);
      INDArray errors = targets.sub(outputs.get(NDArrayIndex.all(), NDArrayIndex.interval(0, p)));

      // Backward fields from the same (pre-update) weights.
      grads[depth].assign(slopes[depth].mul(w));
      for (int l = depth - 1; l >= 1; l--) {
        Nd4j.matmul(weights[l], grads[l + 1], backward, true, false, false);
        grads[l].assign(backward).divi(rootN).muli(slopes[l]);
      }

      if (next < recordSteps.length && recordSteps[next] == step) {
        recordInto(recorded, next, features, grads, outputs, errors, inputKernel);
        next++;
      }
      if (step == setup.grid().steps()) {
        break;
      }

      // Updates, every one from the fields above (none of them is read after an update).
      INDArray errorRow = errors.reshape(blocks, 1, p);
      INDArray errorColumn = errors.reshape(blocks, p, 1);
      for (int l = 1; l < depth; l++) {
        INDArray weighted = trainPart(grads[l + 1]).mul(errorRow);
        Nd4j.matmul(weighted, trainPart(features[l]), hiddenStep, false, true, false);
        weights[l].addi(hiddenStep.muli(eta / rootN));
      }
      INDArray weightedFirst = trainPart(grads[1]).mul(errorRow);
      Nd4j.gemm(weightedFirst.reshape(rows, p), trainInputs, w0, false, false,
          eta / Math.sqrt(dim), 1.0);
      w.addi(Nd4j.matmul(trainPart(features[depth]), errorColumn).muli(eta));
    }

    if (weightsOut != null) {
      double[] firstOut = w0.castTo(DataType.DOUBLE).data().asDouble();
      double[] readoutOut = w.castTo(DataType.DOUBLE).data().asDouble();
      double[][] hiddenOut = new double[depth][];
      for (int l = 1; l < depth; l++) {
        hiddenOut[l] = weights[l].castTo(DataType.DOUBLE).data().asDouble();
      }
      for (int b = 0; b < blocks; b++) {
        double[] theta = new double[perNetwork];
        System.arraycopy(firstOut, b * n * dim, theta, 0, n * dim);
        for (int l = 1; l < depth; l++) {
          System.arraycopy(hiddenOut[l], b * n * n, theta, n * dim + (l - 1) * n * n, n * n);
        }
        System.arraycopy(readoutOut, b * n, theta, perNetwork - n, n);
        weightsOut[b] = theta;
      }
    }
    List<DeepObservables> out = new ArrayList<>(blocks);
    for (int b = 0; b < blocks; b++) {
      out.add(new DeepObservables(firstNetworkIndex + b, seeds[b], layout, recorded[b],
          Divergence.firstDivergedStep(recorded[b], recordSteps, 0)));
    }
    return out;
  }

  private INDArray trainPart(INDArray perPoint) {
    return perPoint.get(NDArrayIndex.all(), NDArrayIndex.all(),
        NDArrayIndex.interval(0, layout.trainPoints()));
  }

  /** Kernels and predictions of every network at one recorded step. Modified: recorded. */
  private void recordInto(double[][][] recorded, int r, INDArray[] features, INDArray[] grads,
      INDArray outputs, INDArray errors, INDArray inputKernel) {
    int blocks = recorded.length;
    int depth = setup.depth();
    int p = layout.trainPoints();
    int pa = layout.points();
    INDArray[] featureKernels = new INDArray[depth + 1];
    INDArray[] gradientKernels = new INDArray[depth + 1];
    double[][] phi = new double[depth + 1][];
    double[][] g = new double[depth + 1][];
    for (int l = 1; l <= depth; l++) {
      featureKernels[l] = Nd4j.matmul(features[l], features[l], true, false, false).divi(width);
      gradientKernels[l] = Nd4j.matmul(grads[l], grads[l], true, false, false).divi(width);
      phi[l] = featureKernels[l].castTo(DataType.DOUBLE).data().asDouble();
      g[l] = gradientKernels[l].castTo(DataType.DOUBLE).data().asDouble();
    }
    // K = Φ^L + Σ_{l=1..L−1} G^{l+1} ∘ Φ^l + G^1 ∘ Kx.
    INDArray ntk = featureKernels[depth].dup();
    for (int l = 1; l < depth; l++) {
      ntk.addi(gradientKernels[l + 1].mul(featureKernels[l]));
    }
    ntk.addi(gradientKernels[1].mul(inputKernel));
    double[] k = ntk.castTo(DataType.DOUBLE).data().asDouble();
    double[] f = outputs.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] delta = errors.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double c = setup.lossFactor();
    for (int b = 0; b < blocks; b++) {
      double[] v = new double[layout.size()];
      double sumSquares = 0;
      for (int mu = 0; mu < p; mu++) {
        double e = delta[b * p + mu];
        sumSquares += e * e;
      }
      v[layout.lossIndex()] = 0.5 * c * sumSquares;
      int base = b * pa * pa;
      for (int a = 0; a < pa; a++) {
        v[layout.prediction(a)] = f[b * pa + a];
        for (int bb = a; bb < pa; bb++) {
          int at = base + a * pa + bb;
          v[layout.ntk(a, bb)] = k[at];
          for (int l = 1; l <= depth; l++) {
            v[layout.featureKernel(l, a, bb)] = phi[l][at];
            v[layout.gradientKernel(l, a, bb)] = g[l][at];
          }
        }
      }
      recorded[b][r] = v;
    }
  }

}
