package io.finitewidth.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.finitewidth.data.CnnImageTask;
import io.finitewidth.data.ShippedData;
import io.finitewidth.model.Activation;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * CNN.md §8.1: the probe-set NTK at initialisation (γ0 = 1, 16 probe images, standardisation
 * from P = 256) at N = 16 with E = 24 seeds. The seed-mean of the per-network averages of K_aa,
 * K_ab (a ≠ b) and the three layer parts of K_aa is compared with the reference value; the
 * tolerance is 4 combined standard errors, √(se² + se_ref²), se from the spread over seeds here
 * and se_ref the reference's bootstrap error (parts: taken as 6 % of the value, the relative
 * error of the reference's total).
 */
class CnnInitialNtkTest {
  private static final int SEEDS = 24;

  @Test
  void reluKernelMatchesReference() {
    double[][] stats = kernelAverages(Activation.RELU);
    check("K_aa", stats[0], 0.310, 0.019);
    check("K_ab", stats[1], 0.174, 0.011);
    check("K_aa W1", stats[2], 0.072, 0.072 * 0.06);
    check("K_aa W2", stats[3], 0.096, 0.096 * 0.06);
    check("K_aa w", stats[4], 0.142, 0.142 * 0.06);
  }

  @Test
  void tanhDiagonalMatchesReference() {
    // §7/§8.1: tanh K_aa 0.156 at N = 16 (24 seeds; error not given, taken as 6 %).
    double[][] stats = kernelAverages(Activation.TANH);
    check("tanh K_aa", stats[0], 0.156, 0.156 * 0.06);
  }

  /** [quantity][seed]: mean K_aa, mean K_ab, mean K_aa of W1, W2, w. */
  private static double[][] kernelAverages(Activation activation) {
    CnnImageTask task = CnnImageTask.build(ShippedData.cifarTrain(), ShippedData.cifarTest(), 0,
        1, 256, 0, 16);
    CnnEnsemble net = new CnnEnsemble(task, new CnnEnsemble.Settings(16, 1.0, activation, 1.0,
        0, new int[] {0}, DataType.FLOAT, 16));
    long[] seeds = new long[SEEDS];
    for (int s = 0; s < SEEDS; s++) {
      seeds[s] = 100_000L * 16 + s;
    }
    double[][] probe = new double[16][];
    for (int a = 0; a < 16; a++) {
      probe[a] = task.testImage(a);
    }
    double[][][] k = net.probeNtk(net.initialWeights(seeds), probe);
    double[][] out = new double[5][SEEDS];
    for (int s = 0; s < SEEDS; s++) {
      for (int a = 0; a < 16; a++) {
        for (int c = 0; c < 16; c++) {
          if (a == c) {
            out[0][s] += k[s][0][a * 16 + c] / 16;
            for (int part = 1; part <= 3; part++) {
              out[part + 1][s] += k[s][part][a * 16 + c] / 16;
            }
          } else {
            out[1][s] += k[s][0][a * 16 + c] / (16 * 15);
          }
        }
      }
    }
    return out;
  }

  private static void check(String what, double[] values, double reference, double referenceSe) {
    double mean = 0;
    for (double v : values) {
      mean += v / values.length;
    }
    double var = 0;
    for (double v : values) {
      var += (v - mean) * (v - mean) / (values.length - 1);
    }
    double se = Math.sqrt(var / values.length);
    double tolerance = 4 * Math.sqrt(se * se + referenceSe * referenceSe);
    System.out.printf("%s: %.4f ± %.4f (reference %.3f ± %.3f)%n", what, mean, se, reference,
        referenceSe);
    assertEquals(reference, mean, tolerance, what + ": mean " + mean + " ± " + se);
  }
}
