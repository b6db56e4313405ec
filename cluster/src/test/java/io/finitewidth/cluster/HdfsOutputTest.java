package io.finitewidth.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep's outputs on {@code hdfs://} (an in-process MiniDFSCluster on 127.0.0.1). */
@Tag("slow")
class HdfsOutputTest {

  @Test
  void aSweepWrittenToHdfsHasTheLocalRunsSummary(@TempDir Path dir) throws Exception {
    Path local = dir.resolve("local");
    ClusterFixture.runEmbedded(ClusterFixture.writeSweep(dir.resolve("local-sweep"),
        local.toString()), local.toString());

    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
    conf.set("dfs.namenode.http-address", "127.0.0.1:0");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    conf.setInt("dfs.replication", 1);
    MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1)
        .checkDataNodeAddrConfig(true).build();
    try {
      dfs.waitActive();
      String root = "hdfs://127.0.0.1:" + dfs.getNameNodePort();
      String out = root + "/runs/cluster-check";
      System.setProperty("spark.hadoop.dfs.replication", "1");
      try {
        ClusterFixture.runEmbedded(ClusterFixture.writeSweep(dir.resolve("hdfs-sweep"), out),
            out);
      } finally {
        System.clearProperty("spark.hadoop.dfs.replication");
      }

      FileSystem fs = dfs.getFileSystem();
      byte[] summary;
      try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(out, "summary.csv"))) {
        summary = in.readAllBytes();
      }
      assertArrayEquals(Files.readAllBytes(local.resolve("summary.csv")), summary);
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path(out, "SWEEP_FINGERPRINT")));

      SparkSession spark = SparkSession.builder().master("local[1]").appName("read-back")
          .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
      try {
        // 2 cells × 20 networks × 3 recorded steps (0, 4, 8), each network once.
        long rows = spark.read().parquet(out + "/networks").count();
        assertEquals(2L * ClusterFixture.ENSEMBLE * 3, rows);
        assertEquals(2L * ClusterFixture.ENSEMBLE,
            spark.read().parquet(out + "/networks").select("cell", "network").distinct().count());
      } finally {
        spark.stop();
      }
    } finally {
      dfs.shutdown();
    }
  }
}
