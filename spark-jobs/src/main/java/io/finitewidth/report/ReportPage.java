package io.finitewidth.report;

import static io.finitewidth.report.Html.escape;
import static io.finitewidth.report.Numbers.compact;
import static io.finitewidth.report.Numbers.sig;
import static io.finitewidth.report.Numbers.withError;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.jfree.chart.JFreeChart;

/**
 * Builds report.html's text and renders its plots into the images folder. Sections for deep
 * layers, sharpness and bias/variance appear only when the summary has such observables;
 * observables the report does not know are listed, not plotted.
 */
final class ReportPage {
  static final String NTK = "ntk";
  static final String TEST = "prediction_test";
  /** Observables of the two-layer job (README.md), plotted or deliberately left to the CSV. */
  static final Set<String> KNOWN = Set.of("loss", "prediction_train", "prediction_test", "ntk",
      "ntk_train_test", "feature_kernel", "gradient_kernel");
  /** Per-layer observables, e.g. {@code feature_kernel_l1}, {@code ntk_l2}. */
  static final Pattern LAYERED = Pattern.compile("(.+)_l(\\d+)");
  /** Sharpness (top Hessian eigenvalue), e.g. {@code sharpness}, {@code sharpness_train}. */
  static final Pattern SHARPNESS = Pattern.compile("sharpness(_.*)?");
  /** The CNN study's bias and variance terms, e.g. {@code test_bias2}, {@code test_variance}. */
  static final Pattern BIAS_VARIANCE =
      Pattern.compile("(.*_)?(bias|bias2|bias_squared|variance)(_.*)?");

  private final SummaryTable table;
  private final FileSystem fs;
  private final Path imagesDir;
  private final String imagesHref;
  private final String sourceLabel;
  private final Set<String> imagesWritten = new LinkedHashSet<>();
  private final StringBuilder body = new StringBuilder();
  private final Map<String, String> contents = new LinkedHashMap<>();

  ReportPage(SummaryTable table, FileSystem fs, Path imagesDir, String imagesHref,
      String sourceLabel) {
    this.table = table;
    this.fs = fs;
    this.imagesDir = imagesDir;
    this.imagesHref = imagesHref;
    this.sourceLabel = sourceLabel;
  }

  /** The PNG file names written so far. */
  Set<String> imagesWritten() {
    return imagesWritten;
  }

  /** Renders every section and returns the whole page. */
  String render() throws IOException {
    cellsSection();
    findingsSection();
    timeSection();
    widthSection();
    regimeSection();
    layersSection();
    sharpnessSection();
    biasVarianceSection();
    notesSection();
    return page();
  }

  // ---------------------------------------------------------------------------------------------
  // Sections

  private void cellsSection() {
    section("cells", "Cells");
    body.append("<table class=\"data\"><tr><th>cell</th><th>width N</th><th>γ0</th>")
        .append("<th>activation</th><th>dt</th><th>ensemble E</th><th>diverged</th>")
        .append("<th>final time t</th></tr>\n");
    for (ReportCell c : table.cells()) {
      Point last = anyLast(c);
      boolean diverged = last != null && last.diverged() > 0;
      body.append("<tr").append(diverged ? " class=\"warn\"" : "").append("><td>").append(c.cell())
          .append("</td><td>").append(c.width()).append("</td><td>")
          .append(escape(compact(c.gamma0()))).append("</td><td>").append(escape(c.activation()))
          .append("</td><td>").append(escape(compact(c.dt()))).append("</td><td>")
          .append(last == null || last.ensemble() < 0 ? Numbers.MISSING : last.ensemble())
          .append("</td><td>").append(last == null ? Numbers.MISSING : last.diverged())
          .append("</td><td>").append(last == null ? Numbers.MISSING : escape(sig(last.time())))
          .append("</td></tr>\n");
    }
    body.append("</table>\n");
  }

