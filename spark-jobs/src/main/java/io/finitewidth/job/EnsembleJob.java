package io.finitewidth.job;

import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;
import io.finitewidth.stats.CentralMoments;
import io.finitewidth.sweep.Cell;
import io.finitewidth.sweep.SeedBlock;
import io.finitewidth.sweep.Sweep;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main job: a validated sweep's seed blocks trained on Spark executors, their moments merged
 * on the driver in seed-block order (never arrival order), set beside DMFT, written atomically.
 *
 * <p>Flow: check output → start Spark → train blocks (cached) → write networks/ → collect block
 * moments → merge per cell → theory per distinct setup → summary/ and summary.csv → commit.
 */
public final class EnsembleJob {
  private static final Logger LOG = LoggerFactory.getLogger(EnsembleJob.class);

  /** What a finished run reports back. */
  public record Outcome(String output, List<SummaryRow> summary, int networks, int diverged,
      boolean skipped) {}

  private final Sweep sweep;
  private final PrintStream console;
  private final boolean force;

  public EnsembleJob(Sweep sweep, PrintStream console, boolean force) {
    this.sweep = sweep;
    this.console = console;
    this.force = force;
  }

  public Outcome run() throws IOException {
    OutputDirectory output = OutputDirectory.open(sweep.output(),
        new org.apache.hadoop.conf.Configuration());
    OutputDirectory.State state = output.check(sweep.fingerprint(), sweep.name());
    if (state == OutputDirectory.State.SAME_SWEEP_COMPLETE && !force) {
      console.println("output " + output.root() + " already holds this sweep's results;"
          + " nothing to do (--force recomputes them)");
      return new Outcome(output.root().toString(), List.of(), 0, 0, true);
    }
    List<SeedBlock> blocks = sweep.allBlocks();
    int partitions = sweep.spark().partitions() > 0
        ? Math.min(sweep.spark().partitions(), blocks.size()) : blocks.size();
    LOG.info("sweep loaded: name={} cells={} networks={} blocks={} partitions={}", sweep.name(),
        sweep.cells().size(), sweep.cells().size() * sweep.ensembleSize(), blocks.size(),
        partitions);

    SparkSession spark = SparkSessions.start(sweep.spark().master(), "finite-width " + sweep.name());
    try {
      return runOnSpark(spark, output, blocks, partitions);
    } finally {
      spark.stop();
    }
  }

