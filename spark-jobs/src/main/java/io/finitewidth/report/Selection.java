package io.finitewidth.report;

/**
 * Which entries of an observable a plotted value summarises. Kernels have entries (i, j),
 * predictions have points i, scalars (loss, sharpness) have one entry with neither.
 */
enum Selection {
  /** The first entry: {@code (0, 0)} of a kernel, point 0 of a prediction, or the scalar. */
  FIRST,
  /** The mean over the diagonal entries {@code (i, i)} of a kernel. */
  DIAGONAL,
  /** The mean over every recorded entry (i ≤ j for symmetric kernels). */
  ALL;

  /** Whether an entry with point indices i, j (−1 when absent) belongs to this selection. */
  boolean contains(int i, int j) {
    return switch (this) {
      case FIRST -> (i == 0 || i < 0) && (j == 0 || j < 0);
      case DIAGONAL -> i >= 0 && i == j;
      case ALL -> true;
    };
  }

  /** How the report names this selection for an observable, e.g. "mean over diagonal entries". */
  String describe(String observable) {
    boolean kernel = observable.contains("kernel") || observable.startsWith("ntk");
    boolean prediction = observable.startsWith("prediction");
    return switch (this) {
      case FIRST -> kernel ? "entry (0, 0)" : prediction ? "point 0" : "value";
      case DIAGONAL -> "mean over diagonal entries";
      case ALL -> kernel ? "mean over all entries" : prediction ? "mean over points" : "value";
    };
  }
}
