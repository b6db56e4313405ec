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
 * One training step (forward pass, errors, update of both layers) and one kernel measurement
 * (Φ, G, NTK, predictions, loss and sharpness of every network) of a block of networks, per
 * width. The block keeps training across invocations; η = 1/16 keeps it stable.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Dorg.bytedeco.javacpp.maxbytes=12G",
    "-Dorg.bytedeco.javacpp.maxphysicalbytes=16G"})
public class TrainerBenchmark {
  @Param({"256", "1024", "4096"})
  public int width;

  @Param({"32", "784"})
  public int dim;

  @Param({"float"})
  public String dtype;

  /** Networks per block; 64 is the product's default block size. */
  @Param({"16"})
  public int block;

  private TwoLayerEnsemble.Block state;
  private double[][][] recorded;

  @Setup(Level.Trial)
  public void setUp() {
    Threads.pin();
    TwoLayerSetup setup = Workloads.setup(Workloads.benchTask(dim, 16, 16), Activation.TANH, 1.0,
        1.0, 10, 10, false);
    long[] seeds = new long[block];
    for (int b = 0; b < block; b++) {
      seeds[b] = 17L + b;
    }
    state = new TwoLayerEnsemble(setup, width, TrainingBench.type(dtype)).block(seeds);
    recorded = new double[block][1][];
    state.forward();
  }

  /** update() then forward(): one step, leaving the state ready for the next. */
  @Benchmark
  public void trainingStep() {
    state.update();
    state.forward();
  }

  @Benchmark
  public double[][][] kernelMeasurement() {
    state.record(recorded, 0);
    return recorded;
  }
}
