package io.finitewidth.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The CNN task on the shipped CIFAR-10 subset (CNN.md §1). */
class CnnImageTaskTest {
  @Test
  void airplaneVersusAutomobileMatchesTheSpecCounts() {
    CnnImageTask task = CnnImageTask.build(ShippedData.cifarTrain(), ShippedData.cifarTest(), 0,
        1, 256, 0, 16);
    assertEquals(256, task.trainPoints());
    assertEquals(400, task.testPoints());
    double positives = 0;
    for (double y : task.trainTargets()) {
      positives += y > 0 ? 1 : 0;
    }
    // CNN.md §1: 127 airplanes and 129 automobiles; 200 + 200 test images.
    assertEquals(127, positives);
    double testPositives = 0;
    for (double y : task.testTargets()) {
      testPositives += y > 0 ? 1 : 0;
    }
    assertEquals(200, testPositives);
    // Standardised training channels: mean 0 and population variance 1 up to rounding.
    for (int c = 0; c < 3; c++) {
      double sum = 0;
      double squares = 0;
      for (int mu = 0; mu < 256; mu++) {
        for (int q = 0; q < 1024; q++) {
          double v = task.trainImage(mu)[c * 1024 + q];
          sum += v;
          squares += v * v;
        }
      }
      double n = 256 * 1024;
      assertEquals(0, sum / n, 1e-12);
      assertEquals(1, squares / n - (sum / n) * (sum / n), 1e-12);
    }
  }

  @Test
  void tooFewImagesIsReported() {
    DatasetException e = assertThrows(DatasetException.class, () -> CnnImageTask.build(
        ShippedData.cifarTrain(), ShippedData.cifarTest(), 0, 1, 100_000, 0, 16));
    assertEquals(true, e.getMessage().contains("100000 training images"), e.getMessage());
  }
}
