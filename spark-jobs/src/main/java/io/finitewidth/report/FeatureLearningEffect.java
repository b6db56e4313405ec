package io.finitewidth.report;

/**
 * How raising γ0 from a lazy cell to a rich one at the same width changed an observable's final
 * {@code N·Var}, measured and predicted.
 *
 * <p>The measured change is {@code Δ = N·Var(rich) − N·Var(lazy)} with
 * {@code z = Δ / √(se_rich² + se_lazy²)}; the two cells' ensembles are independent, so their
 * errors add in quadrature. A change counts as resolved when {@code |z| ≥ }{@link #RESOLVED_Z}.
 * The predicted change uses {@code theory_nvar} of both cells and is absent when either has
 * none (the theory gives rich cells no {@code N·Var} yet).
 *
 * @param measured Δ measured
 * @param measuredSe its standard error
 * @param predicted Δ predicted, NaN when either cell has no prediction
 * @param predictedSe its Monte-Carlo error (0 for closed forms), NaN when absent
 */
record FeatureLearningEffect(double measured, double measuredSe, double predicted,
    double predictedSe) {
  /** The |z| from which a change is called resolved: two standard errors. */
  static final double RESOLVED_Z = 2;

  static FeatureLearningEffect between(Point lazy, Point rich) {
    double se = Math.hypot(lazy.nvarSe(), rich.nvarSe());
    double predicted = rich.theoryNvar() - lazy.theoryNvar();
    double predictedSe = Double.isNaN(predicted) ? Double.NaN
        : Math.hypot(rich.theoryNvarSe(), lazy.theoryNvarSe());
    return new FeatureLearningEffect(rich.nvar() - lazy.nvar(), se, predicted, predictedSe);
  }

  /** {@code Δ / se}; NaN when the error is missing, ±∞ when it is zero and Δ is not. */
  double z() {
    return measured / measuredSe;
  }

  /** "lowered", "raised", "no resolved change" or "unknown" (values missing). */
  String measuredVerdict() {
    return verdict(measured, measuredSe, "lowered", "raised");
  }

  /** "lowers", "raises", "no resolved change", or "no prediction". */
  String predictedVerdict() {
    if (Double.isNaN(predicted)) {
      return "no prediction";
    }
    return verdict(predicted, predictedSe, "lowers", "raises");
  }

  private static String verdict(double change, double se, String lower, String raise) {
    if (Double.isNaN(change) || Double.isNaN(se)) {
      return "unknown";
    }
    if (Math.abs(change) < RESOLVED_Z * se || change == 0) {
      return "no resolved change";
    }
    return change < 0 ? lower : raise;
  }
}
