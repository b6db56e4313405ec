package io.finitewidth.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** What the spark-submit jar holds, and what it must leave to the cluster. */
class ClusterJarIT {
  /** Packages the cluster ships; a second copy in the jar would shadow or clash with them. */
  private static final List<String> PROVIDED = List.of("org/apache/spark/", "org/apache/hadoop/",
      "scala/", "com/google/common/", "com/google/protobuf/", "com/google/thirdparty/",
      "com/fasterxml/jackson/", "io/netty/", "org/apache/commons/io/",
      "org/apache/commons/codec/", "org/apache/commons/lang3/", "org/apache/commons/math3/",
      "org/apache/commons/compress/", "org/apache/commons/collections4/", "org/slf4j/",
      "org/apache/logging/log4j/", "org/apache/parquet/", "com/google/flatbuffers/");

  @Test
  void holdsTheJobAndNd4jNativesButNothingSparkProvides() throws IOException {
    Path jar = Path.of(System.getProperty("finitewidth.cluster.jar"));
    try (JarFile file = new JarFile(jar.toFile())) {
      List<String> names = file.stream().map(ZipEntry::getName).toList();
      for (String prefix : PROVIDED) {
        assertTrue(names.stream().noneMatch(n -> n.startsWith(prefix)),
            "the jar should leave " + prefix + " to Spark");
      }
      assertTrue(names.stream().noneMatch(n -> n.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)")),
          "signature files must be dropped");
      for (String needed : List.of("io/finitewidth/job/FiniteWidthCli.class",
          "io/finitewidth/job/jvm-flags.txt", "org/nd4j/linalg/factory/Nd4j.class",
          "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64/libnd4jcpu.so",
          "org/bytedeco/openblas/linux-x86_64/libopenblas.so.0",
          "org/yaml/snakeyaml/Yaml.class", "picocli/CommandLine.class",
          "org/apache/commons/csv/CSVFormat.class")) {
        assertTrue(names.contains(needed), "missing " + needed);
      }
      String backends = new String(file.getInputStream(
          file.getEntry("META-INF/services/org.nd4j.linalg.factory.Nd4jBackend")).readAllBytes(),
          StandardCharsets.UTF_8);
      assertTrue(backends.contains("org.nd4j.linalg.cpu.nativecpu.CpuBackend"), backends);
      assertEquals("io.finitewidth.job.FiniteWidthCli",
          file.getManifest().getMainAttributes().getValue("Main-Class"));
    }
  }
}
