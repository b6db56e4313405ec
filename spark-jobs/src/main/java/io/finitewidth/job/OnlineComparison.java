package io.finitewidth.job;

import io.finitewidth.dmft.OnlineDmft;
import io.finitewidth.fluctuation.OnlineFiniteWidthCorrection;
import io.finitewidth.fluctuation.OnlineFiniteWidthCorrection.Correction;
import io.finitewidth.model.Activation;
import io.finitewidth.model.OnlineSetup;
import io.finitewidth.network.OnlineTrajectory;
import io.finitewidth.stats.ControlVariateMean;
import io.finitewidth.stats.OnlineWidthCorrection;
import io.finitewidth.sweep.OnlineCell;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The driver side of the online job: one cell's networks (diverged ones excluded) set beside the
 * infinite-width reference and the O(1/N) theory, as {@link OnlineSummaryRow}s.
 *
 * <p>Per recorded step: {@code test_loss} (test set), {@code population_loss} (linear network
 * and teacher, exact |e|²/(2D)), each against L∞ from the exact map of a LINEAR network run on
 * the same batches ({@link OnlineDmft#infiniteWidth}); {@code width_correction} =
 * N·(E[L_N] − L∞) by a control-variate mean (THEORY-online.md §7b) and
 * {@code width_correction_plain} by the plain mean (§7a). The control variates are the initial
 * statistics of {@link OnlineTrajectory}, with the exact first-order responses of
 * {@link OnlineFiniteWidthCorrection} as coefficients for a linear teacher (unbiased for any B,
 * since the coefficients are fixed), least-squares coefficients for a tanh teacher. Theory for
 * the correction (V + Bias, first order in 1/N) only for B = ∞.
 *
 * <p>Per delay target L*: {@code crossing_steps}, the fractional step at which the
 * ensemble-mean loss curve (the control-variate estimate L∞ + Q̄'/N where a reference exists,
 * else the plain mean) reaches L*, by the log-linear interpolation of §5 on the recorded steps,
 * s.e. by the delta method; against the same crossing of L∞. {@code delay_steps}: measured
 * crossing minus L∞'s, against the first-order N·δ_n / N of §5 (B = ∞ only).
 *
 * <p>tanh networks: no infinite-width reference here (particle DMFT is not run by this job), so
 * only measured values, theory method {@code none}.
 */
final class OnlineComparison {
  static final String NONE = "none";
  /** Infinite width from the exact linear map driven by the same batches (0 error). */
  static final String REFERENCE = "online_map";
  /** V + Bias of THEORY-online.md §4 (linear, B = ∞), first order in 1/N. */
  static final String FIRST_ORDER = "first_order";
  static final String PLAIN = "plain";
  static final String CV_THEORY = "control_variate_theory";
  static final String CV_FITTED = "control_variate_fitted";
  static final String DELTA = "delta_method";
  static final String NOT_REACHED = "not_reached";

  private static final int LINEAR_STATISTICS = 3;
  private static final double NaN = Double.NaN;

  private OnlineComparison() {}

  /** The infinite-width inputs of one cell: either may be null where none applies. */
  record Theory(OnlineDmft.LinearRun reference, Correction correction) {}

  /** L∞ on the cell's batches (linear network) and the first-order theory (linear teacher). */
  static Theory theoryFor(OnlineSetup setup) {
    if (setup.activation() != Activation.LINEAR) {
      return new Theory(null, null);
    }
    Correction correction = setup.exactPopulationLoss()
        ? OnlineFiniteWidthCorrection.compute(setup.task().dim(), setup.gamma0(),
            setup.grid().dt(), setup.grid().steps(), setup.centred())
        : null;
    return new Theory(OnlineDmft.infiniteWidth(setup), correction);
  }

  static List<OnlineSummaryRow> rows(OnlineCell cell, List<OnlineTrajectory> networks,
      List<Double> targets, Theory theory) {
    OnlineSetup setup = cell.setup();
    List<OnlineTrajectory> finite = networks.stream().filter(t -> !t.diverged()).toList();
    int count = finite.size();
    Rows out = new Rows(cell, count, networks.size() - count);
    int[] steps = setup.grid().recordSteps();
    double dt = setup.grid().dt();
    boolean exact = setup.exactPopulationLoss();
    boolean population = setup.population();
    boolean hasTest = setup.task().testPoints() > 0;
    OnlineDmft.LinearRun reference = theory.reference();
    Correction correction = theory.correction();
    int width = cell.width();

    double[] curve = new double[steps.length];
    double[] curveSe = new double[steps.length];
    double[] referenceCurve = new double[steps.length];
    Arrays.fill(referenceCurve, Double.NaN);
    for (int r = 0; r < steps.length; r++) {
      int n = steps[r];
      double time = n * dt;
      double[] test = column(finite, r, false);
      double[] pop = column(finite, r, true);
      if (hasTest) {
        double ref = reference == null ? Double.NaN : reference.testLoss()[r];
        out.perStep(n, time, "test_loss", meanSe(test), ref, 0, PLAIN,
            reference == null ? NONE : REFERENCE);
      }
      if (exact) {
        out.perStep(n, time, "population_loss", meanSe(pop), reference.populationLoss()[r], 0,
            PLAIN, REFERENCE);
      }
      double[] losses = exact ? pop : test;
      double[] plain = meanSe(losses);
      curve[r] = plain[0];
      curveSe[r] = plain[1];
      if (reference == null || count < 2) {
        continue;
      }
      double refLoss = exact ? reference.populationLoss()[r] : reference.testLoss()[r];
      referenceCurve[r] = refLoss;
      ControlVariateMean.Estimate estimate = correctionEstimate(width, finite, r, losses,
          refLoss, exact ? correction.lossResponse()[n] : null);
      String method = estimate == null ? PLAIN : exact ? CV_THEORY : CV_FITTED;
      double[] q = new double[count];
      for (int i = 0; i < count; i++) {
        q[i] = width * (losses[i] - refLoss);
      }
      double[] plainQ = meanSe(q);
      double[] cv = estimate == null ? plainQ
          : new double[] {estimate.mean(), estimate.standardError()};
      double predicted = population ? correction.total(n) : Double.NaN;
      String theoryMethod = population ? FIRST_ORDER : NONE;
      out.perStep(n, time, "width_correction", cv, predicted, 0, method, theoryMethod);
      out.perStep(n, time, "width_correction_plain", plainQ, predicted, 0, PLAIN, theoryMethod);
      curve[r] = refLoss + cv[0] / width;
      curveSe[r] = cv[1] / width;
    }

    for (double target : targets) {
      double[] measured = crossing(steps, curve, curveSe, target);
      double[] infinite = reference == null ? null
          : crossing(steps, referenceCurve, new double[steps.length], target);
      double theoryCrossing = infinite == null ? Double.NaN : infinite[0];
      String method = measured == null ? NOT_REACHED : DELTA;
      double[] value = measured == null ? new double[] {Double.NaN, Double.NaN} : measured;
      out.perTarget(target, "crossing_steps", value, theoryCrossing, infinite == null ? NaN : 0,
          method, infinite == null ? NONE : REFERENCE);
      if (reference == null) {
        continue;
      }
      double[] delay = {value[0] - theoryCrossing, value[1]};
      double predicted = Double.NaN;
      if (population) {
        try {
          predicted = OnlineFiniteWidthCorrection.delay(correction, target).totalSteps() / width;
        } catch (IllegalArgumentException e) {
          predicted = Double.NaN; // L∞ does not reach the target within the steps
        }
      }
      out.perTarget(target, "delay_steps", delay, predicted, population ? 0 : NaN,
          infinite == null ? NOT_REACHED : method, population ? FIRST_ORDER : NONE);
    }
    return out.rows;
  }

  /**
   * The control-variate estimate of N (E L_N − L∞) at record r: theory coefficients N · G when
   * {@code response} is given, else least squares on all four statistics when E > 5; null when
   * neither applies (too few networks, or collinear statistics), meaning the plain mean.
   */
  private static ControlVariateMean.Estimate correctionEstimate(int width,
      List<OnlineTrajectory> finite, int r, double[] losses, double refLoss, double[] response) {
    int count = finite.size();
    double[] means = OnlineTrajectory.INITIAL_STATISTIC_MEANS;
    int k = response == null ? means.length : LINEAR_STATISTICS;
    double[][] covariates = new double[count][];
    for (int i = 0; i < count; i++) {
      covariates[i] = Arrays.copyOf(finite.get(i).initialStatistics(), k);
    }
    double[] statisticMeans = Arrays.copyOf(means, k);
    if (response != null) {
      return OnlineWidthCorrection.estimate(width, losses, refLoss, covariates, statisticMeans,
          response);
    }
    if (count < k + 2) {
      return null;
    }
    try {
      return OnlineWidthCorrection.estimate(width, losses, refLoss, covariates, statisticMeans,
          null);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * {fractional step, s.e.} at which a recorded curve first reaches {@code target}: k the last
   * record above it, step = n_k + (n_{k+1} − n_k)(ln L_k − ln L*)/(ln L_k − ln L_{k+1}); s.e. =
   * s.e.(L at the crossing, interpolated) / (L* · slope per step of ln L). Null if the curve
   * starts at or below the target, never reaches it, or is not positive where it does.
   */
  static double[] crossing(int[] steps, double[] curve, double[] curveSe, double target) {
    for (int r = 0; r < curve.length; r++) {
      if (!Double.isFinite(curve[r])) {
        return null;
      }
      if (curve[r] <= target) {
        if (r == 0 || !(curve[r] > 0)) {
          return null;
        }
        int k = r - 1;
        double lk = Math.log(curve[k]);
        double drop = lk - Math.log(curve[r]);
        double fraction = (lk - Math.log(target)) / drop;
        double span = steps[r] - steps[k];
        double se = ((1 - fraction) * curveSe[k] + fraction * curveSe[r])
            / (target * drop / span);
        return new double[] {steps[k] + fraction * span, se};
      }
    }
    return null;
  }

  private static double[] column(List<OnlineTrajectory> networks, int r, boolean population) {
    double[] values = new double[networks.size()];
    for (int i = 0; i < values.length; i++) {
      OnlineTrajectory t = networks.get(i);
      values[i] = population ? t.populationLoss()[r] : t.testLoss()[r];
    }
    return values;
  }

  /** {mean, sd/√E} with the unbiased variance; s.e. NaN below two values. */
  static double[] meanSe(double[] x) {
    if (x.length == 0) {
      return new double[] {NaN, NaN};
    }
    double mean = 0;
    for (double v : x) {
      mean += v;
    }
    mean /= x.length;
    if (x.length < 2) {
      return new double[] {mean, NaN};
    }
    double m2 = 0;
    for (double v : x) {
      m2 += (v - mean) * (v - mean);
    }
    return new double[] {mean, Math.sqrt(m2 / (x.length - 1) / x.length)};
  }

  /** Collects rows of one cell with the ratio and z filled in. */
  private static final class Rows {
    final List<OnlineSummaryRow> rows = new ArrayList<>();
    final OnlineCell cell;
    final long ensemble;
    final long diverged;

    Rows(OnlineCell cell, long ensemble, long diverged) {
      this.cell = cell;
      this.ensemble = ensemble;
      this.diverged = diverged;
    }

    void perStep(int step, double time, String observable, double[] value, double theory,
        double theorySe, String method, String theoryMethod) {
      add(step, time, null, observable, value, theory, theorySe, method, theoryMethod);
    }

    void perTarget(double target, String observable, double[] value, double theory,
        double theorySe, String method, String theoryMethod) {
      add(null, null, target, observable, value, theory, theorySe, method, theoryMethod);
    }

    private void add(Integer step, Double time, Double target, String observable,
        double[] value, double theory, double theorySe, String method, String theoryMethod) {
      boolean hasTheory = Double.isFinite(theory);
      double shownSe = hasTheory ? theorySe : NaN;
      double ratio = hasTheory && theory != 0 ? value[0] / theory : NaN;
      double spread = Math.sqrt(value[1] * value[1] + (hasTheory ? theorySe * theorySe : 0));
      double z = hasTheory && spread > 0 ? (value[0] - theory) / spread : NaN;
      rows.add(new OnlineSummaryRow(cell.index(), cell.width(), cell.gamma0(),
          cell.setup().activation().label(), cell.dataSeed(), step, time, target, observable,
          ensemble, diverged, value[0], value[1], theory, shownSe, ratio, z, method,
          theoryMethod));
    }
  }
}
