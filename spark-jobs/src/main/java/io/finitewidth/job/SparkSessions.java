package io.finitewidth.job;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the Spark session: embedded {@code local[*]} when no master is given, with driver and
 * block manager bound to loopback. Spark binds its web UI to the address in the environment
 * variable SPARK_LOCAL_IP (it has no setting for it), so the UI is switched off unless that
 * variable names a loopback address; submit/local sets it to 127.0.0.1.
 */
final class SparkSessions {
  static final String LOOPBACK = "127.0.0.1";

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
    }
    conf.setIfMissing("spark.sql.shuffle.partitions", "4");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
