package io.finitewidth.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Task;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TwoClassTaskTest {
  /** Kx_aa = |x|²/D is a sum of 784 rounded squares: a few ulps of 1 at most. */
  private static final double UNIT_DIAGONAL_TOLERANCE = 1e-12;

  private static LabelledImages mnist;

  @BeforeAll
  static void load() {
    mnist = MnistIdx.read(ShippedData.mnistImages(), ShippedData.mnistLabels());
  }

  private static Task zerosVsOnes(long seed) {
    return TwoClassTask.from(mnist).datasetName("mnist").classes(0, 1).trainPoints(16)
        .testPoints(8).seed(seed).build();
  }

  @Test
  void everyInputHasUnitInputKernelDiagonal() {
    Task task = zerosVsOnes(11);

    double[][] kx = task.inputKernel();
    assertEquals(24, kx.length);
    for (int a = 0; a < kx.length; a++) {
      assertEquals(1.0, kx[a][a], UNIT_DIAGONAL_TOLERANCE, "Kx_aa at point " + a);
    }
  }

  @Test
  void sameSeedGivesTheSameTaskAndAnotherSeedAnotherOne() {
    Task first = zerosVsOnes(11);
    Task again = zerosVsOnes(11);
    Task other = zerosVsOnes(12);

    assertEquals(first.fingerprint(), again.fingerprint());
    assertArrayEquals(first.testInputs()[3], again.testInputs()[3]);
    assertNotEquals(first.fingerprint(), other.fingerprint());
  }

  @Test
  void targetsArePlusOneForFirstClassAndMinusOneForSecond() {
    Task task = TwoClassTask.from(mnist).classes(7, 2).trainPoints(40).seed(1).build();
    double[] y = task.trainTargets();

    for (double v : y) {
      assertTrue(v == 1.0 || v == -1.0, "target " + v);
    }
    assertTrue(Arrays.stream(y).anyMatch(v -> v == 1.0));
    assertTrue(Arrays.stream(y).anyMatch(v -> v == -1.0));
  }

  @Test
  void takingEveryImageOfTwoCifarClassesKeepsTheClassBalance() {
    LabelledImages cifar = Cifar10Binary.read(List.of(ShippedData.cifarTest()));
    Task task = TwoClassTask.from(cifar).classes(Cifar10Binary.labelOf("cat"),
        Cifar10Binary.labelOf("ship")).trainPoints(250).testPoints(150).seed(0).build();

    double sum = Arrays.stream(task.trainTargets()).sum()
        + Arrays.stream(task.testTargets()).sum();
    assertEquals(3072, task.dim());
    assertEquals(0.0, sum, 0.0, "200 cats (+1) and 200 ships (-1)");
  }

  @Test
  void trainAndTestPointsAreDisjoint() {
    Task task = TwoClassTask.from(mnist).classes(0, 1).trainPoints(300).testPoints(300).seed(5)
        .build();
    Set<String> train = new HashSet<>();
    for (double[] x : task.trainInputs()) {
      train.add(Arrays.toString(x));
    }
    // Distinct images map to distinct normalised rows unless they were identical images.
    int shared = 0;
    for (double[] x : task.testInputs()) {
      shared += train.contains(Arrays.toString(x)) ? 1 : 0;
    }
    assertEquals(0, shared);
  }

  @Test
  void askingForMorePointsThanTheClassesHoldSaysHowManyExist() {
    DatasetException e = assertThrows(DatasetException.class, () -> TwoClassTask.from(mnist)
        .classes(0, 1).trainPoints(2000).testPoints(200).build());

    assertTrue(e.getMessage().contains("2200"), e.getMessage());
    assertTrue(e.getMessage().contains("2115 images of classes [0, 1]"), e.getMessage());
  }

  @Test
  void singleTrainingPointCentresToZeroAndIsRejected() {
    DatasetException e = assertThrows(DatasetException.class,
        () -> TwoClassTask.from(mnist).classes(0, 1).trainPoints(1).build());

    assertTrue(e.getMessage().contains("training point 0"), e.getMessage());
    assertTrue(e.getMessage().contains("all zero"), e.getMessage());
  }

  @Test
  void equalClassesAreRejected() {
    assertThrows(DatasetException.class,
        () -> TwoClassTask.from(mnist).classes(4, 4).trainPoints(3).build());
  }
}
