package io.finitewidth.data;

import io.finitewidth.model.Task;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/**
 * Reads a user's task from a CSV file with a header row. Columns:
 *
 * <ul>
 *   <li>{@code split}: {@code train} or {@code test} (required);
 *   <li>the target column, {@code y} unless another name is given (required): finite numbers on
 *       training rows; on test rows a number, or empty / {@code NaN} when unknown;
 *   <li>every other column: one input coordinate, a finite number, in column order.
 * </ul>
 *
 * Inputs are used exactly as given: no centring or scaling (THEORY.md's results assume Kx_aa = 1;
 * scaling is the user's choice here). Rows keep file order within each split. Cells are trimmed of
 * surrounding spaces.
 *
 * <p>Errors name the file and, for a bad cell, the data row (1 = first row after the header) and
 * column: missing {@code split} or target column, no input columns, a row with a different number
 * of cells than the header, a non-numeric cell, an unknown split value, no training rows.
 */
public final class CsvTask {
  public static final String SPLIT_COLUMN = "split";

  public static final String DEFAULT_TARGET = "y";

  private CsvTask() {}

  /** Reads {@code file} with the target column {@code targetColumn} ({@code y} when null). */
  public static Task read(Path file, String targetColumn) {
    String target = targetColumn == null ? DEFAULT_TARGET : targetColumn;
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
        .setTrim(true).setIgnoreEmptyLines(true)
        .setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW).build();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = CSVParser.parse(reader, format)) {
      List<String> header = parser.getHeaderNames();
      List<String> inputColumns = inputColumns(file, header, target);
      List<double[]> trainInputs = new ArrayList<>();
      List<Double> trainTargets = new ArrayList<>();
      List<double[]> testInputs = new ArrayList<>();
      List<Double> testTargets = new ArrayList<>();
      for (CSVRecord record : parser) {
        long row = record.getRecordNumber();
        if (record.size() != header.size()) {
          throw new DatasetException("CSV file " + file + ": row " + row + " has "
              + record.size() + " cells but the header has " + header.size() + " columns");
        }
        String split = record.get(SPLIT_COLUMN).toLowerCase(Locale.ROOT);
        boolean isTrain = split.equals("train");
        if (!isTrain && !split.equals("test")) {
          throw new DatasetException("CSV file " + file + ": row " + row + ", column '"
              + SPLIT_COLUMN + "' is '" + record.get(SPLIT_COLUMN) + "'; allowed: train, test");
        }
        double[] x = new double[inputColumns.size()];
        for (int i = 0; i < x.length; i++) {
          x[i] = number(file, record, inputColumns.get(i), false);
        }
        double y = number(file, record, target, !isTrain);
        (isTrain ? trainInputs : testInputs).add(x);
        (isTrain ? trainTargets : testTargets).add(y);
      }
      if (trainInputs.isEmpty()) {
        throw new DatasetException("CSV file " + file + " has no rows with " + SPLIT_COLUMN
            + " = train; at least one training row is required");
      }
      return new Task(file.getFileName().toString(), trainInputs.toArray(new double[0][]),
          unbox(trainTargets), testInputs.toArray(new double[0][]), unbox(testTargets));
    } catch (NoSuchFileException e) {
      throw new DatasetException("dataset file not found: " + file.toAbsolutePath());
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new DatasetException("cannot read CSV file " + file + ": " + e.getMessage(), e);
    } catch (DatasetException e) {
      throw e;
    } catch (IllegalArgumentException | IllegalStateException e) {
      // commons-csv reports malformed quoting and duplicate or empty header names this way.
      throw new DatasetException("CSV file " + file + " is malformed: " + e.getMessage(), e);
    }
  }

  private static List<String> inputColumns(Path file, List<String> header, String target) {
    if (!header.contains(SPLIT_COLUMN)) {
      throw new DatasetException("CSV file " + file + " has no '" + SPLIT_COLUMN
          + "' column; header: " + header + "; required: a '" + SPLIT_COLUMN
          + "' column with values train or test");
    }
    if (!header.contains(target)) {
      throw new DatasetException("CSV file " + file + " has no target column '" + target
          + "'; header: " + header + "; set task.target to one of the columns");
    }
    if (target.equals(SPLIT_COLUMN)) {
      throw new DatasetException("CSV file " + file + ": the target column cannot be '"
          + SPLIT_COLUMN + "'");
    }
    List<String> inputs = new ArrayList<>();
    for (String column : header) {
      if (!column.equals(SPLIT_COLUMN) && !column.equals(target)) {
        inputs.add(column);
      }
    }
    if (inputs.isEmpty()) {
      throw new DatasetException("CSV file " + file + " has no input columns besides '"
          + SPLIT_COLUMN + "' and '" + target + "'; at least one is required");
    }
    return inputs;
  }

  private static double number(Path file, CSVRecord record, String column, boolean mayBeUnknown) {
    String text = record.get(column);
    if (mayBeUnknown && (text.isEmpty() || text.equalsIgnoreCase("nan"))) {
      return Double.NaN;
    }
    double value;
    try {
      value = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      value = Double.NaN;
    }
    if (!Double.isFinite(value)) {
      throw new DatasetException("CSV file " + file + ": row " + record.getRecordNumber()
          + ", column '" + column + "' is '" + text + "'; allowed: a finite number"
          + (mayBeUnknown ? " (or empty / NaN for an unknown test target)" : ""));
    }
    return value;
  }

  private static double[] unbox(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