  private void findingsSection() {
    Map<List<Object>, List<ReportCell>> groups = group(c -> List.of(c.activation(), c.dt(),
        c.width()));
    List<List<ReportCell>> pairs = groups.values().stream()
        .filter(g -> distinct(g, ReportCell::gamma0) >= 2).toList();
    section("findings", "Findings: does feature learning lower N·Var?");
    if (pairs.isEmpty()) {
      paragraph("No width has cells at more than one γ0, so lazy and rich training cannot be"
          + " compared.");
      return;
    }
    paragraph("For each width, the cell with the largest γ0 (rich) against the one with the"
        + " smallest γ0 (lazy), at each cell's final recorded time. Measured: the change"
        + " Δ = N·Var(rich) − N·Var(lazy) with z = Δ / √(se_rich² + se_lazy²); a change counts as"
        + " resolved when |z| ≥ " + compact(FeatureLearningEffect.RESOLVED_Z) + ". Values are"
        + " means over entries with standard errors that bound the true ones from above (see"
        + " notes), so these |z| are conservative. Predicted: the same change in theory_nvar.");
    body.append("<table class=\"data findings\"><tr><th>width N</th><th>activation</th>")
        .append("<th>dt</th><th>observable</th><th>γ0 lazy → rich</th><th>final time t</th>")
        .append("<th>N·Var lazy</th><th>N·Var rich</th><th>Δ measured</th><th>z</th>")
        .append("<th>measured: feature learning</th><th>Δ predicted</th>")
        .append("<th>predicted: feature learning</th></tr>\n");
    for (List<ReportCell> cells : pairs) {
      ReportCell lazy = cells.stream().min(Comparator.comparingDouble(ReportCell::gamma0))
          .orElseThrow();
      ReportCell rich = cells.stream().max(Comparator.comparingDouble(ReportCell::gamma0))
          .orElseThrow();
      for (String observable : List.of(NTK, TEST)) {
        Point l = table.last(lazy, observable, Selection.ALL);
        Point r = table.last(rich, observable, Selection.ALL);
        if (l == null || r == null) {
          continue;
        }
        FeatureLearningEffect effect = FeatureLearningEffect.between(l, r);
        String times = l.time() == r.time() ? sig(l.time())
            : sig(l.time()) + " (lazy), " + sig(r.time()) + " (rich)";
        body.append("<tr data-width=\"").append(lazy.width()).append("\" data-observable=\"")
            .append(escape(observable)).append("\" data-measured=\"")
            .append(escape(effect.measuredVerdict())).append("\" data-predicted=\"")
            .append(escape(effect.predictedVerdict())).append("\">");
        cell(Integer.toString(lazy.width()));
        cell(lazy.activation());
        cell(compact(lazy.dt()));
        cell(describe(observable, Selection.ALL));
        cell(compact(lazy.gamma0()) + " → " + compact(rich.gamma0()));
        cell(times);
        cell(withError(l.nvar(), l.nvarSe()));
        cell(withError(r.nvar(), r.nvarSe()));
        cell(withError(effect.measured(), effect.measuredSe()));
        cell(sig(effect.z()));
        rawCell("<strong>" + escape(effect.measuredVerdict()) + "</strong>");
        cell(Double.isNaN(effect.predicted()) ? Numbers.MISSING
            : withError(effect.predicted(), effect.predictedSe()));
        cell(effect.predictedVerdict());
        body.append("</tr>\n");
      }
    }
    body.append("</table>\n");
  }

  private void timeSection() throws IOException {
    section("time", "N·Var against time, per cell");
    paragraph("Points: measured N·Var ± one standard error (nvar_se). Dashed lines: the theory's"
        + " N·Var (theory_nvar) where it has one.");
    for (ReportCell c : table.cells()) {
      List<String> images = new ArrayList<>();
      if (table.has(NTK)) {
        images.add(timeChart(c, NTK, "NTK K", List.of(Selection.FIRST, Selection.DIAGONAL,
            Selection.ALL)));
      }
      if (table.has(TEST)) {
        images.add(timeChart(c, TEST, "test predictions f", List.of(Selection.FIRST,
            Selection.ALL)));
      }
      images.removeIf(s -> s == null);
      if (!images.isEmpty()) {
        body.append("<h3>").append(escape(c.label())).append("</h3>\n");
        row(images);
      }
    }
  }

