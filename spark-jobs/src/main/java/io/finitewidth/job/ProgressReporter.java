package io.finitewidth.job;

import java.io.PrintStream;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import io.finitewidth.sweep.SeedBlock;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Prints cells and networks done of total, throughput and ETA while the training stage runs: one
 * line refreshed in place on a terminal, plain lines every {@link #PLAIN_INTERVAL_MILLIS} when
 * output is not a terminal. Work is submitted in waves, one seed block per partition; each
 * partition of a wave counts once, so retried, speculative or cached re-reads never count twice.
 */
final class ProgressReporter extends SparkListener {
  static final long PLAIN_INTERVAL_MILLIS = 10_000;
  private static final long TERMINAL_INTERVAL_MILLIS = 500;

  private final int[] blocksPerCell;
  private final int totalNetworks;
  private final PrintStream out;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private final int[] blocksDonePerCell;
  private List<SeedBlock> wave = List.of();
  private BitSet done = new BitSet();
  private int networksDone;
  private int cellsDone;
  private long lastPrintMillis;

  /**
   * @param pending the blocks this run trains, in the order they are submitted
   * @param cellCount cells of the sweep (cells with nothing pending count as done)
   */
  ProgressReporter(List<SeedBlock> pending, int cellCount, PrintStream out, boolean terminal) {
    this.blocksPerCell = new int[cellCount];
    int total = 0;
    for (SeedBlock b : pending) {
      blocksPerCell[b.cellIndex()]++;
      total += b.count();
    }
    for (int c = 0; c < cellCount; c++) {
      if (blocksPerCell[c] == 0) {
        cellsDone++;
      }
    }
    this.totalNetworks = total;
    this.out = out;
    this.terminal = terminal;
    this.blocksDonePerCell = new int[cellCount];
  }

  /** The blocks of the next Spark job, one per partition in this order. */
  synchronized void beginWave(List<SeedBlock> blocks) {
    wave = List.copyOf(blocks);
    done = new BitSet(blocks.size());
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    if (taskEnd.taskInfo() == null || !taskEnd.taskInfo().successful()) {
      return;
    }
    int partition = taskEnd.taskInfo().index();
    if (partition < 0 || partition >= wave.size() || done.get(partition)) {
      return;
    }
    done.set(partition);
    SeedBlock block = wave.get(partition);
    networksDone += block.count();
    if (++blocksDonePerCell[block.cellIndex()] == blocksPerCell[block.cellIndex()]) {
      cellsDone++;
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
