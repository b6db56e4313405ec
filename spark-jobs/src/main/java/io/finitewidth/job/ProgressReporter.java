package io.finitewidth.job;

import java.io.PrintStream;
import java.util.BitSet;
import java.util.Locale;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Prints cells and networks done of total, throughput and ETA while the training stage runs: one
 * line refreshed in place on a terminal, plain lines every {@link #PLAIN_INTERVAL_MILLIS} when
 * output is not a terminal. Counts finished partitions once each, so retried, speculative or
 * cached re-reads of a partition never count twice.
 */
final class ProgressReporter extends SparkListener {
  static final long PLAIN_INTERVAL_MILLIS = 10_000;
  private static final long TERMINAL_INTERVAL_MILLIS = 500;

  private final int[] networksPerPartition;
  private final int[][] cellsPerPartition;
  private final int[] blocksPerCell;
  private final int totalNetworks;
  private final PrintStream out;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private final BitSet done;
  private final int[] blocksDonePerCell;
  private int networksDone;
  private int cellsDone;
  private long lastPrintMillis;

  /**
   * @param networksPerPartition networks trained by each partition
   * @param cellsPerPartition for each partition, the cell index of each block it holds
   */
  ProgressReporter(int[] networksPerPartition, int[][] cellsPerPartition, int cellCount,
      PrintStream out, boolean terminal) {
    this.networksPerPartition = networksPerPartition.clone();
    this.cellsPerPartition = cellsPerPartition;
    this.blocksPerCell = new int[cellCount];
    for (int[] cells : cellsPerPartition) {
      for (int c : cells) {
        blocksPerCell[c]++;
      }
    }
    int total = 0;
    for (int n : networksPerPartition) {
      total += n;
    }
    this.totalNetworks = total;
    this.out = out;
    this.terminal = terminal;
    this.done = new BitSet(networksPerPartition.length);
    this.blocksDonePerCell = new int[cellCount];
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    if (taskEnd.taskInfo() == null || !taskEnd.taskInfo().successful()) {
      return;
    }
    int partition = taskEnd.taskInfo().index();
    if (partition < 0 || partition >= networksPerPartition.length || done.get(partition)) {
      return;
    }
    done.set(partition);
    networksDone += networksPerPartition[partition];
    for (int c : cellsPerPartition[partition]) {
      if (++blocksDonePerCell[c] == blocksPerCell[c]) {
        cellsDone++;
      }
    }
    long now = System.currentTimeMillis();
    boolean finished = networksDone == totalNetworks;
    long interval = terminal ? TERMINAL_INTERVAL_MILLIS : PLAIN_INTERVAL_MILLIS;
    if (finished || now - lastPrintMillis >= interval) {
      lastPrintMillis = now;
      print(finished);
    }
  }

  private void print(boolean finished) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double rate = networksDone / Math.max(seconds, 1e-9);
    double eta = rate > 0 ? (totalNetworks - networksDone) / rate : Double.NaN;
    String line = String.format(Locale.ROOT,
        "training: cells %d/%d, networks %d/%d (%.0f%%), %.1f networks/s, ETA %s",
        cellsDone, blocksPerCell.length, networksDone, totalNetworks,
        100.0 * networksDone / totalNetworks, rate, finished ? "done" : formatSeconds(eta));
    if (terminal) {
      out.print("\r" + line + (finished ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }

  private static String formatSeconds(double s) {
    if (Double.isNaN(s)) {
      return "?";
    }
    long whole = Math.round(s);
    return whole >= 60 ? (whole / 60) + " min " + (whole % 60) + " s" : whole + " s";
  }
}