  private String timeChart(ReportCell c, String observable, String name,
      List<Selection> selections) throws IOException {
    List<Charts.Measured> measured = new ArrayList<>();
    List<Charts.Line> lines = new ArrayList<>();
    int colour = 0;
    for (Selection s : selections) {
      List<Point> points = table.series(c, observable, s);
      if (points.isEmpty()) {
        continue;
      }
      String label = s.describe(observable);
      Charts.Measured m = new Charts.Measured(label, colour);
      Charts.Line theory = new Charts.Line("theory, " + label, colour, true);
      for (Point p : points) {
        m.add(p.time(), p.nvar(), p.nvarSe());
        theory.add(p.time(), p.theoryNvar());
      }
      measured.add(m);
      lines.add(theory);
      colour++;
    }
    if (measured.isEmpty()) {
      return null;
    }
    String title = "N·Var of the " + name + ", " + c.label();
    JFreeChart chart = Charts.chart(title, Charts.NVAR_AXIS, true,
        new Charts.Panel(Charts.TIME_AXIS, measured, lines));
    return image("time-cell" + c.cell() + "-" + slug(observable), chart, title);
  }

  private void widthSection() throws IOException {
    Map<List<Object>, List<ReportCell>> groups = group(c -> List.of(c.activation(), c.gamma0(),
        c.dt()));
    List<List<ReportCell>> sweeps = groups.values().stream()
        .filter(g -> distinct(g, ReportCell::width) >= 2).toList();
    section("width", "N·Var against width at the final time");
    if (sweeps.isEmpty()) {
      paragraph("No γ0 has cells at more than one width.");
      return;
    }
    paragraph("Points: measured N·Var (mean over entries) ± one standard error at each cell's"
        + " final recorded time. Solid line: the weighted least-squares fit N·Var = a + b/N"
        + " (weights 1/nvar_se²); its intercept a is the infinite-width N·Var the theory predicts"
        + " (dotted line). Dashed line: theory_nvar.");
    List<String[]> fits = new ArrayList<>();
    int index = 0;
    for (List<ReportCell> cells : sweeps) {
      List<String> images = new ArrayList<>();
      for (String observable : List.of(NTK, TEST)) {
        String img = widthChart(index, cells, observable, Selection.ALL, false, fits);
        if (img != null) {
          images.add(img);
        }
      }
      if (!images.isEmpty()) {
        body.append("<h3>").append(escape(groupLabel(cells.get(0), false))).append("</h3>\n");
        row(images);
      }
      index++;
    }
    fitTable(fits, "N·Var");
  }

