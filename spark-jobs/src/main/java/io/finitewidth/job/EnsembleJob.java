package io.finitewidth.job;

import io.finitewidth.fluctuation.LinearExactFluctuations;
import io.finitewidth.model.Activation;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;
import io.finitewidth.network.RecordedSlots;
import io.finitewidth.network.VectorModule;
import io.finitewidth.report.SweepReport;
import io.finitewidth.stats.CentralMoments;
import io.finitewidth.sweep.Canonical;
import io.finitewidth.sweep.Cell;
import io.finitewidth.sweep.SeedBlock;
import io.finitewidth.sweep.Sweep;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
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
  /** Blocks per wave: a few tasks per core keep every core busy while bounding lost work. */
  static final int WAVE_TASKS_PER_CORE = 4;

  public EnsembleJob(Sweep sweep, PrintStream console, boolean force) {
    this.sweep = sweep;
    this.console = console;
    this.force = force;
  }

  public Outcome run() throws IOException {
    if (sweep.trainsInPreactivationSpace()) {
      VectorModule.require(); // before anything is written
    }
    OutputDirectory output = OutputDirectory.open(sweep.output(),
        new org.apache.hadoop.conf.Configuration());
    String family = family(sweep);
    OutputDirectory.State state = output.check(sweep.fingerprint(), family, sweep.name());
    if (state == OutputDirectory.State.SAME_SWEEP_COMPLETE && !force) {
      console.println("output " + output.root() + " already holds this sweep's results;"
          + " nothing to do (--force recomputes them)");
      if (!output.fileSystem().exists(new Path(output.root(), SweepReport.REPORT_HTML))) {
        writeReport(output);
      }
      return new Outcome(output.root().toString(), List.of(), 0, 0, true);
    }
    BlockStore store = new BlockStore(output.fileSystem(), output.root());
    List<SeedBlock> blocks = sweep.allBlocks();
    List<SeedBlock> pending = new ArrayList<>();
    for (SeedBlock block : blocks) {
      if (force || !store.has(sweep.cells().get(block.cellIndex()), block)) {
        pending.add(block);
      }
    }
    LOG.info("sweep loaded: name={} cells={} networks={} blocks={} to_train={}", sweep.name(),
        sweep.cells().size(), sweep.cells().size() * sweep.ensembleSize(), blocks.size(),
        pending.size());
    if (pending.size() < blocks.size()) {
      console.printf(Locale.ROOT, "resuming: %d of %d seed blocks already finished in %s%n",
          blocks.size() - pending.size(), blocks.size(), output.root());
    }
    warnAboutUnaffordableTheory();
    output.claim(family);

    SparkSession spark = SparkSessions.start(sweep.spark().master(),
        "finite-width " + sweep.name());
    try {
      return runOnSpark(spark, output, store, blocks, pending);
    } finally {
      spark.stop();
    }
  }

  /** Says before any training which cells will get no propagator theory, and why. */
  private void warnAboutUnaffordableTheory() {
    java.util.Set<String> said = new java.util.HashSet<>();
    for (Cell cell : sweep.cells()) {
      TwoLayerSetup s = cell.setup();
      if (cell.deep() || s.activation() == Activation.LINEAR
          || s.gamma0() <= sweep.theory().lazyMaxGamma0()) {
        continue;
      }
      try {
        io.finitewidth.dmft.TwoLayerTheory.checkAffordable(s,
            new io.finitewidth.fluctuation.PropagatorOptions(sweep.theory().propagatorParticles(),
                sweep.theory().tangentParticles(), 0L, sweep.theory().replicas()));
      } catch (IllegalArgumentException e) {
        if (said.add(e.getMessage())) {
          console.println("warning: cells with gamma0=" + s.gamma0() + " will get no N·Var"
              + " theory: " + e.getMessage());
        }
      }
    }
  }

  /**
   * The HTML report beside the results. A report that cannot be drawn is a warning, not a failed
   * run: the data are committed already and {@code finite-width report DIR} can redraw it.
   */
  private void writeReport(OutputDirectory output) {
    try {
      org.apache.hadoop.fs.Path page = SweepReport.write(output.root().toString(),
          output.fileSystem().getConf());
      console.println("report: " + page);
    } catch (IOException | RuntimeException e) {
      LOG.warn("report not written: {}", e.toString());
    }
  }

  /**
   * What must agree for finished blocks in a directory to be reused by this sweep: the sweep
   * seed (every network seed derives from it), the precision, the engine and the task. Cells, widths, γ0
   * and E may differ: blocks are stored per cell and per network range.
   */
  static String family(Sweep sweep) {
    return Canonical.sha256Hex("finite-width sweep family v1\nseed=" + sweep.seed()
        + "\nprecision=" + sweep.precision() + "\ntask=" + Canonical.taskDigest(sweep.task())
        // Blocks written before engines existed are the weight engine's: same family as before;
        // deep-only sweeps train in weight space whatever the engine says.
        + (sweep.trainsInPreactivationSpace() ? "\nengine=" + sweep.engine().label() : ""));
  }

  private Outcome runOnSpark(SparkSession spark, OutputDirectory output, BlockStore store,
      List<SeedBlock> blocks, List<SeedBlock> pending) throws IOException {
    output.removeStaging();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Cell> cells = sweep.cells();

    // The driver solves the theory while the executors train (on a cluster it has its own
    // cores); predictions are cached in the output's theory/ folder across runs.
    TheoryCache theoryCache = new TheoryCache(output.fileSystem(),
        new Path(output.root(), TheoryCache.FOLDER), sweep.theory());
    CompletableFuture<Map<Integer, TheoryPrediction>> theory =
        CompletableFuture.supplyAsync(() -> solveTheory(theoryCache));

    // Train the pending blocks in waves; each wave's blocks are committed (networks rows, then
    // moments) before the next starts, so a killed run loses at most one wave.
    long start = System.nanoTime();
    int waveBlocks = Math.max(1, sweep.spark().partitions() > 0 ? sweep.spark().partitions()
        : WAVE_TASKS_PER_CORE * jsc.defaultParallelism());
    ProgressReporter progress = new ProgressReporter(pending, cells.size(), console,
        System.console() != null);
    spark.sparkContext().addSparkListener(progress);
    for (int from = 0; from < pending.size(); from += waveBlocks) {
      List<SeedBlock> wave = pending.subList(from, Math.min(pending.size(), from + waveBlocks));
      progress.beginWave(wave);
      trainWave(spark, jsc, output, store, wave);
    }
    spark.sparkContext().removeSparkListener(progress);
    LOG.info("training done: blocks={} seconds={}", pending.size(),
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
    if (!theory.isDone()) {
      console.println("training done; waiting for the theory (solved on the driver, see the"
          + " 'theory solved' lines) ...");
    }

    // Merge every block of every cell in seed-block order, whenever and wherever it was trained.
    CentralMoments[] perCell = new CentralMoments[cells.size()];
    long[] divergedPerCell = new long[cells.size()];
    for (SeedBlock block : blocks) {
      BlockResult.BlockMoments b = store.read(cells.get(block.cellIndex()), block);
      if (perCell[b.cellIndex()] == null) {
        perCell[b.cellIndex()] = new CentralMoments(b.moments().slots());
      }
      perCell[b.cellIndex()].merge(b.moments());
      divergedPerCell[b.cellIndex()] += b.diverged();
    }

    List<SummaryRow> summary = compare(perCell, divergedPerCell, joinTheory(theory));
    Path staging = output.newStaging();
    SummaryWriter.writeParquet(spark, summary, new Path(staging, "summary"));
    SummaryWriter.writeCsv(output.fileSystem(), summary, new Path(staging, "summary.csv"));
    output.writeString(new Path(staging, "sweep.yaml"), sweep.sourceYaml());
    output.commit(staging, sweep.fingerprint());
    LOG.info("comparison written: path={} rows={}", output.root(), summary.size());
    writeReport(output);

    int diverged = 0;
    for (int c = 0; c < cells.size(); c++) {
      diverged += (int) divergedPerCell[c];
      if (divergedPerCell[c] > 0) {
        console.printf(Locale.ROOT, "cell %d (N=%d, gamma0=%s): %d of %d networks diverged"
            + " (NaN/inf, or loss grown 1e12-fold) and are excluded from every moment%n", c,
            cells.get(c).width(), cells.get(c).setup().gamma0(), divergedPerCell[c],
            sweep.ensembleSize());
      }
    }
    return new Outcome(output.root().toString(), summary,
        cells.size() * sweep.ensembleSize(), diverged, false);
  }

  /** Trains one wave of blocks and commits each: networks rows into place, then moments. */
  private void trainWave(SparkSession spark, JavaSparkContext jsc, OutputDirectory output,
      BlockStore store, List<SeedBlock> wave) throws IOException {
    List<Cell> cells = sweep.cells();
    Path staging = output.newStaging();
    JavaRDD<BlockResult> trained = jsc.parallelize(new ArrayList<>(wave), wave.size())
        .map(new BlockTrainer(cells, sweep.seed(), sweep.precision(), sweep.engine()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Path stagedNetworks = new Path(staging, "networks");
    spark.createDataFrame(trained.flatMap(b -> NetworksTable.rows(b, cells)),
        NetworksTable.SCHEMA).write().mode(SaveMode.ErrorIfExists)
        .partitionBy(NetworksTable.PARTITION_COLUMNS).parquet(stagedNetworks.toString());
    List<BlockResult.BlockMoments> moments = trained.map(BlockResult::blockMoments).collect();
    trained.unpersist(false);

    Map<String, BlockResult.BlockMoments> byBlock = new HashMap<>();
    for (BlockResult.BlockMoments m : moments) {
      byBlock.put(m.cellIndex() + "/" + m.blockIndex(), m);
    }
    for (SeedBlock block : wave) {
      Cell cell = cells.get(block.cellIndex());
      String partition = NetworksTable.partitionPath(cell, block);
      output.replace(new Path(stagedNetworks, partition),
          new Path(new Path(output.root(), "networks"), partition));
      store.write(cell, block, byBlock.get(block.cellIndex() + "/" + block.blockIndex()));
    }
    output.fileSystem().delete(staging, true);
  }

  private Map<Integer, TheoryPrediction> solveTheory(TheoryCache cache) {
    Map<Integer, TheoryPrediction> byCell = new HashMap<>();
    for (Cell cell : sweep.cells()) {
      if (cell.deep()) {
        continue; // deep cells: DeepCells.theory, solved beside their rows
      }
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
    Map<TwoLayerSetup, double[][]> corrections = new HashMap<>();
    for (Cell cell : sweep.cells()) {
      TwoLayerSetup setup = cell.setup();
      CentralMoments moments = perCell[cell.index()];
      if (cell.deep()) {
        if (moments == null) {
          moments = new CentralMoments(setup.grid().recordCount()
              * cell.deepSetup().layout().size());
        }
        rows.addAll(DeepCells.rows(cell, moments, divergedPerCell[cell.index()],
            DeepCells.theory(cell, sweep.theory())));
        continue;
      }
      if (moments == null) {
        moments = new CentralMoments(setup.grid().recordCount() * RecordedSlots.size(
            new ObservableLayout(setup.task().trainPoints(), setup.task().testPoints())));
      }
      double[][] correction = setup.activation() == Activation.LINEAR
          ? corrections.computeIfAbsent(setup, LinearExactFluctuations::meanCorrection) : null;
      rows.addAll(TheoryComparison.rows(cell, moments, divergedPerCell[cell.index()],
          theory.get(cell.index()), correction));
    }
    return rows;
  }
}
