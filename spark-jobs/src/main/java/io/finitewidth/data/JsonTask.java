package io.finitewidth.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finitewidth.model.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a task stored as JSON, the format of {@code data/theory-canonical.json}:
 *
 * <pre>{@code
 * {"X": [[...], ...],   // all inputs, one row per point, equal lengths
 *  "y": [...],          // training targets: the first len(y) rows of X are training inputs
 *  "y_test": [...]}     // optional: targets of the remaining rows (NaN where absent)
 * }</pre>
 *
 * Other keys (such as {@code note} or {@code Kx}) are ignored. Inputs are used as given. Errors
 * name the file and the JSON location, such as {@code X[3][2]}.
 */
public final class JsonTask {
  private JsonTask() {}

  public static Task read(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new DatasetException("dataset file not found: " + file.toAbsolutePath());
    } catch (JsonProcessingException e) {
      throw new DatasetException("JSON file " + file + " is not valid JSON: "
          + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new DatasetException("cannot read JSON file " + file + ": " + e, e);
    }
    if (root == null || !root.isObject()) {
      throw new DatasetException("JSON file " + file + ": top level must be an object with keys"
          + " X, y and optionally y_test");
    }
    double[][] inputs = matrix(file, root.get("X"));
    double[] trainTargets = vector(file, root.get("y"), "y", true);
    int trainPoints = trainTargets.length;
    int testPoints = inputs.length - trainPoints;
    if (trainPoints < 1 || testPoints < 0) {
      throw new DatasetException("JSON file " + file + ": y has " + trainPoints + " values and X "
          + inputs.length + " rows; allowed: 1 ≤ len(y) ≤ len(X)");
    }
    double[] testTargets = new double[testPoints];
    Arrays.fill(testTargets, Double.NaN);
    JsonNode yTest = root.get("y_test");
    if (yTest != null && !yTest.isNull()) {
      testTargets = vector(file, yTest, "y_test", false);
      if (testTargets.length != testPoints) {
        throw new DatasetException("JSON file " + file + ": y_test has " + testTargets.length
            + " values but X has " + testPoints + " rows after the " + trainPoints
            + " training rows; they must match");
      }
    }
    return new Task(file.getFileName().toString(), Arrays.copyOfRange(inputs, 0, trainPoints),
        trainTargets, Arrays.copyOfRange(inputs, trainPoints, inputs.length), testTargets);
  }

  private static double[][] matrix(Path file, JsonNode node) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw new DatasetException("JSON file " + file + ": X must be a non-empty array of rows");
    }
    double[][] rows = new double[node.size()][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = vector(file, node.get(r), "X[" + r + "]", true);
      if (rows[r].length != rows[0].length || rows[r].length == 0) {
        throw new DatasetException("JSON file " + file + ": X[" + r + "] has " + rows[r].length
            + " values but X[0] has " + rows[0].length + "; all rows need the same length ≥ 1");
      }
    }
    return rows;
  }

  private static double[] vector(Path file, JsonNode node, String where, boolean finite) {
    if (node == null || !node.isArray()) {
      throw new DatasetException("JSON file " + file + ": " + where
          + " must be an array of numbers, got " + (node == null ? "nothing" : node));
    }
    double[] values = new double[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode cell = node.get(i);
      boolean ok = cell.isNumber() && (!finite || Double.isFinite(cell.doubleValue()))
          || !finite && cell.isNull();
      if (!ok) {
        throw new DatasetException("JSON file " + file + ": " + where + "[" + i + "] is " + cell
            + "; allowed: a finite number" + (finite ? "" : " or null"));
      }
      values[i] = cell.isNull() ? Double.NaN : cell.doubleValue();
    }
    return values;
  }
}
