package io.finitewidth.data;

import io.finitewidth.model.Task;
import java.util.Locale;

/**
 * A synthetic regression task with a random teacher, THEORY.md's canonical kind of task.
 *
 * <p>Draws, in this order, from one {@link Gaussians} stream seeded with {@code seed}:
 *
 * <ol>
 *   <li>the teacher b ~ N(0, I_D);
 *   <li>P training inputs, then Q test inputs, each x ~ N(0, I_D) rescaled to |x|² = D (so the
 *       input kernel has Kx_aa = 1).
 * </ol>
 *
 * Targets are y = tanh(2 b·x / √D) ({@link Teacher#TANH}) or y = b·x / √D ({@link
 * Teacher#LINEAR}), all multiplied by one factor s = 1 / √(mean of y² over the training points),
 * so the training targets have mean y² = 1; test targets use the same s. Because the teacher and
 * the training inputs come first, changing Q leaves the training set unchanged.
 */
public final class SyntheticTeacher {
  /** The teacher's link function. */
  public enum Teacher {
    /** y = tanh(TANH_GAIN · b·x / √D). */
    TANH,
    /** y = b·x / √D. */
    LINEAR;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code tanh} or {@code linear}; the message lists what is allowed. */
    public static Teacher parse(String name) {
      for (Teacher t : values()) {
        if (t.label().equals(name)) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown teacher '" + name + "'; allowed: tanh, linear");
    }
  }

  /** The gain inside the tanh teacher, as in THEORY.md's canonical task: tanh(2 b·x / √D). */
  public static final double TANH_GAIN = 2.0;

  private SyntheticTeacher() {}

  /**
   * Draws the task.
   *
   * @param dim D ≥ 1
   * @param trainPoints P ≥ 1
   * @param testPoints Q ≥ 0
   */
  public static Task generate(int dim, int trainPoints, int testPoints, Teacher teacher,
      long seed) {
    if (dim < 1 || trainPoints < 1 || testPoints < 0) {
      throw new IllegalArgumentException("synthetic task needs dim ≥ 1, train_points ≥ 1 and"
          + " test_points ≥ 0, got " + dim + ", " + trainPoints + ", " + testPoints);
    }
    Gaussians gaussians = new Gaussians(seed);
    double[] b = gaussians.vector(dim);
    double[][] train = sphereInputs(gaussians, trainPoints, dim);
    double[][] test = sphereInputs(gaussians, testPoints, dim);

    double[] trainTargets = teacherValues(teacher, b, train);
    double[] testTargets = teacherValues(teacher, b, test);
    double meanSquare = 0;
    for (double y : trainTargets) {
      meanSquare += y * y / trainPoints;
    }
    if (!(meanSquare > 0)) {
      throw new IllegalArgumentException("synthetic teacher gave all-zero training targets"
          + " (seed " + seed + "); choose another seed");
    }
    double scale = 1.0 / Math.sqrt(meanSquare);
    for (int a = 0; a < trainPoints; a++) {
      trainTargets[a] *= scale;
    }
    for (int q = 0; q < testPoints; q++) {
      testTargets[q] *= scale;
    }
    String name = "synthetic " + teacher.label() + " teacher (D=" + dim + ", P=" + trainPoints
        + ", Q=" + testPoints + ", seed " + seed + ")";
    return new Task(name, train, trainTargets, test, testTargets);
  }

  private static double[][] sphereInputs(Gaussians gaussians, int count, int dim) {
    double[][] x = new double[count][];
    for (int a = 0; a < count; a++) {
      x[a] = gaussians.vector(dim);
      double squaredNorm = 0;
      for (double v : x[a]) {
        squaredNorm += v * v;
      }
      double scale = Math.sqrt(dim / squaredNorm);
      for (int i = 0; i < dim; i++) {
        x[a][i] *= scale;
      }
    }
    return x;
  }

  private static double[] teacherValues(Teacher teacher, double[] b, double[][] inputs) {
    double[] y = new double[inputs.length];
    double root = Math.sqrt(b.length);
    for (int a = 0; a < inputs.length; a++) {
      double projection = 0;
      for (int i = 0; i < b.length; i++) {
        projection += b[i] * inputs[a][i];
      }
      projection /= root;
      y[a] = teacher == Teacher.TANH ? StrictMath.tanh(TANH_GAIN * projection) : projection;
    }
    return y;
  }
}
