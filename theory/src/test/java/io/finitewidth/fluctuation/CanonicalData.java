package io.finitewidth.fluctuation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finitewidth.model.Activation;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.Task;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The canonical task of THEORY.md §9 (rows 0..5 of X train, rows 6..8 test, D = 16) and its
 * standard setting: mean loss, dt = 0.2, 100 steps.
 */
final class CanonicalData {
  static final int TRAIN_POINTS = 6;
  static final double DT = 0.2;
  static final int STEPS = 100;

  private static final Task TASK = load();

  private CanonicalData() {}

  static Task task() {
    return TASK;
  }

  /** The canonical setting with the given record steps (t = 0.2 n). */
  static TwoLayerSetup setup(Activation activation, double gamma0, boolean centred,
      int... recordSteps) {
    return new TwoLayerSetup(TASK, activation, gamma0, LossConvention.MEAN,
        new TimeGrid(DT, STEPS, recordSteps), centred);
  }

  /** Row index of {@code step} in a prediction whose grid records {@code recordSteps}. */
  static int row(int[] recordSteps, int step) {
    for (int r = 0; r < recordSteps.length; r++) {
      if (recordSteps[r] == step) {
        return r;
      }
    }
    throw new IllegalArgumentException("step " + step + " is not recorded");
  }

  private static Task load() {
    try (InputStream in = CanonicalData.class.getResourceAsStream(
        "/propagator/theory-canonical.json")) {
      JsonNode root = new ObjectMapper().readTree(in);
      JsonNode x = root.get("X");
      int testPoints = x.size() - TRAIN_POINTS;
      double[][] train = new double[TRAIN_POINTS][];
      double[][] test = new double[testPoints][];
      for (int a = 0; a < x.size(); a++) {
        double[] row = new double[x.get(a).size()];
        for (int i = 0; i < row.length; i++) {
          row[i] = x.get(a).get(i).asDouble();
        }
        if (a < TRAIN_POINTS) {
          train[a] = row;
        } else {
          test[a - TRAIN_POINTS] = row;
        }
      }
      double[] y = new double[TRAIN_POINTS];
      for (int mu = 0; mu < TRAIN_POINTS; mu++) {
        y[mu] = root.get("y").get(mu).asDouble();
      }
      double[] yTest = new double[testPoints];
      for (int q = 0; q < testPoints; q++) {
        yTest[q] = root.get("y_test").get(q).asDouble();
      }
      return new Task("canonical", train, y, test, yTest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
