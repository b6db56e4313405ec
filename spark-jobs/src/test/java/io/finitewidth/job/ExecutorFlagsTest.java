package io.finitewidth.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The flags the driver hands to cluster executors. */
class ExecutorFlagsTest {
  @Test
  void theBundledFlagsAreThoseOfConfJvmOptions() throws IOException {
    List<String> fromConf = Files.readAllLines(Path.of("..", "conf", "jvm-options")).stream()
        .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertEquals(fromConf, SparkSessions.jvmFlags());
  }

  @Test
  void givenOptionsComeFirstAndFlagsAreNotRepeated() {
    List<String> flags = List.of("--add-opens=java.base/java.lang=ALL-UNNAMED", "-Da=1");
    assertEquals("-Xss4m -Da=1 --add-opens=java.base/java.lang=ALL-UNNAMED",
        SparkSessions.withFlags(" -Xss4m -Da=1 ", flags));
    assertEquals("--add-opens=java.base/java.lang=ALL-UNNAMED -Da=1",
        SparkSessions.withFlags("", flags));
  }
}
