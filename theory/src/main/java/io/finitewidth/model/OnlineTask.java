package io.finitewidth.model;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An online (one-pass) regression task, THEORY-online.md §1: inputs x ~ N(0, I_D) (so |x|² ≈ D,
 * not rescaled to the sphere), a teacher vector b with |b|² = D exactly, and targets
 *
 * <pre>
 *   LINEAR: y = b·x / √D            (E y² = 1)
 *   TANH:   y = tanh(2 b·x / √D)    (not rescaled)
 * </pre>
 *
 * <p>Every training step n draws a fresh batch from {@link #batchSource()}; the default source
 * ({@link GaussianBatches}) derives step n's batch from the data seed and n alone, so the batch of
 * a step does not depend on which steps were drawn before, and every network or reference run
 * that asks for step n gets the same inputs (common random numbers, THEORY-online.md §6). A fixed
 * held-out test set (same for every network and for the infinite-width reference, §1) is stored.
 *
 * <p>Immutable: arrays are copied in and out.
 */
public final class OnlineTask implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The gain inside the tanh teacher: y = tanh(TANH_GAIN · b·x / √D), THEORY-online.md §1. */
  public static final double TANH_GAIN = 2.0;

  /** The teacher's link function. */
  public enum Link {
    LINEAR,
    TANH;

    double apply(double projection) {
      return this == TANH ? StrictMath.tanh(TANH_GAIN * projection) : projection;
    }
  }

  /** Step n's batch of inputs; must be a pure function of (step, batchSize, dim). */
  public interface BatchSource extends Serializable {
    /** A fresh {@code batchSize} × {@code dim} array of inputs for training step {@code step}. */
    double[][] inputs(int step, int batchSize, int dim);
  }

  /**
   * x ~ N(0, I_D), step n drawn from a {@link NormalSource} seeded with a 64-bit mix of the data
   * seed and n (the finaliser of Steele, Lea and Flood's SplitMix64), so steps are independent
   * streams and can be drawn in any order.
   */
  public record GaussianBatches(long dataSeed) implements BatchSource {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    @Override
    public double[][] inputs(int step, int batchSize, int dim) {
      NormalSource normal = new NormalSource(mix64(dataSeed + GOLDEN_GAMMA * (step + 1L)));
      double[][] x = new double[batchSize][dim];
      for (double[] row : x) {
        for (int i = 0; i < dim; i++) {
          row[i] = normal.next();
        }
      }
      return x;
    }

    static long mix64(long z) {
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }
  }

  private final Link link;
  private final double[] teacher;
  private final double[][] testInputs;
  private final double[] testTargets;
  private final BatchSource batchSource;

  /**
   * @param teacher b, any nonzero vector; it is rescaled to |b|² = D
   * @param testInputs the fixed held-out set (rows of length D; may be empty)
   */
  public OnlineTask(Link link, double[] teacher, double[][] testInputs, BatchSource batchSource) {
    this.link = Objects.requireNonNull(link, "link");
    this.batchSource = Objects.requireNonNull(batchSource, "batchSource");
    int dim = teacher.length;
    if (dim < 1) {
      throw new IllegalArgumentException("teacher must have dimension at least 1");
    }
    double norm2 = 0;
    for (double v : teacher) {
      norm2 += v * v;
    }
    if (!(norm2 > 0) || Double.isInfinite(norm2)) {
      throw new IllegalArgumentException("teacher must be a nonzero finite vector, |b|² = "
          + norm2);
    }
    double scale = Math.sqrt(dim / norm2);
    this.teacher = new double[dim];
    for (int i = 0; i < dim; i++) {
      this.teacher[i] = teacher[i] * scale;
    }
    this.testInputs = new double[testInputs.length][];
    this.testTargets = new double[testInputs.length];
    for (int q = 0; q < testInputs.length; q++) {
      if (testInputs[q].length != dim) {
        throw new IllegalArgumentException("test input " + q + " has dimension "
            + testInputs[q].length + ", teacher has " + dim);
      }
      this.testInputs[q] = testInputs[q].clone();
      this.testTargets[q] = target(testInputs[q]);
    }
  }

  /**
   * The default online task: teacher b ~ N(0, I_D) from {@code teacherSeed} (rescaled to
   * |b|² = D), then {@code testPoints} Gaussian test inputs from the same stream; training
   * batches from {@link GaussianBatches} with {@code dataSeed}.
   */
  public static OnlineTask gaussian(int dim, Link link, int testPoints, long teacherSeed,
      long dataSeed) {
    if (dim < 1 || testPoints < 0) {
      throw new IllegalArgumentException("online task needs dim ≥ 1 and test_points ≥ 0, got "
          + dim + ", " + testPoints);
    }
    NormalSource normal = new NormalSource(teacherSeed);
    double[] b = new double[dim];
    for (int i = 0; i < dim; i++) {
      b[i] = normal.next();
    }
    double[][] test = new double[testPoints][dim];
    for (double[] row : test) {
      for (int i = 0; i < dim; i++) {
        row[i] = normal.next();
      }
    }
    return new OnlineTask(link, b, test, new GaussianBatches(dataSeed));
  }

  /** The same teacher and test set with another batch source (e.g. another data seed). */
  public OnlineTask withBatchSource(BatchSource source) {
    return new OnlineTask(link, teacher, testInputs, source);
  }

  public int dim() { return teacher.length; }

  public Link link() { return link; }

  /** b, with |b|² = D. */
  public double[] teacher() { return teacher.clone(); }

  public int testPoints() { return testInputs.length; }

  public double[][] testInputs() {
    double[][] out = new double[testInputs.length][];
    for (int q = 0; q < out.length; q++) {
      out[q] = testInputs[q].clone();
    }
    return out;
  }

  public double[] testTargets() { return testTargets.clone(); }

  public BatchSource batchSource() { return batchSource; }

  /** Step n's batch inputs, {@code batchSize} × D. */
  public double[][] batchInputs(int step, int batchSize) {
    double[][] x = batchSource.inputs(step, batchSize, dim());
    if (x.length != batchSize || (batchSize > 0 && x[0].length != dim())) {
      throw new IllegalStateException("batch source returned " + x.length + " inputs for step "
          + step + ", expected " + batchSize + " × " + dim());
    }
    return x;
  }

  /** The teacher's target y(x). Not modified: x. */
  public double target(double[] x) {
    double projection = 0;
    for (int i = 0; i < teacher.length; i++) {
      projection += teacher[i] * x[i];
    }
    return link.apply(projection / Math.sqrt(teacher.length));
  }

  /** Targets of a batch. Not modified: inputs. */
  public double[] targets(double[][] inputs) {
    double[] y = new double[inputs.length];
    for (int a = 0; a < inputs.length; a++) {
      y[a] = target(inputs[a]);
    }
    return y;
  }

  @Override
  public String toString() {
    return "OnlineTask[" + link + " teacher, D=" + dim() + ", Q=" + testInputs.length + ", "
        + batchSource + ", b=" + Arrays.toString(Arrays.copyOf(teacher, Math.min(3, dim())))
        + "...]";
  }
}
