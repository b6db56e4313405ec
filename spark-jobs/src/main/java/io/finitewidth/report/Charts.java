package io.finitewidth.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The report's plots: measured values with ± one standard error as points with error bars,
 * theory and fits as lines in the same colour. Axis labels use the project's words.
 */
final class Charts {
  static final String TIME_AXIS = "time t (units of dt·steps)";
  static final String WIDTH_AXIS = "width N";
  static final String GAMMA0_AXIS = "γ0";
  static final String NVAR_AXIS = "N·Var";
  static final String MEAN_AXIS = "ensemble mean";

  static final int WIDTH_PX = 720;
  static final int HEIGHT_PX = 440;

  private static final Paint[] PALETTE = {
      new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd),
      new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
      new Color(0x7f7f7f), new Color(0xbcbd22)};
  private static final Stroke MEASURED_STROKE = new BasicStroke(1.0f);
  private static final Stroke THEORY_STROKE = new BasicStroke(2.0f, BasicStroke.CAP_BUTT,
      BasicStroke.JOIN_ROUND, 1.0f, new float[] {7f, 4f}, 0f);
  private static final String KEY_COUNTER = " #";
  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);

  private Charts() {}

  /** Measured points with standard errors (NaN: no bar); a NaN value leaves the point out. */
  static final class Measured {
    final String label;
    final int colour;
    final List<double[]> points = new ArrayList<>();
    private boolean connected = true;

    Measured(String label, int colour) {
      this.label = label;
      this.colour = colour;
    }

    /** Draws the points without a line joining them (when a fitted line goes through them). */
    Measured unconnected() {
      connected = false;
      return this;
    }

    Measured add(double x, double y, double se) {
      if (Double.isFinite(x) && Double.isFinite(y)) {
        points.add(new double[] {x, y, se});
      }
      return this;
    }
  }

  /** A line, drawn dashed (theory) or solid (fit). Points with a NaN value are left out. */
  static final class Line {
    final String label;
    final int colour;
    final boolean dashed;
    final List<double[]> points = new ArrayList<>();

    Line(String label, int colour, boolean dashed) {
      this.label = label;
      this.colour = colour;
      this.dashed = dashed;
    }

    Line add(double x, double y) {
      if (Double.isFinite(x) && Double.isFinite(y)) {
        points.add(new double[] {x, y});
      }
      return this;
    }

    boolean isEmpty() {
      return points.isEmpty();
    }
  }

  /** One panel's content: its horizontal axis label, measured series and lines. */
  record Panel(String xLabel, List<Measured> measured, List<Line> lines) {}

  /** A single plot. */
  static JFreeChart chart(String title, String yLabel, boolean includeZero, Panel panel) {
    NumberAxis y = new NumberAxis(yLabel);
    y.setAutoRangeIncludesZero(includeZero);
    XYPlot plot = plot(panel, y);
    return finish(new JFreeChart(title, TITLE_FONT, plot, true));
  }

  /** Panels side by side sharing one vertical axis, so that their values compare by eye. */
  static JFreeChart sideBySide(String title, String yLabel, boolean includeZero,
      List<Panel> panels) {
    NumberAxis y = new NumberAxis(yLabel);
    y.setAutoRangeIncludesZero(includeZero);
    CombinedRangeXYPlot combined = new CombinedRangeXYPlot(y);
    combined.setGap(14);
    for (Panel p : panels) {
      combined.add(plot(p, null), 1);
    }
    JFreeChart chart = finish(new JFreeChart(title, TITLE_FONT, combined, true));
    // Every panel has the same kinds of series: list them once, not once per panel.
    if (!panels.isEmpty()) {
      combined.setFixedLegendItems(combined.getSubplots().get(0).getLegendItems());
    }
    return chart;
  }

  /** Draws a horizontal line at y with a label, e.g. a fit's infinite-width intercept. */
  static void markValue(JFreeChart chart, double y, String label) {
    if (!Double.isFinite(y) || !(chart.getPlot() instanceof XYPlot plot)) {
      return;
    }
    ValueMarker marker = new ValueMarker(y, Color.GRAY, new BasicStroke(1.0f,
        BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1.0f, new float[] {2f, 3f}, 0f));
    marker.setLabel(label);
    marker.setLabelOffset(new RectangleInsets(2, 6, 2, 6));
    marker.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.BOTTOM_RIGHT);
    marker.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_RIGHT);
    plot.addRangeMarker(marker);
  }

  /** Renders the chart to a PNG file on the path's file system, replacing any older file. */
  static void writePng(JFreeChart chart, FileSystem fs, Path file, int widthPx, int heightPx)
      throws IOException {
    try (OutputStream out = fs.create(file, true)) {
      ChartUtils.writeChartAsPNG(out, chart, widthPx, heightPx);
    }
  }

  private static XYPlot plot(Panel panel, NumberAxis rangeAxis) {
    NumberAxis x = new NumberAxis(panel.xLabel());
    x.setAutoRangeIncludesZero(false);
    XYPlot plot = new XYPlot();
    plot.setDomainAxis(x);
    if (rangeAxis != null) {
      plot.setRangeAxis(rangeAxis);
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdddddd));
    plot.setRangeGridlinePaint(new Color(0xdddddd));

    YIntervalSeriesCollection measured = new YIntervalSeriesCollection();
    XYErrorRenderer bars = new XYErrorRenderer();
    bars.setDrawXError(false);
    bars.setDefaultLinesVisible(true);
    bars.setDefaultShapesVisible(true);
    bars.setCapLength(5);
    int k = 0;
    for (Measured m : panel.measured()) {
      if (m.points.isEmpty()) {
        continue;
      }
      YIntervalSeries s = new YIntervalSeries(m.label + KEY_COUNTER + k, false, true);
      for (double[] p : m.points) {
        double se = Double.isFinite(p[2]) ? p[2] : 0;
        s.add(p[0], p[1], p[1] - se, p[1] + se);
      }
      measured.addSeries(s);
      Paint paint = PALETTE[m.colour % PALETTE.length];
      bars.setSeriesPaint(k, paint);
      bars.setSeriesStroke(k, MEASURED_STROKE);
      bars.setSeriesLinesVisible(k, m.connected);
      bars.setSeriesShape(k, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
      k++;
    }
    plot.setDataset(0, measured);
    plot.setRenderer(0, bars);

    XYSeriesCollection lines = new XYSeriesCollection();
    XYLineAndShapeRenderer lineRenderer = new XYLineAndShapeRenderer(true, false);
    int n = 0;
    for (Line line : panel.lines()) {
      if (line.isEmpty()) {
        continue;
      }
      XYSeries s = new XYSeries(line.label + KEY_COUNTER + n, true, true);
      for (double[] p : line.points) {
        s.add(p[0], p[1]);
      }
      lines.addSeries(s);
      lineRenderer.setSeriesPaint(n, PALETTE[line.colour % PALETTE.length]);
      lineRenderer.setSeriesStroke(n, line.dashed ? THEORY_STROKE : new BasicStroke(2.0f));
      n++;
    }
    plot.setDataset(1, lines);
    plot.setRenderer(1, lineRenderer);
    return plot;
  }

  private static JFreeChart finish(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    LegendTitle legend = chart.getLegend();
    if (legend != null) {
      legend.setPosition(RectangleEdge.BOTTOM);
      legend.setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    }
    TextTitle title = chart.getTitle();
    if (title != null) {
      title.setMaximumLinesToDisplay(2);
    }
    for (XYPlot plot : plots(chart)) {
      for (int r = 0; r < plot.getRendererCount(); r++) {
        if (plot.getRenderer(r) != null) {
          plot.getRenderer(r).setLegendItemLabelGenerator(
              (dataset, series) -> stripCounter(dataset.getSeriesKey(series).toString()));
        }
      }
    }
    return chart;
  }

  private static List<XYPlot> plots(JFreeChart chart) {
    if (chart.getPlot() instanceof CombinedRangeXYPlot combined) {
      return combined.getSubplots();
    }
    return chart.getPlot() instanceof XYPlot plot ? List.of(plot) : List.of();
  }

  /** Series keys must be unique within a dataset; the legend shows them without the counter. */
  static String stripCounter(String key) {
    int at = key.lastIndexOf(KEY_COUNTER);
    return at >= 0 ? key.substring(0, at) : key;
  }
}
