package io.finitewidth.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.sweep.Sweep;
import io.finitewidth.sweep.SweepLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deep cells through the whole job: a depth-2 linear sweep writes per-layer kernel rows with
 * the deep linear theory beside them, and at t = 0 the measured N·Var of the NTK diagonal agrees
 * with the exact value (THEORY-deep.md §4a) within its standard error.
 */
@Tag("slow")
class DeepSweepTest {
  /** |z| bound for the handful of t = 0 NTK diagonal comparisons (false alarm < 0.1 %). */
  static final double MAX_ABS_Z = 4.0;

  @Test
  void deepLinearCellsReportPerLayerKernelsAndExactInitialVariances(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("deep");
    Path file = SweepRunTest.writeSweep(dir, "deep", out.toString(), 0, 96, "");
    String yaml = Files.readString(file)
        .replace("activation: [tanh, relu]", "activation: linear\n  depth: 2")
        .replace("widths: [16, 48]", "widths: [128]");
    Files.writeString(file, yaml);
    Sweep sweep = SweepLoader.load(file, null);
    assertEquals(2, sweep.cells().get(0).depth());
    new EnsembleJob(sweep, System.err, false).run();

    List<String> lines = Files.readAllLines(out.resolve("summary.csv"));
    List<String> header = List.of(lines.get(0).split(","));
    int observable = header.indexOf("observable");
    int step = header.indexOf("step");
    int i = header.indexOf("i");
    int j = header.indexOf("j");
    int z = header.indexOf("z");
    int nvarMethod = header.indexOf("theory_nvar_method");
    int snr = header.indexOf("snr");
    boolean sawLayer2 = false;
    int compared = 0;
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split(",", -1);
      sawLayer2 |= c[observable].equals("feature_kernel_l2") && !c[snr].isEmpty();
      if (c[observable].equals("ntk") && c[step].equals("0") && c[i].equals(c[j])) {
        assertEquals("deep_t0_only", c[nvarMethod]);
        assertTrue(Math.abs(Double.parseDouble(c[z])) <= MAX_ABS_Z, line);
        compared++;
      }
    }
    assertTrue(sawLayer2, "no layer-2 feature kernel rows with an SNR");
    assertEquals(6, compared);
  }
}
