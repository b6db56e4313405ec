package io.finitewidth.fluctuation;

/**
 * The O(1/N) correction to the expected online test loss of a two-layer LINEAR network trained
 * with the population gradient (B = ∞), split into a variance and a bias part
 * (THEORY-online.md §4), the delay it causes in reaching a target loss (§5), the first-order
 * loss response used as a control variate (§7b) and the SGD-noise coefficient S(n) (§6).
 *
 * <p>Method. The initial (C, β, g) of a width-N network is (I, 0, 1) + Σ_k d_k ζ_k/√N with
 * uncorrelated unit-variance ζ_k (C_ii: √2, C_ij: 1 at (i,j) and (j,i), β_a: 1, g: √2). Each
 * direction is pushed through the exact map of {@link io.finitewidth.dmft.OnlineDmft} as a
 * second-order Taylor jet e(ε) = e∞ + J ε + (H/2) ε², exact to rounding because the map is a
 * polynomial (no finite-difference error). Then
 *
 * <pre>
 *   N (E L_N(n) − L∞(n)) = V(n) + Bias(n) + O(1/N)
 *   V    = (1/(2D)) Σ_k |J_k|²,   m = ½ Σ_k H_kk,   Bias = e∞ · m / D
 * </pre>
 *
 * <p>By rotation symmetry about the teacher (axis 1) only seven representative directions are
 * run, on 3 × 3 blocks with the true D kept in M = e/D, L = |e|²/(2D) and b = (√D, 0, 0):
 * C_11 (×1), C_12 (×(D−1)), C_22 (×(D−1)), C_23 (×(D−1)(D−2)/2), β_1 (×1), β_2 (×(D−1)), g (×1).
 * Centred networks use e = b − (β − β_init)/γ0 with β_init part of the perturbed state.
 *
 * <p>Limitations: B = ∞ only (finite-batch cross terms of order 1/(N B) are not derived,
 * §6); linear networks only (tanh: simulation only, §9); first order in 1/N, which at late
 * times and moderate N misses visible O(1/N²) terms (§4).
 */
public final class OnlineFiniteWidthCorrection {

  private static final int BLOCK = 3;
  private static final double ROOT2 = Math.sqrt(2.0);

  private OnlineFiniteWidthCorrection() {}

  /**
   * The correction at every step n = 0 … steps.
   *
   * @param lossInfinite L∞(n)
   * @param variance V(n), the variance part (N/2) E_x Var f(x)
   * @param bias Bias(n), the loss increase of the mean predictor times N
   * @param lossResponse per step, ∂L(n)/∂(uᵀCu), ∂L(n)/∂(u·β), ∂L(n)/∂g at the infinite-width
   *     state (u = b/|b|); every other first-order response is exactly zero (§7b)
   */
  public record Correction(int dim, double gamma0, double dt, boolean centred,
      double[] lossInfinite, double[] variance, double[] bias, double[][] lossResponse) {

    public int steps() {
      return lossInfinite.length - 1;
    }

    /** V(n) + Bias(n) = N (E L_N(n) − L∞(n)) to first order. */
    public double total(int n) {
      return variance[n] + bias[n];
    }
  }

  /** The delay of §5, in steps times N (N·δ_n), with its variance and bias parts. */
  public record Delay(double targetLoss, double crossingStep, double logSlopePerStep,
      double varianceSteps, double biasSteps) {
    public double totalSteps() {
      return varianceSteps + biasSteps;
    }
  }

  /** The seven representative directions: index into (C, β, g) and multiplicity. */
  private enum Direction {
    C11, C12, C22, C23, BETA1, BETA2, G;

    double multiplicity(int dim) {
      return switch (this) {
        case C11, BETA1, G -> 1;
        case C12, C22, BETA2 -> dim - 1;
        case C23 -> (dim - 1) * (dim - 2) / 2.0;
      };
    }

