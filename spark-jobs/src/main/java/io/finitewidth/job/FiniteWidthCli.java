package io.finitewidth.job;

import io.finitewidth.sweep.CnnSweepLoader;
import io.finitewidth.sweep.OnlineSweep;
import io.finitewidth.sweep.OnlineSweepLoader;
import io.finitewidth.sweep.Sweep;
import io.finitewidth.sweep.SweepLoader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The command line: {@code finite-width run SWEEP.yaml [--out DIR]} and friends. */
@Command(name = "finite-width", mixinStandardHelpOptions = true, version = "finite-width 0.1.0",
    description = "Ensembles of finite-width mean-field networks on Spark, beside DMFT.",
    subcommands = {FiniteWidthCli.Run.class, FiniteWidthCli.Theory.class,
        FiniteWidthCli.Report.class, FiniteWidthCli.Validate.class},
    footer = {"", "Example:", "  submit/local conf/quickstart.yaml --out runs/quickstart"})
public final class FiniteWidthCli implements Callable<Integer> {

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Validate a sweep, train its ensembles on Spark, write networks/, summary/,"
          + " summary.csv beside the DMFT predictions.",
      footer = {"", "Example:", "  finite-width run conf/quickstart.yaml --out runs/quickstart"})
  static final class Run implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP.yaml", description = "the sweep file")
    Path sweepFile;

    @Option(names = "--out", paramLabel = "DIR",
        description = "output directory (local, file://, hdfs://, s3a://); overrides 'output'")
    String out;

    @Option(names = "--master", paramLabel = "URL",
        description = "Spark master; default: the sweep's spark.master, else embedded local[*]")
    String master;

    @Option(names = "--force", description = "recompute even if DIR holds this sweep's results")
    boolean force;

    @Override
    public Integer call() throws Exception {
      if (master != null) {
        SweepLoader.checkMaster("--master", master);
      }
      if (CnnSweepLoader.isCnn(sweepFile)) {
        CnnJob.Outcome outcome = new CnnJob(CnnSweepLoader.load(sweepFile, out), System.out)
            .run();
        if (!outcome.skipped()) {
          System.out.println("results: " + outcome.output() + " (summary/, summary.csv)");
          try {
            System.out.println("report: " + io.finitewidth.report.SweepReport.write(
                outcome.output(), new org.apache.hadoop.conf.Configuration()));
          } catch (java.io.IOException | RuntimeException e) {
            System.err.println("report not written: " + e.getMessage());
          }
        }
        return 0;
      }
      if (OnlineSweepLoader.isOnline(sweepFile)) {
        OnlineSweep online = OnlineSweepLoader.load(sweepFile, out);
        if (master != null) {
          online = online.withMaster(master);
        }
        new OnlineJob(online, System.out, force).run();
        return 0;
      }
      Sweep sweep = SweepLoader.load(sweepFile, out);
      if (master != null) {
        sweep = sweep.withMaster(master);
      }
      PrintStream console = System.out;
      EnsembleJob.Outcome outcome = new EnsembleJob(sweep, console, force).run();
      if (!outcome.skipped()) {
        ConsoleSummary.print(outcome.summary(), console);
        console.println();
        console.println("results: " + outcome.output() + " (networks/, summary/, summary.csv)");
      }
      return 0;
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = "Check a sweep file (and load its dataset) without starting Spark.",
      footer = {"", "Example:", "  finite-width validate conf/quickstart.yaml"})
  static final class Validate implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP.yaml", description = "the sweep file")
    Path sweepFile;

    @Override
    public Integer call() {
      Sweep sweep = SweepLoader.load(sweepFile, null);
      System.out.printf("%s: %d cells, %d networks, %d seed blocks, output %s%n", sweep.name(),
          sweep.cells().size(), sweep.cells().size() * sweep.ensembleSize(),
          sweep.allBlocks().size(), sweep.output());
      return 0;
    }
  }

  @Command(name = "theory", mixinStandardHelpOptions = true,
      description = "Compute the DMFT predictions of every distinct cell of a sweep (widths"
          + " share one), without Spark, and write them as long-format CSV.",
      footer = {"", "Example:", "  finite-width theory conf/quickstart.yaml --csv theory.csv"})
  static final class Theory implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP.yaml", description = "the sweep file")
    Path sweepFile;

    @Option(names = "--csv", paramLabel = "FILE", defaultValue = "theory.csv",
        description = "where to write the predictions (default: ${DEFAULT-VALUE})")
    Path csv;

    @Override
    public Integer call() throws Exception {
      Path folder = csv.toAbsolutePath().getParent();
      if (folder == null || !java.nio.file.Files.isDirectory(folder)) {
        throw new IllegalArgumentException("--csv: '" + csv + "' — allowed: a file in an"
            + " existing folder (" + folder + " does not exist)");
      }
      Sweep sweep = SweepLoader.load(sweepFile, null);
      TheoryPredictions.writeCsv(sweep, csv, System.out);
      return 0;
    }
  }

  @Command(name = "report", mixinStandardHelpOptions = true,
      description = "Redraw report.html (and report/*.png) from a sweep's existing outputs,"
          + " without training.",
      footer = {"", "Example:", "  finite-width report runs/quickstart"})
  static final class Report implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR",
        description = "a sweep's output directory (local, file://, hdfs://, s3a://)")
    String outputDir;

    @Override
    public Integer call() throws Exception {
      org.apache.hadoop.fs.Path page = io.finitewidth.report.SweepReport.write(outputDir,
          new org.apache.hadoop.conf.Configuration());
      System.out.println("report: " + page);
      return 0;
    }
  }

  /** Exit codes: 0 done, 2 bad input (message on stderr, nothing written), 1 failure. */
  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new FiniteWidthCli());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof IllegalArgumentException || e instanceof java.io.FileNotFoundException
          || e instanceof io.finitewidth.network.VectorModule.MissingModuleException) {
        commandLine.getErr().println("error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    System.exit(cli.execute(args));
  }

}
