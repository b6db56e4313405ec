package io.finitewidth.network;

import io.finitewidth.data.CnnImageTask;
import io.finitewidth.model.Activation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A block of B same-width mean-field CNNs (CNN.md §2), trained together by full-batch gradient
 * descent with ND4J. Empirical: no theory is attached to this architecture.
 *
 * <p><b>Model</b> (no biases; N channels in both hidden convolutions; 3×3 windows, stride 1,
 * zero padding 1; offsets k = 3·dy + dx with dy, dx ∈ {0, 1, 2} standing for −1, 0, +1):
 *
 * <pre>
 *   h1[q,i] = (1/√27)   Σ_k Σ_c W1[k,c,i] x[q+k,c]          32×32×N
 *   p1[r,i] = ¼ Σ_{q in block r} φ(h1[q,i])                 16×16×N
 *   h2[r,j] = (1/√(9N)) Σ_k Σ_i W2[k,i,j] p1[r+k,i]         16×16×N
 *   g[j]    = (1/256)   Σ_r φ(h2[r,j])
 *   f       = (1/(γ0 N)) Σ_j w[j] g[j]
 * </pre>
 *
 * with loss L = (1/(2P)) Σ_μ (y_μ − f_μ)² and every tensor updated by θ ← θ − dt·γ0²·N·∂L/∂θ
 * (one raw learning rate for all three layers, CNN.md §3). φ is ReLU (default) or tanh.
 *
 * <p><b>Initial weights</b>: i.i.d. N(0, 1) from each network's own {@link GaussianStream}, drawn
 * in this order: W1 (27·N values, index (3k + c)·N + i, i fastest), then W2 (9N·N values, index
 * (k·N + i)·N + j, j fastest), then w (N values). The order is part of the determinism contract.
 *
 * <p><b>Layout</b> (channels last, NHWC per network, the block index in front):
 *
 * <ul>
 *   <li>weights: W1 as (B, 27, N), W2 as (B, 9N, N), w as (B, N, 1);
 *   <li>the first convolution uses an im2col matrix of the images, shared by all networks,
 *       (C·1024, 27) with row (image, y, x) and column 3k + c; h1 is (B, C·1024, N), one GEMM per
 *       network (same shapes whatever B, so a network's numbers do not depend on its block);
 *   <li>pooling views h1 as (B, C, 16, 2, 16, 2, N) and sums over the two size-2 axes;
 *   <li>the second convolution pads p1 to (B, C, 18, 18, N) and copies the 9 shifted windows
 *       into an im2col buffer (B, C, 16, 16, 9, N) = (B, C·256, 9N), then one batched GEMM with
 *       W2; its backward pass scatters the column gradient back through the same 9 windows.
 * </ul>
 *
 * <p>Images are processed in chunks of C (settings) and the weight gradients summed over chunks,
 * which bounds memory (CNN.md §4) without changing full-batch gradient descent.
 *
 * <p><b>Recorded</b> at the steps of {@code recordSteps}: train and test predictions, feature
 * movement on the probe set (rms of h1 − h1(0) and h2 − h2(0)); the training loss at every step;
 * the probe-set NTK K = γ0² N J Jᵀ (and its W1, W2, w parts) from per-image gradients of f
 * (one backward pass per probe image, never finite differences) at the first and the last
 * recorded step (CNN.md §5). The probe set is the first {@link CnnImageTask#probePoints()} test
 * images (16 in CNN.md).
 */
public final class CnnEnsemble {
  static final int SIDE = CnnImageTask.SIDE;
  static final int POOLED = SIDE / 2;
  static final int IN_CHANNELS = CnnImageTask.CHANNELS;
  static final int WINDOW = 9;
  static final int FAN_IN_1 = WINDOW * IN_CHANNELS;
  static final int POSITIONS_1 = SIDE * SIDE;
  static final int POSITIONS_2 = POOLED * POOLED;

  /**
   * Everything that fixes a network's trajectory apart from its seed and the task.
   *
   * @param width N, channels of both hidden convolutions
   * @param gamma0 feature-learning strength γ0 &gt; 0
   * @param activation φ: RELU or TANH (LINEAR works too)
   * @param dt step size; the raw learning rate is dt·γ0²·N
   * @param steps number of gradient steps
   * @param recordSteps increasing steps in [0, steps] at which predictions are recorded
   * @param dataType FLOAT or DOUBLE
   * @param chunk images per forward/backward chunk (memory bound), at least 1
   */
  public record Settings(int width, double gamma0, Activation activation, double dt, int steps,
      int[] recordSteps, DataType dataType, int chunk) implements java.io.Serializable {
    public Settings {
      if (width < 1 || !(gamma0 > 0) || !(dt > 0) || steps < 0 || chunk < 1) {
        throw new IllegalArgumentException("invalid CNN settings: N=" + width + ", γ0=" + gamma0
            + ", dt=" + dt + ", steps=" + steps + ", chunk=" + chunk);
      }
      if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
        throw new IllegalArgumentException("precision must be FLOAT or DOUBLE, got " + dataType);
      }
      if (recordSteps.length == 0) {
        throw new IllegalArgumentException("need at least one recorded step");
      }
      for (int r = 0; r < recordSteps.length; r++) {
        if (recordSteps[r] < 0 || recordSteps[r] > steps
            || r > 0 && recordSteps[r] <= recordSteps[r - 1]) {
          throw new IllegalArgumentException("record steps must increase within [0, " + steps
              + "], got " + Arrays.toString(recordSteps));
        }
      }
      recordSteps = recordSteps.clone();
    }

    /** The raw learning rate η = dt·γ0²·N. */
    public double learningRate() {
      return dt * gamma0 * gamma0 * width;
    }
  }

  /** The weights of a block: W1 (B, 27, N), W2 (B, 9N, N), w (B, N, 1). */
  record Weights(INDArray w1, INDArray w2, INDArray w) {
    int blockSize() {
      return (int) w1.size(0);
    }

    Weights dup() {
      return new Weights(w1.dup(), w2.dup(), w.dup());
    }

    INDArray[] tensors() {
      return new INDArray[] {w1, w2, w};
    }
  }

  /** A forward pass over one chunk of images, kept for the backward pass. */
  private record Forward(int images, INDArray columns1, INDArray h1, INDArray slopes1,
      INDArray columns2, INDArray h2, INDArray slopes2, INDArray pooled2, INDArray outputs) {}

  private final CnnImageTask task;
  private final Settings settings;
  private final int width;

  public CnnEnsemble(CnnImageTask task, Settings settings) {
    this.task = task;
    this.settings = settings;
    this.width = settings.width();
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Trains one network per seed, all together, and returns their records in seed order.
   *
   * @param firstNetworkIndex the ensemble index of the first seed (stored in the results)
   */
  public List<CnnTrajectory> train(int firstNetworkIndex, long[] seeds) {
    int blockSize = seeds.length;
    Weights weights = initialWeights(seeds);
    int[] recordSteps = settings.recordSteps();
    int records = recordSteps.length;
    int trainPoints = task.trainPoints();
    int testPoints = task.testPoints();
    int probe = task.probePoints();
    int[] ntkRecords = records == 1 ? new int[] {0} : new int[] {0, records - 1};
    int[] ntkSteps = Arrays.stream(ntkRecords).map(r -> recordSteps[r]).toArray();

    double[][] loss = new double[blockSize][settings.steps() + 1];
    double[][][] trainPredictions = new double[blockSize][records][];
    double[][][] testPredictions = new double[blockSize][records][];
    double[][][] movement = new double[blockSize][records][];
    double[][][][] ntk = new double[blockSize][ntkRecords.length][][];
    double[][][] probeOutputs = new double[blockSize][ntkRecords.length][];
    double[][] probeImages = new double[probe][];
    for (int a = 0; a < probe; a++) {
      probeImages[a] = task.testImage(a);
    }
    double[][] trainImages = new double[trainPoints][];
    for (int mu = 0; mu < trainPoints; mu++) {
      trainImages[mu] = task.trainImage(mu);
    }
    double[] targets = task.trainTargets();
    double eta = settings.learningRate();

    Forward probeAtInit = null;
    int next = 0;
    int nextNtk = 0;
    for (int step = 0; step <= settings.steps(); step++) {
      boolean recording = next < records && recordSteps[next] == step;
      double[][] f = new double[blockSize][trainPoints];
      Weights gradient = step < settings.steps() ? zeroLike(weights) : null;
      for (int from = 0; from < trainPoints; from += settings.chunk()) {
        int to = Math.min(trainPoints, from + settings.chunk());
        Forward fw = forward(weights, Arrays.copyOfRange(trainImages, from, to));
        double[] out = toDoubles(fw.outputs());
        double[] outGrad = new double[blockSize * (to - from)];
        for (int b = 0; b < blockSize; b++) {
          for (int mu = from; mu < to; mu++) {
            double value = out[b * (to - from) + mu - from];
            double error = targets[mu] - value;
            f[b][mu] = value;
            loss[b][step] += 0.5 * error * error / trainPoints;
            outGrad[b * (to - from) + mu - from] = -error / trainPoints;
          }
        }
        if (gradient != null) {
          backward(weights, fw, create(outGrad, blockSize, to - from), gradient);
        }
      }
      if (recording) {
        double[][] test = predict(weights, testPoints, task::testImage);
        Forward probeNow = forward(weights, probeImages);
        if (probeAtInit == null) {
          probeAtInit = probeNow;
        }
        double[] h1Move = rmsDifference(probeNow.h1(), probeAtInit.h1(), blockSize);
        double[] h2Move = rmsDifference(probeNow.h2(), probeAtInit.h2(), blockSize);
        for (int b = 0; b < blockSize; b++) {
          trainPredictions[b][next] = f[b];
          testPredictions[b][next] = test[b];
          movement[b][next] = new double[] {h1Move[b], h2Move[b]};
        }
        if (nextNtk < ntkRecords.length && ntkRecords[nextNtk] == next) {
          double[][][] k = probeNtk(weights, probeImages);
          double[] fProbe = toDoubles(probeNow.outputs());
          for (int b = 0; b < blockSize; b++) {
            ntk[b][nextNtk] = k[b];
            probeOutputs[b][nextNtk] = Arrays.copyOfRange(fProbe, b * probe, (b + 1) * probe);
          }
          nextNtk++;
        }
        next++;
      }
      if (gradient != null) {
        for (int t = 0; t < 3; t++) {
          weights.tensors()[t].subi(gradient.tensors()[t].muli(eta));
        }
      }
    }

    List<CnnTrajectory> out = new ArrayList<>(blockSize);
    for (int b = 0; b < blockSize; b++) {
      out.add(new CnnTrajectory(firstNetworkIndex + b, seeds[b], recordSteps, loss[b],
          trainPredictions[b], testPredictions[b], movement[b], ntkSteps, ntk[b],
          probeOutputs[b]));
    }
    return out;
  }

  // ---- weights ----

  /** Draws every network's weights from its seed (order: see the class comment). */
  Weights initialWeights(long[] seeds) {
    int blockSize = seeds.length;
    int n1 = FAN_IN_1 * width;
    int n2 = WINDOW * width * width;
    double[] w1 = new double[blockSize * n1];
    double[] w2 = new double[blockSize * n2];
    double[] w = new double[blockSize * width];
    for (int b = 0; b < blockSize; b++) {
      GaussianStream normal = new GaussianStream(seeds[b]);
      normal.fillInto(w1, b * n1, n1);
      normal.fillInto(w2, b * n2, n2);
      normal.fillInto(w, b * width, width);
    }
    return new Weights(create(w1, blockSize, FAN_IN_1, width),
        create(w2, blockSize, WINDOW * width, width), create(w, blockSize, width, 1));
  }

  /** Weights from flat per-network vectors laid out as {@link #flatten}. */
  Weights fromFlat(double[][] flat) {
    int blockSize = flat.length;
    int n1 = FAN_IN_1 * width;
    int n2 = WINDOW * width * width;
    double[] w1 = new double[blockSize * n1];
    double[] w2 = new double[blockSize * n2];
    double[] w = new double[blockSize * width];
    for (int b = 0; b < blockSize; b++) {
      System.arraycopy(flat[b], 0, w1, b * n1, n1);
      System.arraycopy(flat[b], n1, w2, b * n2, n2);
      System.arraycopy(flat[b], n1 + n2, w, b * width, width);
    }
    return new Weights(create(w1, blockSize, FAN_IN_1, width),
        create(w2, blockSize, WINDOW * width, width), create(w, blockSize, width, 1));
  }

  /** Per network: W1, then W2, then w, each in its draw order. */
  static double[][] flatten(Weights weights) {
    int blockSize = weights.blockSize();
    double[] w1 = toDoubles(weights.w1());
    double[] w2 = toDoubles(weights.w2());
    double[] w = toDoubles(weights.w());
    int n1 = w1.length / blockSize;
    int n2 = w2.length / blockSize;
    int n3 = w.length / blockSize;
    double[][] flat = new double[blockSize][n1 + n2 + n3];
    for (int b = 0; b < blockSize; b++) {
      System.arraycopy(w1, b * n1, flat[b], 0, n1);
      System.arraycopy(w2, b * n2, flat[b], n1, n2);
      System.arraycopy(w, b * n3, flat[b], n1 + n2, n3);
    }
    return flat;
  }

  private Weights zeroLike(Weights weights) {
    return new Weights(Nd4j.zeros(settings.dataType(), weights.w1().shape()),
        Nd4j.zeros(settings.dataType(), weights.w2().shape()),
        Nd4j.zeros(settings.dataType(), weights.w().shape()));
  }

  // ---- forward and backward ----

  /** Outputs f[b][x] of every network on the given images (CHW, standardised). */
  double[][] outputs(Weights weights, double[][] images) {
    return predict(weights, images.length, x -> images[x]);
  }

  /** Training loss of every network at the given weights. */
  double[] trainLoss(Weights weights) {
    double[][] f = predict(weights, task.trainPoints(), task::trainImage);
    double[] y = task.trainTargets();
    double[] loss = new double[f.length];
    for (int b = 0; b < f.length; b++) {
      for (int mu = 0; mu < y.length; mu++) {
        double e = y[mu] - f[b][mu];
        loss[b] += 0.5 * e * e / y.length;
      }
    }
    return loss;
  }

  /** ∂L/∂θ of the training loss for every network, as flat vectors like {@link #flatten}. */
  double[][] trainLossGradient(Weights weights) {
    int blockSize = weights.blockSize();
    int trainPoints = task.trainPoints();
    double[] y = task.trainTargets();
    Weights gradient = zeroLike(weights);
    for (int from = 0; from < trainPoints; from += settings.chunk()) {
      int to = Math.min(trainPoints, from + settings.chunk());
      double[][] images = new double[to - from][];
      for (int mu = from; mu < to; mu++) {
        images[mu - from] = task.trainImage(mu);
      }
      Forward fw = forward(weights, images);
      double[] out = toDoubles(fw.outputs());
      double[] outGrad = new double[out.length];
      for (int b = 0; b < blockSize; b++) {
        for (int mu = from; mu < to; mu++) {
          int at = b * (to - from) + mu - from;
          outGrad[at] = -(y[mu] - out[at]) / trainPoints;
        }
      }
      backward(weights, fw, create(outGrad, blockSize, to - from), gradient);
    }
    return flatten(gradient);
  }

  private interface ImageSource {
    double[] image(int index);
  }

  private double[][] predict(Weights weights, int count, ImageSource images) {
    int blockSize = weights.blockSize();
    double[][] f = new double[blockSize][count];
    for (int from = 0; from < count; from += settings.chunk()) {
      int to = Math.min(count, from + settings.chunk());
      double[][] chunk = new double[to - from][];
      for (int x = from; x < to; x++) {
        chunk[x - from] = images.image(x);
      }
      double[] out = toDoubles(forward(weights, chunk).outputs());
      for (int b = 0; b < blockSize; b++) {
        System.arraycopy(out, b * (to - from), f[b], from, to - from);
      }
    }
    return f;
  }

  private Forward forward(Weights weights, double[][] images) {
    int blockSize = weights.blockSize();
    int c = images.length;
    DataType type = settings.dataType();

    // First convolution: one GEMM per network against the shared im2col matrix.
    INDArray columns1 = create(imageColumns(images), c * POSITIONS_1, FAN_IN_1);
    INDArray h1 = Nd4j.create(type, blockSize, (long) c * POSITIONS_1, width);
    for (int b = 0; b < blockSize; b++) {
      INDArray w1b = weights.w1().get(NDArrayIndex.point(b), NDArrayIndex.all(),
          NDArrayIndex.all());
      h1.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all())
          .assign(Nd4j.matmul(columns1, w1b));
    }
    h1.divi(Math.sqrt(FAN_IN_1));
    INDArray phi1 = Nd4j.create(type, h1.shape());
    INDArray slopes1 = Nd4j.create(type, h1.shape());
    activate(h1, phi1, slopes1);

    // 2×2 average pooling.
    INDArray pooled1 = phi1.reshape('c', blockSize, c, POOLED, 2, POOLED, 2, width)
        .sum(3, 5).muli(0.25);

    // Second convolution: padded copy, nine shifted windows into the im2col buffer, batched GEMM.
    INDArray padded = Nd4j.zeros(type, blockSize, c, POOLED + 2, POOLED + 2, width);
    padded.get(window(1, 1)).assign(pooled1);
    INDArray columns2 = Nd4j.create(type, blockSize, c, POOLED, POOLED, WINDOW, width);
    for (int k = 0; k < WINDOW; k++) {
      columns2.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
          NDArrayIndex.all(), NDArrayIndex.point(k), NDArrayIndex.all())
          .assign(padded.get(window(k / 3, k % 3)));
    }
    INDArray columns2Flat = columns2.reshape('c', blockSize, (long) c * POSITIONS_2,
        (long) WINDOW * width);
    INDArray h2 = Nd4j.matmul(columns2Flat, weights.w2()).divi(Math.sqrt(WINDOW * width));
    INDArray phi2 = Nd4j.create(type, h2.shape());
    INDArray slopes2 = Nd4j.create(type, h2.shape());
    activate(h2, phi2, slopes2);

    // Global average pooling and the mean-field readout.
    INDArray pooled2 = phi2.reshape('c', blockSize, c, POSITIONS_2, width).mean(2);
    INDArray outputs = Nd4j.matmul(pooled2, weights.w()).reshape(blockSize, c)
        .divi(settings.gamma0() * width);
    return new Forward(c, columns1, h1, slopes1, columns2Flat, h2, slopes2, pooled2, outputs);
  }

  /**
   * Adds ∂/∂θ of Σ_{b,x} outGrad[b,x]·f_b(x) over the chunk to {@code gradient}.
   * Modified: gradient.
   */
  private void backward(Weights weights, Forward fw, INDArray outGrad, Weights gradient) {
    int blockSize = weights.blockSize();
    int c = fw.images();
    DataType type = settings.dataType();
    double readoutScale = 1.0 / (settings.gamma0() * width);
    double scale2 = 1.0 / Math.sqrt(WINDOW * width);

    INDArray outColumn = outGrad.reshape(blockSize, c, 1);
    gradient.w().addi(Nd4j.matmul(fw.pooled2(), outColumn, true, false, false)
        .muli(readoutScale));
    // ∂/∂g[b,x,j] = outGrad[b,x] w[b,j] / (γ0 N); through the global mean (1/256) and φ'.
    INDArray dPooled2 = outColumn.mul(weights.w().reshape(blockSize, 1, width))
        .muli(readoutScale / POSITIONS_2);
    INDArray dh2 = fw.slopes2().reshape('c', blockSize, c, POSITIONS_2, width)
        .mul(dPooled2.reshape(blockSize, c, 1, width))
        .reshape('c', blockSize, (long) c * POSITIONS_2, width);
    gradient.w2().addi(Nd4j.matmul(fw.columns2(), dh2, true, false, false).muli(scale2));

    // Column gradient back through the nine windows into the padded pooled map.
    INDArray dColumns = Nd4j.matmul(dh2, weights.w2(), false, true, false).muli(scale2)
        .reshape('c', blockSize, c, POOLED, POOLED, WINDOW, width);
    INDArray dPadded = Nd4j.zeros(type, blockSize, c, POOLED + 2, POOLED + 2, width);
    for (int k = 0; k < WINDOW; k++) {
      dPadded.get(window(k / 3, k % 3)).addi(dColumns.get(NDArrayIndex.all(),
          NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(k),
          NDArrayIndex.all()));
    }
    INDArray dPooled1 = dPadded.get(window(1, 1)).mul(0.25);
    INDArray dh1 = Nd4j.create(type, blockSize, c, POOLED, 2, POOLED, 2, width);
    for (int a = 0; a < 2; a++) {
      for (int e = 0; e < 2; e++) {
        dh1.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
            NDArrayIndex.point(a), NDArrayIndex.all(), NDArrayIndex.point(e), NDArrayIndex.all())
            .assign(dPooled1);
      }
    }
    dh1 = dh1.reshape('c', blockSize, (long) c * POSITIONS_1, width).muli(fw.slopes1());
    double scale1 = 1.0 / Math.sqrt(FAN_IN_1);
    for (int b = 0; b < blockSize; b++) {
      INDArray dh1b = dh1.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all());
      gradient.w1().get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all())
          .addi(Nd4j.matmul(fw.columns1(), dh1b, true, false, false).muli(scale1));
    }
  }

  /**
   * The probe-set NTK of every network: [b][part][a·A + a'], parts total, W1, W2, w
   * ({@link CnnTrajectory}), from one backward pass per probe image, accumulated in float64.
   */
  double[][][] probeNtk(Weights weights, double[][] probeImages) {
    int blockSize = weights.blockSize();
    int probe = probeImages.length;
    double[][][][] rows = new double[3][blockSize][probe][];
    INDArray ones = Nd4j.ones(settings.dataType(), blockSize, 1);
    for (int a = 0; a < probe; a++) {
      Weights g = zeroLike(weights);
      backward(weights, forward(weights, new double[][] {probeImages[a]}), ones, g);
      for (int t = 0; t < 3; t++) {
        double[] flat = toDoubles(g.tensors()[t]);
        int per = flat.length / blockSize;
        for (int b = 0; b < blockSize; b++) {
          rows[t][b][a] = Arrays.copyOfRange(flat, b * per, (b + 1) * per);
        }
      }
    }
    double factor = settings.gamma0() * settings.gamma0() * width;
    double[][][] k = new double[blockSize][CnnTrajectory.NTK_PARTS][probe * probe];
    for (int b = 0; b < blockSize; b++) {
      for (int t = 0; t < 3; t++) {
        for (int a = 0; a < probe; a++) {
          for (int a2 = a; a2 < probe; a2++) {
            double[] u = rows[t][b][a];
            double[] v = rows[t][b][a2];
            double dot = 0;
            for (int p = 0; p < u.length; p++) {
              dot += u[p] * v[p];
            }
            double value = factor * dot;
            k[b][t + 1][a * probe + a2] = value;
            k[b][t + 1][a2 * probe + a] = value;
            k[b][CnnTrajectory.NTK_TOTAL][a * probe + a2] += value;
            if (a2 != a) {
              k[b][CnnTrajectory.NTK_TOTAL][a2 * probe + a] += value;
            }
          }
        }
      }
    }
    return k;
  }

  // ---- helpers ----

  /** The (B, C, 16, 16, N) window of a padded (B, C, 18, 18, N) map at offset (dy, dx). */
  private static INDArrayIndex[] window(int dy, int dx) {
    return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(),
        NDArrayIndex.interval(dy, dy + POOLED), NDArrayIndex.interval(dx, dx + POOLED),
        NDArrayIndex.all()};
  }

  /**
   * The im2col matrix of the first convolution, (C·1024) × 27 row-major: row (image, y, x),
   * column 3k + c with k = 3·dy + dx, value x[c, y + dy − 1, x + dx − 1] (0 outside the image).
   */
  static double[] imageColumns(double[][] images) {
    double[] out = new double[images.length * POSITIONS_1 * FAN_IN_1];
    int row = 0;
    for (double[] image : images) {
      for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++, row++) {
          int base = row * FAN_IN_1;
          for (int k = 0; k < WINDOW; k++) {
            int yy = y + k / 3 - 1;
            int xx = x + k % 3 - 1;
            if (yy < 0 || yy >= SIDE || xx < 0 || xx >= SIDE) {
              continue;
            }
            for (int ch = 0; ch < IN_CHANNELS; ch++) {
              out[base + 3 * k + ch] = image[ch * POSITIONS_1 + yy * SIDE + xx];
            }
          }
        }
      }
    }
    return out;
  }

  /** Per network: rms over all entries of its slice of {@code now − then} ((B, …) arrays). */
  private static double[] rmsDifference(INDArray now, INDArray then, int blockSize) {
    INDArray d = now.sub(then).reshape(blockSize, -1);
    INDArray squares = d.mul(d).mean(1);
    double[] ms = toDoubles(squares);
    for (int b = 0; b < ms.length; b++) {
      ms[b] = Math.sqrt(ms[b]);
    }
    return ms;
  }

  private void activate(INDArray pre, INDArray values, INDArray slopes) {
    switch (settings.activation()) {
      case LINEAR -> {
        values.assign(pre);
        slopes.assign(1.0);
      }
      case TANH -> {
        Nd4j.getExecutioner().exec(new Tanh(pre, values));
        values.mul(values, slopes);
        slopes.rsubi(1.0);
      }
      case RELU -> {
        Nd4j.getExecutioner().exec(new RectifiedLinear(pre, values, 0.0));
        Nd4j.getExecutioner().exec(new Step(pre, slopes, 0.0));
      }
      default -> throw new IllegalStateException("unhandled activation "
          + settings.activation());
    }
  }

  private INDArray create(double[] values, long... shape) {
    return Nd4j.create(values, shape, 'c').castTo(settings.dataType());
  }

  static double[] toDoubles(INDArray array) {
    return array.castTo(DataType.DOUBLE).dup('c').data().asDouble();
  }
}