    void applyTo(Block block) {
      switch (this) {
        case C11 -> block.c[0][0][1] = ROOT2;
        case C12 -> {
          block.c[0][1][1] = 1;
          block.c[1][0][1] = 1;
        }
        case C22 -> block.c[1][1][1] = ROOT2;
        case C23 -> {
          block.c[1][2][1] = 1;
          block.c[2][1][1] = 1;
        }
        case BETA1 -> block.beta[0][1] = 1;
        case BETA2 -> block.beta[1][1] = 1;
        case G -> block.g[1] = ROOT2;
        default -> throw new IllegalStateException("unhandled direction " + this);
      }
    }
  }

  /**
   * V(n) and Bias(n) for n = 0 … steps (D ≥ 1, γ0 > 0, dt > 0).
   *
   * @throws ArithmeticException if the infinite-width trajectory diverges
   */
  public static Correction compute(int dim, double gamma0, double dt, int steps,
      boolean centred) {
    if (dim < 1 || !(gamma0 > 0) || !(dt > 0) || steps < 0) {
      throw new IllegalArgumentException("need dim ≥ 1, gamma0 > 0, dt > 0, steps ≥ 0, got "
          + dim + ", " + gamma0 + ", " + dt + ", " + steps);
    }
    double[] loss = new double[steps + 1];
    double[] variance = new double[steps + 1];
    double[][] meanShift = new double[steps + 1][BLOCK];
    double[][] errorInfinite = new double[steps + 1][];
    double[][] response = new double[steps + 1][3];
    for (Direction direction : Direction.values()) {
      double weight = direction.multiplicity(dim);
      Block block = new Block(dim, gamma0, dt, centred);
      direction.applyTo(block);
      for (int n = 0; n <= steps; n++) {
        double[][] e = block.error();
        if (direction == Direction.C11) {
          errorInfinite[n] = new double[] {e[0][0], e[1][0], e[2][0]};
          loss[n] = dotOrder(e, 0, 0) / (2 * dim);
          if (!Double.isFinite(loss[n])) {
            throw new ArithmeticException("infinite-width trajectory diverged at step " + n);
          }
        }
        variance[n] += weight * dotOrder(e, 1, 1) / (2 * dim);
        for (int a = 0; a < BLOCK; a++) {
          meanShift[n][a] += weight * e[a][2];
        }
        // First-order loss response per unit coordinate: dL = e∞·de/D, jets here have scale
        // √2 (C_11, g) or 1 (β_1).
        double firstOrder = dotOrder(e, 0, 1) / dim;
        switch (direction) {
          case C11 -> response[n][0] = firstOrder / ROOT2;
          case BETA1 -> response[n][1] = firstOrder;
          case G -> response[n][2] = firstOrder / ROOT2;
          default -> { }
        }
        if (n < steps) {
          block.step(null);
        }
      }
    }
    double[] bias = new double[steps + 1];
    for (int n = 0; n <= steps; n++) {
      double s = 0;
      for (int a = 0; a < BLOCK; a++) {
        s += errorInfinite[n][a] * meanShift[n][a];
      }
      bias[n] = s / dim;
    }
    return new Correction(dim, gamma0, dt, centred, loss, variance, bias, response);
  }

  /**
   * The SGD-noise coefficient of §6: E[L∞^SGD(n)] − L∞(n) = S(n)/B + O(1/B²) for Gaussian
   * inputs, S(n) = ½ Σ_{m<n} Σ_k ∂²L(n)/∂ξ_{m,k}² with Ŝ_m = I + ξ_m/√B. At infinite width only
   * ξ_11 (variance 2) and ξ_12 = ξ_21 (variance 1, multiplicity D − 1) contribute. Cost O(steps²).
   */
  public static double[] sgdNoiseCoefficient(int dim, double gamma0, double dt, int steps) {
    double[] s = new double[steps + 1];
    double[][] noiseDirections = {{ROOT2, 0}, {0, 1}};
    double[] multiplicity = {1, dim - 1};
    for (int m = 0; m < steps; m++) {
      for (int k = 0; k < noiseDirections.length; k++) {
        Block block = new Block(dim, gamma0, dt, false);
        for (int n = 0; n < steps; n++) {
          block.step(n == m ? noiseDirections[k] : null);
          if (n >= m) {
            double[][] e = block.error();
            // Second Taylor coefficient of L = |e|²/(2D) is ½ ∂²L/∂ε².
            double second = (2 * dotOrder(e, 0, 2) + dotOrder(e, 1, 1)) / (2 * dim);
            s[n + 1] += multiplicity[k] * second;
          }
        }
      }
    }
    return s;
  }

