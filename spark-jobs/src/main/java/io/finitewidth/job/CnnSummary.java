package io.finitewidth.job;

import io.finitewidth.network.CnnTrajectory;
import io.finitewidth.report.InverseWidthFit;
import io.finitewidth.sweep.CnnSweep;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The empirical summary of a CNN study (CNN.md §6): per cell and recorded step, ensemble
 * statistics of single-network observables, the bias–variance decomposition of the test
 * predictions with bootstrap standard errors, and per γ0 and step the a + b/N extrapolation to
 * infinite width. There is no theory for this architecture: every row says so in its
 * {@code theory_method} column ({@value #NO_THEORY}).
 *
 * <p>Estimators, for E finite networks f_s of one cell on Q test points with targets y:
 *
 * <pre>
 *   f̄(x) = (1/E) Σ_s f_s(x),  s²(x) = (1/(E−1)) Σ_s (f_s(x) − f̄(x))²
 *   test_variance V = mean_x s²(x)                      (nvar column: N·V)
 *   test_bias2    B = mean_x (f̄(x) − y(x))² − V/E       (finite-E corrected)
 * </pre>
 *
 * so that the mean single-network test loss is ½(B + V). Their standard errors are bootstrap
 * standard deviations over seeds (resampled with replacement, {@code bootstrap} times), which
 * include the correlation between test points. Single-network observables (losses, accuracy,
 * feature movement, probe-NTK averages) get mean ± s/√E and N·s² with the standard error
 * √((m4 − s⁴(E−3)/(E−1))/E)·N (m4: fourth central sample moment).
 *
 * <p>Fits (rows with empty cell and width): test_bias2 = B∞ + b1/N ({@code test_bias2_inf},
 * {@code test_bias2_slope}), N·V = v1 + v2/N ({@code test_variance_v1}, {@code _v2}), and
 * L = L∞ + l1/N for the train and test loss. Weighted least squares ({@link InverseWidthFit})
 * with weights from each width's bootstrap error; the reported standard error is the bootstrap
 * standard deviation of the refitted coefficient (widths resampled independently), and χ² and
 * the degrees of freedom of the point fit are given.
 */
final class CnnSummary {
  static final String NO_THEORY = "none — empirical";

  static final String[] COLUMNS = {"cell", "width", "gamma0", "activation", "dt", "step", "time",
      "observable", "ensemble", "diverged", "mean", "mean_se", "nvar", "nvar_se", "fit_chi2",
      "fit_dof", "estimator", "theory_method"};

  /** One summary line; null cell/width for infinite-width fits, NaN where not applicable. */
  record Row(Integer cell, Integer width, double gamma0, String activation, double dt, int step,
      double time, String observable, long ensemble, long diverged, double mean, double meanSe,
      double nvar, double nvarSe, double fitChi2, Integer fitDof, String estimator) {
    Object[] values() {
      return new Object[] {cell, width, gamma0, activation, dt, step, time, observable, ensemble,
          diverged, mean, meanSe, nvar, nvarSe, fitChi2, fitDof, estimator, NO_THEORY};
    }
  }

  private CnnSummary() {}

  /** Bias², variance and their bootstrap replicates for one cell and recorded step. */
  private record Decomposition(double bias2, double variance, double[] bias2Boot,
      double[] varianceBoot, double[] testLossBoot, double[] trainLossBoot) {}

  /**
   * The summary rows. {@code byCell.get(c)} holds cell c's networks in ensemble order (finite
   * and diverged).
   */
  static List<Row> rows(CnnSweep sweep, List<List<CnnTrajectory>> byCell) {
    List<Row> rows = new ArrayList<>();
    double[] y = sweep.task().testTargets();
    int records = sweep.cells().get(0).settings().recordSteps().length;
    Decomposition[][] dec = new Decomposition[sweep.cells().size()][records];
    for (CnnSweep.CnnCell cell : sweep.cells()) {
      List<CnnTrajectory> all = byCell.get(cell.index());
      List<CnnTrajectory> nets = all.stream().filter(CnnTrajectory::finite).toList();
      long diverged = all.size() - nets.size();
      int[] steps = cell.settings().recordSteps();
      double dt = cell.settings().dt();
      int width = cell.width();
      String act = cell.settings().activation().label();
      for (int r = 0; r < records; r++) {
        int step = steps[r];
        final int rr = r;
        Row base = new Row(cell.index(), width, cell.gamma0(), act, dt, step, step * dt, "",
            nets.size(), diverged, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            null, "");
        if (nets.size() < 2) {
          continue;
        }
        double[] trainLoss = nets.stream().mapToDouble(t -> t.trainLoss()[step]).toArray();
        double[] testLoss = nets.stream().mapToDouble(t -> loss(t.testPredictions()[rr], y))
            .toArray();
        double[] accuracy = nets.stream()
            .mapToDouble(t -> accuracy(t.testPredictions()[rr], y)).toArray();
        rows.add(single(base, "train_loss", trainLoss));
        rows.add(single(base, "test_loss", testLoss));
        rows.add(single(base, "test_accuracy", accuracy));
        rows.add(single(base, "feature_movement_h1",
            nets.stream().mapToDouble(t -> t.featureMovement()[rr][0]).toArray()));
        rows.add(single(base, "feature_movement_h2",
            nets.stream().mapToDouble(t -> t.featureMovement()[rr][1]).toArray()));

        double[][] f = nets.stream().map(t -> t.testPredictions()[rr]).toArray(double[][]::new);
        SplittableRandom random = new SplittableRandom(sweep.bootstrapSeed()
            + 0x9e3779b97f4a7c15L * (1 + cell.index() * 100_003L + r));
        Decomposition d = decompose(f, y, trainLoss, testLoss, sweep.bootstrap(), random);
        dec[cell.index()][r] = d;
        double biasSe = sd(d.bias2Boot());
        double varSe = sd(d.varianceBoot());
        rows.add(with(base, "test_bias2", d.bias2(), biasSe, Double.NaN, Double.NaN,
            "mean_x (ensemble mean − y)² − V/E; bootstrap se"));
        rows.add(with(base, "test_variance", d.variance(), varSe, width * d.variance(),
            width * varSe, "mean_x unbiased seed variance; bootstrap se"));
        rows.add(with(base, "test_ensemble_loss", 0.5 * d.bias2(), 0.5 * biasSe, Double.NaN,
            Double.NaN, "½ B: test loss of the infinite ensemble; bootstrap se"));

        for (int m = 0; m < nets.get(0).ntkSteps().length; m++) {
          if (nets.get(0).ntkSteps()[m] != step) {
            continue;
          }
          final int mm = m;
          int probe = sweep.task().probePoints();
          String[] names = {"ntk_probe_diag", "ntk_probe_diag_w1", "ntk_probe_diag_w2",
              "ntk_probe_diag_readout"};
          for (int part = 0; part < 4; part++) {
            final int pp = part;
            rows.add(single(base, names[part], nets.stream()
                .mapToDouble(t -> diagonal(t.probeNtk()[mm][pp], probe)).toArray()));
          }
          if (probe > 1) {
            rows.add(single(base, "ntk_probe_offdiag", nets.stream()
                .mapToDouble(t -> offDiagonal(t.probeNtk()[mm][0], probe)).toArray()));
          }
        }
      }
    }
    rows.addAll(fits(sweep, dec));
    return rows;
  }

  private static List<Row> fits(CnnSweep sweep, Decomposition[][] dec) {
    List<Row> rows = new ArrayList<>();
    List<Double> gamma0s = sweep.cells().stream().map(CnnSweep.CnnCell::gamma0).distinct()
        .toList();
    int records = dec[0].length;
    for (double gamma0 : gamma0s) {
      List<CnnSweep.CnnCell> cells = sweep.cells().stream()
          .filter(c -> c.gamma0() == gamma0).toList();
      CnnSweep.CnnCell first = cells.get(0);
      for (int r = 0; r < records; r++) {
        final int rr = r;
        List<CnnSweep.CnnCell> usable = cells.stream().filter(c -> dec[c.index()][rr] != null)
            .toList();
        if (usable.stream().map(CnnSweep.CnnCell::width).distinct().count() < 2) {
          continue;
        }
        int k = usable.size();
        double[] widths = new double[k];
        Decomposition[] ds = new Decomposition[k];
        for (int i = 0; i < k; i++) {
          widths[i] = usable.get(i).width();
          ds[i] = dec[usable.get(i).index()][r];
        }
        int step = first.settings().recordSteps()[r];
        double dt = first.settings().dt();
        Row base = new Row(null, null, gamma0, first.settings().activation().label(), dt, step,
            step * dt, "", 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            null, "");
        double[][] boot = new double[k][];
        double[] value = new double[k];
        // Bias²: B∞ + b1/N.
        for (int i = 0; i < k; i++) {
          value[i] = ds[i].bias2();
          boot[i] = ds[i].bias2Boot();
        }
        rows.addAll(fit(base, "test_bias2", widths, value, boot));
        // Variance: N·V = v1 + v2/N.
        for (int i = 0; i < k; i++) {
          value[i] = widths[i] * ds[i].variance();
          boot[i] = scaled(ds[i].varianceBoot(), widths[i]);
        }
        rows.addAll(fit(base, "test_variance", widths, value, boot));
        // Mean single-network test loss ½(B + V) (an identity) and mean training loss.
        for (int i = 0; i < k; i++) {
          value[i] = 0.5 * (ds[i].bias2() + ds[i].variance());
          boot[i] = ds[i].testLossBoot();
        }
        rows.addAll(fit(base, "test_loss", widths, value, boot));
        for (int i = 0; i < k; i++) {
          value[i] = pointValue(ds[i].trainLossBoot());
          boot[i] = ds[i].trainLossBoot();
        }
        rows.addAll(fit(base, "train_loss", widths, value, boot));
      }
    }
    return rows;
  }

  /** The point value kept in the last slot of a replicate array. */
  private static double pointValue(double[] boot) {
    return boot[boot.length - 1];
  }

  /** Two rows: intercept (suffix _inf or _v1) and slope (_slope or _v2). */
  private static List<Row> fit(Row base, String name, double[] widths, double[] value,
      double[][] boot) {
    int k = widths.length;
    double[] se = new double[k];
    boolean weighted = true;
    for (int i = 0; i < k; i++) {
      se[i] = sd(boot[i]);
      weighted &= se[i] > 0 && Double.isFinite(se[i]);
    }
    if (!weighted) {
      java.util.Arrays.fill(se, 1.0);
    }
    InverseWidthFit point = InverseWidthFit.fit(widths, value, se);
    int resamples = boot[0].length - 1;
    double[] a = new double[resamples];
    double[] b = new double[resamples];
    double[] sample = new double[k];
    for (int s = 0; s < resamples; s++) {
      for (int i = 0; i < k; i++) {
        sample[i] = boot[i][s];
      }
      InverseWidthFit refit = InverseWidthFit.fit(widths, sample, se);
      a[s] = refit.intercept();
      b[s] = refit.slope();
    }
    boolean variance = name.equals("test_variance");
    String how = (weighted ? "weighted" : "unweighted") + " fit "
        + (variance ? "N·V = v1 + v2/N" : "a + b/N") + " over " + k + " widths; bootstrap se";
    return List.of(
        with(base, name + (variance ? "_v1" : "_inf"), point.intercept(), sd(a), Double.NaN,
            Double.NaN, how, point.chiSquared(), point.degreesOfFreedom()),
        with(base, name + (variance ? "_v2" : "_slope"), point.slope(), sd(b), Double.NaN,
            Double.NaN, how, point.chiSquared(), point.degreesOfFreedom()));
  }

  /**
   * B and V with bootstrap replicates; the replicate arrays hold {@code resamples} values
   * followed by the point value of the loss means (the last slot of the loss arrays).
   */
  private static Decomposition decompose(double[][] f, double[] y, double[] trainLoss,
      double[] testLoss, int resamples, SplittableRandom random) {
    int e = f.length;
    int[] identity = new int[e];
    for (int s = 0; s < e; s++) {
      identity[s] = s;
    }
    double[] point = biasVariance(f, y, identity);
    double[] bBoot = new double[resamples + 1];
    double[] vBoot = new double[resamples + 1];
    double[] testBoot = new double[resamples + 1];
    double[] trainBoot = new double[resamples + 1];
    int[] pick = new int[e];
    for (int k = 0; k < resamples; k++) {
      for (int s = 0; s < e; s++) {
        pick[s] = random.nextInt(e);
      }
      double[] bv = biasVariance(f, y, pick);
      bBoot[k] = bv[0];
      vBoot[k] = bv[1];
      double test = 0;
      double train = 0;
      for (int s : pick) {
        test += testLoss[s] / e;
        train += trainLoss[s] / e;
      }
      testBoot[k] = test;
      trainBoot[k] = train;
    }
    bBoot[resamples] = point[0];
    vBoot[resamples] = point[1];
    testBoot[resamples] = mean(testLoss);
    trainBoot[resamples] = mean(trainLoss);
    return new Decomposition(point[0], point[1], bBoot, vBoot, testBoot, trainBoot);
  }

  /** {B, V} of the networks {@code pick} (with repetitions). */
  static double[] biasVariance(double[][] f, double[] y, int[] pick) {
    int e = pick.length;
    double bias = 0;
    double variance = 0;
    for (int x = 0; x < y.length; x++) {
      double m = 0;
      for (int s : pick) {
        m += f[s][x];
      }
      m /= e;
      double ss = 0;
      for (int s : pick) {
        double d = f[s][x] - m;
        ss += d * d;
      }
      double s2 = ss / (e - 1);
      variance += s2 / y.length;
      bias += (m - y[x]) * (m - y[x]) / y.length;
    }
    return new double[] {bias - variance / e, variance};
  }

  private static Row single(Row base, String name, double[] values) {
    int e = values.length;
    double m = mean(values);
    double m2 = 0;
    double m4 = 0;
    for (double v : values) {
      double d = v - m;
      m2 += d * d;
      m4 += d * d * d * d;
    }
    double s2 = m2 / (e - 1);
    m4 /= e;
    double n = base.width();
    double nvarSe = n * Math.sqrt(Math.max(0, (m4 - s2 * s2 * (e - 3.0) / (e - 1.0)) / e));
    return with(base, name, m, Math.sqrt(s2 / e), n * s2, nvarSe,
        "ensemble mean ± s/√E; nvar = N·s²");
  }

  private static Row with(Row base, String name, double mean, double meanSe, double nvar,
      double nvarSe, String estimator) {
    return with(base, name, mean, meanSe, nvar, nvarSe, estimator, Double.NaN, null);
  }

  private static Row with(Row base, String name, double mean, double meanSe, double nvar,
      double nvarSe, String estimator, double chi2, Integer dof) {
    return new Row(base.cell(), base.width(), base.gamma0(), base.activation(), base.dt(),
        base.step(), base.time(), name, base.ensemble(), base.diverged(), mean, meanSe, nvar,
        nvarSe, chi2, dof, estimator);
  }

  static double loss(double[] f, double[] y) {
    double sum = 0;
    for (int x = 0; x < y.length; x++) {
      sum += (y[x] - f[x]) * (y[x] - f[x]);
    }
    return 0.5 * sum / y.length;
  }

  private static double accuracy(double[] f, double[] y) {
    int right = 0;
    for (int x = 0; x < y.length; x++) {
      right += f[x] * y[x] > 0 ? 1 : 0;
    }
    return (double) right / y.length;
  }

  private static double diagonal(double[] k, int a) {
    double sum = 0;
    for (int i = 0; i < a; i++) {
      sum += k[i * a + i];
    }
    return sum / a;
  }

  private static double offDiagonal(double[] k, int a) {
    double sum = 0;
    for (int i = 0; i < a; i++) {
      for (int j = 0; j < a; j++) {
        sum += i == j ? 0 : k[i * a + j];
      }
    }
    return sum / (a * (a - 1.0));
  }

  private static double[] scaled(double[] v, double factor) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * factor;
    }
    return out;
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  /** Standard deviation of the bootstrap replicates (all slots but the last). */
  private static double sd(double[] boot) {
    int n = boot.length - 1;
    if (n < 2) {
      return Double.NaN;
    }
    double m = 0;
    for (int i = 0; i < n; i++) {
      m += boot[i] / n;
    }
    double ss = 0;
    for (int i = 0; i < n; i++) {
      ss += (boot[i] - m) * (boot[i] - m);
    }
    return Math.sqrt(ss / (n - 1));
  }
}
