package io.finitewidth.job;

import io.finitewidth.network.CnnEnsemble;
import io.finitewidth.network.CnnTrajectory;
import io.finitewidth.sweep.CnnSweep;
import io.finitewidth.sweep.SeedBlock;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The empirical CNN study on Spark (CNN.md): cells width × γ0, each cell's E networks split into
 * seed blocks, blocks trained on executors ({@link CnnEnsemble}), every network's recorded
 * losses, test predictions and probe kernels collected on the driver in block order, reduced to
 * the bias–variance summary and 1/N fits of {@link CnnSummary}, and written atomically like the
 * main job ({@code summary/} Parquet, {@code summary.csv}, {@code sweep.yaml}, fingerprint last).
 *
 * <p>This study is empirical: there is no theory for the CNN, and the summary's
 * {@code theory_method} column reads {@value CnnSummary#NO_THEORY} on every row.
 *
 * <p>Call: {@code new CnnJob(CnnSweepLoader.load(path, out), System.out).run()}.
 */
public final class CnnJob {
  private static final Logger LOG = LoggerFactory.getLogger(CnnJob.class);

  /** What a finished run reports back. */
  public record Outcome(String output, int rows, int networks, int diverged, boolean skipped) {}

  static final StructType SCHEMA = schema();

  private final CnnSweep sweep;
  private final PrintStream console;

  public CnnJob(CnnSweep sweep, PrintStream console) {
    this.sweep = sweep;
    this.console = console;
  }

  public Outcome run() throws IOException {
    OutputDirectory output = OutputDirectory.open(sweep.output(),
        new org.apache.hadoop.conf.Configuration());
    OutputDirectory.State state = output.check(sweep.fingerprint(), sweep.family(),
        sweep.name());
    if (state == OutputDirectory.State.SAME_SWEEP_COMPLETE) {
      console.println("output " + output.root() + " already holds this study's results;"
          + " nothing to do");
      return new Outcome(output.root().toString(), 0, 0, 0, true);
    }
    output.claim(sweep.family());
    SparkSession spark = SparkSessions.start(sweep.spark().master(),
        "finite-width cnn " + sweep.name());
    try {
      return runOnSpark(spark, output);
    } finally {
      spark.stop();
    }
  }

  private Outcome runOnSpark(SparkSession spark, OutputDirectory output) throws IOException {
    output.removeStaging();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<SeedBlock> blocks = sweep.allBlocks();
    int partitions = sweep.spark().partitions() > 0 ? sweep.spark().partitions()
        : blocks.size();
    LOG.info("cnn study: name={} cells={} networks={} blocks={}", sweep.name(),
        sweep.cells().size(), sweep.cells().size() * sweep.ensembleSize(), blocks.size());
    long start = System.nanoTime();
    Broadcast<CnnSweep> shared = jsc.broadcast(sweep);
    // collect() keeps the order of the parallelized list: blocks come back in block order.
    List<List<CnnTrajectory>> trained = jsc.parallelize(new ArrayList<>(blocks), partitions)
        .map(new BlockTraining(shared)).collect();
    console.printf(Locale.ROOT, "trained %d networks in %d blocks in %.1f s%n",
        sweep.cells().size() * sweep.ensembleSize(), blocks.size(),
        (System.nanoTime() - start) / 1e9);

    List<List<CnnTrajectory>> byCell = new ArrayList<>();
    for (int c = 0; c < sweep.cells().size(); c++) {
      byCell.add(new ArrayList<>());
    }
    for (int i = 0; i < blocks.size(); i++) {
      byCell.get(blocks.get(i).cellIndex()).addAll(trained.get(i));
    }
    int diverged = 0;
    for (List<CnnTrajectory> cell : byCell) {
      diverged += (int) cell.stream().filter(t -> !t.finite()).count();
    }
    List<CnnSummary.Row> rows = CnnSummary.rows(sweep, byCell);

    Path staging = output.newStaging();
    writeParquet(spark, rows, new Path(staging, "summary"));
    writeCsv(output, rows, new Path(staging, "summary.csv"));
    output.writeString(new Path(staging, "sweep.yaml"), sweep.sourceYaml());
    output.commit(staging, sweep.fingerprint());
    console.println("summary: " + new Path(output.root(), "summary.csv") + " (" + rows.size()
        + " rows; empirical, no theory)");
    if (diverged > 0) {
      console.println(diverged + " networks diverged (NaN/inf) and are left out of every"
          + " statistic");
    }
    return new Outcome(output.root().toString(), rows.size(),
        sweep.cells().size() * sweep.ensembleSize(), diverged, false);
  }

  /** Trains one seed block on an executor. */
  static final class BlockTraining implements Function<SeedBlock, List<CnnTrajectory>> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<CnnSweep> sweep;

    BlockTraining(Broadcast<CnnSweep> sweep) {
      this.sweep = sweep;
    }

    @Override
    public List<CnnTrajectory> call(SeedBlock block) {
      NativeThreads.pinOncePerExecutor();
      CnnSweep s = sweep.value();
      CnnSweep.CnnCell cell = s.cells().get(block.cellIndex());
      long[] seeds = new long[block.count()];
      for (int k = 0; k < seeds.length; k++) {
        seeds[k] = cell.networkSeed(s.seed(), block.firstNetwork() + k);
      }
      return new CnnEnsemble(s.task(), cell.settings()).train(block.firstNetwork(), seeds);
    }
  }

  private static StructType schema() {
    DataType[] types = {DataTypes.IntegerType, DataTypes.IntegerType, DataTypes.DoubleType,
        DataTypes.StringType, DataTypes.DoubleType, DataTypes.IntegerType, DataTypes.DoubleType,
        DataTypes.StringType, DataTypes.LongType, DataTypes.LongType, DataTypes.DoubleType,
        DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType,
        DataTypes.IntegerType, DataTypes.StringType, DataTypes.StringType};
    StructField[] fields = new StructField[CnnSummary.COLUMNS.length];
    for (int c = 0; c < fields.length; c++) {
      fields[c] = DataTypes.createStructField(CnnSummary.COLUMNS[c], types[c], true);
    }
    return new StructType(fields);
  }

  private static void writeParquet(SparkSession spark, List<CnnSummary.Row> rows, Path into) {
    List<Row> sparkRows = new ArrayList<>(rows.size());
    for (CnnSummary.Row r : rows) {
      Object[] v = r.values();
      for (int c = 0; c < v.length; c++) {
        if (v[c] instanceof Double d && d.isNaN()) {
          v[c] = null;
        }
      }
      sparkRows.add(RowFactory.create(v));
    }
    spark.createDataFrame(sparkRows, SCHEMA).coalesce(1).write().mode(SaveMode.ErrorIfExists)
        .parquet(into.toString());
  }

  private static void writeCsv(OutputDirectory output, List<CnnSummary.Row> rows, Path into)
      throws IOException {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader(CnnSummary.COLUMNS)
        .setRecordSeparator("\n").build();
    try (Writer out = new OutputStreamWriter(output.fileSystem().create(into, false),
        StandardCharsets.UTF_8); CSVPrinter csv = new CSVPrinter(out, format)) {
      for (CnnSummary.Row r : rows) {
        Object[] v = r.values();
        for (int c = 0; c < v.length; c++) {
          if (v[c] instanceof Double d) {
            v[c] = d.isNaN() ? "" : Double.toString(d);
          } else if (v[c] == null) {
            v[c] = "";
          }
        }
        csv.printRecord(v);
      }
    }
  }
}