  /**
   * The fractional step at which a decreasing loss curve (one value per step) first reaches
   * {@code target}, by the log-linear interpolation of §5: k = last step before the first value
   * ≤ target, n = k + (ln L(k) − ln L*)/(ln L(k) − ln L(k+1)). Use it on L∞ and on a measured
   * ensemble-mean curve alike.
   *
   * @throws IllegalArgumentException if the curve starts at or below the target or never reaches
   *     it
   */
  public static double crossingStep(double[] lossByStep, double target) {
    int k = bracket(lossByStep, target);
    double lk = Math.log(lossByStep[k]);
    return k + (lk - Math.log(target)) / (lk - Math.log(lossByStep[k + 1]));
  }

  /** The predicted N·δ_n of §5 for reaching {@code target}, split into V and Bias parts. */
  public static Delay delay(Correction correction, double target) {
    double[] loss = correction.lossInfinite();
    int k = bracket(loss, target);
    double slope = Math.log(loss[k]) - Math.log(loss[k + 1]);
    double crossing = crossingStep(loss, target);
    double fraction = crossing - k;
    double varianceExcess = (1 - fraction) * correction.variance()[k] / loss[k]
        + fraction * correction.variance()[k + 1] / loss[k + 1];
    double biasExcess = (1 - fraction) * correction.bias()[k] / loss[k]
        + fraction * correction.bias()[k + 1] / loss[k + 1];
    return new Delay(target, crossing, slope, varianceExcess / slope, biasExcess / slope);
  }

  /**
   * The γ0 → 0 limit of the initial-output part of N·δ_n (§5): the initial output decays with the
   * signal, a constant relative excess 1/(γ0² N), so N·δ_n → 1/(2 γ0² (−ln(1 − 2 dt/D))).
   */
  public static double lazyInitialOutputDelaySteps(int dim, double gamma0, double dt) {
    return 1.0 / (2 * gamma0 * gamma0 * -Math.log(1 - 2 * dt / dim));
  }

  private static int bracket(double[] loss, double target) {
    for (int n = 0; n < loss.length; n++) {
      if (loss[n] <= target) {
        if (n == 0) {
          throw new IllegalArgumentException("loss starts at " + loss[0]
              + ", already at or below the target " + target);
        }
        return n - 1;
      }
    }
    throw new IllegalArgumentException("loss never reaches " + target + " within "
        + (loss.length - 1) + " steps (last " + loss[loss.length - 1] + ")");
  }

  /** Σ_a e_a[i] e_a[j] over the block. */
  private static double dotOrder(double[][] e, int i, int j) {
    double s = 0;
    for (double[] ea : e) {
      s += ea[i] * ea[j];
    }
    return s;
  }

  /**
   * The 3 × 3 block of (C, β, g) as second-order jets {value, first, second Taylor coefficient}
   * in one perturbation parameter ε. Jet products are truncated at ε², which is exact for the
   * Taylor coefficients.
   */
  private static final class Block {
    final double[][][] c = new double[BLOCK][BLOCK][3];
    final double[][] beta = new double[BLOCK][3];
    final double[] g = new double[3];
    private double[][] betaInit;
    private final int dim;
    private final double gamma0;
    private final double eta;
    private final boolean centred;
    private final double[] teacher;

