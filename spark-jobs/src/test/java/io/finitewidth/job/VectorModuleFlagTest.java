package io.finitewidth.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM started without --add-modules=jdk.incubator.vector cannot run the default trainer: the
 * run must stop before it writes anything, with a message naming the flag.
 */
class VectorModuleFlagTest {
  @TempDir Path dir;

  @Test
  void runWithoutTheVectorModuleFailsFirstNamingTheFlag() throws Exception {
    Path sweep = dir.resolve("tiny.yaml");
    Files.writeString(sweep, """
        seed: 3
        output: out
        network: {activation: tanh, widths: [8], gamma0: 1.0}
        ensemble: {size: 4}
        training: {dt: 0.1, steps: 2}
        task: {kind: synthetic, dim: 3, train_points: 2, test_points: 1, seed: 1}
        """);
    Path out = dir.resolve("out");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(List.of(java, "-cp",
        System.getProperty("java.class.path"), FiniteWidthCli.class.getName(), "run",
        sweep.toString(), "--out", out.toString()))
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), output);

    assertEquals(2, process.exitValue(), output);
    assertTrue(output.startsWith("error: ") && output.contains("--add-modules=jdk.incubator.vector"),
        output);
    assertFalse(output.contains("Exception"), "a message, not a stack trace: " + output);
    assertFalse(Files.exists(out), "nothing may be written: " + output);
  }
}
