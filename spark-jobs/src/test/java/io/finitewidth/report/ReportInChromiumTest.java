package io.finitewidth.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens report.html from disk in headless Chromium and reads back the page's own check that
 * every image loaded and decoded ({@code <body data-images-loaded>}). Chromium comes from
 * {@code .ci/install-chromium}; without it the test is skipped, saying so.
 */
@Tag("slow")
class ReportInChromiumTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Pattern LOADED = Pattern.compile("<body[^>]*data-images-loaded=\"(\\w+)\"");
  private static final Pattern COUNT = Pattern.compile("data-images-count=\"(\\d+)/(\\d+)\"");

  @TempDir Path dir;

  @Test
  void everyImageLoads_andAMissingOneIsNoticed() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "skipped: " + CHROMIUM + " is absent; run"
        + " .ci/install-chromium (Debian's chromium package) to check the report in a browser");
    Path out = Files.createDirectories(dir.resolve("sweep"));
    SyntheticSummary.twoLayer().withOptionalObservables("unknown_thing").writeTo(out);
    String html = SweepReportTest.render(out);
    int images = SweepReportTest.imageSources(html).size();
    assertTrue(images > 20, "images in the page: " + images);

    String dom = dumpDom(out.resolve(SweepReport.REPORT_HTML));
    assertEquals("true", attribute(LOADED, dom), "data-images-loaded");
    Matcher count = COUNT.matcher(dom);
    assertTrue(count.find(), "data-images-count in the dumped DOM");
    assertEquals(images, Integer.parseInt(count.group(1)), "images loaded");
    assertEquals(images, Integer.parseInt(count.group(2)), "images in the DOM");

    // The check must be able to fail: without one plot the page says so.
    String first = SweepReportTest.imageSources(html).get(0);
    Files.delete(out.resolve(first));
    String broken = dumpDom(out.resolve(SweepReport.REPORT_HTML));
    assertEquals("false", attribute(LOADED, broken), "a missing plot goes unnoticed");
  }

  private static String attribute(Pattern p, String dom) {
    Matcher m = p.matcher(dom);
    assertTrue(m.find(), "no " + p + " in the dumped DOM:\n"
        + dom.substring(0, Math.min(dom.length(), 2000)));
    return m.group(1);
  }

  /** Runs Chromium headless on a file URL and returns the DOM after the page has loaded. */
  private String dumpDom(Path page) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    Path stdout = dir.resolve("chromium.out");
    Path stderr = dir.resolve("chromium.err");
    List<String> command = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-default-apps",
        "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom",
        page.toUri().toString());
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    pb.environment().put("HOME", profile.toString());
    Process chromium = pb.start();
    if (!chromium.waitFor(120, TimeUnit.SECONDS)) {
      chromium.destroyForcibly();
      chromium.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("chromium did not finish in 120 s; stderr:\n" + tail(stderr));
    }
    assertEquals(0, chromium.exitValue(), "chromium exit status; stderr:\n" + tail(stderr));
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  private static String tail(Path file) throws IOException {
    String s = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
  }
}
