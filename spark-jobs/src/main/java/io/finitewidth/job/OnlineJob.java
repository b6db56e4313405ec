package io.finitewidth.job;

import io.finitewidth.network.OnlineTrajectory;
import io.finitewidth.sweep.Canonical;
import io.finitewidth.sweep.OnlineCell;
import io.finitewidth.sweep.OnlineSweep;
import io.finitewidth.sweep.SeedBlock;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online job ({@code training.dynamics: online}): a validated {@link OnlineSweep}'s seed
 * blocks trained on Spark executors ({@link OnlineBlockTrainer}), each network's small arrays
 * collected on the driver and assembled in cell and seed-block order (never arrival order), set
 * beside the infinite-width reference and the O(1/N) theory ({@link OnlineComparison}), and
 * written atomically.
 *
 * <p>Flow: check output (refuse another sweep's directory) → start Spark (embedded
 * {@code local[*]} on loopback without a master) → train blocks in waves of
 * {@code spark.partitions} blocks (0: four per core), one partition per block → compare per cell
 * → {@code summary/}, {@code summary.csv}, {@code sweep.yaml} into a staging folder → move into
 * place, fingerprint last. Unlike the main job there is no per-block resume: the summary needs
 * every network's arrays, and a whole online sweep is cheap.
 */
public final class OnlineJob {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineJob.class);

  /** What a finished run reports back. */
  public record Outcome(String output, int rows, int networks, int diverged, boolean skipped) {}

  private final OnlineSweep sweep;
  private final PrintStream console;
  private final boolean force;

  public OnlineJob(OnlineSweep sweep, PrintStream console) {
    this(sweep, console, false);
  }

  /** @param force recompute even if the output already holds this sweep's results */
  public OnlineJob(OnlineSweep sweep, PrintStream console, boolean force) {
    this.sweep = sweep;
    this.console = console;
    this.force = force;
  }

  /** The directory family: one online sweep per directory (its fingerprint). */
  static String family(OnlineSweep sweep) {
    return Canonical.sha256Hex("finite-width online sweep family v1\n" + sweep.fingerprint());
  }

  public Outcome run() throws IOException {
    OutputDirectory output = OutputDirectory.open(sweep.output(), new Configuration());
    String family = family(sweep);
    OutputDirectory.State state = output.check(sweep.fingerprint(), family, sweep.name());
    if (state == OutputDirectory.State.SAME_SWEEP_COMPLETE && !force) {
      console.println("output " + output.root() + " already holds this online sweep's results;"
          + " nothing to do");
      return new Outcome(output.root().toString(), 0, 0, 0, true);
    }
    output.claim(family);
    SparkSession spark = SparkSessions.start(sweep.spark().master(),
        "finite-width online " + sweep.name());
    try {
      return runOnSpark(spark, output);
    } finally {
      spark.stop();
    }
  }

  private Outcome runOnSpark(SparkSession spark, OutputDirectory output) throws IOException {
    output.removeStaging();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<OnlineCell> cells = sweep.cells();
    List<SeedBlock> blocks = sweep.allBlocks();
    LOG.info("online sweep loaded: name={} cells={} networks={} blocks={}", sweep.name(),
        cells.size(), cells.size() * sweep.ensembleSize(), blocks.size());

    long start = System.nanoTime();
    int waveBlocks = sweep.spark().partitions() > 0 ? sweep.spark().partitions()
        : EnsembleJob.WAVE_TASKS_PER_CORE * jsc.defaultParallelism();
    ProgressReporter progress = new ProgressReporter(blocks, cells.size(), console,
        System.console() != null);
    spark.sparkContext().addSparkListener(progress);
    OnlineBlockTrainer trainer = new OnlineBlockTrainer(cells, sweep.seed(), sweep.precision());
    Map<String, OnlineBlockTrainer.Result> byBlock = new HashMap<>();
    try {
      for (int from = 0; from < blocks.size(); from += waveBlocks) {
        List<SeedBlock> wave = blocks.subList(from, Math.min(blocks.size(), from + waveBlocks));
        progress.beginWave(wave);
        for (OnlineBlockTrainer.Result result
            : jsc.parallelize(new ArrayList<>(wave), wave.size()).map(trainer).collect()) {
          byBlock.put(result.cellIndex() + "/" + result.blockIndex(), result);
        }
      }
    } finally {
      spark.sparkContext().removeSparkListener(progress);
    }
    LOG.info("online training done: blocks={} seconds={}", blocks.size(),
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));

    // Assemble every cell's networks in seed-block order, then compare cell by cell.
    List<List<OnlineTrajectory>> perCell = new ArrayList<>();
    for (int c = 0; c < cells.size(); c++) {
      perCell.add(new ArrayList<>());
    }
    for (SeedBlock block : blocks) {
      OnlineBlockTrainer.Result result = byBlock.get(block.cellIndex() + "/" + block.blockIndex());
      if (result == null) {
        throw new IllegalStateException("seed block " + block + " returned no result");
      }
      perCell.get(block.cellIndex()).addAll(result.networks());
    }
    List<OnlineSummaryRow> rows = new ArrayList<>();
    int diverged = 0;
    for (OnlineCell cell : cells) {
      List<OnlineTrajectory> networks = perCell.get(cell.index());
      rows.addAll(OnlineComparison.rows(cell, networks, sweep.delayTargets(),
          OnlineComparison.theoryFor(cell.setup())));
      long bad = networks.stream().filter(OnlineTrajectory::diverged).count();
      diverged += (int) bad;
      if (bad > 0) {
        console.printf(Locale.ROOT, "cell %d (N=%d, gamma0=%s, data seed %d): %d of %d networks"
            + " diverged (NaN/inf) and are excluded%n", cell.index(), cell.width(),
            cell.gamma0(), cell.dataSeed(), bad, networks.size());
      }
    }

    Path staging = output.newStaging();
    OnlineSummaryWriter.writeParquet(spark, rows, new Path(staging, "summary"));
    OnlineSummaryWriter.writeCsv(output.fileSystem(), rows, new Path(staging, "summary.csv"));
    output.writeString(new Path(staging, "sweep.yaml"), sweep.sourceYaml());
    output.commit(staging, sweep.fingerprint());
    LOG.info("online summary written: path={} rows={}", output.root(), rows.size());
    printFinal(rows);
    console.println("results: " + output.root() + " (summary/, summary.csv)");
    return new Outcome(output.root().toString(), rows.size(),
        cells.size() * sweep.ensembleSize(), diverged, false);
  }

  /** The width correction at the last recorded step of every cell, and every delay. */
  private void printFinal(List<OnlineSummaryRow> rows) {
    Map<Integer, OnlineSummaryRow> last = new HashMap<>();
    for (OnlineSummaryRow r : rows) {
      if (r.observable().equals("width_correction")) {
        last.put(r.cell(), r);
      }
    }
    for (OnlineSummaryRow r : rows) {
      boolean finalCorrection = last.get(r.cell()) == r;
      if (finalCorrection || r.observable().equals("delay_steps")) {
        String where = finalCorrection ? "step " + r.step() : "L*=" + r.target();
        console.printf(Locale.ROOT, "cell %d N=%d gamma0=%s seed %d %s %s: %.5g ± %.2g"
            + " (theory %.5g, z %.2f)%n", r.cell(), r.width(), r.gamma0(), r.dataSeed(),
            r.observable(), where, r.mean(), r.meanSe(), r.theoryMean(), r.z());
      }
    }
  }
}
