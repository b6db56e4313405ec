package io.finitewidth.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The canonical setting of THEORY.md §9, read from {@code theory-canonical.json} (a copy of
 * shared/data): rows 0..5 of X are training inputs, rows 6..8 test inputs; mean-loss convention,
 * dt = 0.2, 100 steps (step n ↔ t = 0.2 n).
 */
public final class CanonicalData {
  public static final int TRAIN = 6;
  public static final double DT = 0.2;
  public static final int STEPS = 100;

  private static final Task TASK = load();

  private CanonicalData() {}

  public static Task task() {
    return TASK;
  }

  /** The stored Kx, used to check {@link Task#inputKernel()} on the stored inputs. */
  public static double[][] storedInputKernel() {
    return matrix(read().get("Kx"));
  }

  /** Every step recorded. */
  public static TimeGrid grid() {
    return TimeGrid.every(DT, STEPS, 1);
  }

  public static TwoLayerSetup setup(Activation activation, double gamma0, boolean centred) {
    return new TwoLayerSetup(TASK, activation, gamma0, LossConvention.MEAN, grid(), centred);
  }

  /** The step n with n · dt = t (t a multiple of dt). */
  public static int step(double time) {
    return (int) Math.round(time / DT);
  }

  private static Task load() {
    JsonNode root = read();
    double[][] x = matrix(root.get("X"));
    int test = x.length - TRAIN;
    double[][] train = new double[TRAIN][];
    double[][] testX = new double[test][];
    for (int i = 0; i < x.length; i++) {
      if (i < TRAIN) {
        train[i] = x[i];
      } else {
        testX[i - TRAIN] = x[i];
      }
    }
    return new Task("theory-canonical", train, vector(root.get("y")), testX,
        vector(root.get("y_test")));
  }

  private static JsonNode read() {
    try (InputStream in = CanonicalData.class.getResourceAsStream("/theory-canonical.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double[][] matrix(JsonNode node) {
    double[][] m = new double[node.size()][];
    for (int i = 0; i < m.length; i++) {
      m[i] = vector(node.get(i));
    }
    return m;
  }

  private static double[] vector(JsonNode node) {
    double[] v = new double[node.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = node.get(i).asDouble();
    }
    return v;
  }
}