  private Outcome runOnSpark(SparkSession spark, OutputDirectory output, List<SeedBlock> blocks,
      int partitions) throws IOException {
    output.removeStaging();
    Path staging = output.newStaging();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    ProgressReporter progress = progressFor(blocks, partitions);
    spark.sparkContext().addSparkListener(progress);

    // The driver solves the theory while the executors train (on a cluster it has its own
    // cores); predictions are cached in the output's theory/ folder across runs.
    TheoryCache theoryCache = new TheoryCache(output.fileSystem(),
        new Path(output.root(), TheoryCache.FOLDER), sweep.theory());
    CompletableFuture<Map<Integer, TheoryPrediction>> theory =
        CompletableFuture.supplyAsync(() -> solveTheory(theoryCache));

    // Train every block once; both outputs below read the cached results.
    List<Cell> cells = sweep.cells();
    JavaRDD<BlockResult> trained = jsc.parallelize(blocks, partitions)
        .map(new BlockTrainer(cells, sweep.seed(), sweep.precision()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long start = System.nanoTime();
    spark.createDataFrame(trained.flatMap(b -> NetworksTable.rows(b, cells)),
        NetworksTable.SCHEMA).write().mode(SaveMode.ErrorIfExists)
        .parquet(new Path(staging, "networks").toString());
    List<BlockResult.BlockMoments> blockMoments = trained.map(BlockResult::blockMoments).collect();
    trained.unpersist(false);
    spark.sparkContext().removeSparkListener(progress);
    LOG.info("training done: networks={} seconds={}", sweep.cells().size() * sweep.ensembleSize(),
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));

    // Merge in seed-block order, whatever order the blocks finished in.
    List<BlockResult.BlockMoments> ordered = new ArrayList<>(blockMoments);
    ordered.sort(Comparator.comparingInt(BlockResult.BlockMoments::cellIndex)
        .thenComparingInt(BlockResult.BlockMoments::blockIndex));
    CentralMoments[] perCell = new CentralMoments[cells.size()];
    long[] divergedPerCell = new long[cells.size()];
    for (BlockResult.BlockMoments b : ordered) {
      if (perCell[b.cellIndex()] == null) {
        perCell[b.cellIndex()] = new CentralMoments(b.moments().slots());
      }
      perCell[b.cellIndex()].merge(b.moments());
      divergedPerCell[b.cellIndex()] += b.diverged();
    }

    List<SummaryRow> summary = compare(perCell, divergedPerCell, joinTheory(theory));
    SummaryWriter.writeParquet(spark, summary, new Path(staging, "summary"));
    SummaryWriter.writeCsv(output.fileSystem(), summary, new Path(staging, "summary.csv"));
    output.writeString(new Path(staging, "sweep.yaml"), sweep.sourceYaml());
    output.commit(staging, sweep.fingerprint());
    LOG.info("comparison written: path={} rows={}", output.root(), summary.size());

    int diverged = 0;
    for (int c = 0; c < cells.size(); c++) {
      diverged += (int) divergedPerCell[c];
      if (divergedPerCell[c] > 0) {
        console.printf(Locale.ROOT, "cell %d (N=%d, gamma0=%s): %d of %d networks diverged"
            + " (NaN/inf) and are excluded from every moment%n", c, cells.get(c).width(),
            cells.get(c).setup().gamma0(), divergedPerCell[c], sweep.ensembleSize());
      }
    }
    return new Outcome(output.root().toString(), summary,
        cells.size() * sweep.ensembleSize(), diverged, false);
  }

  private Map<Integer, TheoryPrediction> solveTheory(TheoryCache cache) {
    Map<Integer, TheoryPrediction> byCell = new HashMap<>();
    for (Cell cell : sweep.cells()) {
      try {
        byCell.put(cell.index(), cache.predict(cell.setup()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return byCell;
  }

  private static Map<Integer, TheoryPrediction> joinTheory(
      CompletableFuture<Map<Integer, TheoryPrediction>> theory) throws IOException {
    try {
      return theory.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private List<SummaryRow> compare(CentralMoments[] perCell, long[] divergedPerCell,
      Map<Integer, TheoryPrediction> theory) {
    List<SummaryRow> rows = new ArrayList<>();
    for (Cell cell : sweep.cells()) {
      TwoLayerSetup setup = cell.setup();
      CentralMoments moments = perCell[cell.index()];
      if (moments == null) {
        moments = new CentralMoments(setup.grid().recordCount()
            * new ObservableLayout(setup.task().trainPoints(), setup.task().testPoints()).size());
      }
      rows.addAll(TheoryComparison.rows(cell, moments, divergedPerCell[cell.index()],
          theory.get(cell.index())));
    }
    return rows;
  }

  private ProgressReporter progressFor(List<SeedBlock> blocks, int partitions) {
    // Spark's parallelize slices positions [p·n/k, (p+1)·n/k) into partition p.
    int n = blocks.size();
    int[] networks = new int[partitions];
    int[][] cellsOf = new int[partitions][];
    for (int p = 0; p < partitions; p++) {
      int from = (int) ((long) p * n / partitions);
      int to = (int) ((long) (p + 1) * n / partitions);
      cellsOf[p] = new int[to - from];
      for (int b = from; b < to; b++) {
        networks[p] += blocks.get(b).count();
        cellsOf[p][b - from] = blocks.get(b).cellIndex();
      }
    }
    return new ProgressReporter(networks, cellsOf, sweep.cells().size(), console,
        System.console() != null);
  }
}
