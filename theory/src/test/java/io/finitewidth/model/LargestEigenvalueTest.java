package io.finitewidth.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** λmax by tridiagonalisation and bisection against the full Jacobi decomposition. */
class LargestEigenvalueTest {

  private static double jacobiLargest(double[][] a) {
    double largest = Double.NEGATIVE_INFINITY;
    for (double lambda : SymmetricEigen.of(a).values()) {
      largest = Math.max(largest, lambda);
    }
    return largest;
  }

  /**
   * Both methods are backward stable: they agree to a few ulps of the matrix norm (1e-13 of it
   * here, over sizes 1 to 40, definite, indefinite, low-rank and repeated spectra).
   */
  @Test
  void agreesWithJacobiOnRandomSymmetricMatrices() {
    SplittableRandom rng = new SplittableRandom(9);
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + rng.nextInt(40);
      double[][] a = new double[n][n];
      int kind = trial % 3;
      double[][] b = new double[n][2];
      for (int i = 0; i < n; i++) {
        b[i][0] = rng.nextGaussian();
        b[i][1] = rng.nextGaussian();
      }
      double norm = 0;
      for (int i = 0; i < n; i++) {
        for (int j = i; j < n; j++) {
          a[i][j] = switch (kind) {
            case 0 -> rng.nextGaussian();
            case 1 -> b[i][0] * b[j][0] + b[i][1] * b[j][1]; // rank 2, PSD
            default -> (i == j ? 3.0 : 0.0) + 1e-3 * rng.nextGaussian(); // near-repeated
          };
          a[j][i] = a[i][j];
          norm += 2 * a[i][j] * a[i][j];
        }
      }
      double scale = Math.sqrt(norm);
      assertEquals(jacobiLargest(a), LargestEigenvalue.of(a), 1e-13 * scale + 1e-300,
          "trial " + trial + ", n = " + n);
    }
  }

  @Test
  void diagonalAndZeroMatricesAreExact() {
    assertEquals(7.0, LargestEigenvalue.of(new double[][] {{1, 0, 0}, {0, 7, 0}, {0, 0, -2}}));
    assertEquals(0.0, LargestEigenvalue.of(new double[3][3]));
    assertEquals(2.0, LargestEigenvalue.of(new double[][] {{1, 1}, {1, 1}}), 1e-15);
  }

  @Test
  void rejectsNonFiniteAndNonSquareInput() {
    assertThrows(IllegalArgumentException.class,
        () -> LargestEigenvalue.of(new double[][] {{1, Double.NaN}, {0, 1}}));
    assertThrows(IllegalArgumentException.class,
        () -> LargestEigenvalue.of(new double[][] {{1, 2}, {3}}));
  }
}
