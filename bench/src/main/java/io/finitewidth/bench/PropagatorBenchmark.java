package io.finitewidth.bench;

import io.finitewidth.fluctuation.PropagatorOptions;
import io.finitewidth.fluctuation.TwoLayerPropagator;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Wall time of one {@link TwoLayerPropagator#predict} call (single shot: a call takes seconds,
 * so there is nothing to average inside one). {@code particles = 0} means the defaults of
 * {@link PropagatorOptions#defaults}; otherwise particles, tangentParticles and replicas are
 * given explicitly.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=3G"})
public class PropagatorBenchmark {
  /** {@code target} (P = 16, Q = 8, every step recorded) or {@code small} (6, 3, every 10th). */
  @Param({"target", "small"})
  public String setting;

  @Param({"0"})
  public int particles;

  @Param({"0"})
  public int tangentParticles;

  @Param({"0"})
  public int replicas;

  private TwoLayerSetup setup;
  private PropagatorOptions options;

  @Setup
  public void prepare() {
    setup = BenchTasks.setup(setting);
    long seed = 7L;
    options = particles == 0 ? PropagatorOptions.defaults(seed)
        : new PropagatorOptions(particles, tangentParticles, seed, replicas);
  }

  @Benchmark
  public TheoryPrediction predict() {
    return TwoLayerPropagator.predict(setup, options);
  }
}
