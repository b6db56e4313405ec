package io.finitewidth.network;

import io.finitewidth.bench.Threads;
import io.finitewidth.bench.Workloads;
import io.finitewidth.model.Activation;
import io.finitewidth.model.TwoLayerSetup;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step and one kernel measurement, per width, of either engine.
 *
 * <p>{@code engine=preactivation} (the product's trainer): ONE network, built the way
 * {@link PreactivationEnsemble} builds it (its {@code start(seed)}, then a
 * {@link PreactivationDynamics} constructed as the trainer's private {@code dynamics()} does).
 * "Training step" = {@code update()} + {@code forward(false)}; "kernel measurement" =
 * {@code forward(true)} + {@code record(...)} with a recorder that builds the record vector and its
 * sharpness with the trainer's own {@code observables}. D only matters for the start (not timed).
 *
 * <p>{@code engine=weights} (the old ND4J {@link TwoLayerEnsemble}): a block of {@code block}
 * networks; "training step" = update() + forward(), "kernel measurement" = record().
 *
 * <p>The state keeps training across invocations; η = 1/16 keeps it stable.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Dorg.bytedeco.javacpp.maxbytes=12G",
    "-Dorg.bytedeco.javacpp.maxphysicalbytes=16G"})
public class TrainerBenchmark {
  @Param({"preactivation", "weights"})
  public String engine;

  @Param({"256", "1024", "4096"})
  public int width;

  @Param({"32", "784"})
  public int dim;

  @Param({"float"})
  public String dtype;

  /** Networks per block of the weights engine (the preactivation engine times one network). */
  @Param({"16"})
  public int block;

  private boolean preactivation;
  private PreactivationDynamics network;
  private PreactivationEnsemble.Recorder recorder;
  private double[] lastRecord;

  private TwoLayerEnsemble.Block state;
  private double[][][] recorded;

  @Setup(Level.Trial)
  public void setUp() {
    Threads.pin();
    TwoLayerSetup setup = Workloads.setup(Workloads.benchTask(dim, 16, 16), Activation.TANH,
        1.0, 1.0, 10, 10, false);
    DataType type = TrainingBench.type(dtype);
    preactivation = engine.equals("preactivation");
    if (preactivation) {
      PreactivationEnsemble trainer = new PreactivationEnsemble(setup, width, type);
      network = trainer.dynamics(setup.task());
      PreactivationEnsemble.Start start = trainer.start(17L);
      network.start(start.preactivations(), start.readouts());
      recorder = (f, delta, ntk, phi, g) ->
          lastRecord = trainer.observables(f, delta, ntk, phi, g);
      network.forward(true);
      return;
    }
    long[] seeds = new long[block];
    for (int b = 0; b < block; b++) {
      seeds[b] = 17L + b;
    }
    state = new TwoLayerEnsemble(setup, width, type).block(seeds);
    recorded = new double[block][1][];
    state.forward();
  }

  /** One step from the state of the last forward, then the next forward. */
  @Benchmark
  public Object trainingStep() {
    if (preactivation) {
      network.update();
      network.forward(false);
      return network;
    }
    state.update();
    state.forward();
    return state;
  }

  /** One record: outputs on all points, Φ, G, NTK, loss, sharpness. */
  @Benchmark
  public Object kernelMeasurement() {
    if (preactivation) {
      network.forward(true);
      network.record(recorder);
      return lastRecord;
    }
    state.record(recorded, 0);
    return recorded;
  }
}
