package io.finitewidth.network;

import io.finitewidth.model.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
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
  private static final float LN2_HI = 6.9314575195e-01f; // trailing zeros: k·LN2_HI exact
  private static final float LN2_LO = 1.4286067653e-06f;
  private static final float ROUND_MAGIC = 12582912.0f; // 1.5 · 2^23
  private static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);
  private static final float[] EXPM1_TAYLOR = inverseFactorials(8); // [j] = 1/j!

  private final int width;
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
  private final float[] g;
  private final float[] gSum;
  private final float[] a;
  private final float[] f;
  private final float[] f0;
  private final float[] delta;
  private final float[] partial = new float[LANES];
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
    this.trainPoints = trainPoints;
    this.points = points;
    this.activation = activation;
    this.centred = centred;
    this.outputScale = (float) outputScale;
    this.stepScale = (float) stepScale;
    this.kernel = kernel.clone();
    this.targets = targets.clone();
    this.vectorised = vectorised;
    h = new float[points * width];
    hTest0 = new float[(points - trainPoints) * width];
    phi = new float[points * width];
    grad = new float[points * width];
    g = new float[trainPoints * width];
    gSum = new float[trainPoints * width];
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
    for (int k = 0; k < h.length; k++) {
      h[k] = (float) preactivations[k];
    }
    System.arraycopy(h, trainPoints * width, hTest0, 0, hTest0.length);
    for (int i = 0; i < width; i++) {
      a[i] = (float) readouts[i];
    }
    java.util.Arrays.fill(gSum, 0);
    haveInitialOutputs = false;
  }

  /**
   * φ and the outputs f from the current pre-activations, on training points, or on every point
   * (test pre-activations are first brought up to date from the summed signals); then Δ.
   */
  @Override
  public void forward(boolean allPoints) {
    int rows = allPoints ? points : trainPoints;
    if (allPoints) {
      refreshTestPreactivations();
    }
    for (int k = 0; k < rows; k++) {
      f[k] = activateRow(k) / outputScale;
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

  /** h_test = h_test(0) + ηγ0 Σ_μ (Σ_t g_t)_μ K(μ, test). */
  private void refreshTestPreactivations() {
    for (int q = trainPoints; q < points; q++) {
      int row = q * width;
      int row0 = (q - trainPoints) * width;
      int i = 0;
      if (vectorised) {
        FloatVector c = FloatVector.broadcast(SPECIES, stepScale);
        for (; i < SPECIES.loopBound(width); i += LANES) {
          FloatVector acc = FloatVector.zero(SPECIES);
          for (int mu = 0; mu < trainPoints; mu++) {
            acc = FloatVector.fromArray(SPECIES, gSum, mu * width + i)
                .fma(FloatVector.broadcast(SPECIES, kernel[mu * points + q]), acc);
          }
          acc.fma(c, FloatVector.fromArray(SPECIES, hTest0, row0 + i)).intoArray(h, row + i);
        }
      }
      for (; i < width; i++) {
        float acc = 0;
        for (int mu = 0; mu < trainPoints; mu++) {
          acc = Math.fma(gSum[mu * width + i], kernel[mu * points + q], acc);
        }
        h[row + i] = Math.fma(acc, stepScale, hTest0[row0 + i]);
      }
    }
  }

  /** φ(h) into row k of phi; returns Σ_i a_i φ_ik with the fixed partial-sum order. */
  private float activateRow(int k) {
    int row = k * width;
    java.util.Arrays.fill(partial, 0);
    int i = 0;
    if (vectorised) {
      FloatVector acc = FloatVector.zero(SPECIES);
      for (; i < SPECIES.loopBound(width); i += LANES) {
        FloatVector value = activate(FloatVector.fromArray(SPECIES, h, row + i));
        value.intoArray(phi, row + i);
        acc = FloatVector.fromArray(SPECIES, a, i).fma(value, acc);
      }
      acc.intoArray(partial, 0);
    }
    for (; i < width; i++) {
      float value = activate(h[row + i]);
      phi[row + i] = value;
      partial[i % LANES] = Math.fma(a[i], value, partial[i % LANES]);
    }
    return sumPartials();
  }

  private float sumPartials() {
    float sum = 0;
    for (int l = 0; l < LANES; l++) {
      sum += partial[l];
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
          int at = mu * width + i;
          FloatVector value = FloatVector.fromArray(SPECIES, phi, at);
          FloatVector slope = slopeFromValue(value, FloatVector.fromArray(SPECIES, h, at));
          FloatVector gi = readout.mul(slope).mul(delta[mu]);
          gi.intoArray(g, at);
          gi.add(FloatVector.fromArray(SPECIES, gSum, at)).intoArray(gSum, at);
          signal = value.fma(FloatVector.broadcast(SPECIES, delta[mu]), signal);
        }
        for (int k = 0; k < trainPoints; k++) {
          FloatVector acc = FloatVector.zero(SPECIES);
          for (int mu = 0; mu < trainPoints; mu++) {
            acc = FloatVector.fromArray(SPECIES, g, mu * width + i)
                .fma(FloatVector.broadcast(SPECIES, kernel[mu * points + k]), acc);
          }
          int at = k * width + i;
          acc.fma(c, FloatVector.fromArray(SPECIES, h, at)).intoArray(h, at);
        }
        signal.fma(c, readout).intoArray(a, i);
      }
    }
    for (; i < width; i++) {
      float readout = a[i];
      float signal = 0;
      for (int mu = 0; mu < trainPoints; mu++) {
        int at = mu * width + i;
        float value = phi[at];
        float gi = readout * slopeFromValue(value, h[at]) * delta[mu];
        g[at] = gi;
        gSum[at] = gi + gSum[at];
        signal = Math.fma(value, delta[mu], signal);
      }
      for (int k = 0; k < trainPoints; k++) {
        float acc = 0;
        for (int mu = 0; mu < trainPoints; mu++) {
          acc = Math.fma(g[mu * width + i], kernel[mu * points + k], acc);
        }
        int at = k * width + i;
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
      int row = k * width;
      int i = 0;
      if (vectorised) {
        for (; i < SPECIES.loopBound(width); i += LANES) {
          FloatVector slope = slopeFromValue(FloatVector.fromArray(SPECIES, phi, row + i),
              FloatVector.fromArray(SPECIES, h, row + i));
          FloatVector.fromArray(SPECIES, a, i).mul(slope).intoArray(grad, row + i);
        }
      }
      for (; i < width; i++) {
        grad[row + i] = a[i] * slopeFromValue(phi[row + i], h[row + i]);
      }
    }
    for (int mu = 0; mu < trainPoints; mu++) {
      for (int k = mu; k < points; k++) {
        int at = mu * points + k;
        featureKernel[at] = dot(phi, mu, k) / width;
        gradientKernel[at] = dot(grad, mu, k) / width;
        kernelTerm[at] = Math.fma(gradientKernel[at], kernel[at], featureKernel[at]);
      }
    }
    out.take(widen(f), widen(delta), widen(kernelTerm), widen(featureKernel),
        widen(gradientKernel));
  }

  /** Σ_i x_ki x_li with the fixed partial-sum order. */
  private float dot(float[] x, int k, int l) {
    int rowK = k * width;
    int rowL = l * width;
    java.util.Arrays.fill(partial, 0);
    int i = 0;
    if (vectorised) {
      FloatVector acc = FloatVector.zero(SPECIES);
      for (; i < SPECIES.loopBound(width); i += LANES) {
        acc = FloatVector.fromArray(SPECIES, x, rowK + i)
            .fma(FloatVector.fromArray(SPECIES, x, rowL + i), acc);
      }
      acc.intoArray(partial, 0);
    }
    for (; i < width; i++) {
      partial[i % LANES] = Math.fma(x[rowK + i], x[rowL + i], partial[i % LANES]);
    }
    return sumPartials();
  }

  private static double[] widen(float[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i];
    }
    return out;
  }

  /** The readouts w_i now. */
  @Override
  public double[] readouts() {
    return widen(a);
  }

  /** Σ_t g_t on training points, row-major P × N (the input weights' total move is built on it). */
  @Override
  public double[] summedSignals() {
    return widen(gSum);
  }

  private FloatVector activate(FloatVector x) {
    return switch (activation) {
      case LINEAR -> x;
      case TANH -> tanh(x);
      case RELU -> x.max(0.0f);
    };
  }

  private float activate(float x) {
    return switch (activation) {
      case LINEAR -> x;
      case TANH -> tanh(x);
      case RELU -> Math.max(x, 0.0f);
    };
  }

  /** φ' from φ (tanh: 1 − φ²) or from h (ReLU: 1 if h > 0, else 0). */
  private FloatVector slopeFromValue(FloatVector value, FloatVector pre) {
    return switch (activation) {
      case LINEAR -> FloatVector.broadcast(SPECIES, 1.0f);
      case TANH -> value.neg().fma(value, FloatVector.broadcast(SPECIES, 1.0f));
      case RELU -> FloatVector.zero(SPECIES)
          .blend(FloatVector.broadcast(SPECIES, 1.0f), pre.compare(VectorOperators.GT, 0.0f));
    };
  }

  private float slopeFromValue(float value, float pre) {
    return switch (activation) {
      case LINEAR -> 1.0f;
      case TANH -> Math.fma(-value, value, 1.0f);
      case RELU -> pre > 0 ? 1.0f : 0.0f;
    };
  }

  /** tanh, lane by lane exactly as {@link #tanh(float)}. */
  static FloatVector tanh(FloatVector x) {
    FloatVector s = x.abs().min(TANH_CAP);
    FloatVector y = s.add(s);
    FloatVector t = y.fma(FloatVector.broadcast(SPECIES, INV_LN2), FloatVector.broadcast(SPECIES, ROUND_MAGIC));
    FloatVector k = t.sub(ROUND_MAGIC);
    FloatVector r = k.neg().fma(FloatVector.broadcast(SPECIES, LN2_HI), y);
    r = k.neg().fma(FloatVector.broadcast(SPECIES, LN2_LO), r);
    FloatVector poly = FloatVector.broadcast(SPECIES, EXPM1_TAYLOR[8]);
    for (int j = 7; j >= 2; j--) {
      poly = poly.fma(r, FloatVector.broadcast(SPECIES, EXPM1_TAYLOR[j]));
    }
    FloatVector expm1r = r.mul(r).fma(poly, r);
    IntVector exponent = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS).add(127)
        .lanewise(VectorOperators.LSHL, 23);
    FloatVector twoK = exponent.reinterpretAsFloats();
    FloatVector e = twoK.fma(expm1r, twoK.sub(1.0f));
    // e/(e + 2) near 0 (no cancellation), 1 − 2/(e + 2) once tanh > 1/2 (smaller error).
    FloatVector sum = e.add(2.0f);
    FloatVector saturating = FloatVector.broadcast(SPECIES, 1.0f)
        .sub(FloatVector.broadcast(SPECIES, 2.0f).div(sum));
    FloatVector th = e.div(sum).blend(saturating, s.compare(VectorOperators.GT, SATURATING));
    VectorMask<Float> negative = x.compare(VectorOperators.LT, 0.0f);
    return th.blend(th.neg(), negative);
  }

  /** tanh from IEEE arithmetic only: the same bits on every JVM and machine. */
  static float tanh(float x) {
    float s = Math.min(Math.abs(x), TANH_CAP);
    float y = s + s;
    float t = Math.fma(y, INV_LN2, ROUND_MAGIC);
    float k = t - ROUND_MAGIC;
    float r = Math.fma(-k, LN2_HI, y);
    r = Math.fma(-k, LN2_LO, r);
    float poly = EXPM1_TAYLOR[8];
    for (int j = 7; j >= 2; j--) {
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