  /**
   * Plots one observable against width at each cell's final time with the a + b/N fit, and adds
   * the fit's row to {@code fits}. Fits the ensemble mean instead of N·Var when {@code ofMean}.
   */
  private String widthChart(int index, List<ReportCell> cells, String observable,
      Selection selection, boolean ofMean, List<String[]> fits) throws IOException {
    List<ReportCell> byWidth = new ArrayList<>(cells);
    byWidth.sort(Comparator.comparingInt(ReportCell::width));
    Charts.Measured measured = new Charts.Measured("measured, " + describe(observable, selection),
        0).unconnected();
    Charts.Line theory = new Charts.Line(ofMean ? "theory mean (N → ∞)" : "theory_nvar", 1, true);
    List<double[]> usable = new ArrayList<>();
    Set<String> times = new TreeSet<>();
    Point widest = null;
    for (ReportCell c : byWidth) {
      Point p = table.last(c, observable, selection);
      if (p == null) {
        continue;
      }
      double y = ofMean ? p.mean() : p.nvar();
      double se = ofMean ? p.meanSe() : p.nvarSe();
      measured.add(c.width(), y, se);
      theory.add(c.width(), ofMean ? p.theoryMean() : p.theoryNvar());
      times.add(sig(p.time()));
      if (Double.isFinite(y) && se > 0 && Double.isFinite(se)) {
        usable.add(new double[] {c.width(), y, se});
      }
      widest = p;
    }
    if (measured.points.size() < 2) {
      return null;
    }
    List<Charts.Line> lines = new ArrayList<>();
    lines.add(theory);
    InverseWidthFit fit = null;
    if (usable.stream().map(u -> u[0]).distinct().count() >= 2) {
      fit = InverseWidthFit.fit(column(usable, 0), column(usable, 1), column(usable, 2));
      Charts.Line curve = new Charts.Line("fit a + b/N", 0, false);
      double lo = byWidth.get(0).width();
      double hi = byWidth.get(byWidth.size() - 1).width();
      for (int k = 0; k <= 80; k++) {
        double n = lo * Math.pow(hi / lo, k / 80.0);
        curve.add(n, fit.valueAt(n));
      }
      lines.add(curve);
    }
    String quantity = ofMean ? "ensemble mean" : "N·Var";
    String title = quantity + " of " + describeObservable(observable) + " against width, "
        + groupLabel(byWidth.get(0), false);
    JFreeChart chart = Charts.chart(title, ofMean ? Charts.MEAN_AXIS : Charts.NVAR_AXIS, !ofMean,
        new Charts.Panel(Charts.WIDTH_AXIS, List.of(measured), lines));
    double theoryValue = widest == null ? Double.NaN
        : ofMean ? widest.theoryMean() : widest.theoryNvar();
    double theorySe = widest == null || ofMean ? 0 : widest.theoryNvarSe();
    if (fit != null) {
      Charts.markValue(chart, fit.intercept(), "a = " + withError(fit.intercept(),
          fit.interceptSe()));
      double z = (fit.intercept() - theoryValue)
          / Math.hypot(fit.interceptSe(), Double.isNaN(theorySe) ? 0 : theorySe);
      fits.add(new String[] {groupLabel(byWidth.get(0), false), describeObservable(observable)
          + ", " + selection.describe(observable), String.join(", ", times),
          Integer.toString(usable.size()), withError(fit.intercept(), fit.interceptSe()),
          withError(fit.slope(), fit.slopeSe()),
          sig(fit.chiSquared()) + " / " + fit.degreesOfFreedom(),
          withError(theoryValue, Double.isNaN(theoryValue) ? Double.NaN : theorySe), sig(z)});
    } else {
      fits.add(new String[] {groupLabel(byWidth.get(0), false), describeObservable(observable)
          + ", " + selection.describe(observable), String.join(", ", times),
          Integer.toString(usable.size()), "no fit: fewer than two widths with a positive"
          + " standard error", Numbers.MISSING, Numbers.MISSING, sig(theoryValue),
          Numbers.MISSING});
    }
    return image("width-" + index + "-" + slug(observable) + (ofMean ? "-mean" : ""), chart,
        title);
  }

  private void fitTable(List<String[]> fits, String quantity) {
    if (fits.isEmpty()) {
      return;
    }
    body.append("<table class=\"data fits\"><tr><th>cells</th><th>observable</th>")
        .append("<th>final time t</th><th>widths fitted</th><th>a (N → ∞) ± se</th>")
        .append("<th>b ± se</th><th>χ² / dof</th><th>theory</th>")
        .append("<th>z of a − theory</th></tr>\n");
    for (String[] f : fits) {
      body.append("<tr>");
      for (String v : f) {
        cell(v);
      }
      body.append("</tr>\n");
    }
    body.append("</table>\n<p class=\"note\">Fits of ").append(escape(quantity))
        .append(": the standard errors of a and b take nvar_se as known and are not rescaled by"
            + " χ²/dof; a χ² well above its degrees of freedom means a + b/N does not describe"
            + " these widths. The theory column is the value at the largest width.</p>\n");
  }

