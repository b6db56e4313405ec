package io.finitewidth.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.finitewidth.data.SyntheticTeacher.Teacher;
import io.finitewidth.model.Task;
import org.junit.jupiter.api.Test;

class SyntheticTeacherTest {
  /** Sums of a few dozen doubles: agreement to well below 1e-12 is expected. */
  private static final double SUM_TOLERANCE = 1e-12;

  @Test
  void inputsLieOnTheSphereOfRadiusRootDAndTrainTargetsHaveUnitMeanSquare() {
    Task task = SyntheticTeacher.generate(16, 20, 7, Teacher.TANH, 42);

    double[][] kx = task.inputKernel();
    for (int a = 0; a < kx.length; a++) {
      assertEquals(1.0, kx[a][a], SUM_TOLERANCE);
    }
    double meanSquare = 0;
    for (double y : task.trainTargets()) {
      meanSquare += y * y / task.trainPoints();
    }
    assertEquals(1.0, meanSquare, SUM_TOLERANCE);
  }

  @Test
  void sameSeedSameTaskAndTestCountLeavesTrainingSetAlone() {
    Task a = SyntheticTeacher.generate(8, 10, 3, Teacher.TANH, 7);
    Task b = SyntheticTeacher.generate(8, 10, 3, Teacher.TANH, 7);
    Task moreTest = SyntheticTeacher.generate(8, 10, 30, Teacher.TANH, 7);
    Task otherSeed = SyntheticTeacher.generate(8, 10, 3, Teacher.TANH, 8);

    assertEquals(a.fingerprint(), b.fingerprint());
    assertArrayEquals(a.trainInputs()[9], moreTest.trainInputs()[9]);
    assertArrayEquals(a.trainTargets(), moreTest.trainTargets());
    assertArrayEquals(a.testInputs()[2], moreTest.testInputs()[2]);
    assertNotEquals(a.fingerprint(), otherSeed.fingerprint());
  }

  @Test
  void linearTeacherIsProportionalToTheTanhTeachersArgument() {
    Task linear = SyntheticTeacher.generate(8, 12, 0, Teacher.LINEAR, 9);
    Task tanh = SyntheticTeacher.generate(8, 12, 0, Teacher.TANH, 9);

    assertArrayEquals(linear.trainInputs()[0], tanh.trainInputs()[0]);
    double[] yLinear = linear.trainTargets();
    double[] yTanh = tanh.trainTargets();
    for (int a = 0; a < yLinear.length; a++) {
      assertEquals(Math.signum(yLinear[a]), Math.signum(yTanh[a]));
    }
    assertNotEquals(yLinear[0] / yLinear[1], yTanh[0] / yTanh[1], 1e-9);
  }
}
