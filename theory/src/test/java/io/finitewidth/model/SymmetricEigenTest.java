package io.finitewidth.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SymmetricEigenTest {
  /** Reconstruction of O(1) matrices of size ≤ 9 after Jacobi rotations: ~1e-14; allow 1e-12. */
  private static final double ROUNDING = 1e-12;

  @Test
  void psdFactor_singularInputKernel_reconstructsIt() {
    // 9 points in D = 16 are generic, so use a rank-2 kernel built here to force singularity.
    double[][] x = {{1, 0}, {0, 1}, {1, 1}, {1, -2}};
    double[][] k = new double[4][4];
    for (int a = 0; a < 4; a++) {
      for (int b = 0; b < 4; b++) {
        k[a][b] = x[a][0] * x[b][0] + x[a][1] * x[b][1];
      }
    }
    assertReconstructs(k, SymmetricEigen.psdFactor(k));
  }

  @Test
  void psdFactor_canonicalKernel_reconstructsStoredKx() {
    double[][] kx = CanonicalData.task().inputKernel();
    double[][] stored = CanonicalData.storedInputKernel();
    for (int a = 0; a < kx.length; a++) {
      for (int b = 0; b < kx.length; b++) {
        assertEquals(stored[a][b], kx[a][b], ROUNDING);
      }
    }
    assertReconstructs(kx, SymmetricEigen.psdFactor(kx));
  }

  @Test
  void psdFactor_indefinite_isRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> SymmetricEigen.psdFactor(new double[][] {{1, 2}, {2, 1}}));
  }

  private static void assertReconstructs(double[][] k, double[][] factor) {
    for (int a = 0; a < k.length; a++) {
      for (int b = 0; b < k.length; b++) {
        double s = 0;
        for (int i = 0; i < k.length; i++) {
          s += factor[a][i] * factor[b][i];
        }
        assertEquals(k[a][b], s, ROUNDING);
      }
    }
  }
}
