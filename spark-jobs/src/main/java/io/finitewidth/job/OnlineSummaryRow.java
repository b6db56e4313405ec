package io.finitewidth.job;

/**
 * One line of the online summary (schema version 1): one cell, one recorded step (or one delay
 * target) and one observable. {@code step}, {@code time} are null for per-target rows
 * ({@code crossing_steps}, {@code delay_steps}), {@code target} is null for per-step rows.
 * Doubles that do not apply are NaN (empty in CSV, null in Parquet).
 */
record OnlineSummaryRow(int cell, int width, double gamma0, String activation, long dataSeed,
    Integer step, Double time, Double target, String observable, long ensemble, long diverged,
    double mean, double meanSe, double theoryMean, double theoryMeanSe, double ratio, double z,
    String method, String theoryMethod) {

  static final String[] COLUMNS = {
      "cell", "width", "gamma0", "activation", "data_seed", "step", "time", "target",
      "observable", "ensemble", "diverged", "mean", "mean_se", "theory_mean", "theory_mean_se",
      "ratio", "z", "method", "theory_method"};

  Object[] values() {
    return new Object[] {cell, width, gamma0, activation, dataSeed, step, time, target,
        observable, ensemble, diverged, mean, meanSe, theoryMean, theoryMeanSe, ratio, z,
        method, theoryMethod};
  }
}
