package io.finitewidth.job;

import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.stats.CentralMoments;
import io.finitewidth.stats.WidthScaledVariance;
import io.finitewidth.sweep.Cell;
import java.util.ArrayList;
import java.util.List;

/**
 * Sets one cell's ensemble statistics beside its theory. For every recorded step and layout
 * entry: ratio = nvar / theory_nvar and the z-scores
 *
 * <pre>
 *   z      = (nvar − theory_nvar) / √(nvar_se² + theory_nvar_se²)
 *   z_mean = (mean − theory_mean) / √(mean_se² + theory_mean_se²)
 * </pre>
 *
 * where the theory's standard errors are its own Monte-Carlo errors (0 for closed forms).
 * The finite-width bias of N·Var (O(1/N)) and of the mean (O(1/N)) is not in the denominators;
 * a large |z| at small width can be that bias rather than a disagreement (THEORY.md §8).
 */
final class TheoryComparison {
  private TheoryComparison() {}

  static List<SummaryRow> rows(Cell cell, CentralMoments moments, long diverged,
      TheoryPrediction theory) {
    var setup = cell.setup();
    ObservableLayout layout = new ObservableLayout(setup.task().trainPoints(),
        setup.task().testPoints());
    int[] steps = setup.grid().recordSteps();
    double[] times = setup.grid().times();
    List<SummaryRow> rows = new ArrayList<>(steps.length * layout.size());
    for (int r = 0; r < steps.length; r++) {
      for (int k = 0; k < layout.size(); k++) {
        ObservableLayout.Entry entry = layout.entry(k);
        WidthScaledVariance v = WidthScaledVariance.of(moments, r * layout.size() + k,
            cell.width());
        double theoryMean = theory.mean()[r][k];
        double theoryMeanSe = theory.meanSe()[r][k];
        double theoryNvar = theory.nvar()[r][k];
        double theoryNvarSe = theory.nvarSe()[r][k];
        rows.add(new SummaryRow(cell.index(), cell.width(), setup.gamma0(),
            setup.activation().label(), setup.grid().dt(), steps[r], times[r],
            entry.observable().label(), entry.i() < 0 ? null : entry.i(),
            entry.j() < 0 ? null : entry.j(), v.ensemble(), diverged, v.mean(), v.meanSe(),
            v.nvar(), v.nvarSe(), theoryMean, theoryMeanSe, theoryNvar, theoryNvarSe,
            v.nvar() / theoryNvar, zScore(v.nvar(), v.nvarSe(), theoryNvar, theoryNvarSe),
            zScore(v.mean(), v.meanSe(), theoryMean, theoryMeanSe), theory.meanMethod(),
            theory.nvarMethod()));
      }
    }
    return rows;
  }

  /**
   * (a − b) / √(se_a² + se_b²); NaN when either value is missing. When both errors are 0 (a
   * deterministic quantity such as a centred prediction at t = 0) equal values give z = 0.
   */
  static double zScore(double a, double seA, double b, double seB) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return Double.NaN;
    }
    double se = Math.sqrt(sq(seA) + sq(Double.isNaN(seB) ? 0 : seB));
    if (se == 0) {
      return a == b ? 0.0 : Double.NaN;
    }
    return (a - b) / se;
  }

  private static double sq(double x) {
    return x * x;
  }
}
