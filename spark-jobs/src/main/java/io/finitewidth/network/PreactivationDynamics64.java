package io.finitewidth.network;

import io.finitewidth.model.Activation;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One two-layer network trained in float64 in the space of its pre-activations (see
 * {@link PreactivationEnsemble} for the mathematics). State and work arrays are point-major:
 * row k of {@code h} holds h_i(x_k) for i = 0 … N−1, training points first.
 *
 * <p>Every element is computed by the same sequence of IEEE operations whether it falls in a
 * vector lane or in the scalar tail, and every sum over hidden units keeps {@link #LANES}
 * partial sums (unit i goes to partial i mod LANES) that are added in a fixed order at the end.
 * So the bits depend neither on the machine's vector width nor on whether vectors are used at
 * all ({@code vectorised = false} runs the scalar code everywhere and must agree bit for bit).
 *
 * <p>Vectors never cross a method boundary: each method holds its whole loop over hidden units
 * (a vector passed to or returned from a method the JIT does not inline is boxed on the heap).
 *
 * <p>{@code PreactivationDynamics32} is the float32 twin of this class, line for line.
 */
final class PreactivationDynamics64 implements PreactivationDynamics {
  private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_256;
  /** Partial sums per reduction over hidden units: fixed, whatever the hardware. */
  static final int LANES = SPECIES.length();

  // tanh(x) = e/(e + 2) with e = expm1(2|x|) = 2^k (expm1(r) + 1) − 1, 2|x| = k ln2 + r,
  // |r| ≤ ln2/2; expm1(r) from its Taylor series to r^13/13! (relative error < 2^-56).
  private static final double TANH_CAP = 20.0; // tanh(x > 19.06) rounds to 1 in float64
  private static final double SATURATING = 0.55;
  private static final double INV_LN2 = 1.4426950408889634;
  private static final double LN2_HI = 6.93147180369123816490e-01; // k·LN2_HI exact
  private static final double LN2_LO = 1.90821492927058770002e-10;
  private static final double ROUND_MAGIC = 6755399441055744.0; // 1.5 · 2^52
  private static final long ROUND_MAGIC_BITS = Double.doubleToRawLongBits(ROUND_MAGIC);
  private static final int EXPM1_DEGREE = 13;
  private static final double[] EXPM1_TAYLOR = inverseFactorials(EXPM1_DEGREE); // [j] = 1/j!

  private final int width;
  /**
   * Distance between rows: N plus one cache line, so that rows N·4 bytes apart (N a power of two)
   * do not all fall into the same L1 cache sets. The padding holds zeros and is never summed.
   */
  private final int stride;
  private final int trainPoints;
  private final int points;
  private final Activation activation;
  private final boolean vectorised;
  private final boolean centred;
  private final double outputScale;
  private final double stepScale;
  private final double[] kernel;
  private final double[] targets;

  private final double[] h;
  private final double[] hTest0;
  private final double[] phi;
  private final double[] grad;
  private final double[] weightedSlopes;
  private final double[] g;
  private final double[] gSum;
  private final double[] a;
  private final double[] f;
  private final double[] f0;
  private final double[] delta;
  private final double[] partial = new double[4 * LANES];
  private final double[] kernelTerm;
  private final double[] featureKernel;
  private final double[] gradientKernel;
  private boolean haveInitialOutputs;

  /**
   * @param kernel input kernel x_k·x_l / D over all points, row-major M × M
   * @param targets training targets y_μ
   * @param outputScale γ0 · N (f = Σ_i w_i φ_i / outputScale)
   * @param stepScale η · γ0 (the step of readouts and pre-activations per unit of signal)
   */
  PreactivationDynamics64(int width, int trainPoints, int points, Activation activation,
      boolean centred, double outputScale, double stepScale, double[] kernel, double[] targets,
      boolean vectorised) {
    this.width = width;
    this.stride = width + 64 / Double.BYTES;
    this.trainPoints = trainPoints;
    this.points = points;
    this.activation = activation;
    this.centred = centred;
    this.outputScale = outputScale;
    this.stepScale = stepScale;
    this.kernel = kernel.clone();
    this.targets = targets.clone();
    this.vectorised = vectorised;
    h = new double[points * stride];
    hTest0 = new double[(points - trainPoints) * stride];
    phi = new double[points * stride];
    grad = new double[points * stride];
    weightedSlopes = new double[points * stride];
    g = new double[trainPoints * stride];
    gSum = new double[trainPoints * stride];
    a = new double[width];
    f = new double[points];
    f0 = new double[points];
    delta = new double[trainPoints];
    kernelTerm = new double[trainPoints * points];
    featureKernel = new double[trainPoints * points];
    gradientKernel = new double[trainPoints * points];
  }

  /** A fresh network: pre-activations (point-major, M × N, float64) and readouts. */
  @Override
  public void start(double[] preactivations, double[] readouts) {
    for (int k = 0; k < points; k++) {
      for (int i = 0; i < width; i++) {
        h[k * stride + i] = preactivations[k * width + i];
      }
    }
    System.arraycopy(h, trainPoints * stride, hTest0, 0, hTest0.length);
    for (int i = 0; i < width; i++) {
      a[i] = readouts[i];
    }
    Arrays.fill(gSum, 0);
    haveInitialOutputs = false;
  }

  /**
   * φ, φ' and the outputs f from the current pre-activations, on training points, or on every
   * point (test pre-activations are first brought up to date from the summed signals); then Δ.
   */
  @Override
  public void forward(boolean allPoints) {
    int rows = allPoints ? points : trainPoints;
    if (allPoints) {
      refreshTestPreactivations();
    }
    activate(rows * stride);
    for (int k = 0; k < rows; k++) {
      f[k] = readoutSum(k) / outputScale;
    }
    if (centred) {
      if (!haveInitialOutputs) {
        System.arraycopy(f, 0, f0, 0, points);
        haveInitialOutputs = true;
      }
      for (int k = 0; k < rows; k++) {
        f[k] -= f0[k];
      }
    }
    for (int mu = 0; mu < trainPoints; mu++) {
      delta[mu] = targets[mu] - f[mu];
    }
  }

  /** h_test = h_test(0) + ηγ0 Σ_μ (Σ_t g)_μ K(μ, test). */
  private void refreshTestPreactivations() {
    int i = 0;
    if (vectorised) {
      for (; i < SPECIES.loopBound(width); i += LANES) {
        mixSignals(gSum, i, trainPoints, points, hTest0, trainPoints);
      }
    }
    for (; i < width; i++) {
      for (int q = trainPoints; q < points; q++) {
        double acc = 0;
        for (int mu = 0; mu < trainPoints; mu++) {
          acc = Math.fma(gSum[mu * stride + i], kernel[mu * points + q], acc);
        }
        h[q * stride + i] = Math.fma(acc, stepScale, hTest0[(q - trainPoints) * stride + i]);
      }
    }
  }

  /**
   * For the lanes of units i … i + LANES − 1 and rows k in [from, to): h_k = base_k + ηγ0 Σ_μ
   * s_μ K(μ, k), the sum over μ in order (base row k − baseShift). Four rows at a time: four
   * independent chains of multiply-adds instead of one.
   */
  private void mixSignals(double[] signals, int i, int from, int to, double[] base,
      int baseShift) {
    DoubleVector c = DoubleVector.broadcast(SPECIES, stepScale);
    int k = from;
    for (; k + 4 <= to; k += 4) {
      DoubleVector acc0 = DoubleVector.zero(SPECIES);
      DoubleVector acc1 = acc0;
      DoubleVector acc2 = acc0;
      DoubleVector acc3 = acc0;
      for (int mu = 0; mu < trainPoints; mu++) {
        DoubleVector s = DoubleVector.fromArray(SPECIES, signals, mu * stride + i);
        int at = mu * points + k;
        acc0 = s.fma(DoubleVector.broadcast(SPECIES, kernel[at]), acc0);
        acc1 = s.fma(DoubleVector.broadcast(SPECIES, kernel[at + 1]), acc1);
        acc2 = s.fma(DoubleVector.broadcast(SPECIES, kernel[at + 2]), acc2);
        acc3 = s.fma(DoubleVector.broadcast(SPECIES, kernel[at + 3]), acc3);
      }
      int row = k * stride + i;
      int baseRow = (k - baseShift) * stride + i;
      acc0.fma(c, DoubleVector.fromArray(SPECIES, base, baseRow)).intoArray(h, row);
      acc1.fma(c, DoubleVector.fromArray(SPECIES, base, baseRow + stride))
          .intoArray(h, row + stride);
      acc2.fma(c, DoubleVector.fromArray(SPECIES, base, baseRow + 2 * stride))
          .intoArray(h, row + 2 * stride);
      acc3.fma(c, DoubleVector.fromArray(SPECIES, base, baseRow + 3 * stride))
          .intoArray(h, row + 3 * stride);
    }
    for (; k < to; k++) {
      DoubleVector acc = DoubleVector.zero(SPECIES);
      for (int mu = 0; mu < trainPoints; mu++) {
        acc = DoubleVector.fromArray(SPECIES, signals, mu * stride + i)
            .fma(DoubleVector.broadcast(SPECIES, kernel[mu * points + k]), acc);
      }
      acc.fma(c, DoubleVector.fromArray(SPECIES, base, (k - baseShift) * stride + i))
          .intoArray(h, k * stride + i);
    }
  }

  /** φ(h) into phi and φ'(h) into grad (w φ' goes to weightedSlopes when recorded) for the first {@code count} entries (whole rows). */
  private void activate(int count) {
    switch (activation) {
      case LINEAR -> {
        System.arraycopy(h, 0, phi, 0, count);
        Arrays.fill(grad, 0, count, 1.0);
      }
      case TANH -> tanhInto(h, phi, grad, count, vectorised);
      case RELU -> reluInto(count);
      default -> throw new IllegalStateException("unhandled activation " + activation);
    }
  }

  /** φ = max(h, 0), φ' = 1 where h > 0 and 0 elsewhere (φ'(0) = 0). */
  private void reluInto(int count) {
    int i = 0;
    if (vectorised) {
      DoubleVector zero = DoubleVector.zero(SPECIES);
      DoubleVector one = DoubleVector.broadcast(SPECIES, 1.0);
      for (; i < SPECIES.loopBound(count); i += LANES) {
        DoubleVector x = DoubleVector.fromArray(SPECIES, h, i);
        x.max(0.0).intoArray(phi, i);
        zero.blend(one, x.compare(VectorOperators.GT, 0.0)).intoArray(grad, i);
      }
    }
    for (; i < count; i++) {
      phi[i] = Math.max(h[i], 0.0);
      grad[i] = h[i] > 0 ? 1.0 : 0.0;
    }
  }

  /** Σ_i a_i φ_ik with the fixed partial-sum order. */
  private double readoutSum(int k) {
    int row = k * stride;
    Arrays.fill(partial, 0);
    int i = 0;
    if (vectorised) {
      DoubleVector acc = DoubleVector.zero(SPECIES);
      for (; i < SPECIES.loopBound(width); i += LANES) {
        acc = DoubleVector.fromArray(SPECIES, a, i)
            .fma(DoubleVector.fromArray(SPECIES, phi, row + i), acc);
      }
      acc.intoArray(partial, 0);
    }
    for (; i < width; i++) {
      partial[i % LANES] = Math.fma(a[i], phi[row + i], partial[i % LANES]);
    }
    return sumPartials(0);
  }

  private double sumPartials(int offset) {
    double sum = 0;
    for (int l = 0; l < LANES; l++) {
      sum += partial[offset + l];
    }
    return sum;
  }

  /**
   * One gradient step from the state of the last {@link #forward}: g_iμ = w_i φ'(h_iμ) Δ_μ,
   * h_ik += ηγ0 Σ_μ g_iμ K(μ, k) on training points (test points lazily through Σ_t g),
   * w_i += ηγ0 Σ_μ Δ_μ φ(h_iμ).
   */
  @Override
  public void update() {
    int i = 0;
    if (vectorised) {
      DoubleVector c = DoubleVector.broadcast(SPECIES, stepScale);
      for (; i < SPECIES.loopBound(width); i += LANES) {
        DoubleVector readout = DoubleVector.fromArray(SPECIES, a, i);
        DoubleVector signal = DoubleVector.zero(SPECIES);
        for (int mu = 0; mu < trainPoints; mu++) {
          int at = mu * stride + i;
          DoubleVector value = DoubleVector.fromArray(SPECIES, phi, at);
          DoubleVector gi = readout.mul(DoubleVector.fromArray(SPECIES, grad, at))
              .mul(delta[mu]);
          gi.intoArray(g, at);
          gi.add(DoubleVector.fromArray(SPECIES, gSum, at)).intoArray(gSum, at);
          signal = value.fma(DoubleVector.broadcast(SPECIES, delta[mu]), signal);
        }
        signal.fma(c, readout).intoArray(a, i);
        mixSignals(g, i, 0, trainPoints, h, 0); // while this chunk of g is in L1
      }
    }
    for (; i < width; i++) {
      double readout = a[i];
      double signal = 0;
      for (int mu = 0; mu < trainPoints; mu++) {
        int at = mu * stride + i;
        double gi = readout * grad[at] * delta[mu];
        g[at] = gi;
        gSum[at] = gi + gSum[at];
        signal = Math.fma(phi[at], delta[mu], signal);
      }
      for (int k = 0; k < trainPoints; k++) {
        double acc = 0;
        for (int mu = 0; mu < trainPoints; mu++) {
          acc = Math.fma(g[mu * stride + i], kernel[mu * points + k], acc);
        }
        int at = k * stride + i;
        h[at] = Math.fma(acc, stepScale, h[at]);
      }
      a[i] = Math.fma(signal, stepScale, readout);
    }
  }

  /**
   * The recorded observables after a {@link #forward}(true): loss, predictions, and the kernels
   * Φ = φφᵀ/N, G = (wφ')(wφ')ᵀ/N, K = G∘Kx + Φ on train × all points, through {@code out}.
   */
  @Override
  public void record(PreactivationEnsemble.Recorder out) {
    for (int k = 0; k < points; k++) {
      int row = k * stride;
      int i = 0;
      if (vectorised) {
        for (; i < SPECIES.loopBound(width); i += LANES) {
          DoubleVector.fromArray(SPECIES, a, i).mul(DoubleVector.fromArray(SPECIES, grad, row + i))
              .intoArray(weightedSlopes, row + i);
        }
      }
      for (; i < width; i++) {
        weightedSlopes[row + i] = a[i] * grad[row + i];
      }
    }
    for (int mu = 0; mu < trainPoints; mu++) {
      dots(phi, mu, featureKernel);
      dots(weightedSlopes, mu, gradientKernel);
      for (int k = mu; k < points; k++) {
        int at = mu * points + k;
        featureKernel[at] /= width;
        gradientKernel[at] /= width;
        kernelTerm[at] = Math.fma(gradientKernel[at], kernel[at], featureKernel[at]);
      }
    }
    out.take(f, delta, kernelTerm, featureKernel, gradientKernel);
  }

  /**
   * out[μ·M + k] = Σ_i x_μi x_ki for k = μ … M − 1, each sum with the fixed partial-sum order
   * (lane l of a sum collects the units i ≡ l mod LANES, tail units included, then the lanes are
   * added in order); four rows k at a time for independent chains.
   */
  private void dots(double[] x, int mu, double[] out) {
    int rowMu = mu * stride;
    int bound = vectorised ? SPECIES.loopBound(width) : 0;
    int k = mu;
    for (; k + 4 <= points; k += 4) {
      int row = k * stride;
      DoubleVector acc0 = DoubleVector.zero(SPECIES);
      DoubleVector acc1 = acc0;
      DoubleVector acc2 = acc0;
      DoubleVector acc3 = acc0;
      for (int i = 0; i < bound; i += LANES) {
        DoubleVector v = DoubleVector.fromArray(SPECIES, x, rowMu + i);
        acc0 = v.fma(DoubleVector.fromArray(SPECIES, x, row + i), acc0);
        acc1 = v.fma(DoubleVector.fromArray(SPECIES, x, row + stride + i), acc1);
        acc2 = v.fma(DoubleVector.fromArray(SPECIES, x, row + 2 * stride + i), acc2);
        acc3 = v.fma(DoubleVector.fromArray(SPECIES, x, row + 3 * stride + i), acc3);
      }
      acc0.intoArray(partial, 0);
      acc1.intoArray(partial, LANES);
      acc2.intoArray(partial, 2 * LANES);
      acc3.intoArray(partial, 3 * LANES);
      for (int j = 0; j < 4; j++) {
        out[mu * points + k + j] = finishDot(x, rowMu, row + j * stride, bound, j * LANES);
      }
    }
    for (; k < points; k++) {
      int row = k * stride;
      DoubleVector acc = DoubleVector.zero(SPECIES);
      for (int i = 0; i < bound; i += LANES) {
        acc = DoubleVector.fromArray(SPECIES, x, rowMu + i)
            .fma(DoubleVector.fromArray(SPECIES, x, row + i), acc);
      }
      acc.intoArray(partial, 0);
      out[mu * points + k] = finishDot(x, rowMu, row, bound, 0);
    }
  }

  /** Adds the tail units from {@code from} to the partial sums at {@code offset}; their sum. */
  private double finishDot(double[] x, int rowK, int rowL, int from, int offset) {
    for (int i = from; i < width; i++) {
      int l = offset + i % LANES;
      partial[l] = Math.fma(x[rowK + i], x[rowL + i], partial[l]);
    }
    return sumPartials(offset);
  }

  /** The readouts w_i now. */
  @Override
  public double[] readouts() {
    return a.clone();
  }

  /** Σ_t g_t on training points, row-major P × N (the input weights' total move is built on it). */
  @Override
  public double[] summedSignals() {
    double[] out = new double[trainPoints * width];
    for (int mu = 0; mu < trainPoints; mu++) {
      System.arraycopy(gSum, mu * stride, out, mu * width, width);
    }
    return out;
  }

  /**
   * out[i] = tanh(x[i]) for i < count, lane by lane exactly as {@link #tanh(double)} (which also
   * serves the tail and the scalar path), and slopes[i] = 1 − out[i]² (one fused rounding)
   * unless slopes is null.
   */
  static void tanhInto(double[] x, double[] out, double[] slopes, int count,
      boolean vectorised) {
    int i = 0;
    if (vectorised) {
      DoubleVector one = DoubleVector.broadcast(SPECIES, 1.0);
      DoubleVector two = DoubleVector.broadcast(SPECIES, 2.0);
      DoubleVector magic = DoubleVector.broadcast(SPECIES, ROUND_MAGIC);
      DoubleVector invLn2 = DoubleVector.broadcast(SPECIES, INV_LN2);
      DoubleVector ln2Hi = DoubleVector.broadcast(SPECIES, LN2_HI);
      DoubleVector ln2Lo = DoubleVector.broadcast(SPECIES, LN2_LO);
      for (; i < SPECIES.loopBound(count); i += LANES) {
        DoubleVector v = DoubleVector.fromArray(SPECIES, x, i);
        DoubleVector s = v.abs().min(TANH_CAP);
        DoubleVector y = s.add(s);
        DoubleVector t = y.fma(invLn2, magic);
        DoubleVector k = t.sub(magic);
        DoubleVector r = k.neg().fma(ln2Hi, y);
        r = k.neg().fma(ln2Lo, r);
        DoubleVector poly = DoubleVector.broadcast(SPECIES, EXPM1_TAYLOR[EXPM1_DEGREE]);
        for (int j = EXPM1_DEGREE - 1; j >= 2; j--) {
          poly = poly.fma(r, DoubleVector.broadcast(SPECIES, EXPM1_TAYLOR[j]));
        }
        DoubleVector expm1r = r.mul(r).fma(poly, r);
        LongVector exponent = t.reinterpretAsLongs().sub(ROUND_MAGIC_BITS).add(1023L)
            .lanewise(VectorOperators.LSHL, 52);
        DoubleVector twoK = exponent.reinterpretAsDoubles();
        DoubleVector e = twoK.fma(expm1r, twoK.sub(one));
        // e/(e + 2) near 0 (no cancellation), 1 − 2/(e + 2) once tanh > 1/2 (smaller error).
        DoubleVector sum = e.add(two);
        DoubleVector th = e.div(sum)
            .blend(one.sub(two.div(sum)), s.compare(VectorOperators.GT, SATURATING));
DoubleVector value = th.blend(th.neg(), v.compare(VectorOperators.LT, 0.0));
        value.intoArray(out, i);
        if (slopes != null) {
          value.neg().fma(value, one).intoArray(slopes, i);
        }
      }
    }
    for (; i < count; i++) {
      out[i] = tanh(x[i]);
      if (slopes != null) {
        slopes[i] = Math.fma(-out[i], out[i], 1.0);
      }
    }
  }

  /** tanh from IEEE arithmetic only: the same bits on every JVM and machine. */
  static double tanh(double x) {
    double s = Math.min(Math.abs(x), TANH_CAP);
    double y = s + s;
    double t = Math.fma(y, INV_LN2, ROUND_MAGIC);
    double k = t - ROUND_MAGIC;
    double r = Math.fma(-k, LN2_HI, y);
    r = Math.fma(-k, LN2_LO, r);
    double poly = EXPM1_TAYLOR[EXPM1_DEGREE];
    for (int j = EXPM1_DEGREE - 1; j >= 2; j--) {
      poly = Math.fma(poly, r, EXPM1_TAYLOR[j]);
    }
    double expm1r = Math.fma(r * r, poly, r);
    long exponent = (Double.doubleToRawLongBits(t) - ROUND_MAGIC_BITS + 1023L) << 52;
    double twoK = Double.longBitsToDouble(exponent);
    double e = Math.fma(twoK, expm1r, twoK - 1.0);
    double sum = e + 2.0;
    double th = s > SATURATING ? 1.0 - 2.0 / sum : e / sum;
    return x < 0 ? -th : th;
  }

  private static double[] inverseFactorials(int last) {
    double[] c = new double[last + 1];
    double factorial = 1;
    for (int j = 0; j <= last; j++) {
      factorial *= Math.max(j, 1); // exact: 13! < 2^53
      c[j] = 1.0 / factorial;
    }
    return c;
  }
}
