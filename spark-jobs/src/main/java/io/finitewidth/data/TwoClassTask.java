package io.finitewidth.data;

import io.finitewidth.model.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds a binary regression {@link Task} from labelled images: class {@code first} gets target +1,
 * class {@code second} gets −1.
 *
 * <p><b>Selection.</b> The indices of all images of the two classes are listed in file order and
 * shuffled by Fisher–Yates with {@code new SplittableRandom(seed)}: for i = n−1 down to 1, swap
 * position i with position j = {@code nextInt(i + 1)}. The first P shuffled images are the
 * training points, the next Q the test points, so train and test never share an image and the
 * same seed always picks the same points. P + Q larger than the number of images of the two
 * classes is an error that says how many exist.
 *
 * <p><b>Normalisation</b> (THEORY.md's convention Kx_aa = x_a·x_a / D = 1):
 *
 * <ol>
 *   <li>pixels are scaled to [0, 1];
 *   <li>the pixel-wise mean of the P chosen training inputs is subtracted from every input, train
 *       and test (test points never influence the mean);
 *   <li>each input is then multiplied by √(D / |x|²), so |x|² = D exactly.
 * </ol>
 *
 * An input that is all zero after step 2 (for instance the single training point when P = 1) has
 * no direction to rescale and is an error naming the point.
 *
 * <p><b>Limitations.</b> Step 3 rescales points individually, so the training mean of the final
 * inputs is close to, but not exactly, zero.
 */
public final class TwoClassTask {
  private final LabelledImages images;
  private String datasetName = "images";
  private int first = -1;
  private int second = -1;
  private int trainPoints = -1;
  private int testPoints = 0;
  private long seed;

  private TwoClassTask(LabelledImages images) {
    this.images = images;
  }

  /** Starts a builder over {@code images}; set the classes and P, then {@link #build()}. */
  public static TwoClassTask from(LabelledImages images) {
    return new TwoClassTask(images);
  }

  /** A short dataset label used in the task name, such as {@code mnist}. */
  public TwoClassTask datasetName(String name) {
    this.datasetName = name;
    return this;
  }

  /** The class with target +1 and the class with target −1. */
  public TwoClassTask classes(int plusOne, int minusOne) {
    this.first = plusOne;
    this.second = minusOne;
    return this;
  }

  /** P, at least 1. */
  public TwoClassTask trainPoints(int count) {
    this.trainPoints = count;
    return this;
  }

  /** Q, at least 0 (default 0). */
  public TwoClassTask testPoints(int count) {
    this.testPoints = count;
    return this;
  }

  /** The shuffle seed (default 0). */
  public TwoClassTask seed(long value) {
    this.seed = value;
    return this;
  }

  /** Number of images of the two chosen classes: the most P + Q can be. */
  public int available() {
    return images.countOf(first) + images.countOf(second);
  }

  /** Selects, normalises and returns the task. */
  public Task build() {
    checkSettings();
    int[] chosen = shuffledIndices();
    int dim = images.dim();

    double[][] train = new double[trainPoints][];
    double[] trainTargets = new double[trainPoints];
    double[][] test = new double[testPoints][];
    double[] testTargets = new double[testPoints];
    for (int a = 0; a < trainPoints; a++) {
      train[a] = images.image(chosen[a]);
      trainTargets[a] = target(chosen[a]);
    }
    for (int q = 0; q < testPoints; q++) {
      test[q] = images.image(chosen[trainPoints + q]);
      testTargets[q] = target(chosen[trainPoints + q]);
    }

    double[] mean = new double[dim];
    for (double[] x : train) {
      for (int i = 0; i < dim; i++) {
        mean[i] += x[i] / trainPoints;
      }
    }
    for (int a = 0; a < trainPoints; a++) {
      centreAndScaleInPlace(train[a], mean, "training point " + a, chosen[a]);
    }
    for (int q = 0; q < testPoints; q++) {
      centreAndScaleInPlace(test[q], mean, "test point " + q, chosen[trainPoints + q]);
    }

    String name = datasetName + " " + first + " vs " + second + " (P=" + trainPoints + ", Q="
        + testPoints + ", seed " + seed + ")";
    return new Task(name, train, trainTargets, test, testTargets);
  }

  private void checkSettings() {
    if (first == second) {
      throw new DatasetException("classes must be two different labels, got [" + first + ", "
          + second + "]");
    }
    if (trainPoints < 1 || testPoints < 0) {
      throw new DatasetException("train_points must be ≥ 1 and test_points ≥ 0, got "
          + trainPoints + " and " + testPoints);
    }
    int available = available();
    if ((long) trainPoints + testPoints > available) {
      throw new DatasetException("train_points + test_points = " + trainPoints + " + "
          + testPoints + " = " + ((long) trainPoints + testPoints) + " exceeds the " + available
          + " images of classes [" + first + ", " + second + "] in " + images.source());
    }
  }

  /** The image indices of the two classes in file order, Fisher–Yates shuffled by the seed. */
  private int[] shuffledIndices() {
    List<Integer> matching = new ArrayList<>();
    for (int i = 0; i < images.count(); i++) {
      if (images.label(i) == first || images.label(i) == second) {
        matching.add(i);
      }
    }
    int[] order = matching.stream().mapToInt(Integer::intValue).toArray();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  private double target(int imageIndex) {
    return images.label(imageIndex) == first ? 1.0 : -1.0;
  }

  /** x ← (x − mean) · √(D / |x − mean|²). Modified: {@code x}. Not modified: {@code mean}. */
  private void centreAndScaleInPlace(double[] x, double[] mean, String what, int imageIndex) {
    double squaredNorm = 0;
    for (int i = 0; i < x.length; i++) {
      x[i] -= mean[i];
      squaredNorm += x[i] * x[i];
    }
    if (!(squaredNorm > 0)) {
      throw new DatasetException(what + " (image " + imageIndex + " of " + images.source()
          + ") is all zero after subtracting the training mean, so it cannot be scaled to"
          + " |x|² = D; choose more or other training points (with train_points = 1 this always"
          + " happens)");
    }
    double scale = Math.sqrt(x.length / squaredNorm);
    for (int i = 0; i < x.length; i++) {
      x[i] *= scale;
    }
  }
}
