package io.finitewidth.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CentralMomentsTest {
  /**
   * Merging reorders floating-point sums; for n ≤ 1000 well-scaled values the accumulated
   * rounding is a few hundred ulps at most, so 1e-11 relative is a safe float64 bound.
   */
  private static final double MERGE_RELATIVE_TOLERANCE = 1e-11;

  private static double[][] data(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] x = new double[n][3];
    for (double[] row : x) {
      row[0] = rng.nextDouble();
      row[1] = 5 + Math.pow(rng.nextDouble(), 3) * 10; // skewed, offset
      row[2] = -Math.log(1 - rng.nextDouble()); // exponential
    }
    return x;
  }

  /** Two-pass textbook central moment sums, the independent reference. */
  private static double[] twoPass(double[][] x, int k) {
    double mean = 0;
    for (double[] row : x) {
      mean += row[k];
    }
    mean /= x.length;
    double[] m = new double[5];
    m[0] = x.length;
    m[1] = mean;
    for (double[] row : x) {
      double d = row[k] - mean;
      m[2] += d * d;
      m[3] += d * d * d;
      m[4] += d * d * d * d;
    }
    return m;
  }

  private static void assertClose(double expected, double actual, String what) {
    assertEquals(expected, actual, MERGE_RELATIVE_TOLERANCE * (1 + Math.abs(expected)), what);
  }

  @Test
  void onePassAddEqualsTwoPassMoments() {
    double[][] x = data(1000, 1);
    CentralMoments m = new CentralMoments(3);
    for (double[] row : x) {
      m.add(row);
    }
    for (int k = 0; k < 3; k++) {
      double[] ref = twoPass(x, k);
      assertClose(ref[1], m.mean(k), "mean");
      assertClose(ref[2], m.m2(k), "M2");
      assertClose(ref[3], m.m3(k), "M3");
      assertClose(ref[4], m.m4(k), "M4");
    }
  }

  @Test
  void mergedInAnySplitEqualsOnePass() {
    double[][] x = data(777, 2);
    CentralMoments onePass = new CentralMoments(3);
    for (double[] row : x) {
      onePass.add(row);
    }
    SplittableRandom rng = new SplittableRandom(3);
    for (int trial = 0; trial < 20; trial++) {
      // random cut points, including empty parts, merged in a random tree shape
      CentralMoments merged = new CentralMoments(3);
      int start = 0;
      while (start < x.length) {
        int end = Math.min(x.length, start + rng.nextInt(0, 200));
        CentralMoments part = new CentralMoments(3);
        for (int i = start; i < end; i++) {
          part.add(x[i]);
        }
        if (rng.nextBoolean()) {
          merged.merge(part);
        } else {
          part.merge(merged);
          merged = part;
        }
        start = end;
      }
      assertEquals(onePass.count(), merged.count());
      for (int k = 0; k < 3; k++) {
        assertClose(onePass.mean(k), merged.mean(k), "mean");
        assertClose(onePass.m2(k), merged.m2(k), "M2");
        assertClose(onePass.m3(k), merged.m3(k), "M3");
        assertClose(onePass.m4(k), merged.m4(k), "M4");
      }
    }
  }

  @Test
  void nvarStandardErrorMatchesTheSpreadOfRepeatedEstimates() {
    // For Gaussian data se(N s²) ≈ N σ² √(2/E). Check the formula's value against the observed
    // spread of N s² over 400 independent ensembles of E = 200: the relative error of a standard
    // deviation estimated from 400 replicas is ≈ 1/√800 ≈ 3.5 %, so 15 % is > 4 of those.
    int width = 64;
    int e = 200;
    int replicas = 400;
    SplittableRandom rng = new SplittableRandom(4);
    double sum = 0;
    double sumSq = 0;
    double seSum = 0;
    for (int r = 0; r < replicas; r++) {
      CentralMoments m = new CentralMoments(1);
      for (int i = 0; i < e; i++) {
        double u1 = 1 - rng.nextDouble();
        double u2 = rng.nextDouble();
        m.add(new double[] {Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2) * 0.5});
      }
      WidthScaledVariance v = WidthScaledVariance.of(m, 0, width);
      sum += v.nvar();
      sumSq += v.nvar() * v.nvar();
      seSum += v.nvarSe();
    }
    double meanNvar = sum / replicas;
    double spread = Math.sqrt(sumSq / replicas - meanNvar * meanNvar);
    assertEquals(width * 0.25, meanNvar, 4 * spread / Math.sqrt(replicas));
    assertEquals(spread, seSum / replicas, 0.15 * spread);
  }
}
