package io.finitewidth.report;

import java.util.Comparator;

/**
 * One cell of the sweep as the summary names it.
 *
 * @param cell the cell's index in the sweep
 * @param width the width N
 * @param gamma0 the feature-learning strength γ0
 * @param activation the activation's name ({@code ""} when the summary has none)
 * @param dt the time step ({@code NaN} when the summary has none)
 */
record ReportCell(int cell, int width, double gamma0, String activation, double dt) {
  /** Cells in sweep order. */
  static final Comparator<ReportCell> BY_INDEX = Comparator.comparingInt(ReportCell::cell);

  /** A short human label, e.g. {@code cell 3: N = 256, γ0 = 1, tanh, dt = 0.5}. */
  String label() {
    StringBuilder s = new StringBuilder("cell ").append(cell).append(": N = ").append(width)
        .append(", γ0 = ").append(Numbers.compact(gamma0));
    if (!activation.isEmpty()) {
      s.append(", ").append(activation);
    }
    if (!Double.isNaN(dt)) {
      s.append(", dt = ").append(Numbers.compact(dt));
    }
    return s.toString();
  }
}
