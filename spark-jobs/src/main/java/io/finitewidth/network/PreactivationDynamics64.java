package io.finitewidth.network;

import io.finitewidth.model.Activation;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
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
  private static final double LN2_HI = 6.93147180369123816490e-01; // trailing zeros: k·LN2_HI exact
  private static final double LN2_LO = 1.90821492927058770002e-10;
  private static final double ROUND_MAGIC = 6755399441055744.0; // 1.5 · 2^52
  private static final long ROUND_MAGIC_BITS = Double.doubleToRawLongBits(ROUND_MAGIC);
  private static final double[] EXPM1_TAYLOR = inverseFactorials(13); // [j] = 1/j!

  private final int width;
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
  private final double[] g;
  private final double[] gSum;
  private final double[] a;
  private final double[] f;
  private final double[] f0;
  private final double[] delta;
  private final double[] partial = new double[LANES];
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
    this.trainPoints = trainPoints;
    this.points = points;
    this.activation = activation;
    this.centred = centred;
    this.outputScale = outputScale;
    this.stepScale = stepScale;
    this.kernel = kernel.clone();
    this.targets = targets.clone();
    this.vectorised = vectorised;
    h = new double[points * width];
    hTest0 = new double[(points - trainPoints) * width];
    phi = new double[points * width];
    grad = new double[points * width];
    g = new double[trainPoints * width];
    gSum = new double[trainPoints * width];
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
    for (int k = 0; k < h.length; k++) {
      h[k] = preactivations[k];
    }
    System.arraycopy(h, trainPoints * width, hTest0, 0, hTest0.length);
    for (int i = 0; i < width; i++) {
      a[i] = readouts[i];
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
        DoubleVector c = DoubleVector.broadcast(SPECIES, stepScale);
        for (; i < SPECIES.loopBound(width); i += LANES) {
          DoubleVector acc = DoubleVector.zero(SPECIES);
          for (int mu = 0; mu < trainPoints; mu++) {
            acc = DoubleVector.fromArray(SPECIES, gSum, mu * width + i)
                .fma(DoubleVector.broadcast(SPECIES, kernel[mu * points + q]), acc);
          }
          acc.fma(c, DoubleVector.fromArray(SPECIES, hTest0, row0 + i)).intoArray(h, row + i);
        }
      }
      for (; i < width; i++) {
        double acc = 0;
        for (int mu = 0; mu < trainPoints; mu++) {
          acc = Math.fma(gSum[mu * width + i], kernel[mu * points + q], acc);
        }
        h[row + i] = Math.fma(acc, stepScale, hTest0[row0 + i]);
      }
    }
  }

  /** φ(h) into row k of phi; returns Σ_i a_i φ_ik with the fixed partial-sum order. */
  private double activateRow(int k) {
    int row = k * width;
    java.util.Arrays.fill(partial, 0);
    int i = 0;
    if (vectorised) {
      DoubleVector acc = DoubleVector.zero(SPECIES);
      for (; i < SPECIES.loopBound(width); i += LANES) {
        DoubleVector value = activate(DoubleVector.fromArray(SPECIES, h, row + i));
        value.intoArray(phi, row + i);
        acc = DoubleVector.fromArray(SPECIES, a, i).fma(value, acc);
      }
      acc.intoArray(partial, 0);
    }
    for (; i < width; i++) {
      double value = activate(h[row + i]);
      phi[row + i] = value;
      partial[i % LANES] = Math.fma(a[i], value, partial[i % LANES]);
    }
    return sumPartials();
  }

  private double sumPartials() {
    double sum = 0;
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
      DoubleVector c = DoubleVector.broadcast(SPECIES, stepScale);
      for (; i < SPECIES.loopBound(width); i += LANES) {
        DoubleVector readout = DoubleVector.fromArray(SPECIES, a, i);
        DoubleVector signal = DoubleVector.zero(SPECIES);
        for (int mu = 0; mu < trainPoints; mu++) {
          int at = mu * width + i;
          DoubleVector value = DoubleVector.fromArray(SPECIES, phi, at);
          DoubleVector slope = slopeFromValue(value, DoubleVector.fromArray(SPECIES, h, at));
          DoubleVector gi = readout.mul(slope).mul(delta[mu]);
          gi.intoArray(g, at);
          gi.add(DoubleVector.fromArray(SPECIES, gSum, at)).intoArray(gSum, at);
          signal = value.fma(DoubleVector.broadcast(SPECIES, delta[mu]), signal);
        }
        for (int k = 0; k < trainPoints; k++) {
          DoubleVector acc = DoubleVector.zero(SPECIES);
          for (int mu = 0; mu < trainPoints; mu++) {
            acc = DoubleVector.fromArray(SPECIES, g, mu * width + i)
                .fma(DoubleVector.broadcast(SPECIES, kernel[mu * points + k]), acc);
          }
          int at = k * width + i;
          acc.fma(c, DoubleVector.fromArray(SPECIES, h, at)).intoArray(h, at);
        }
        signal.fma(c, readout).intoArray(a, i);
      }
    }
    for (; i < width; i++) {
      double readout = a[i];
      double signal = 0;
      for (int mu = 0; mu < trainPoints; mu++) {
        int at = mu * width + i;
        double value = phi[at];
        double gi = readout * slopeFromValue(value, h[at]) * delta[mu];
        g[at] = gi;
        gSum[at] = gi + gSum[at];
        signal = Math.fma(value, delta[mu], signal);
      }
      for (int k = 0; k < trainPoints; k++) {
        double acc = 0;
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
          DoubleVector slope = slopeFromValue(DoubleVector.fromArray(SPECIES, phi, row + i),
              DoubleVector.fromArray(SPECIES, h, row + i));
          DoubleVector.fromArray(SPECIES, a, i).mul(slope).intoArray(grad, row + i);
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
    out.take(f, delta, kernelTerm, featureKernel, gradientKernel);
  }

  /** Σ_i x_ki x_li with the fixed partial-sum order. */
  private double dot(double[] x, int k, int l) {
    int rowK = k * width;
    int rowL = l * width;
    java.util.Arrays.fill(partial, 0);
    int i = 0;
    if (vectorised) {
      DoubleVector acc = DoubleVector.zero(SPECIES);
      for (; i < SPECIES.loopBound(width); i += LANES) {
        acc = DoubleVector.fromArray(SPECIES, x, rowK + i)
            .fma(DoubleVector.fromArray(SPECIES, x, rowL + i), acc);
      }
      acc.intoArray(partial, 0);
    }
    for (; i < width; i++) {
      partial[i % LANES] = Math.fma(x[rowK + i], x[rowL + i], partial[i % LANES]);
    }
    return sumPartials();
  }

  /** The readouts w_i now. */
  @Override
  public double[] readouts() {
    return a.clone();
  }

  /** Σ_t g_t on training points, row-major P × N (the input weights' total move is built on it). */
  @Override
  public double[] summedSignals() {
    return gSum.clone();
  }

  private DoubleVector activate(DoubleVector x) {
    return switch (activation) {
      case LINEAR -> x;
      case TANH -> tanh(x);
      case RELU -> x.max(0.0);
    };
  }

  private double activate(double x) {
    return switch (activation) {
      case LINEAR -> x;
      case TANH -> tanh(x);
      case RELU -> Math.max(x, 0.0);
    };
  }

  /** φ' from φ (tanh: 1 − φ²) or from h (ReLU: 1 if h > 0, else 0). */
  private DoubleVector slopeFromValue(DoubleVector value, DoubleVector pre) {
    return switch (activation) {
      case LINEAR -> DoubleVector.broadcast(SPECIES, 1.0);
      case TANH -> value.neg().fma(value, DoubleVector.broadcast(SPECIES, 1.0));
      case RELU -> DoubleVector.zero(SPECIES)
          .blend(DoubleVector.broadcast(SPECIES, 1.0), pre.compare(VectorOperators.GT, 0.0));
    };
  }

  private double slopeFromValue(double value, double pre) {
    return switch (activation) {
      case LINEAR -> 1.0;
      case TANH -> Math.fma(-value, value, 1.0);
      case RELU -> pre > 0 ? 1.0 : 0.0;
    };
  }

  /** tanh, lane by lane exactly as {@link #tanh(double)}. */
  static DoubleVector tanh(DoubleVector x) {
    DoubleVector s = x.abs().min(TANH_CAP);
    DoubleVector y = s.add(s);
    DoubleVector t = y.fma(DoubleVector.broadcast(SPECIES, INV_LN2), DoubleVector.broadcast(SPECIES, ROUND_MAGIC));
    DoubleVector k = t.sub(ROUND_MAGIC);
    DoubleVector r = k.neg().fma(DoubleVector.broadcast(SPECIES, LN2_HI), y);
    r = k.neg().fma(DoubleVector.broadcast(SPECIES, LN2_LO), r);
    DoubleVector poly = DoubleVector.broadcast(SPECIES, EXPM1_TAYLOR[13]);
    for (int j = 12; j >= 2; j--) {
      poly = poly.fma(r, DoubleVector.broadcast(SPECIES, EXPM1_TAYLOR[j]));
    }
    DoubleVector expm1r = r.mul(r).fma(poly, r);
    LongVector exponent = t.reinterpretAsLongs().sub(ROUND_MAGIC_BITS).add(1023L)
        .lanewise(VectorOperators.LSHL, 52);
    DoubleVector twoK = exponent.reinterpretAsDoubles();
    DoubleVector e = twoK.fma(expm1r, twoK.sub(1.0));
    // e/(e + 2) near 0 (no cancellation), 1 − 2/(e + 2) once tanh > 1/2 (smaller error).
    DoubleVector sum = e.add(2.0);
    DoubleVector saturating = DoubleVector.broadcast(SPECIES, 1.0)
        .sub(DoubleVector.broadcast(SPECIES, 2.0).div(sum));
    DoubleVector th = e.div(sum).blend(saturating, s.compare(VectorOperators.GT, SATURATING));
    VectorMask<Double> negative = x.compare(VectorOperators.LT, 0.0);
    return th.blend(th.neg(), negative);
  }

  /** tanh from IEEE arithmetic only: the same bits on every JVM and machine. */
  static double tanh(double x) {
    double s = Math.min(Math.abs(x), TANH_CAP);
    double y = s + s;
    double t = Math.fma(y, INV_LN2, ROUND_MAGIC);
    double k = t - ROUND_MAGIC;
    double r = Math.fma(-k, LN2_HI, y);
    r = Math.fma(-k, LN2_LO, r);
    double poly = EXPM1_TAYLOR[13];
    for (int j = 12; j >= 2; j--) {
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