  private void regimeSection() throws IOException {
    Map<List<Object>, List<ReportCell>> groups = group(c -> List.of(c.activation(), c.dt(),
        c.width()));
    List<List<ReportCell>> pairs = groups.values().stream()
        .filter(g -> distinct(g, ReportCell::gamma0) >= 2).toList();
    if (pairs.isEmpty()) {
      return; // findings already says there is nothing to compare
    }
    section("lazy-rich", "Lazy against rich at the same width");
    paragraph("Each row: the cells of one width, γ0 increasing left to right, on one shared"
        + " N·Var axis. Points ± one standard error; dashed: theory_nvar.");
    int index = 0;
    for (List<ReportCell> cells : pairs) {
      List<ReportCell> byGamma = new ArrayList<>(cells);
      byGamma.sort(Comparator.comparingDouble(ReportCell::gamma0));
      List<String> images = new ArrayList<>();
      for (String observable : List.of(NTK, TEST)) {
        List<Charts.Panel> panels = new ArrayList<>();
        for (int k = 0; k < byGamma.size(); k++) {
          ReportCell c = byGamma.get(k);
          String regime = k == 0 ? " (lazy)" : k == byGamma.size() - 1 ? " (rich)" : "";
          Charts.Measured m = new Charts.Measured("measured, "
              + describe(observable, Selection.ALL), 0);
          Charts.Line theory = new Charts.Line("theory_nvar", 0, true);
          for (Point p : table.series(c, observable, Selection.ALL)) {
            m.add(p.time(), p.nvar(), p.nvarSe());
            theory.add(p.time(), p.theoryNvar());
          }
          panels.add(new Charts.Panel(Charts.TIME_AXIS + ", " + Charts.GAMMA0_AXIS + " = "
              + compact(c.gamma0()) + regime, List.of(m), List.of(theory)));
        }
        if (panels.stream().allMatch(p -> p.measured().get(0).points.isEmpty())) {
          continue;
        }
        String title = "N·Var of " + describeObservable(observable) + ", "
            + groupLabel(byGamma.get(0), true) + ": lazy against rich";
        JFreeChart chart = Charts.sideBySide(title, Charts.NVAR_AXIS, true, panels);
        images.add(image("regimes-" + index + "-" + slug(observable), chart, title,
            Math.max(Charts.WIDTH_PX, 380 * panels.size()), Charts.HEIGHT_PX));
      }
      if (!images.isEmpty()) {
        body.append("<h3>").append(escape(groupLabel(byGamma.get(0), true))).append("</h3>\n");
        for (String img : images) {
          row(List.of(img));
        }
      }
      index++;
    }
  }

  private void layersSection() throws IOException {
    List<String> layered = table.observables().stream().filter(o -> LAYERED.matcher(o).matches())
        .sorted(Comparator.comparing((String o) -> layerBase(o)).thenComparingInt(
            ReportPage::layerIndex)).toList();
    if (layered.isEmpty()) {
      return;
    }
    section("layers", "Deep layers");
    paragraph("N·Var of each layer's kernels (mean over entries) against time, per cell; dashed:"
        + " theory_nvar.");
    for (ReportCell c : table.cells()) {
      String img = multiObservableChart(c, layered, "layers-cell" + c.cell(),
          "N·Var per layer, " + c.label(), false);
      if (img != null) {
        body.append("<h3>").append(escape(c.label())).append("</h3>\n");
        row(List.of(img));
      }
    }
  }

