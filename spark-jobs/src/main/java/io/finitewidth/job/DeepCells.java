package io.finitewidth.job;

import io.finitewidth.dmft.DeepLinearDmft;
import io.finitewidth.fluctuation.DeepLinearFluctuations;
import io.finitewidth.model.Activation;
import io.finitewidth.model.DeepLayout;
import io.finitewidth.model.DeepSetup;
import io.finitewidth.stats.CentralMoments;
import io.finitewidth.stats.WidthScaledVariance;
import io.finitewidth.sweep.Cell;
import io.finitewidth.sweep.TheorySettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Deep cells (L ≥ 2 hidden layers) in the summary: which slots of {@link DeepLayout} are reported
 * under which names, and what theory stands beside them.
 *
 * <p>Reported: loss; predictions on train and test points; per layer l the feature kernel
 * {@code feature_kernel_l<l>} and gradient kernel {@code gradient_kernel_l<l>} on train points
 * (i ≤ j); the NTK on train points ({@code ntk}) and train × test ({@code ntk_train_test}). The
 * summary's {@code snr} column (mean² / N·Var) is each kernel entry's signal-to-noise ratio.
 *
 * <p>Theory (THEORY-deep.md), for LINEAR activation only: the exact infinite-width means at every
 * time ({@code deep_linear_exact}); N·Var exactly at t = 0 for any γ0, and at all times in the
 * lazy limit for γ0 ≤ {@code theory.lazy_max_gamma0} ({@code deep_lazy_limit}). The rich-regime
 * finite-width theory of deep networks (the propagator over every layer's two-time kernels and
 * response functions) is not derived: for γ0 above the lazy threshold, N·Var after t = 0 has no
 * theory value ({@code deep_t0_only}), and the report extrapolates the measured N·Var in 1/N
 * instead. Nonlinear deep cells have no theory at all ({@code none}).
 */
final class DeepCells {
  private DeepCells() {}

  /** The mean and N·Var predictions of a deep cell, NaN where there is none. */
  record DeepTheory(double[][] mean, double[][] nvar, String meanMethod, String nvarMethod) {}

  static DeepTheory theory(Cell cell, TheorySettings settings) {
    DeepSetup setup = cell.deepSetup();
    DeepLayout layout = setup.layout();
    int records = setup.grid().recordCount();
    double[][] mean = nan(records, layout.size());
    double[][] nvar = nan(records, layout.size());
    if (setup.activation() != Activation.LINEAR) {
      return new DeepTheory(mean, nvar, "none", "none");
    }
    mean = DeepLinearDmft.solve(setup).mean();
    String nvarMethod;
    if (setup.gamma0() <= settings.lazyMaxGamma0()) {
      nvar = DeepLinearFluctuations.lazy(setup).nvar();
      nvarMethod = "deep_lazy_limit";
    } else {
      int[] steps = setup.grid().recordSteps();
      if (steps.length > 0 && steps[0] == 0) {
        nvar[0] = DeepLinearFluctuations.initialNvar(setup);
      }
      nvarMethod = "deep_t0_only";
    }
    return new DeepTheory(mean, nvar, "deep_linear_exact", nvarMethod);
  }

  /** Summary rows of a deep cell, slot names as in the class comment. */
  static List<SummaryRow> rows(Cell cell, CentralMoments moments, long diverged,
      DeepTheory theory) {
    DeepSetup setup = cell.deepSetup();
    DeepLayout layout = setup.layout();
    int p = setup.task().trainPoints();
    int q = setup.task().testPoints();
    int[] steps = setup.grid().recordSteps();
    double[] times = setup.grid().times();
    List<SummaryRow> rows = new ArrayList<>();
    for (int r = 0; r < steps.length; r++) {
      List<Object[]> named = new ArrayList<>(); // {slot, observable, i, j}
      named.add(new Object[] {layout.lossIndex(), "loss", null, null});
      for (int a = 0; a < p; a++) {
        named.add(new Object[] {layout.prediction(a), "prediction_train", a, null});
      }
      for (int t = 0; t < q; t++) {
        named.add(new Object[] {layout.prediction(p + t), "prediction_test", t, null});
      }
      for (int i = 0; i < p; i++) {
        for (int j = i; j < p; j++) {
          named.add(new Object[] {layout.ntk(i, j), "ntk", i, j});
        }
        for (int t = 0; t < q; t++) {
          named.add(new Object[] {layout.ntk(i, p + t), "ntk_train_test", i, t});
        }
      }
      for (int l = 1; l <= layout.depth(); l++) {
        for (int i = 0; i < p; i++) {
          for (int j = i; j < p; j++) {
            named.add(new Object[] {layout.featureKernel(l, i, j), "feature_kernel_l" + l, i, j});
            named.add(new Object[] {layout.gradientKernel(l, i, j), "gradient_kernel_l" + l, i,
                j});
          }
        }
      }
      for (Object[] n : named) {
        int k = (Integer) n[0];
        WidthScaledVariance v = WidthScaledVariance.of(moments, r * layout.size() + k,
            cell.width());
        double theoryMean = theory.mean()[r][k];
        double theoryNvar = theory.nvar()[r][k];
        rows.add(new SummaryRow(cell.index(), cell.width(), setup.gamma0(),
            setup.activation().label(), setup.grid().dt(), steps[r], times[r], (String) n[1],
            (Integer) n[2], (Integer) n[3], v.ensemble(), diverged, v.mean(), v.meanSe(),
            v.nvar(), v.nvarSe(), theoryMean, Double.isNaN(theoryMean) ? Double.NaN : 0.0,
            theoryNvar, Double.isNaN(theoryNvar) ? Double.NaN : 0.0, v.nvar() / theoryNvar,
            TheoryComparison.zScore(v.nvar(), v.nvarSe(), theoryNvar, 0.0),
            TheoryComparison.zScore(v.mean(), v.meanSe(), theoryMean, 0.0),
            theory.meanMethod(), theory.nvarMethod(), cell.depth(), Double.NaN));
      }
    }
    return rows;
  }

  private static double[][] nan(int rows, int cols) {
    double[][] a = new double[rows][cols];
    for (double[] row : a) {
      Arrays.fill(row, Double.NaN);
    }
    return a;
  }
}
