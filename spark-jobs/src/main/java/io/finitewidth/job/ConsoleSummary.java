package io.finitewidth.job;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The short table printed after a run: per cell, at the final recorded time, N·Var of the first
 * test prediction and of the first NTK diagonal entry, empirical (± standard error) against
 * theory. The full comparison is in summary.csv.
 */
final class ConsoleSummary {
  private ConsoleSummary() {}

  static void print(List<SummaryRow> rows, PrintStream out) {
    int lastCell = rows.stream().mapToInt(SummaryRow::cell).max().orElse(-1);
    out.println();
    out.println("N·Var at the final time, empirical vs theory (full table: summary.csv)");
    out.printf(Locale.ROOT, "%-5s %-6s %-7s %-16s %-22s %-12s %-7s %-6s%n", "cell", "N",
        "gamma0", "observable", "N·Var (± s.e.)", "theory", "ratio", "z");
    for (int c = 0; c <= lastCell; c++) {
      int cell = c;
      int finalStep = rows.stream().filter(r -> r.cell() == cell).mapToInt(SummaryRow::step).max()
          .orElse(-1);
      for (SummaryRow r : rows) {
        if (r.cell() != cell || r.step() != finalStep) {
          continue;
        }
        boolean firstTest = r.observable().equals("prediction_test") && r.i() == 0;
        boolean firstNtk = r.observable().equals("ntk") && r.i() == 0 && r.j() == 0;
        if (!firstTest && !firstNtk) {
          continue;
        }
        String name = firstTest ? "f_test[0]" : "ntk[0,0]";
        out.printf(Locale.ROOT, "%-5d %-6d %-7s %-16s %-22s %-12s %-7s %-6s%n", r.cell(),
            r.width(), trim(r.gamma0()), name,
            String.format(Locale.ROOT, "%.4g ± %.2g", r.nvar(), r.nvarSe()),
            Double.isNaN(r.theoryNvar()) ? "—" : String.format(Locale.ROOT, "%.4g", r.theoryNvar()),
            Double.isNaN(r.ratio()) ? "—" : String.format(Locale.ROOT, "%.3f", r.ratio()),
            Double.isNaN(r.z()) ? "—" : String.format(Locale.ROOT, "%+.2f", r.z()));
      }
    }
    out.println("z = (N·Var − theory) / combined standard error; theory '—': no prediction"
        + " (see theory_nvar_method in summary.csv)");
  }

  private static String trim(double x) {
    return x == Math.rint(x) ? String.format(Locale.ROOT, "%.1f", x) : Double.toString(x);
  }
}
