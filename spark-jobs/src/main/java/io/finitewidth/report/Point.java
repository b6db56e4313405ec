package io.finitewidth.report;

/**
 * A selection of an observable's entries at one recorded time, summarised.
 *
 * <p>Values are means over the selected entries; standard errors are means of the entries'
 * standard errors. Entries of one network are correlated, so the standard error of their mean
 * is unknown from the summary alone; the mean of the standard errors bounds it from above
 * whatever the correlation (the standard deviation of a sum is at most the sum of the standard
 * deviations). A theory value is given only when every selected entry has one.
 *
 * @param step the recorded step n
 * @param time the time t = n·dt
 * @param entries how many entries were summarised
 * @param nvar mean N·Var over the entries
 * @param nvarSe mean of their N·Var standard errors (NaN if any is missing)
 * @param theoryNvar mean predicted N·Var (NaN unless every entry has one)
 * @param theoryNvarSe mean of the prediction's Monte-Carlo errors (NaN when absent)
 * @param mean mean of the ensemble means
 * @param meanSe mean of their standard errors
 * @param theoryMean mean of the infinite-width means (NaN unless every entry has one)
 * @param ensemble the smallest ensemble size E among the entries
 * @param diverged the largest count of diverged networks among the entries
 */
record Point(int step, double time, int entries, double nvar, double nvarSe, double theoryNvar,
    double theoryNvarSe, double mean, double meanSe, double theoryMean, long ensemble,
    long diverged) {

  boolean hasTheoryNvar() {
    return !Double.isNaN(theoryNvar);
  }
}