  private void sharpnessSection() throws IOException {
    List<String> sharp = table.observables().stream()
        .filter(o -> SHARPNESS.matcher(o).matches()).toList();
    if (sharp.isEmpty()) {
      return;
    }
    section("sharpness", "Sharpness");
    paragraph("Left: the ensemble mean ± standard error (dashed: the infinite-width theory)."
        + " Right: N·Var ± standard error (dashed: theory_nvar).");
    for (ReportCell c : table.cells()) {
      String mean = multiObservableChart(c, sharp, "sharpness-mean-cell" + c.cell(),
          "sharpness, ensemble mean, " + c.label(), true);
      String nvar = multiObservableChart(c, sharp, "sharpness-nvar-cell" + c.cell(),
          "N·Var of sharpness, " + c.label(), false);
      List<String> images = new ArrayList<>();
      if (mean != null) {
        images.add(mean);
      }
      if (nvar != null) {
        images.add(nvar);
      }
      if (!images.isEmpty()) {
        body.append("<h3>").append(escape(c.label())).append("</h3>\n");
        row(images);
      }
    }
  }

  private void biasVarianceSection() throws IOException {
    List<String> terms = table.observables().stream()
        .filter(o -> !KNOWN.contains(o) && BIAS_VARIANCE.matcher(o).matches()).toList();
    if (terms.isEmpty()) {
      return;
    }
    section("bias-variance", "Bias and variance of test predictions");
    paragraph("The ensemble's bias² and variance terms (ensemble mean ± standard error) at each"
        + " cell's final time against width, with the fit a + b/N whose intercept is the"
        + " infinite-width value, and against time per cell.");
    Map<List<Object>, List<ReportCell>> groups = group(c -> List.of(c.activation(), c.gamma0(),
        c.dt()));
    List<String[]> fits = new ArrayList<>();
    int index = 0;
    for (List<ReportCell> cells : groups.values()) {
      List<String> images = new ArrayList<>();
      if (distinct(cells, ReportCell::width) >= 2) {
        for (String term : terms) {
          String img = widthChart(index, cells, term, Selection.ALL, true, fits);
          if (img != null) {
            images.add(img);
          }
        }
      }
      for (ReportCell c : cells) {
        String img = multiObservableChart(c, terms, "bias-variance-cell" + c.cell(),
            "bias and variance, " + c.label(), true);
        if (img != null) {
          images.add(img);
        }
      }
      if (!images.isEmpty()) {
        body.append("<h3>").append(escape(groupLabel(cells.get(0), false))).append("</h3>\n");
        row(images);
      }
      index++;
    }
    fitTable(fits, "the ensemble means (weights 1/mean_se²)");
  }

  private void notesSection() {
    section("notes", "Notes");
    boolean missingTheory = false;
    for (ReportCell c : table.cells()) {
      for (String o : List.of(NTK, TEST)) {
        Point p = table.last(c, o, Selection.ALL);
        missingTheory |= p != null && !p.hasTheoryNvar();
      }
    }
    Set<String> unknown = new TreeSet<>();
    for (String o : table.observables()) {
      boolean shown = KNOWN.contains(o) || LAYERED.matcher(o).matches()
          || SHARPNESS.matcher(o).matches() || BIAS_VARIANCE.matcher(o).matches();
      if (!shown) {
        unknown.add(o);
      }
    }
    body.append("<ul>\n");
    item("Source: " + sourceLabel + " (" + table.rows() + " rows). Every number here is in it.");
    item("Means over entries: the error bars and standard errors of a mean over entries are the"
        + " mean of the entries' standard errors. Entries of one network are correlated, and"
        + " this bounds the standard error of their mean from above whatever the correlation.");
    if (missingTheory) {
      item("Some cells have no N·Var prediction (theory_nvar empty, theory_nvar_method none):"
          + " their plots show no dashed line and their predicted change is \"no prediction\".");
    }
    item("Observables not plotted here but in summary.csv: loss, prediction_train,"
        + " ntk_train_test, feature_kernel, gradient_kernel.");
    if (!unknown.isEmpty()) {
      item("Observables this report does not know, left out: " + String.join(", ", unknown)
          + ".");
    }
    body.append("</ul>\n");
  }

