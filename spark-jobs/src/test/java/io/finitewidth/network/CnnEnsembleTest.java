package io.finitewidth.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.data.CnnImageTask;
import io.finitewidth.model.Activation;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The CNN's gradients, block independence and probe NTK on random 32×32×3 images (the
 * architecture fixes the image size, so "tiny" means few images and N = 2 channels).
 */
class CnnEnsembleTest {
  private static final int PIXELS = 3 * 32 * 32;

  static CnnImageTask randomTask(int train, int test, int probe, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] trainImages = new double[train][PIXELS];
    double[][] testImages = new double[test][PIXELS];
    double[] trainY = new double[train];
    double[] testY = new double[test];
    for (double[][] images : new double[][][] {trainImages, testImages}) {
      for (double[] image : images) {
        for (int p = 0; p < PIXELS; p++) {
          image[p] = 2 * random.nextDouble() - 1;
        }
      }
    }
    for (int mu = 0; mu < train; mu++) {
      trainY[mu] = mu % 2 == 0 ? 1 : -1;
    }
    for (int q = 0; q < test; q++) {
      testY[q] = q % 2 == 0 ? 1 : -1;
    }
    return CnnImageTask.of(trainImages, trainY, testImages, testY, probe);
  }

  private static CnnEnsemble.Settings settings(int width, double gamma0, Activation activation,
      DataType type, int steps, int[] record, int chunk) {
    return new CnnEnsemble.Settings(width, gamma0, activation, 0.5, steps, record, type, chunk);
  }

  /**
   * Backpropagated gradients against central differences of the loss, every parameter, N = 2,
   * float64. Step ε = 1e-5: the truncation error ε²·f'''/6 and the rounding error ~1e-16/ε are
   * both below 1e-9 relative to the largest gradient entry; the tolerance 1e-6 of that scale
   * leaves room for ReLU kinks crossed by a perturbation (one unit out of 2048 per image).
   */
  @ParameterizedTest
  @EnumSource(value = Activation.class, names = {"TANH", "RELU"})
  void gradientMatchesFiniteDifferences(Activation activation) {
    CnnImageTask task = randomTask(3, 2, 1, 5);
    CnnEnsemble net = new CnnEnsemble(task, settings(2, 0.7, activation, DataType.DOUBLE, 0,
        new int[] {0}, 2));
    CnnEnsemble.Weights weights = net.initialWeights(new long[] {11, 12});
    double[][] analytic = net.trainLossGradient(weights);
    double[][] flat = CnnEnsemble.flatten(weights);
    assertEquals(27 * 2 + 9 * 4 + 2, flat[0].length);
    double eps = 1e-5;
    for (int b = 0; b < 2; b++) {
      double scale = 0;
      for (double g : analytic[b]) {
        scale = Math.max(scale, Math.abs(g));
      }
      assertTrue(scale > 1e-4, "gradient is not trivially zero");
      for (int p = 0; p < flat[b].length; p++) {
        double[][] plus = copy(flat);
        double[][] minus = copy(flat);
        plus[b][p] += eps;
        minus[b][p] -= eps;
        double numeric = (net.trainLoss(net.fromFlat(plus))[b]
            - net.trainLoss(net.fromFlat(minus))[b]) / (2 * eps);
        assertEquals(numeric, analytic[b][p], 1e-6 * scale,
            "network " + b + ", parameter " + p + " (" + activation + ")");
      }
    }
  }

  /**
   * The probe NTK (per-image backward passes) against K = γ0² N J Jᵀ with J the Jacobian of f by
   * central differences (ε = 1e-5, float64, tanh so that f is smooth): agreement to 1e-7 of the
   * largest entry, far above the ~1e-10 difference error; per-layer parts too.
   */
  @Test
  void probeNtkMatchesBruteForceJacobian() {
    CnnImageTask task = randomTask(2, 3, 3, 9);
    double gamma0 = 1.3;
    CnnEnsemble net = new CnnEnsemble(task, settings(2, gamma0, Activation.TANH,
        DataType.DOUBLE, 0, new int[] {0}, 2));
    CnnEnsemble.Weights weights = net.initialWeights(new long[] {3});
    double[][] probe = {task.testImage(0), task.testImage(1), task.testImage(2)};
    double[][][] k = net.probeNtk(weights, probe);
    double[] flat = CnnEnsemble.flatten(weights)[0];
    double eps = 1e-5;
    double[][] jacobian = new double[3][flat.length];
    for (int p = 0; p < flat.length; p++) {
      double[][] plus = {flat.clone()};
      double[][] minus = {flat.clone()};
      plus[0][p] += eps;
      minus[0][p] -= eps;
      double[] fp = net.outputs(net.fromFlat(plus), probe)[0];
      double[] fm = net.outputs(net.fromFlat(minus), probe)[0];
      for (int a = 0; a < 3; a++) {
        jacobian[a][p] = (fp[a] - fm[a]) / (2 * eps);
      }
    }
    int[][] parts = {{0, flat.length}, {0, 54}, {54, 54 + 36}, {90, 92}};
    double factor = gamma0 * gamma0 * 2;
    double scale = 0;
    for (double v : k[0][0]) {
      scale = Math.max(scale, Math.abs(v));
    }
    assertTrue(scale > 1e-3, "kernel not trivially zero");
    for (int part = 0; part < 4; part++) {
      for (int a = 0; a < 3; a++) {
        for (int c = 0; c < 3; c++) {
          double expected = 0;
          for (int p = parts[part][0]; p < parts[part][1]; p++) {
            expected += jacobian[a][p] * jacobian[c][p];
          }
          assertEquals(factor * expected, k[0][part][a * 3 + c], 1e-7 * scale,
              "part " + part + ", entry " + a + "," + c);
        }
      }
    }
  }

  /**
   * A network trained alone gives the same bits as inside a block of three, float32, with the
   * images split into chunks (P = 5, chunks of 2).
   */
  @Test
  void networkAloneEqualsItselfInsideABlock() {
    CnnImageTask task = randomTask(5, 3, 2, 21);
    CnnEnsemble net = new CnnEnsemble(task, settings(4, 1.0, Activation.RELU, DataType.FLOAT, 3,
        new int[] {0, 1, 3}, 2));
    List<CnnTrajectory> block = net.train(7, new long[] {101, 202, 303});
    List<CnnTrajectory> alone = net.train(8, new long[] {202});
    CnnTrajectory a = alone.get(0);
    CnnTrajectory b = block.get(1);
    assertEquals(8, b.networkIndex());
    assertArrayEquals(a.trainLoss(), b.trainLoss(), 0.0);
    for (int r = 0; r < 3; r++) {
      assertArrayEquals(a.trainPredictions()[r], b.trainPredictions()[r], 0.0);
      assertArrayEquals(a.testPredictions()[r], b.testPredictions()[r], 0.0);
      assertArrayEquals(a.featureMovement()[r], b.featureMovement()[r], 0.0);
    }
    for (int m = 0; m < 2; m++) {
      for (int part = 0; part < 4; part++) {
        assertArrayEquals(a.probeNtk()[m][part], b.probeNtk()[m][part], 0.0);
      }
      assertArrayEquals(a.probeOutputs()[m], b.probeOutputs()[m], 0.0);
    }
    // The networks differ from each other and training moved them.
    assertTrue(block.get(0).trainLoss()[0] != b.trainLoss()[0]);
    assertTrue(b.featureMovement()[2][0] > 0);
  }

  /**
   * At small dt one step lowers the loss by ≈ dt·c²·ΔᵀKΔ: the first-order identity of CNN.md
   * §3.1 (with the probe set equal to the training set), float64, tolerance 2 % for the O(dt²)
   * remainder at dt = 0.01.
   */
  @Test
  void oneStepLossDecreaseMatchesNtk() {
    CnnImageTask task = randomTask(4, 4, 4, 33);
    double dt = 0.01;
    CnnEnsemble net = new CnnEnsemble(task, new CnnEnsemble.Settings(3, 1.0, Activation.TANH,
        dt, 1, new int[] {0, 1}, DataType.DOUBLE, 4));
    CnnTrajectory t = net.train(0, new long[] {5}).get(0);
    double[] y = task.trainTargets();
    // Training images are not the probe images here: use the recorded train predictions and
    // the NTK of the training images, computed directly.
    CnnEnsemble.Weights w = net.initialWeights(new long[] {5});
    double[][] images = new double[4][];
    for (int mu = 0; mu < 4; mu++) {
      images[mu] = task.trainImage(mu);
    }
    double[] k = net.probeNtk(w, images)[0][0];
    double[] f0 = t.trainPredictions()[0];
    double predicted = 0;
    for (int mu = 0; mu < 4; mu++) {
      for (int nu = 0; nu < 4; nu++) {
        predicted += (y[mu] - f0[mu]) * k[mu * 4 + nu] * (y[nu] - f0[nu]);
      }
    }
    predicted *= dt / (4.0 * 4.0);
    double measured = t.trainLoss()[0] - t.trainLoss()[1];
    assertEquals(predicted, measured, 0.02 * predicted);
  }

  private static double[][] copy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }
}
