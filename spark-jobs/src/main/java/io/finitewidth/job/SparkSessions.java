package io.finitewidth.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the Spark session: embedded {@code local[*]} when no master is given, with driver and
 * block manager bound to loopback. Spark binds its web UI to the address in the environment
 * variable SPARK_LOCAL_IP (it has no setting for it), so the UI is switched off unless that
 * variable names a loopback address; submit/local sets it to 127.0.0.1.
 *
 * <p>On a cluster master the executors get the JVM flags Spark on Java 17 needs (those of
 * conf/jvm-options, appended to any {@code spark.executor.extraJavaOptions} given) and one
 * BLAS/OpenMP thread per task slot unless the configuration says otherwise.
 */
final class SparkSessions {
  static final String LOOPBACK = "127.0.0.1";
  static final String EXECUTOR_JAVA_OPTIONS = "spark.executor.extraJavaOptions";

  private SparkSessions() {}

  static SparkSession start(String master, String appName) {
    SparkConf conf = new SparkConf().setAppName(appName);
    boolean embedded = master == null || master.isBlank();
    if (!conf.contains("spark.master")) {
      conf.setMaster(embedded ? "local[*]" : master);
    } else if (!embedded) {
      conf.setMaster(master);
    }
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.driver.host", LOOPBACK);
      conf.setIfMissing("spark.driver.bindAddress", LOOPBACK);
      String localIp = System.getenv("SPARK_LOCAL_IP");
      boolean uiOnLoopback = localIp != null
          && (localIp.equals(LOOPBACK) || localIp.equals("localhost") || localIp.equals("::1"));
      if (!uiOnLoopback) {
        conf.set("spark.ui.enabled", "false");
      }
    } else {
      conf.set(EXECUTOR_JAVA_OPTIONS,
          withFlags(conf.get(EXECUTOR_JAVA_OPTIONS, ""), jvmFlags()));
      conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", "1");
      conf.setIfMissing("spark.executorEnv.OPENBLAS_NUM_THREADS", "1");
    }
    conf.setIfMissing("spark.sql.shuffle.partitions", "4");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    // The networks table has a few dozen columns; print its plans whole instead of warning.
    conf.setIfMissing("spark.sql.debug.maxToStringFields", "200");
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /** The JVM flags of the build's {@code spark.jvm.flags} (kept equal to conf/jvm-options). */
  static List<String> jvmFlags() {
    try (InputStream in = SparkSessions.class.getResourceAsStream("jvm-flags.txt")) {
      if (in == null) {
        throw new IllegalStateException("jvm-flags.txt missing from the class path");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      return text.isEmpty() ? List.of() : Arrays.asList(text.split("\\s+"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The given options followed by each flag they do not already hold, space separated. */
  static String withFlags(String options, List<String> flags) {
    Set<String> present = new LinkedHashSet<>(Arrays.asList(options.trim().split("\\s+")));
    List<String> out = new ArrayList<>();
    if (!options.isBlank()) {
      out.add(options.trim());
    }
    for (String flag : flags) {
      if (!present.contains(flag)) {
        out.add(flag);
      }
    }
    return String.join(" ", out);
  }
}
