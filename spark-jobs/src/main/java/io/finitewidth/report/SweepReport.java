package io.finitewidth.report;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * The HTML report of a finished sweep: reads {@code summary.csv} in the sweep's output directory
 * and writes {@code report.html} beside it, with its PNG plots in {@code report/}. The page
 * refers to its plots by relative paths only and loads nothing else, so it opens from disk.
 *
 * <p>The directory may be on any Hadoop file system ({@code file://}, {@code hdfs://},
 * {@code s3a://}, or a plain local path). {@code report.html} is written to a temporary file and
 * renamed over the old one only when complete: a report that fails leaves the previous
 * {@code report.html} (or none) and no partial file. Plots left from an earlier report that
 * the new one does not use are removed after the rename.
 */
public final class SweepReport {
  /** The summary the report reads, in the output directory. */
  public static final String SUMMARY_CSV = "summary.csv";
  /** The page it writes, in the output directory. */
  public static final String REPORT_HTML = "report.html";
  /** The folder of its plots, in the output directory. */
  public static final String IMAGES_DIR = "report";
  private static final String TEMP_PREFIX = "_report.html.tmp-";

  private SweepReport() {}

  /**
   * Writes {@code report.html} and {@code report/*.png} for the sweep whose results are in
   * {@code outputDir}. Needs no Spark and no display (plots render headless).
   *
   * @param outputDir the sweep's output directory, holding {@code summary.csv}
   * @param conf the Hadoop configuration for the directory's file system
   * @return the path of the written {@code report.html}
   * @throws FileNotFoundException when the directory has no {@code summary.csv}
   * @throws IOException when the summary is malformed (naming the row and column) or a file
   *     cannot be written; the previous {@code report.html}, if any, is then left as it was
   */
  public static Path write(String outputDir, Configuration conf) throws IOException {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true"); // plots need no display
    }
    Path root = new Path(outputDir);
    FileSystem fs = root.getFileSystem(conf);
    Path csv = new Path(root, SUMMARY_CSV);
    if (!fs.exists(csv)) {
      throw new FileNotFoundException("report: no " + SUMMARY_CSV + " in '" + root
          + "'; a report needs the output directory of a finished sweep");
    }
    SummaryTable table = SummaryTable.read(csv, conf);

    Path images = new Path(root, IMAGES_DIR);
    fs.mkdirs(images);
    ReportPage page = new ReportPage(table, fs, images, IMAGES_DIR, SUMMARY_CSV);
    String html = page.render();

    Path target = new Path(root, REPORT_HTML);
    Path temp = new Path(root, TEMP_PREFIX + UUID.randomUUID());
    try {
      try (OutputStream out = fs.create(temp, false)) {
        out.write(html.getBytes(StandardCharsets.UTF_8));
      }
      FileContext context = FileContext.getFileContext(fs.getUri(), conf);
      context.rename(fs.makeQualified(temp), fs.makeQualified(target),
          Options.Rename.OVERWRITE);
    } finally {
      if (fs.exists(temp)) {
        fs.delete(temp, false);
      }
    }
    removeStalePlots(fs, images, page.imagesWritten());
    return fs.makeQualified(target);
  }

  private static void removeStalePlots(FileSystem fs, Path images, Set<String> keep)
      throws IOException {
    for (FileStatus f : fs.listStatus(images)) {
      String name = f.getPath().getName();
      if (f.isFile() && name.endsWith(".png") && !keep.contains(name)) {
        fs.delete(f.getPath(), false);
      }
    }
  }
}
