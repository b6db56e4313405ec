package io.finitewidth.job;

import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.network.RecordedSlots;
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
      TheoryPrediction theory, double[][] meanCorrection) {
    var setup = cell.setup();
    ObservableLayout layout = new ObservableLayout(setup.task().trainPoints(),
        setup.task().testPoints());
    int[] steps = setup.grid().recordSteps();
    double[] times = setup.grid().times();
    int slots = RecordedSlots.size(layout);
    List<SummaryRow> rows = new ArrayList<>(steps.length * slots);
    for (int r = 0; r < steps.length; r++) {
      double[] theorySharpness = sharpness(theory, r, setup.eta());
      for (int k = 0; k < slots; k++) {
        boolean derived = k >= layout.size();
        ObservableLayout.Entry entry = derived ? null : layout.entry(k);
        WidthScaledVariance v = WidthScaledVariance.of(moments, r * slots + k, cell.width());
        double theoryMean = derived ? theorySharpness[k - layout.size()] : theory.mean()[r][k];
        double theoryMeanSe = derived ? Double.NaN : theory.meanSe()[r][k];
        double theoryNvar = derived ? Double.NaN : theory.nvar()[r][k];
        double theoryNvarSe = derived ? Double.NaN : theory.nvarSe()[r][k];
        Integer i = derived || entry.i() < 0 ? null : entry.i();
        Integer j = derived || entry.j() < 0 ? null : entry.j();
        rows.add(new SummaryRow(cell.index(), cell.width(), setup.gamma0(),
            setup.activation().label(), setup.grid().dt(), steps[r], times[r],
            RecordedSlots.observable(layout, k), i, j, v.ensemble(), diverged, v.mean(),
            v.meanSe(), v.nvar(), v.nvarSe(), theoryMean, theoryMeanSe, theoryNvar,
            theoryNvarSe, v.nvar() / theoryNvar,
            zScore(v.nvar(), v.nvarSe(), theoryNvar, theoryNvarSe),
            zScore(v.mean(), v.meanSe(), theoryMean, theoryMeanSe), theory.meanMethod(),
            derived ? "none" : theory.nvarMethod(), 1,
            derived || meanCorrection == null ? Double.NaN : meanCorrection[r][k]));
      }
    }
    return rows;
  }

  /**
   * The infinite-width sharpness λmax(K∞) and η·λmax at record r, from the theory's mean NTK
   * (at infinite width the NTK is deterministic, so λmax of the mean is the mean of λmax). No
   * standard error or N·Var is claimed for it: that needs NTK covariances, not variances.
   */
  private static double[] sharpness(TheoryPrediction theory, int r, double eta) {
    double lambda = RecordedSlots.largestNtkEigenvalue(theory.layout(), theory.mean()[r]);
    return new double[] {lambda, eta * lambda};
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
