package io.finitewidth.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code summary.csv} read once and reduced, per cell, observable and recorded step, to the
 * {@link Selection}s the report plots. Only these reductions are kept, so a summary of many
 * kernel entries needs little memory.
 */
final class SummaryTable {
  /** Columns the report cannot do without. */
  static final List<String> REQUIRED = List.of("cell", "width", "gamma0", "step", "time",
      "observable", "nvar", "nvar_se");

  private final Map<ReportCell, Map<String, Map<Selection, NavigableMap<Integer, Point>>>> data;
  private final long rows;

  private SummaryTable(
      Map<ReportCell, Map<String, Map<Selection, NavigableMap<Integer, Point>>>> data, long rows) {
    this.data = data;
    this.rows = rows;
  }

  /** Reads a summary CSV through the Hadoop file system of its path. */
  static SummaryTable read(Path csv, Configuration conf) throws IOException {
    FileSystem fs = csv.getFileSystem(conf);
    try (InputStream in = fs.open(csv)) {
      return read(new InputStreamReader(in, StandardCharsets.UTF_8), csv.toString());
    }
  }

  /**
   * Reads a summary in the long format of README.md; extra columns are ignored, empty fields are
   * missing values.
   *
   * @param source names the input in error messages
   * @throws IOException naming the source, line and column of the first malformed field, or the
   *     required column that is absent
   */
  static SummaryTable read(Reader reader, String source) throws IOException {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
        .setIgnoreSurroundingSpaces(true).build();
    Map<Key, Accumulator[]> sums = new HashMap<>();
    long rows = 0;
    try (CSVParser parser = format.parse(reader)) {
      Map<String, Integer> header = parser.getHeaderMap();
      for (String column : REQUIRED) {
        if (!header.containsKey(column)) {
          throw new IOException(source + ": column '" + column + "' is missing; the summary needs "
              + String.join(", ", REQUIRED) + " (README.md, summary schema)");
        }
      }
      Fields f = new Fields(source);
      for (CSVRecord r : parser) {
        rows++;
        f.record = r;
        f.row = rows;
        ReportCell cell = new ReportCell(f.integer("cell"), f.integer("width"),
            f.number("gamma0"), f.text("activation"), f.number("dt"));
        String observable = f.text("observable");
        int step = f.integer("step");
        Accumulator[] acc = sums.computeIfAbsent(new Key(cell, observable, step),
            k -> new Accumulator[Selection.values().length]);
        int i = f.optionalInteger("i");
        int j = f.optionalInteger("j");
        Entry e = new Entry(f.number("time"), f.number("nvar"), f.number("nvar_se"),
            f.number("theory_nvar"), f.number("theory_nvar_se"), f.number("mean"),
            f.number("mean_se"), f.number("theory_mean"), f.optionalInteger("ensemble"),
            f.optionalInteger("diverged"));
        for (Selection s : Selection.values()) {
          if (s.contains(i, j)) {
            if (acc[s.ordinal()] == null) {
              acc[s.ordinal()] = new Accumulator();
            }
            acc[s.ordinal()].add(e);
          }
        }
      }
    } catch (BadField e) {
      throw new IOException(e.getMessage());
    } catch (UncheckedIOException | IllegalStateException e) {
      throw new IOException(source + ": not a readable summary CSV: " + e.getMessage(), e);
    }
    Map<ReportCell, Map<String, Map<Selection, NavigableMap<Integer, Point>>>> data =
        new TreeMap<>(ReportCell.BY_INDEX);
    for (Map.Entry<Key, Accumulator[]> kv : sums.entrySet()) {
      Key k = kv.getKey();
      Map<Selection, NavigableMap<Integer, Point>> bySelection = data
          .computeIfAbsent(k.cell(), c -> new TreeMap<>())
          .computeIfAbsent(k.observable(), o -> new EnumMap<>(Selection.class));
      for (Selection s : Selection.values()) {
        Accumulator a = kv.getValue()[s.ordinal()];
        if (a != null && a.count > 0) {
          bySelection.computeIfAbsent(s, x -> new TreeMap<>()).put(k.step(), a.point(k.step()));
        }
      }
    }
    return new SummaryTable(data, rows);
  }