    Block(int dim, double gamma0, double dt, boolean centred) {
      this.dim = dim;
      this.gamma0 = gamma0;
      this.eta = dt * gamma0;
      this.centred = centred;
      this.teacher = new double[] {Math.sqrt(dim), 0, 0};
      for (int a = 0; a < BLOCK; a++) {
        c[a][a][0] = 1;
      }
      g[0] = 1;
    }

    /** e = b − (β − β_init)/γ0 as jets; β_init is frozen on the first call. */
    double[][] error() {
      if (betaInit == null) {
        betaInit = new double[BLOCK][3];
        if (centred) {
          for (int a = 0; a < BLOCK; a++) {
            betaInit[a] = beta[a].clone();
          }
        }
      }
      double[][] e = new double[BLOCK][3];
      for (int a = 0; a < BLOCK; a++) {
        for (int o = 0; o < 3; o++) {
          e[a][o] = -(beta[a][o] - betaInit[a][o]) / gamma0;
        }
        e[a][0] += teacher[a];
      }
      return e;
    }

    /**
     * One exact step with M = Ŝ e/D, Ŝ = I + ε ξ where ξ (if not null) has ξ_11 = noise[0] and
     * ξ_12 = ξ_21 = noise[1]. Modified: this.
     */
    void step(double[] noise) {
      double[][] e = error();
      double[][] m = new double[BLOCK][3];
      for (int a = 0; a < BLOCK; a++) {
        for (int o = 0; o < 3; o++) {
          m[a][o] = e[a][o] / dim;
        }
      }
      if (noise != null) {
        // ε ξ e: raises the jet order by one.
        double[] shift0 = add(scale(e[0], noise[0]), scale(e[1], noise[1]));
        double[] shift1 = scale(e[0], noise[1]);
        for (int o = 2; o > 0; o--) {
          m[0][o] += shift0[o - 1] / dim;
          m[1][o] += shift1[o - 1] / dim;
        }
      }
      double[][] cm = new double[BLOCK][3];
      double[] betaDotM = new double[3];
      for (int a = 0; a < BLOCK; a++) {
        for (int b = 0; b < BLOCK; b++) {
          addInto(cm[a], mul(c[a][b], m[b]));
        }
        addInto(betaDotM, mul(beta[a], m[a]));
      }
      double[] mcm = new double[3];
      for (int a = 0; a < BLOCK; a++) {
        addInto(mcm, mul(m[a], cm[a]));
      }
      for (int a = 0; a < BLOCK; a++) {
        for (int b = 0; b < BLOCK; b++) {
          double[] term = add(mul(beta[a], m[b]), mul(m[a], beta[b]));
          addInto(c[a][b], add(scale(term, eta), scale(mul(g, mul(m[a], m[b])), eta * eta)));
        }
      }
      double[][] next = new double[BLOCK][];
      for (int a = 0; a < BLOCK; a++) {
        double[] term = add(scale(add(mul(g, m[a]), cm[a]), eta),
            scale(mul(betaDotM, m[a]), eta * eta));
        next[a] = add(beta[a], term);
      }
      addInto(g, add(scale(betaDotM, 2 * eta), scale(mcm, eta * eta)));
      for (int a = 0; a < BLOCK; a++) {
        beta[a] = next[a];
      }
    }

    private static double[] mul(double[] x, double[] y) {
      return new double[] {x[0] * y[0], x[0] * y[1] + x[1] * y[0],
          x[0] * y[2] + x[1] * y[1] + x[2] * y[0]};
    }

    private static double[] add(double[] x, double[] y) {
      return new double[] {x[0] + y[0], x[1] + y[1], x[2] + y[2]};
    }

    private static double[] scale(double[] x, double s) {
      return new double[] {x[0] * s, x[1] * s, x[2] * s};
    }

    private static void addInto(double[] into, double[] x) {
      into[0] += x[0];
      into[1] += x[1];
      into[2] += x[2];
    }
  }
}
