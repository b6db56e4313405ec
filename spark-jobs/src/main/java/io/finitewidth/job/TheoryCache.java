package io.finitewidth.job;

import io.finitewidth.dmft.TheoryOptions;
import io.finitewidth.dmft.TwoLayerTheory;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;
import io.finitewidth.network.Divergence;
import io.finitewidth.sweep.Canonical;
import io.finitewidth.sweep.TheorySettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DMFT predictions computed once per distinct (task, activation, γ0, loss, time grid, centring,
 * theory settings) and kept on disk in the sweep's {@code theory/} folder, one CSV per key, so a
 * re-run or a sweep extended with more widths or seeds never solves the same theory twice.
 * Each file is written to a temporary name and renamed, so a half-written file is never read.
 *
 * <p>File format (long, one row per recorded step and layout entry): {@code step, time,
 * observable, i, j, theory_mean, theory_mean_se, theory_nvar, theory_nvar_se}, preceded by a
 * comment line {@code # key=… mean_method=… nvar_method=…}. Empty cells are NaN.
 */
final class TheoryCache {
  static final String FOLDER = "theory";
  private static final Logger LOG = LoggerFactory.getLogger(TheoryCache.class);
  private static final String[] COLUMNS = {"step", "time", "observable", "i", "j",
      "theory_mean", "theory_mean_se", "theory_nvar", "theory_nvar_se"};

  private final FileSystem fs;
  private final Path folder;
  private final TheorySettings settings;
  private final Map<String, TheoryPrediction> inMemory = new HashMap<>();

  /** @param folder where predictions are kept, or null to keep them in memory only */
  TheoryCache(FileSystem fs, Path folder, TheorySettings settings) {
    this.fs = fs;
    this.folder = folder;
    this.settings = settings;
  }

  /** The prediction for one setup: from memory, from disk, or solved now and stored. */
  TheoryPrediction predict(TwoLayerSetup setup) throws IOException {
    String key = key(setup);
    TheoryPrediction known = inMemory.get(key);
    if (known != null) {
      return known;
    }
    Path file = folder == null ? null : new Path(folder, Canonical.sha256Hex(key) + ".csv");
    TheoryPrediction p = file != null && fs.exists(file) ? read(file, setup, key) : null;
    if (p == null) {
      p = solve(setup);
      if (file != null && !p.meanMethod().startsWith("failed")) {
        write(file, key, p);
      }
    } else {
      LOG.info("theory reused: activation={} gamma0={} file={}", setup.activation().label(),
          setup.gamma0(), file.getName());
    }
    inMemory.put(key, p);
    return p;
  }

  /** Everything the prediction depends on; widths and seeds of networks are not part of it. */
  String key(TwoLayerSetup s) {
    return String.join("|", "two-layer v1", s.activation().label(), Double.toString(s.gamma0()),
        s.loss().label(), Double.toString(s.grid().dt()), Integer.toString(s.grid().steps()),
        java.util.Arrays.toString(s.grid().recordSteps()), Boolean.toString(s.centred()),
        Canonical.taskDigest(s.task()), settings.toString());
  }

  /**
   * Solves one setup. A solver that refuses or fails (for instance an infinite-width trajectory
   * that itself diverges past the edge of stability) leaves that cell without theory, with the
   * reason in its method columns, instead of failing the run whose networks are already trained.
   */
  private TheoryPrediction solve(TwoLayerSetup setup) {
    long start = System.nanoTime();
    TheoryPrediction p;
    try {
      p = TwoLayerTheory.predict(setup, new TheoryOptions(settings.particles(),
          settings.seed(), settings.lazyMaxGamma0(), settings.propagatorParticles(),
          settings.tangentParticles(), settings.replicas()));
    } catch (RuntimeException | OutOfMemoryError e) {
      LOG.warn("theory failed: activation={} gamma0={} dt={} reason={}",
          setup.activation().label(), setup.gamma0(), setup.grid().dt(), e.getMessage());
      TheoryPrediction empty = TheoryPrediction.empty(
          new ObservableLayout(setup.task().trainPoints(), setup.task().testPoints()),
          setup.grid());
      String reason = "failed: " + String.valueOf(e.getMessage()).replaceAll("[\\s,]+", " ");
      return new TheoryPrediction(empty.layout(), empty.grid(), empty.mean(), empty.meanSe(),
          empty.nvar(), empty.nvarSe(), reason, reason);
    }
    p = cutAtDivergence(p);
    LOG.info("theory solved: activation={} gamma0={} mean={} nvar={} seconds={}",
        setup.activation().label(), setup.gamma0(), p.meanMethod(), p.nvarMethod(),
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
    return p;
  }

  /**
   * Past the edge of stability the infinite-width trajectory itself can blow up. From the first
   * recorded step whose mean is not finite or whose mean loss has grown past
   * {@link Divergence#LOSS_GROWTH_LIMIT} times its start, the prediction is removed (NaN) and the
   * method names say {@code _diverged_at_<step>}: no value rather than a meaningless one.
   */
  static TheoryPrediction cutAtDivergence(TheoryPrediction p) {
    int records = p.grid().recordCount();
    int loss = p.layout().lossIndex();
    double limit = Divergence.LOSS_GROWTH_LIMIT * (1.0 + Math.abs(p.mean()[0][loss]));
    int cut = -1;
    for (int r = 0; r < records && cut < 0; r++) {
      if (Math.abs(p.mean()[r][loss]) > limit) {
        cut = r;
      }
      for (double x : p.mean()[r]) {
        if (Double.isInfinite(x)) {
          cut = r;
        }
      }
    }
    if (cut < 0) {
      return p;
    }
    for (int r = cut; r < records; r++) {
      java.util.Arrays.fill(p.mean()[r], Double.NaN);
      java.util.Arrays.fill(p.meanSe()[r], Double.NaN);
      java.util.Arrays.fill(p.nvar()[r], Double.NaN);
      java.util.Arrays.fill(p.nvarSe()[r], Double.NaN);
    }
    String suffix = "_diverged_at_" + p.grid().recordSteps()[cut];
    return new TheoryPrediction(p.layout(), p.grid(), p.mean(), p.meanSe(), p.nvar(),
        p.nvarSe(), p.meanMethod() + suffix, p.nvarMethod() + suffix);
  }

  private void write(Path file, String key, TheoryPrediction p) throws IOException {
    Path temporary = new Path(folder, "." + file.getName() + ".tmp");
    try (Writer out = new OutputStreamWriter(fs.create(temporary, true), StandardCharsets.UTF_8)) {
      out.write("# key=" + key.replace('\n', ' ') + " mean_method=" + p.meanMethod()
          + " nvar_method=" + p.nvarMethod() + "\n");
      writeRows(out, p);
    }
    fs.delete(file, false);
    if (!fs.rename(temporary, file)) {
      throw new IOException("could not move " + temporary + " to " + file);
    }
  }

  /** The long-format rows of a prediction. */
  static void writeRows(Writer out, TheoryPrediction p) throws IOException {
    CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setHeader(COLUMNS)
        .setRecordSeparator("\n").build());
    writeRows(csv, p, new Object[0], new Object[0]);
    csv.flush();
  }

  /** The columns of {@link #writeRows(CSVPrinter, TheoryPrediction, Object[], Object[])}. */
  static String[] columns() {
    return COLUMNS.clone();
  }

  /**
   * Prints the rows of a prediction between {@code prefix} and {@code suffix} columns.
   * Modified: csv.
   */
  static void writeRows(CSVPrinter csv, TheoryPrediction p, Object[] prefix, Object[] suffix)
      throws IOException {
    ObservableLayout layout = p.layout();
    int[] steps = p.grid().recordSteps();
    double[] times = p.grid().times();
    for (int r = 0; r < steps.length; r++) {
      for (int k = 0; k < layout.size(); k++) {
        ObservableLayout.Entry e = layout.entry(k);
        Object[] row = {steps[r], times[r], e.observable().label(), e.i() < 0 ? "" : e.i(),
            e.j() < 0 ? "" : e.j(), text(p.mean()[r][k]), text(p.meanSe()[r][k]),
            text(p.nvar()[r][k]), text(p.nvarSe()[r][k])};
        Object[] all = new Object[prefix.length + row.length + suffix.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(row, 0, all, prefix.length, row.length);
        System.arraycopy(suffix, 0, all, prefix.length + row.length, suffix.length);
        csv.printRecord(all);
      }
    }
  }

  private TheoryPrediction read(Path file, TwoLayerSetup setup, String key) throws IOException {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file),
        StandardCharsets.UTF_8))) {
      String header = in.readLine();
      if (header == null || !header.startsWith("# key=" + key + " ")) {
        return null; // a hash collision or an older format: solve again
      }
      String meanMethod = field(header, "mean_method=");
      String nvarMethod = field(header, "nvar_method=");
      TheoryPrediction p = TheoryPrediction.empty(
          new ObservableLayout(setup.task().trainPoints(), setup.task().testPoints()),
          setup.grid());
      int k = p.layout().size();
      List<CSVRecord> records = CSVParser.parse(in, CSVFormat.DEFAULT.builder().setHeader()
          .setSkipHeaderRecord(true).build()).getRecords();
      if (records.size() != setup.grid().recordCount() * k) {
        return null;
      }
      for (int n = 0; n < records.size(); n++) {
        CSVRecord row = records.get(n);
        int r = n / k;
        int e = n % k;
        p.mean()[r][e] = number(row.get("theory_mean"));
        p.meanSe()[r][e] = number(row.get("theory_mean_se"));
        p.nvar()[r][e] = number(row.get("theory_nvar"));
        p.nvarSe()[r][e] = number(row.get("theory_nvar_se"));
      }
      return new TheoryPrediction(p.layout(), p.grid(), p.mean(), p.meanSe(), p.nvar(),
          p.nvarSe(), meanMethod, nvarMethod);
    }
  }

  private static String field(String header, String name) {
    int at = header.lastIndexOf(name);
    String rest = header.substring(at + name.length());
    int space = rest.indexOf(' ');
    return space < 0 ? rest.trim() : rest.substring(0, space);
  }

  /** Doubles round-trip exactly through Double.toString / parseDouble. */
  private static String text(double x) {
    return Double.isNaN(x) ? "" : Double.toString(x);
  }

  private static double number(String s) {
    return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
  }
}
