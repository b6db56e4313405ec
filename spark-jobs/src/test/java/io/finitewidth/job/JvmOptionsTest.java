package io.finitewidth.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The launcher's JVM flags (conf/jvm-options) and the build's (pom.xml) must not drift apart. */
class JvmOptionsTest {
  @Test
  void launcherAndBuildPassTheSameJvmFlags() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    String pom = Files.readString(root.resolve("pom.xml"));
    Matcher m = Pattern.compile("<spark.jvm.flags>(.*?)</spark.jvm.flags>", Pattern.DOTALL)
        .matcher(pom);
    m.find();
    List<String> fromPom = Arrays.asList(m.group(1).trim().split("\\s+"));
    List<String> fromConf = Files.readAllLines(root.resolve("conf/jvm-options")).stream()
        .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertEquals(fromPom, fromConf);
  }
}
