package io.finitewidth.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small summary.csv with known numbers: widths 64, 128, 256 × γ0 0.1 (lazy) and 1 (rich), tanh,
 * dt 0.5, steps 0, 10, 20. At every time, N·Var of every NTK entry is 2 + 8/N (lazy) or
 * 1 + 8/N (rich) with standard error 0.05, so feature learning lowers it by 1 = 14 standard
 * errors; N·Var of every test prediction is 0.5 + 4/N in both, so nothing changes there. Lazy
 * cells have theory_nvar 2 (NTK) and 0.5 (test predictions); rich cells have none.
 */
final class SyntheticSummary {
  static final String HEADER = "cell,width,gamma0,activation,dt,step,time,observable,i,j,ensemble,"
      + "diverged,mean,mean_se,nvar,nvar_se,theory_mean,theory_mean_se,theory_nvar,"
      + "theory_nvar_se,ratio,z,z_mean,theory_mean_method,theory_nvar_method";
  static final int[] WIDTHS = {64, 128, 256};
  static final double[] GAMMA0 = {0.1, 1.0};
  static final int[] STEPS = {0, 10, 20};
  static final double DT = 0.5;

  private final List<String> rows = new ArrayList<>();

  private SyntheticSummary() {}

  /** The two-layer observables only. */
  static SyntheticSummary twoLayer() {
    SyntheticSummary s = new SyntheticSummary();
    s.forEachCell((cell, width, gamma0, step) -> {
      boolean lazy = gamma0 == GAMMA0[0];
      for (int[] ij : new int[][] {{0, 0}, {0, 1}, {1, 1}}) {
        s.row(cell, width, gamma0, step, "ntk", ij[0], ij[1], 1.0, (lazy ? 2 : 1) + 8.0 / width,
            0.05, lazy ? 2.0 : Double.NaN);
      }
      for (int i = 0; i < 2; i++) {
        s.row(cell, width, gamma0, step, "prediction_test", i, -1, 0.1, 0.5 + 4.0 / width, 0.05,
            lazy ? 0.5 : Double.NaN);
      }
      s.row(cell, width, gamma0, step, "loss", -1, -1, 0.4, 0.2, 0.01, Double.NaN);
    });
    return s;
  }

  /** Adds per-layer kernels, sharpness, bias/variance terms and an observable no one knows. */
  SyntheticSummary withOptionalObservables(String unknownObservable) {
    forEachCell((cell, width, gamma0, step) -> {
      row(cell, width, gamma0, step, "feature_kernel_l1", 0, 0, 1.0, 0.3, 0.02, Double.NaN);
      row(cell, width, gamma0, step, "feature_kernel_l2", 0, 0, 1.0, 0.6, 0.02, Double.NaN);
      row(cell, width, gamma0, step, "sharpness", -1, -1, 3.0 + step / 10.0, 5.0, 0.4,
          Double.NaN);
      row(cell, width, gamma0, step, "test_bias2", -1, -1, 0.2 + 1.0 / width, 0, 0.001,
          Double.NaN);
      row(cell, width, gamma0, step, "test_variance", -1, -1, 3.0 / width, 0, 0.001, Double.NaN);
      row(cell, width, gamma0, step, unknownObservable, -1, -1, 1, 1, 0.1, Double.NaN);
    });
    return this;
  }

  /** Writes summary.csv into the directory and returns its path. */
  Path writeTo(Path dir) throws IOException {
    Path csv = dir.resolve("summary.csv");
    Files.writeString(csv, HEADER + "\n" + String.join("\n", rows) + "\n",
        StandardCharsets.UTF_8);
    return csv;
  }

  private interface CellStep {
    void accept(int cell, int width, double gamma0, int step);
  }

  private void forEachCell(CellStep f) {
    int cell = 0;
    for (double gamma0 : GAMMA0) {
      for (int width : WIDTHS) {
        for (int step : STEPS) {
          f.accept(cell, width, gamma0, step);
        }
        cell++;
      }
    }
  }

  private void row(int cell, int width, double gamma0, int step, String observable, int i, int j,
      double mean, double nvar, double nvarSe, double theoryNvar) {
    boolean theory = !Double.isNaN(theoryNvar);
    rows.add(String.join(",", Integer.toString(cell), Integer.toString(width),
        Double.toString(gamma0), "tanh", Double.toString(DT), Integer.toString(step),
        Double.toString(step * DT), observable, i < 0 ? "" : Integer.toString(i),
        j < 0 ? "" : Integer.toString(j), "40", "0", num(mean), "0.01", num(nvar), num(nvarSe),
        num(mean), "0.0", theory ? num(theoryNvar) : "", theory ? "0.0" : "",
        theory ? num(nvar / theoryNvar) : "", "", "", "linear_exact",
        theory ? "lazy_limit" : "none"));
  }

  private static String num(double x) {
    return String.format(Locale.ROOT, "%.17g", x);
  }
}