  /** Rows read. */
  long rows() {
    return rows;
  }

  /** The cells in sweep order. */
  List<ReportCell> cells() {
    return new ArrayList<>(data.keySet());
  }

  /** Every observable named in the summary, sorted. */
  Set<String> observables() {
    Set<String> all = new TreeSet<>();
    data.values().forEach(m -> all.addAll(m.keySet()));
    return all;
  }

  boolean has(String observable) {
    return data.values().stream().anyMatch(m -> m.containsKey(observable));
  }

  /** The selection's points in step order; empty when the cell lacks them. */
  List<Point> series(ReportCell cell, String observable, Selection selection) {
    NavigableMap<Integer, Point> points = data.getOrDefault(cell, Map.of())
        .getOrDefault(observable, Map.of()).get(selection);
    return points == null ? List.of() : Collections.unmodifiableList(
        new ArrayList<>(points.values()));
  }

  /** The selection at the cell's last recorded step for the observable, or null. */
  Point last(ReportCell cell, String observable, Selection selection) {
    NavigableMap<Integer, Point> points = data.getOrDefault(cell, Map.of())
        .getOrDefault(observable, Map.of()).get(selection);
    return points == null || points.isEmpty() ? null : points.lastEntry().getValue();
  }

  private record Key(ReportCell cell, String observable, int step) {}

  private record Entry(double time, double nvar, double nvarSe, double theoryNvar,
      double theoryNvarSe, double mean, double meanSe, double theoryMean, int ensemble,
      int diverged) {}

  /** Running sums of one selection at one step. NaN anywhere makes the mean NaN, as wanted. */
  private static final class Accumulator {
    int count;
    double time;
    double nvar;
    double nvarSe;
    double theoryNvar;
    double theoryNvarSe;
    double mean;
    double meanSe;
    double theoryMean;
    long ensemble = Long.MAX_VALUE;
    long diverged;

    void add(Entry e) {
      if (Double.isNaN(e.nvar())) {
        return; // no N·Var for this entry (e.g. fewer than two finite networks): leave it out
      }
      count++;
      time = e.time();
      nvar += e.nvar();
      nvarSe += e.nvarSe();
      theoryNvar += e.theoryNvar();
      theoryNvarSe += Double.isNaN(e.theoryNvar()) ? 0 : zeroIfMissing(e.theoryNvarSe());
      mean += e.mean();
      meanSe += e.meanSe();
      theoryMean += e.theoryMean();
      if (e.ensemble() >= 0) {
        ensemble = Math.min(ensemble, e.ensemble());
      }
      diverged = Math.max(diverged, Math.max(0, e.diverged()));
    }

    Point point(int step) {
      double theory = theoryNvar / count;
      return new Point(step, time, count, nvar / count, nvarSe / count, theory,
          Double.isNaN(theory) ? Double.NaN : theoryNvarSe / count, mean / count, meanSe / count,
          theoryMean / count, ensemble == Long.MAX_VALUE ? -1 : ensemble, diverged);
    }

    private static double zeroIfMissing(double x) {
      return Double.isNaN(x) ? 0 : x;
    }
  }

  /** Typed access to the current record's fields, with errors that say where. */
  private static final class Fields {
    private final String source;
    CSVRecord record;
    long row;

    Fields(String source) {
      this.source = source;
    }

    String text(String column) {
      return record.isSet(column) ? record.get(column) : "";
    }

    double number(String column) {
      String s = text(column);
      if (s.isEmpty()) {
        return Double.NaN;
      }
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        throw bad(column, s, "a number or empty");
      }
    }

    int integer(String column) {
      String s = text(column);
      try {
        return Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw bad(column, s, "an integer");
      }
    }

    int optionalInteger(String column) {
      return text(column).isEmpty() ? -1 : integer(column);
    }

    private BadField bad(String column, String value, String allowed) {
      return new BadField(source + ": data row " + row + ", column '" + column + "': '" + value
          + "'; allowed: " + allowed);
    }
  }

  /** A malformed field, turned into an IOException once the parser is closed. */
  private static final class BadField extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadField(String message) {
      super(message, null, false, false);
    }
  }
}
