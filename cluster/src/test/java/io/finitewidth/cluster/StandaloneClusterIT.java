package io.finitewidth.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cluster jar on a real Spark standalone cluster: a Master and two Workers, each its own JVM
 * on 127.0.0.1, started from the Maven Central jars (no Spark distribution); the sweep is handed
 * to submit/cluster, whose spark-submit is Spark's own SparkSubmit entry point. The summary must
 * equal the embedded run's byte for byte, also when a worker dies while tasks run.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
  private static final long START_MILLIS = 60_000;
  private static final long RUN_SECONDS = 150;

  private Path work;
  private String sparkClasspath;
  private Path jar;
  private Map<String, String> env;
  private Process master;
  private final List<Process> workers = new ArrayList<>();
  private final List<Path> workerDirs = new ArrayList<>();
  private String masterUrl;
  private byte[] embeddedSummary;

  @BeforeAll
  void startClusterAndRunEmbedded() throws Exception {
    long t0 = System.nanoTime();
    work = Files.createTempDirectory("finite-width-cluster-");
    jar = Path.of(System.getProperty("finitewidth.cluster.jar"));
    assertTrue(Files.isRegularFile(jar), "cluster jar missing: " + jar);
    sparkClasspath = Files.readString(
        Path.of(System.getProperty("finitewidth.spark.classpath"))).trim();

    // A SPARK_HOME whose jars/ holds Spark's class path: workers build executor commands from it.
    Path sparkHome = Files.createDirectories(work.resolve("spark-home"));
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    for (String entry : sparkClasspath.split(":")) {
      Path source = Path.of(entry);
      Path link = jars.resolve(source.getFileName());
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, source);
      }
    }
    Files.writeString(sparkHome.resolve("RELEASE"), "Spark 4.0.1 (jars from Maven Central)\n");

    env = new HashMap<>();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("OMP_NUM_THREADS", "1");
    env.put("OPENBLAS_NUM_THREADS", "1");

    Path masterLog = work.resolve("master.log");
    master = ClusterFixture.start(sparkJvm("org.apache.spark.deploy.master.Master",
        "--host", "127.0.0.1", "--port", "0", "--webui-port", "0"), env, masterLog);
    masterUrl = ClusterFixture.awaitLog(masterLog,
        Pattern.compile("Starting Spark master at (spark://127\\.0\\.0\\.1:\\d+)"), master,
        START_MILLIS);
    for (int w = 0; w < 2; w++) {
      Path dir = Files.createDirectories(work.resolve("worker-" + w));
      workerDirs.add(dir);
      workers.add(ClusterFixture.start(sparkJvm("org.apache.spark.deploy.worker.Worker",
          "--host", "127.0.0.1", "--port", "0", "--webui-port", "0", "--cores", "1",
          "--memory", "1g", "--work-dir", dir.toString(), masterUrl), env,
          work.resolve("worker-" + w + ".log")));
    }

    // The embedded run (this JVM) while the workers register.
    Path embedded = work.resolve("embedded");
    ClusterFixture.runEmbedded(ClusterFixture.writeSweep(work.resolve("embedded-sweep"),
        embedded.toString()), embedded.toString());
    embeddedSummary = Files.readAllBytes(embedded.resolve("summary.csv"));
    System.out.printf("embedded run done at %.1f s%n", (System.nanoTime() - t0) / 1e9);

    for (int w = 0; w < 2; w++) {
      ClusterFixture.awaitLog(work.resolve("worker-" + w + ".log"),
          Pattern.compile("Successfully registered with master"), workers.get(w), START_MILLIS);
    }
    System.out.printf("cluster up at %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  @AfterAll
  void stopCluster() throws IOException {
    workers.forEach(ClusterFixture::killTree);
    ClusterFixture.killTree(master);
    ClusterFixture.deleteTree(work);
  }

  @Test
  @Order(1)
  void aSubmittedSweepWithSpeculationGivesTheEmbeddedSummary() throws Exception {
    Path out = work.resolve("cluster-out");
    // Speculative execution on, as eagerly as Spark allows: a speculative copy of a block must
    // add nothing twice, so the summary must still equal the embedded run's.
    Process driver = submit("plain", out, "--conf", "spark.speculation=true",
        "--conf", "spark.speculation.interval=100ms", "--conf", "spark.speculation.quantile=0.1",
        "--conf", "spark.speculation.multiplier=1.0");
    assertTrue(driver.waitFor(RUN_SECONDS, TimeUnit.SECONDS), "driver did not finish:\n"
        + ClusterFixture.tail(ClusterFixture.read(work.resolve("driver-plain.log"))));
    assertEquals(0, driver.exitValue(),
        ClusterFixture.tail(ClusterFixture.read(work.resolve("driver-plain.log"))));
    String driverLog = ClusterFixture.read(work.resolve("driver-plain.log"));
    assertTrue(driverLog.contains("Granted executor ID"), "no executor from the cluster");
    assertTrue(executorLogs(0).length() + executorLogs(1).length() > 0);
    assertTrue(executorLogs(0).contains("Running task") && executorLogs(1).contains("Running task"),
        "both workers' executors should have run tasks");
    assertArrayEquals(embeddedSummary, Files.readAllBytes(out.resolve("summary.csv")));
  }

  @Test
  @Order(2)
  void aWorkerKilledWhileTasksRunLeavesTheSummaryUnchanged() throws Exception {
    Path out = work.resolve("fault-out");
    Path workerDir = workerDirs.get(0);
    List<Path> earlierApps = apps(workerDir);
    Process driver = submit("fault", out);
    // Wait for a task on the first worker's executor of this application, then take the node
    // down (worker and executor JVMs) while the driver is still running.
    long deadline = System.currentTimeMillis() + RUN_SECONDS * 1000;
    boolean running = false;
    while (!running && System.currentTimeMillis() < deadline && driver.isAlive()) {
      running = newAppLog(workerDir, earlierApps).contains("Running task");
      Thread.sleep(50);
    }
    assertTrue(running, "no task ran on worker 0:\n"
        + ClusterFixture.tail(ClusterFixture.read(work.resolve("driver-fault.log"))));
    assertTrue(driver.isAlive(), "the job ended before the worker could be killed");
    ClusterFixture.killTree(workers.get(0));

    assertTrue(driver.waitFor(RUN_SECONDS, TimeUnit.SECONDS), "driver did not finish:\n"
        + ClusterFixture.tail(ClusterFixture.read(work.resolve("driver-fault.log"))));
    String driverLog = ClusterFixture.read(work.resolve("driver-fault.log"));
    assertEquals(0, driver.exitValue(), ClusterFixture.tail(driverLog));
    assertTrue(driverLog.contains("Lost executor"), "the driver never lost the executor:\n"
        + ClusterFixture.tail(driverLog));
    assertArrayEquals(embeddedSummary, Files.readAllBytes(out.resolve("summary.csv")));
  }

  /** Starts submit/cluster for the sweep with SparkSubmit (in its own JVM) as spark-submit. */
  private Process submit(String name, Path out, String... extraSubmitArgs) throws IOException {
    Path sweep = ClusterFixture.writeSweep(work.resolve(name + "-sweep"), out.toString());
    Path sparkSubmit = work.resolve("spark-submit");
    if (!Files.exists(sparkSubmit)) {
      List<String> java = sparkJvm("org.apache.spark.deploy.SparkSubmit");
      StringBuilder script = new StringBuilder("#!/usr/bin/env bash\nexec");
      for (String arg : java) {
        script.append(" '").append(arg).append('\'');
      }
      script.append(" \"$@\"\n");
      Files.writeString(sparkSubmit, script.toString());
      assertTrue(sparkSubmit.toFile().setExecutable(true));
    }
    Map<String, String> driverEnv = new HashMap<>(env);
    driverEnv.put("SPARK_SUBMIT", sparkSubmit.toString());
    driverEnv.put("FINITE_WIDTH_JAR", jar.toString());
    Path cache = work.resolve("javacpp-executors");
    List<String> command = new ArrayList<>(List.of("bash",
        ClusterFixture.REPO.resolve("submit/cluster").toString(), sweep.toString(),
        "--out", out.toString(), "--master", masterUrl,
        "--conf", "spark.executor.memory=640m",
        "--conf", "spark.executor.cores=1",
        "--conf", "spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.cachedir=" + cache,
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1"));
    command.addAll(List.of(extraSubmitArgs));
    return ClusterFixture.start(command, driverEnv, work.resolve("driver-" + name + ".log"));
  }

  /** A JVM on Spark's class path: master, worker and driver (heaps sized for two cores). */
  private List<String> sparkJvm(String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(mainClass.endsWith("SparkSubmit") ? "-Xmx1g" : "-Xmx256m");
    command.addAll(ClusterFixture.jvmFlags());
    command.add("-Dorg.bytedeco.javacpp.cachedir=" + work.resolve("javacpp-driver"));
    command.add("-cp");
    command.add(sparkClasspath);
    command.add(mainClass);
    command.addAll(List.of(args));
    return command;
  }

  /** Every executor stderr under a worker's folder, concatenated. */
  private String executorLogs(int worker) throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(workerDirs.get(worker))) {
      for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
        all.append(ClusterFixture.read(f));
      }
    }
    return all.toString();
  }

  private static List<Path> apps(Path workerDir) throws IOException {
    try (Stream<Path> apps = Files.list(workerDir)) {
      return apps.filter(p -> p.getFileName().toString().startsWith("app-")).toList();
    }
  }

  /** The executor stderr of an application on a worker that is not an earlier one. */
  private static String newAppLog(Path workerDir, List<Path> earlier) throws IOException {
    StringBuilder all = new StringBuilder();
    for (Path app : apps(workerDir)) {
      if (earlier.contains(app)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(app)) {
        for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
          all.append(ClusterFixture.read(f));
        }
      }
    }
    return all.toString();
  }
}
