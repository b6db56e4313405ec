package io.finitewidth.network;

import io.finitewidth.bench.Threads;
import io.finitewidth.bench.Workloads;
import io.finitewidth.model.Activation;
import io.finitewidth.model.TwoLayerSetup;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Throughput of {@link TwoLayerEnsemble} on one workload, as the product runs it: the ensemble in
 * blocks of at most 64 networks, each block trained for S steps with the NTK recorded every 10.
 * Only the step loop is timed (forward, record, update); drawing the initial weights is reported
 * apart. Prints one CSV line per workload:
 *
 * <pre>impl,D,N,E,dtype,steps,reps,median_s,min_s,net_steps_per_s,gflop,gflops,init_s</pre>
 *
 * Usage: TrainingBench D N E float|double STEPS REPS [phases] | gemm SIZE float|double REPS
 */
public final class TrainingBench {
  static final int P = 16;
  static final int Q = 16;
  static final int BLOCK = 64;
  static final int EVERY = 10;

  public static void main(String[] args) throws Exception {
    Threads.pin();
    if (args[0].equals("gemm")) {
      gemm(Integer.parseInt(args[1]), type(args[2]), Integer.parseInt(args[3]));
      return;
    }
    int dim = Integer.parseInt(args[0]);
    int width = Integer.parseInt(args[1]);
    int ensemble = Integer.parseInt(args[2]);
    DataType type = type(args[3]);
    int steps = Integer.parseInt(args[4]);
    int reps = Integer.parseInt(args[5]);
    boolean phases = args.length > 6 && args[6].equals("phases");
    TwoLayerSetup setup = Workloads.setup(Workloads.benchTask(dim, P, Q), Activation.TANH, 1.0,
        1.0, steps, EVERY, false);
    int[] recordSteps = setup.grid().recordSteps();
    TwoLayerEnsemble trainer = new TwoLayerEnsemble(setup, width, type);

    // Warm-up: JIT and ND4J op caches on a tiny block.
    TwoLayerEnsemble.Block warm = new TwoLayerEnsemble(setup, Math.min(width, 64), type)
        .block(new long[] {1, 2});
    double[][][] warmRecorded = new double[2][recordSteps.length][];
    for (int k = 0; k < 20; k++) {
      warm.forward();
      warm.record(warmRecorded, 0);
      warm.update();
    }

    double[] times = new double[reps];
    double init = 0;
    long[] phaseNanos = new long[3];
    double[] check = new double[4];
    for (int rep = 0; rep < reps; rep++) {
      double total = 0;
      for (int first = 0; first < ensemble; first += BLOCK) {
        int count = Math.min(BLOCK, ensemble - first);
        long[] seeds = new long[count];
        for (int b = 0; b < count; b++) {
          seeds[b] = 1_000_003L * rep + first + b;
        }
        long t0 = System.nanoTime();
        TwoLayerEnsemble.Block block = trainer.block(seeds);
        double[][][] recorded = new double[count][recordSteps.length][];
        long t1 = System.nanoTime();
        init += (t1 - t0) * 1e-9;
        int next = 0;
        for (int step = 0; step <= steps; step++) {
          long a = phases ? System.nanoTime() : 0;
          block.forward();
          long b = phases ? System.nanoTime() : 0;
          if (next < recordSteps.length && recordSteps[next] == step) {
            block.record(recorded, next);
            next++;
          }
          long c = phases ? System.nanoTime() : 0;
          if (step == steps) {
            break;
          }
          block.update();
          if (phases) {
            long d = System.nanoTime();
            phaseNanos[0] += b - a;
            phaseNanos[1] += c - b;
            phaseNanos[2] += d - c;
          }
        }
        total += (System.nanoTime() - t1) * 1e-9;
        if (rep == 0) {
          int last = recordSteps.length - 1;
          for (int b = 0; b < count; b++) {
            double[] v = recorded[b][last];
            check[0] += v[trainer.layout().lossIndex()] / ensemble;
            check[1] += v[trainer.layout().ntk(0, 0)] / ensemble;
            check[2] += v[trainer.layout().featureKernel(0, 1)] / ensemble;
            check[3] += v[RecordedSlots.sharpness(trainer.layout())] / ensemble;
          }
        }
        block = null;
      }
      times[rep] = total;
    }
    double[] sorted = times.clone();
    Arrays.sort(sorted);
    double median = sorted[reps / 2];
    double gflop = flops(dim, width, steps, recordSteps.length) * ensemble * 1e-9;
    System.out.printf("java,%d,%d,%d,%s,%d,%d,%.6f,%.6f,%.1f,%.3f,%.3f,%.3f%n", dim, width,
        ensemble, args[3], steps, reps, median, sorted[0], (double) ensemble * steps / median,
        gflop, gflop / median, init / reps);
    System.out.printf("# check (rep 0, last record, ensemble means): loss %.6g K00 %.6g Phi01 %.6g"
        + " sharpness %.6g%n", check[0], check[1], check[2], check[3]);
    if (phases) {
      System.out.printf("# phases (s, all reps): forward %.3f record %.3f update %.3f%n",
          phaseNanos[0] * 1e-9, phaseNanos[1] * 1e-9, phaseNanos[2] * 1e-9);
    }
    long heapPeak = 0;
    long heapCommitted = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPeak += pool.getPeakUsage().getUsed();
        heapCommitted += pool.getPeakUsage().getCommitted();
      }
    }
    long rssPeak = 0;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        rssPeak = 1024L * Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    // Off-heap estimate: what the process held at its peak beyond the committed Java heap
    // (ND4J buffers, OpenBLAS buffers, JVM code and metaspace).
    System.out.printf("# memory: heap_peak_used_MiB=%.1f heap_peak_committed_MiB=%.1f "
        + "rss_peak_MiB=%.1f offheap_estimate_MiB=%.1f%n", heapPeak / 1048576.0,
        heapCommitted / 1048576.0, rssPeak / 1048576.0, (rssPeak - heapCommitted) / 1048576.0);
  }

  /**
   * Flops of one network over S steps, counting the matrix products only (2 per multiply-add):
   * S+1 forward passes 2·N·D·M + 2·N·M (M = P + Q), S updates 2·N·P·D + 2·N·P, and R kernel
   * records 2 · 2·N·M² (Φ and G). Elementwise work (φ, φ', products) is not counted.
   */
  static double flops(int dim, int width, int steps, int records) {
    double m = P + Q;
    double forward = 2.0 * width * dim * m + 2.0 * width * m;
    double update = 2.0 * width * P * dim + 2.0 * width * P;
    double record = 4.0 * width * m * m;
    return (steps + 1) * forward + steps * update + records * record;
  }

  static DataType type(String name) {
    return switch (name) {
      case "float", "float32" -> DataType.FLOAT;
      case "double", "float64" -> DataType.DOUBLE;
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** Peak: median GFLOP/s of an n × n × n GEMM through ND4J (the same OpenBLAS). */
  static void gemm(int n, DataType type, int reps) {
    INDArray a = Nd4j.rand(type, n, n);
    INDArray b = Nd4j.rand(type, n, n);
    INDArray c = Nd4j.create(type, n, n);
    a.mmuli(b, c);
    double[] times = new double[reps];
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      a.mmuli(b, c);
      times[r] = (System.nanoTime() - t0) * 1e-9;
    }
    Arrays.sort(times);
    double gflop = 2.0 * n * n * n * 1e-9;
    System.out.printf("gemm,java,%d,%s,%d,%.6f,%.3f%n", n, type == DataType.FLOAT ? "float" : "double",
        reps, times[reps / 2], gflop / times[reps / 2]);
  }
}
