package io.finitewidth.model;

/**
 * DMFT predictions for one cell on its time grid, laid out by {@link ObservableLayout}: the
 * infinite-width mean of every entry and the predicted N·Var, each with the theory's own
 * Monte-Carlo standard error (0 for closed forms). NaN marks "no prediction": never a fake value.
 *
 * @param meanMethod how the means were obtained, e.g. {@code linear_exact}, {@code particles}
 * @param nvarMethod how N·Var was obtained, e.g. {@code lazy_limit}, {@code propagator}, or
 *     {@code none}
 */
public record TheoryPrediction(ObservableLayout layout, TimeGrid grid, double[][] mean,
    double[][] meanSe, double[][] nvar, double[][] nvarSe, String meanMethod, String nvarMethod)
    implements java.io.Serializable {

  /** A prediction with every value missing, to be filled by a solver. */
  public static TheoryPrediction empty(ObservableLayout layout, TimeGrid grid) {
    int t = grid.recordCount();
    int k = layout.size();
    return new TheoryPrediction(layout, grid, nan(t, k), nan(t, k), nan(t, k), nan(t, k), "none",
        "none");
  }

  private static double[][] nan(int rows, int cols) {
    double[][] a = new double[rows][cols];
    for (double[] r : a) {
      java.util.Arrays.fill(r, Double.NaN);
    }
    return a;
  }
}