  // ---------------------------------------------------------------------------------------------
  // Pieces

  /** One chart per cell with a series per observable (mean over entries), or null if none. */
  private String multiObservableChart(ReportCell c, List<String> observables, String name,
      String title, boolean ofMean) throws IOException {
    List<Charts.Measured> measured = new ArrayList<>();
    List<Charts.Line> lines = new ArrayList<>();
    int colour = 0;
    for (String o : observables) {
      List<Point> points = table.series(c, o, Selection.ALL);
      if (points.isEmpty()) {
        continue;
      }
      Charts.Measured m = new Charts.Measured(o, colour);
      Charts.Line theory = new Charts.Line("theory, " + o, colour, true);
      for (Point p : points) {
        m.add(p.time(), ofMean ? p.mean() : p.nvar(), ofMean ? p.meanSe() : p.nvarSe());
        theory.add(p.time(), ofMean ? p.theoryMean() : p.theoryNvar());
      }
      measured.add(m);
      lines.add(theory);
      colour++;
    }
    if (measured.isEmpty()) {
      return null;
    }
    JFreeChart chart = Charts.chart(title, ofMean ? Charts.MEAN_AXIS : Charts.NVAR_AXIS, !ofMean,
        new Charts.Panel(Charts.TIME_AXIS, measured, lines));
    return image(name, chart, title);
  }

  private String image(String name, JFreeChart chart, String alt) throws IOException {
    return image(name, chart, alt, Charts.WIDTH_PX, Charts.HEIGHT_PX);
  }

  /** Renders the chart to {@code <name>.png} and returns its {@code <img>} element. */
  private String image(String name, JFreeChart chart, String alt, int widthPx, int heightPx)
      throws IOException {
    String file = name + ".png";
    if (!imagesWritten.add(file)) {
      throw new IllegalStateException("two plots named " + file);
    }
    Charts.writePng(chart, fs, new Path(imagesDir, file), widthPx, heightPx);
    return "<img src=\"" + escape(imagesHref + "/" + file) + "\" alt=\"" + escape(alt)
        + "\" width=\"" + widthPx + "\" height=\"" + heightPx + "\">";
  }

  private void row(List<String> images) {
    body.append("<div class=\"row\">");
    images.forEach(body::append);
    body.append("</div>\n");
  }

  private void section(String id, String title) {
    contents.put(id, title);
    body.append("<h2 id=\"").append(escape(id)).append("\">").append(escape(title))
        .append("</h2>\n");
  }

  private void paragraph(String text) {
    body.append("<p>").append(escape(text)).append("</p>\n");
  }

  private void item(String text) {
    body.append("<li>").append(escape(text)).append("</li>\n");
  }

  private void cell(String text) {
    rawCell(escape(text));
  }

  private void rawCell(String html) {
    body.append("<td>").append(html).append("</td>");
  }

  private String page() {
    StringBuilder html = new StringBuilder(body.length() + 4096);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>finite-width sweep report</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:1.5em auto;max-width:1500px;padding:0 1em;")
        .append("color:#222}\n")
        .append("h2{border-bottom:1px solid #ccc;margin-top:2em}\n")
        .append(".row{display:flex;flex-wrap:wrap;gap:12px;margin:.5em 0}\n")
        .append(".row img{width:calc(50% - 8px);min-width:480px;max-width:100%;height:auto;")
        .append("border:1px solid #eee}\n.row img:only-child{width:auto}\n")
        .append("table.data{border-collapse:collapse;font-size:.9em;margin:.5em 0}\n")
        .append("table.data td,table.data th{border:1px solid #ccc;padding:3px 7px;")
        .append("text-align:right}\n")
        .append("table.data th{background:#f3f3f3}\ntr.warn{background:#fff0e0}\n")
        .append(".note{font-size:.9em;color:#555}\nnav li{display:inline;margin-right:1em}\n")
        .append("</style>\n</head>\n<body>\n<h1>finite-width sweep report</h1>\n")
        .append("<p>N·Var (width × ensemble variance) of the NTK and of test predictions,")
        .append(" measured over ensembles of finite-width networks, beside the theory's")
        .append(" prediction, from ").append(escape(sourceLabel)).append(".</p>\n<nav><ul>");
    for (Map.Entry<String, String> e : contents.entrySet()) {
      html.append("<li><a href=\"#").append(escape(e.getKey())).append("\">")
          .append(escape(e.getValue())).append("</a></li>");
    }
    html.append("</ul></nav>\n").append(body).append(IMAGE_CHECK).append("</body>\n</html>\n");
    return html.toString();
  }

