package io.finitewidth.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html rendered from a synthetic summary.csv with known numbers. */
class SweepReportTest {
  private static final Pattern IMG_SRC = Pattern.compile("<img [^>]*src=\"([^\"]*)\"");

  @TempDir Path dir;

  static String render(Path dir) throws IOException {
    org.apache.hadoop.fs.Path written = SweepReport.write(dir.toString(), new Configuration());
    Path html = dir.resolve(SweepReport.REPORT_HTML);
    assertEquals(html.toUri().getPath(), written.toUri().getPath());
    return Files.readString(html, StandardCharsets.UTF_8);
  }

  static List<String> imageSources(String html) {
    List<String> sources = new ArrayList<>();
    Matcher m = IMG_SRC.matcher(html);
    while (m.find()) {
      sources.add(m.group(1));
    }
    return sources;
  }

  @Test
  void twoLayerSweep_hasTheSectionsAndEveryImageIsAPngOnDisk() throws IOException {
    SyntheticSummary.twoLayer().writeTo(dir);
    String html = render(dir);

    for (String id : List.of("cells", "findings", "time", "width", "lazy-rich", "notes")) {
      assertTrue(html.contains("<h2 id=\"" + id + "\">"), "section " + id);
    }
    for (String id : List.of("layers", "sharpness", "bias-variance")) {
      assertFalse(html.contains("id=\"" + id + "\""), "no " + id + " observables, no section");
    }
    List<String> sources = imageSources(html);
    // 6 cells × (NTK, test) against time, 2 γ0 × 2 against width, 3 widths × 2 lazy-vs-rich.
    assertEquals(6 * 2 + 2 * 2 + 3 * 2, sources.size(), String.join("\n", sources));
    for (String src : sources) {
      assertTrue(src.startsWith(SweepReport.IMAGES_DIR + "/") && !src.contains(":"),
          "a relative link into report/: " + src);
      Path png = dir.resolve(src);
      assertTrue(Files.isRegularFile(png), "missing " + png);
      BufferedImage image = ImageIO.read(png.toFile());
      assertNotNull(image, "not a readable image: " + png);
      assertTrue(image.getWidth() > 100 && image.getHeight() > 100, src);
    }
    try (Stream<Path> files = Files.list(dir.resolve(SweepReport.IMAGES_DIR))) {
      assertEquals(sources.size(), files.filter(p -> p.toString().endsWith(".png")).count(),
          "exactly the plots the page shows");
    }
    assertFalse(html.contains("http://") || html.contains("https://"), "no external URLs");
    assertTrue(html.contains("data-images-loaded"), "the image check is in the page");
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("_report")),
          "no temporary file left");
    }
  }

  @Test
  void findings_sayFeatureLearningLoweredTheNtkAndLeftTestPredictions() throws IOException {
    SyntheticSummary.twoLayer().writeTo(dir);
    String html = render(dir);
    for (int width : SyntheticSummary.WIDTHS) {
      // NTK: rich − lazy = −1 with se √2·0.05, z ≈ −14; the rich cells have no theory_nvar.
      assertTrue(html.contains("<tr data-width=\"" + width + "\" data-observable=\"ntk\""
          + " data-measured=\"lowered\" data-predicted=\"no prediction\">"), "NTK at " + width);
      assertTrue(html.contains("<tr data-width=\"" + width + "\" data-observable="
          + "\"prediction_test\" data-measured=\"no resolved change\""), "test at " + width);
    }
    // N·Var = 2 + 8/N exactly at the lazy cells: the fit's intercept is 2 and agrees with theory.
    assertTrue(html.contains("<td>2 ± "), "intercept of the lazy NTK fit");
    assertTrue(html.contains("<td>8 ± "), "slope of the lazy NTK fit");
  }

  @Test
  void optionalObservables_addTheirSectionsAndUnknownNamesAreEscaped() throws IOException {
    String odd = "<b>&odd'\"name";
    SyntheticSummary.twoLayer().withOptionalObservables(odd).writeTo(dir);
    String html = render(dir);
    for (String id : List.of("layers", "sharpness", "bias-variance")) {
      assertTrue(html.contains("<h2 id=\"" + id + "\">"), "section " + id);
    }
    assertFalse(html.contains(odd), "raw name in the page");
    assertFalse(html.contains("<b>"), "markup from the summary in the page");
    assertTrue(html.contains("&lt;b&gt;&amp;odd&#39;&quot;name"), "escaped in the notes");
    for (String src : imageSources(html)) {
      assertTrue(Files.isRegularFile(dir.resolve(src)), "missing " + src);
    }
    assertTrue(imageSources(html).stream().anyMatch(s -> s.contains("layers-cell0")));
    assertTrue(imageSources(html).stream().anyMatch(s -> s.contains("sharpness-nvar-cell5")));
  }

  @Test
  void aFailedReport_leavesThePreviousReportWhole() throws IOException {
    SyntheticSummary.twoLayer().writeTo(dir);
    String before = render(dir);
    Path stale = dir.resolve(SweepReport.IMAGES_DIR).resolve("from-an-older-report.png");
    Files.write(stale, new byte[] {1});

    String csv = Files.readString(dir.resolve("summary.csv"));
    Files.writeString(dir.resolve("summary.csv"), csv + "0,64,0.1,tanh,0.5,30,15.0,ntk,0,0,40,0,"
        + "1.0,0.01,not-a-number,0.05,,,,,,,,none,none\n");
    IOException e = assertThrows(IOException.class,
        () -> SweepReport.write(dir.toString(), new Configuration()));
    assertTrue(e.getMessage().contains("nvar") && e.getMessage().contains("not-a-number"),
        e.getMessage());
    assertEquals(before, Files.readString(dir.resolve(SweepReport.REPORT_HTML)));

    Files.writeString(dir.resolve("summary.csv"), csv);
    render(dir);
    assertFalse(Files.exists(stale), "plots no page shows are removed");
  }

  @Test
  void noSummary_isReportedAndWritesNothing() {
    FileNotFoundException e = assertThrows(FileNotFoundException.class,
        () -> SweepReport.write(dir.toString(), new Configuration()));
    assertTrue(e.getMessage().contains("summary.csv"), e.getMessage());
    assertFalse(Files.exists(dir.resolve(SweepReport.REPORT_HTML)));
  }

  @Test
  void missingRequiredColumn_isNamed() throws IOException {
    Files.writeString(dir.resolve("summary.csv"), "cell,width,gamma0,step,time,observable,nvar\n"
        + "0,64,0.1,0,0.0,ntk,1.0\n");
    IOException e = assertThrows(IOException.class,
        () -> SweepReport.write(dir.toString(), new Configuration()));
    assertTrue(e.getMessage().contains("'nvar_se'"), e.getMessage());
  }
}
