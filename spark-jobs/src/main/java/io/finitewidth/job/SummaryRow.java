package io.finitewidth.job;

/**
 * One line of the summary, schema version 1: one cell, one recorded time, one order parameter
 * entry. {@code i}/{@code j} index points (train points for kernels, test points for
 * {@code prediction_test}, train × test for {@code ntk_train_test}); null where not applicable.
 * Theory columns are NaN (empty in CSV) where the theory gives no value. {@code depth} is the
 * number of hidden layers (1 for the two-layer network). {@code theoryMeanCorrection} is the
 * predicted O(1/N) shift of the ensemble mean, N·(E[q_N] − q∞) (linear two-layer cells only,
 * THEORY.md §4 "Mean (bias) corrections"), so the theory's mean at width N is
 * theory_mean + theory_mean_correction / N.
 */
record SummaryRow(int cell, int width, double gamma0, String activation, double dt, int step,
    double time, String observable, Integer i, Integer j, long ensemble, long diverged,
    double mean, double meanSe, double nvar, double nvarSe, double theoryMean,
    double theoryMeanSe, double theoryNvar, double theoryNvarSe, double ratio, double z,
    double zMean, String theoryMeanMethod, String theoryNvarMethod, int depth,
    double theoryMeanCorrection) {

  static final String[] COLUMNS = {
      "cell", "width", "gamma0", "activation", "dt", "step", "time", "observable", "i", "j",
      "ensemble", "diverged", "mean", "mean_se", "nvar", "nvar_se", "theory_mean",
      "theory_mean_se", "theory_nvar", "theory_nvar_se", "ratio", "z", "z_mean",
      "theory_mean_method", "theory_nvar_method", "depth", "snr", "theory_mean_correction"};

  Object[] values() {
    return new Object[] {cell, width, gamma0, activation, dt, step, time, observable, i, j,
        ensemble, diverged, mean, meanSe, nvar, nvarSe, theoryMean, theoryMeanSe, theoryNvar,
        theoryNvarSe, ratio, z, zMean, theoryMeanMethod, theoryNvarMethod, depth, snr(),
        theoryMeanCorrection};
  }

  /**
   * Signal-to-noise ratio mean² / N·Var (THEORY-deep.md §5b); finite at large N. NaN (empty)
   * where N·Var is 0, e.g. centred predictions at t = 0.
   */
  double snr() {
    return nvar > 0 ? mean * mean / nvar : Double.NaN;
  }
}
