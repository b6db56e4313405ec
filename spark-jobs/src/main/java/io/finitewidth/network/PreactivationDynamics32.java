package io.finitewidth.network;

import io.finitewidth.model.Activation;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One two-layer network trained in float32 in the space of its pre-activations (see
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
 * <p>The float32 twin of {@code PreactivationDynamics64}, line for line; only the tanh constants
 * differ (float32 needs the series only to r^8/8!).
 */
final class PreactivationDynamics32 implements PreactivationDynamics {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_256;
  /** Partial sums per reduction over hidden units: fixed, whatever the hardware. */
  static final int LANES = SPECIES.length();

  // tanh(x) = e/(e + 2) with e = expm1(2|x|) = 2^k (expm1(r) + 1) − 1, 2|x| = k ln2 + r,
  // |r| ≤ ln2/2; expm1(r) from its Taylor series to r^8/8! (relative error < 2^-26).
  private static final float TANH_CAP = 10.0f; // tanh(x > 9.02) rounds to 1 in float32
  private static final float SATURATING = 0.55f;
  private static final float INV_LN2 = 1.44269504f;
  private static final float LN2_HI = 6.9314575195e-01f; // k·LN2_HI exact
  private static final float LN2_LO = 1.4286067653e-06f;
  private static final float ROUND_MAGIC = 12582912.0f; // 1.5 · 2^23
  private static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);
  private static final int EXPM1_DEGREE = 8;
  private static final float[] EXPM1_TAYLOR = inverseFactorials(EXPM1_DEGREE); // [j] = 1/j!

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
  private final float outputScale;
  private final float stepScale;
  private final float[] kernel;
  private final float[] targets;

  private final float[] h;
  private final float[] hTest0;
  private final float[] phi;
  private final float[] grad;
  private final float[] weightedSlopes;
  private final float[] g;
  private final float[] gSum;
  private final float[] a;
  private final float[] f;
  private final float[] f0;
  private final float[] delta;
  private final float[] partial = new float[4 * LANES];
  private final float[] kernelTerm;
  private final float[] featureKernel;
  private final float[] gradientKernel;
  private boolean haveInitialOutputs;

  /**
   * @param kernel input kernel x_k·x_l / D over all points, row-major M × M
   * @param targets training targets y_μ
   * @param outputScale γ0 · N (f = Σ_i w_i φ_i / outputScale)
   * @param stepScale η · γ0 (the step of readouts and pre-activations per unit of signal)
   */
  PreactivationDynamics32(int width, int trainPoints, int points, Activation activation,
      boolean centred, double outputScale, double stepScale, float[] kernel, float[] targets,
      boolean vectorised) {
    this.width = width;
    this.stride = width + 64 / Float.BYTES;
    this.trainPoints = trainPoints;
    this.points = points;
    this.activation = activation;
    this.centred = centred;
    this.outputScale = (float) outputScale;
    this.stepScale = (float) stepScale;
    this.kernel = kernel.clone();
    this.targets = targets.clone();
    this.vectorised = vectorised;
    h = new float[points * stride];
    hTest0 = new float[(points - trainPoints) * stride];
    phi = new float[points * stride];
    grad = new float[points * stride];
    weightedSlopes = new float[points * stride];
    g = new float[trainPoints * stride];
    gSum = new float[trainPoints * stride];
    a = new float[width];
    f = new float[points];
    f0 = new float[points];
    delta = new float[trainPoints];
    kernelTerm = new float[trainPoints * points];
    featureKernel = new float[trainPoints * points];
    gradientKernel = new float[trainPoints * points];
  }

  /** A fresh network: pre-activations (point-major, M × N, float64, rounded here) and readouts. */
  @Override
  public void start(double[] preactivations, double[] readouts) {
    for (int k = 0; k < points; k++) {
      for (int i = 0; i < width; i++) {
        h[k * stride + i] = (float) preactivations[k * width + i];
      }
    }
    System.arraycopy(h, trainPoints * stride, hTest0, 0, hTest0.length);
    for (int i = 0; i < width; i++) {
      a[i] = (float) readouts[i];
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
        float acc = 0;
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
  private void mixSignals(float[] signals, int i, int from, int to, float[] base,
      int baseShift) {
    FloatVector c = FloatVector.broadcast(SPECIES, stepScale);
    int k = from;
    for (; k + 4 <= to; k += 4) {
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = acc0;
      FloatVector acc2 = acc0;
      FloatVector acc3 = acc0;
      for (int mu = 0; mu < trainPoints; mu++) {
        FloatVector s = FloatVector.fromArray(SPECIES, signals, mu * stride + i);
        int at = mu * points + k;
        acc0 = s.fma(FloatVector.broadcast(SPECIES, kernel[at]), acc0);
        acc1 = s.fma(FloatVector.broadcast(SPECIES, kernel[at + 1]), acc1);
        acc2 = s.fma(FloatVector.broadcast(SPECIES, kernel[at + 2]), acc2);
        acc3 = s.fma(FloatVector.broadcast(SPECIES, kernel[at + 3]), acc3);
      }
      int row = k * stride + i;
      int baseRow = (k - baseShift) * stride + i;
      acc0.fma(c, FloatVector.fromArray(SPECIES, base, baseRow)).intoArray(h, row);
      acc1.fma(c, FloatVector.fromArray(SPECIES, base, baseRow + stride))
          .intoArray(h, row + stride);
      acc2.fma(c, FloatVector.fromArray(SPECIES, base, baseRow + 2 * stride))
          .intoArray(h, row + 2 * stride);
      acc3.fma(c, FloatVector.fromArray(SPECIES, base, baseRow + 3 * stride))
          .intoArray(h, row + 3 * stride);
    }
    for (; k < to; k++) {
      FloatVector acc = FloatVector.zero(SPECIES);
      for (int mu = 0; mu < trainPoints; mu++) {
        acc = FloatVector.fromArray(SPECIES, signals, mu * stride + i)
            .fma(FloatVector.broadcast(SPECIES, kernel[mu * points + k]), acc);
      }
      acc.fma(c, FloatVector.fromArray(SPECIES, base, (k - baseShift) * stride + i))
          .intoArray(h, k * stride + i);
    }
  }

  /** φ(h) into phi and φ'(h) into grad (w φ' goes to weightedSlopes when recorded) for the first {@code count} entries (whole rows). */
  private void activate(int count) {
    switch (activation) {
      case LINEAR -> {
        System.arraycopy(h, 0, phi, 0, count);
        Arrays.fill(grad, 0, count, 1.0f);
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
      FloatVector zero = FloatVector.zero(SPECIES);
      FloatVector one = FloatVector.broadcast(SPECIES, 1.0f);
      for (; i < SPECIES.loopBound(count); i += LANES) {
        FloatVector x = FloatVector.fromArray(SPECIES, h, i);
        x.max(0.0f).intoArray(phi, i);
        zero.blend(one, x.compare(VectorOperators.GT, 0.0f)).intoArray(grad, i);
      }
    }
    for (; i < count; i++) {
      phi[i] = Math.max(h[i], 0.0f);
      grad[i] = h[i] > 0 ? 1.0f : 0.0f;
    }
  }

  /** Σ_i a_i φ_ik with the fixed partial-sum order. */
  private float readoutSum(int k) {
    int row = k * stride;
    Arrays.fill(partial, 0);
    int i = 0;
    if (vectorised) {
      FloatVector acc = FloatVector.zero(SPECIES);
      for (; i < SPECIES.loopBound(width); i += LANES) {
        acc = FloatVector.fromArray(SPECIES, a, i)
            .fma(FloatVector.fromArray(SPECIES, phi, row + i), acc);
      }
      acc.intoArray(partial, 0);
    }
    for (; i < width; i++) {
      partial[i % LANES] = Math.fma(a[i], phi[row + i], partial[i % LANES]);
    }
    return sumPartials(0);
  }

  private float sumPartials(int offset) {
    float sum = 0;
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
      FloatVector c = FloatVector.broadcast(SPECIES, stepScale);
      for (; i < SPECIES.loopBound(width); i += LANES) {
        FloatVector readout = FloatVector.fromArray(SPECIES, a, i);
        FloatVector signal = FloatVector.zero(SPECIES);
        for (int mu = 0; mu < trainPoints; mu++) {
          int at = mu * stride + i;
          FloatVector value = FloatVector.fromArray(SPECIES, phi, at);
          FloatVector gi = readout.mul(FloatVector.fromArray(SPECIES, grad, at))
              .mul(delta[mu]);
          gi.intoArray(g, at);
          gi.add(FloatVector.fromArray(SPECIES, gSum, at)).intoArray(gSum, at);
          signal = value.fma(FloatVector.broadcast(SPECIES, delta[mu]), signal);
        }
        signal.fma(c, readout).intoArray(a, i);
        mixSignals(g, i, 0, trainPoints, h, 0); // while this chunk of g is in L1
      }
    }
    for (; i < width; i++) {
      float readout = a[i];
      float signal = 0;
      for (int mu = 0; mu < trainPoints; mu++) {
        int at = mu * stride + i;
        float gi = readout * grad[at] * delta[mu];
        g[at] = gi;
        gSum[at] = gi + gSum[at];
        signal = Math.fma(phi[at], delta[mu], signal);
      }
      for (int k = 0; k < trainPoints; k++) {
        float acc = 0;
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
          FloatVector.fromArray(SPECIES, a, i).mul(FloatVector.fromArray(SPECIES, grad, row + i))
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
    out.take(widen(f), widen(delta), widen(kernelTerm), widen(featureKernel),
        widen(gradientKernel));
  }

  /**
   * out[μ·M + k] = Σ_i x_μi x_ki for k = μ … M − 1, each sum with the fixed partial-sum order
   * (lane l of a sum collects the units i ≡ l mod LANES, tail units included, then the lanes are
   * added in order); four rows k at a time for independent chains.
   */
  private void dots(float[] x, int mu, float[] out) {
    int rowMu = mu * stride;
    int bound = vectorised ? SPECIES.loopBound(width) : 0;
    int k = mu;
    for (; k + 4 <= points; k += 4) {
      int row = k * stride;
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = acc0;
      FloatVector acc2 = acc0;
      FloatVector acc3 = acc0;
      for (int i = 0; i < bound; i += LANES) {
        FloatVector v = FloatVector.fromArray(SPECIES, x, rowMu + i);
        acc0 = v.fma(FloatVector.fromArray(SPECIES, x, row + i), acc0);
        acc1 = v.fma(FloatVector.fromArray(SPECIES, x, row + stride + i), acc1);
        acc2 = v.fma(FloatVector.fromArray(SPECIES, x, row + 2 * stride + i), acc2);
        acc3 = v.fma(FloatVector.fromArray(SPECIES, x, row + 3 * stride + i), acc3);
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
      FloatVector acc = FloatVector.zero(SPECIES);
      for (int i = 0; i < bound; i += LANES) {
        acc = FloatVector.fromArray(SPECIES, x, rowMu + i)
            .fma(FloatVector.fromArray(SPECIES, x, row + i), acc);
      }
      acc.intoArray(partial, 0);
      out[mu * points + k] = finishDot(x, rowMu, row, bound, 0);
    }
  }

  /** Adds the tail units from {@code from} to the partial sums at {@code offset}; their sum. */
  private float finishDot(float[] x, int rowK, int rowL, int from, int offset) {
    for (int i = from; i < width; i++) {
      int l = offset + i % LANES;
      partial[l] = Math.fma(x[rowK + i], x[rowL + i], partial[l]);
    }
    return sumPartials(offset);
  }

  /** The readouts w_i now. */
  @Override
  public double[] readouts() {
    return widen(a);
  }

  /** Σ_t g_t on training points, row-major P × N (the input weights' total move is built on it). */
  @Override
  public double[] summedSignals() {
    double[] out = new double[trainPoints * width];
    for (int mu = 0; mu < trainPoints; mu++) {
      for (int i = 0; i < width; i++) {
        out[mu * width + i] = gSum[mu * stride + i];
      }
    }
    return out;
  }

  private static double[] widen(float[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i];
    }
    return out;
  }

  /**
   * out[i] = tanh(x[i]) for i < count, lane by lane exactly as {@link #tanh(float)} (which also
   * serves the tail and the scalar path), and slopes[i] = 1 − out[i]² (one fused rounding)
   * unless slopes is null.
   */
  static void tanhInto(float[] x, float[] out, float[] slopes, int count,
      boolean vectorised) {
    int i = 0;
    if (vectorised) {
      FloatVector one = FloatVector.broadcast(SPECIES, 1.0f);
      FloatVector two = FloatVector.broadcast(SPECIES, 2.0f);
      FloatVector magic = FloatVector.broadcast(SPECIES, ROUND_MAGIC);
      FloatVector invLn2 = FloatVector.broadcast(SPECIES, INV_LN2);
      FloatVector ln2Hi = FloatVector.broadcast(SPECIES, LN2_HI);
      FloatVector ln2Lo = FloatVector.broadcast(SPECIES, LN2_LO);
      for (; i < SPECIES.loopBound(count); i += LANES) {
        FloatVector v = FloatVector.fromArray(SPECIES, x, i);
        FloatVector s = v.abs().min(TANH_CAP);
        FloatVector y = s.add(s);
        FloatVector t = y.fma(invLn2, magic);
        FloatVector k = t.sub(magic);
        FloatVector r = k.neg().fma(ln2Hi, y);
        r = k.neg().fma(ln2Lo, r);
        FloatVector poly = FloatVector.broadcast(SPECIES, EXPM1_TAYLOR[EXPM1_DEGREE]);
        for (int j = EXPM1_DEGREE - 1; j >= 2; j--) {
          poly = poly.fma(r, FloatVector.broadcast(SPECIES, EXPM1_TAYLOR[j]));
        }
        FloatVector expm1r = r.mul(r).fma(poly, r);
        IntVector exponent = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS).add(127)
            .lanewise(VectorOperators.LSHL, 23);
        FloatVector twoK = exponent.reinterpretAsFloats();
        FloatVector e = twoK.fma(expm1r, twoK.sub(one));
        // e/(e + 2) near 0 (no cancellation), 1 − 2/(e + 2) once tanh > 1/2 (smaller error).
        FloatVector sum = e.add(two);
        FloatVector th = e.div(sum)
            .blend(one.sub(two.div(sum)), s.compare(VectorOperators.GT, SATURATING));
FloatVector value = th.blend(th.neg(), v.compare(VectorOperators.LT, 0.0f));
        value.intoArray(out, i);
        if (slopes != null) {
          value.neg().fma(value, one).intoArray(slopes, i);
        }
      }
    }
    for (; i < count; i++) {
      out[i] = tanh(x[i]);
      if (slopes != null) {
        slopes[i] = Math.fma(-out[i], out[i], 1.0f);
      }
    }
  }

  /** tanh from IEEE arithmetic only: the same bits on every JVM and machine. */
  static float tanh(float x) {
    float s = Math.min(Math.abs(x), TANH_CAP);
    float y = s + s;
    float t = Math.fma(y, INV_LN2, ROUND_MAGIC);
    float k = t - ROUND_MAGIC;
    float r = Math.fma(-k, LN2_HI, y);
    r = Math.fma(-k, LN2_LO, r);
    float poly = EXPM1_TAYLOR[EXPM1_DEGREE];
    for (int j = EXPM1_DEGREE - 1; j >= 2; j--) {
      poly = Math.fma(poly, r, EXPM1_TAYLOR[j]);
    }
    float expm1r = Math.fma(r * r, poly, r);
    int exponent = (Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS + 127) << 23;
    float twoK = Float.intBitsToFloat(exponent);
    float e = Math.fma(twoK, expm1r, twoK - 1.0f);
    float sum = e + 2.0f;
    float th = s > SATURATING ? 1.0f - 2.0f / sum : e / sum;
    return x < 0 ? -th : th;
  }

  private static float[] inverseFactorials(int last) {
    float[] c = new float[last + 1];
    double factorial = 1;
    for (int j = 0; j <= last; j++) {
      factorial *= Math.max(j, 1);
      c[j] = (float) (1.0 / factorial);
    }
    return c;
  }
}