  /**
   * Marks {@code <body data-images-loaded="true|false">} once the page has loaded, so that a
   * headless browser can tell whether every plot was found and decoded.
   */
  static final String IMAGE_CHECK = """
      <script>
      window.addEventListener('load', function () {
        var images = document.images, loaded = 0;
        for (var k = 0; k < images.length; k++) {
          if (images[k].complete && images[k].naturalWidth > 0) {
            loaded++;
          }
        }
        document.body.setAttribute('data-images-count', loaded + '/' + images.length);
        document.body.setAttribute('data-images-loaded',
            loaded === images.length ? 'true' : 'false');
      });
      </script>
      """;

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private Point anyLast(ReportCell c) {
    for (String o : List.of(NTK, TEST, "loss")) {
      Point p = table.last(c, o, Selection.ALL);
      if (p != null) {
        return p;
      }
    }
    for (String o : table.observables()) {
      Point p = table.last(c, o, Selection.ALL);
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  private Map<List<Object>, List<ReportCell>> group(Function<ReportCell, List<Object>> key) {
    Map<List<Object>, List<ReportCell>> groups = new LinkedHashMap<>();
    for (ReportCell c : table.cells()) {
      groups.computeIfAbsent(key.apply(c), k -> new ArrayList<>()).add(c);
    }
    return groups;
  }

  private static <T> long distinct(List<ReportCell> cells, Function<ReportCell, T> f) {
    return cells.stream().map(f).distinct().count();
  }

  /** e.g. "γ0 = 1, tanh, dt = 0.5" (all widths) or "N = 256, tanh, dt = 0.5" (all γ0). */
  private static String groupLabel(ReportCell c, boolean byWidth) {
    StringBuilder s = new StringBuilder(byWidth ? "N = " + c.width()
        : "γ0 = " + compact(c.gamma0()));
    if (!c.activation().isEmpty()) {
      s.append(", ").append(c.activation());
    }
    if (!Double.isNaN(c.dt())) {
      s.append(", dt = ").append(compact(c.dt()));
    }
    return s.toString();
  }

  private static String describeObservable(String observable) {
    return switch (observable) {
      case NTK -> "the NTK";
      case TEST -> "test predictions";
      default -> observable;
    };
  }

  private static String describe(String observable, Selection s) {
    return describeObservable(observable) + ", " + s.describe(observable);
  }

  private static String slug(String observable) {
    String s = observable.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]+", "-");
    s = s.replaceAll("^-+|-+$", "");
    if (s.equals(observable)) {
      return s;
    }
    // Distinct names that slug alike keep distinct files through a short hash of the original.
    return (s.isEmpty() ? "obs" : s) + "-" + Integer.toHexString(observable.hashCode() & 0xfffff);
  }

  private static String layerBase(String observable) {
    Matcher m = LAYERED.matcher(observable);
    return m.matches() ? m.group(1) : observable;
  }

  private static int layerIndex(String observable) {
    Matcher m = LAYERED.matcher(observable);
    try {
      return m.matches() ? Integer.parseInt(m.group(2)) : 0;
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE; // absurdly many digits: sort last
    }
  }

  private static double[] column(List<double[]> rows, int c) {
    return rows.stream().mapToDouble(r -> r[c]).toArray();
  }
}
