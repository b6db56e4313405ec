package io.finitewidth.network;

import io.finitewidth.bench.Threads;
import io.finitewidth.bench.Workloads;
import io.finitewidth.model.Activation;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.TwoLayerSetup;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Throughput of the product's two-layer trainer on one workload, as the product runs it.
 *
 * <p>Engine {@code preactivation} (default, the product's trainer {@link PreactivationEnsemble}):
 * the ensemble is split into blocks of {@code block} networks (default 16, the product's block
 * size) and the blocks run on a fixed pool of {@code threads} threads (default: all processors),
 * as Spark local[T] runs one task per block on T task slots. Phase 1 (every {@code start(seed)}:
 * drawing and projecting the initial weights) and phase 2 (every {@code trainFrom}: the S steps
 * and the records) are timed apart, each as the wall time of all blocks; throughput is E·S over
 * phase 2, the phase-1 time is reported as init_s.
 *
 * <p>Engine {@code weights} (the old ND4J trainer {@link TwoLayerEnsemble}): blocks of at most 64
 * networks, one after another on the calling thread; only the step loop is timed (forward, record,
 * update), drawing the initial weights is init_s.
 *
 * <p>Prints one CSV line per workload:
 *
 * <pre>impl,D,N,E,dtype,steps,reps,median_s,min_s,net_steps_per_s,gflop,gflops,init_s,
 * actual_gflop,actual_gflops,threads,block</pre>
 *
 * gflop/gflops are the nominal count ({@link #flops}, the weight-space algorithm); actual_* the
 * flops the engine performs ({@link #actualFlops} for the pre-activation trainer, the nominal
 * count for the weight-space one).
 *
 * <p>Usage: TrainingBench D N E float|double STEPS REPS [engine=preactivation|weights]
 * [threads=T] [block=B] [phases] | gemm SIZE float|double REPS
 */
public final class TrainingBench {
  static final int P = 16;
  static final int Q = 16;
  static final int BLOCK = 64;
  static final int EVERY = 10;

  public static void main(String[] args) throws Exception {
    int blasThreads = Threads.pin();
    if (args[0].equals("gemm")) {
      gemm(Integer.parseInt(args[1]), type(args[2]), Integer.parseInt(args[3]), blasThreads);
      return;
    }
    int dim = Integer.parseInt(args[0]);
    int width = Integer.parseInt(args[1]);
    int ensemble = Integer.parseInt(args[2]);
    DataType type = type(args[3]);
    int steps = Integer.parseInt(args[4]);
    int reps = Integer.parseInt(args[5]);
    String engine = "preactivation";
    int threads = Runtime.getRuntime().availableProcessors();
    int blockSize = 16;
    boolean phases = false;
    for (int i = 6; i < args.length; i++) {
      String a = args[i];
      if (a.equals("phases")) {
        phases = true;
      } else if (a.startsWith("engine=")) {
        engine = a.substring(7);
      } else if (a.startsWith("threads=")) {
        threads = Integer.parseInt(a.substring(8));
      } else if (a.startsWith("block=")) {
        blockSize = Integer.parseInt(a.substring(6));
      } else {
        throw new IllegalArgumentException(a);
      }
    }
    TwoLayerSetup setup = Workloads.setup(Workloads.benchTask(dim, P, Q), Activation.TANH, 1.0,
        1.0, steps, EVERY, false);
    switch (engine) {
      case "preactivation" -> preactivation(setup, dim, width, ensemble, type, args[3], steps,
          reps, threads, blockSize);
      case "weights" -> weights(setup, dim, width, ensemble, type, args[3], steps, reps, phases);
      default -> throw new IllegalArgumentException("engine " + engine);
    }
    memory();
  }

  /** The product's trainer: blocks on a pool of T threads, phase 1 (starts) and 2 (steps). */
  static void preactivation(TwoLayerSetup setup, int dim, int width, int ensemble, DataType type,
      String typeName, int steps, int reps, int threads, int blockSize) throws Exception {
    int[] recordSteps = setup.grid().recordSteps();
    PreactivationEnsemble trainer = new PreactivationEnsemble(setup, width, type);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      // Warm-up (JIT): a small ensemble at this width, trained repeatedly on every thread for
      // at least 3 s and 8 rounds before anything is timed.
      int warmCount = Math.min(ensemble, 2 * threads);
      long[] warmSeeds = new long[warmCount];
      for (int b = 0; b < warmCount; b++) {
        warmSeeds[b] = 999_000L + b;
      }
      List<List<PreactivationEnsemble.Start>> warmStarts = runBlocks(pool, warmSeeds, 1,
          (first, seeds) -> starts(trainer, seeds));
      long warmEnd = System.nanoTime() + 3_000_000_000L;
      for (int round = 0; round < 8 || System.nanoTime() < warmEnd; round++) {
        List<Callable<List<NetworkTrajectory>>> tasks = new ArrayList<>();
        for (int b = 0; b < warmCount; b++) {
          int first = b;
          tasks.add(() -> trainer.trainFrom(first, warmStarts.get(first)));
        }
        for (Future<List<NetworkTrajectory>> f : pool.invokeAll(tasks)) {
          f.get();
        }
      }

      double[] times = new double[reps];
      double[] inits = new double[reps];
      double[] check = new double[4];
      ObservableLayout layout = trainer.layout();
      for (int rep = 0; rep < reps; rep++) {
        long[] seeds = new long[ensemble];
        for (int b = 0; b < ensemble; b++) {
          seeds[b] = 1_000_003L * rep + b;
        }
        long t0 = System.nanoTime();
        List<List<PreactivationEnsemble.Start>> starts = runBlocks(pool, seeds, blockSize,
            (first, blockSeeds) -> starts(trainer, blockSeeds));
        long t1 = System.nanoTime();
        List<List<NetworkTrajectory>> trained = runBlocks(pool, seeds, blockSize,
            (first, blockSeeds) -> trainer.trainFrom(first, starts.get(first / blockSize)));
        long t2 = System.nanoTime();
        inits[rep] = (t1 - t0) * 1e-9;
        times[rep] = (t2 - t1) * 1e-9;
        if (rep == 0) {
          int last = recordSteps.length - 1;
          for (List<NetworkTrajectory> block : trained) {
            for (NetworkTrajectory t : block) {
              double[] v = t.observables()[last];
              check[0] += v[layout.lossIndex()] / ensemble;
              check[1] += v[layout.ntk(0, 0)] / ensemble;
              check[2] += v[layout.featureKernel(0, 1)] / ensemble;
              check[3] += v[RecordedSlots.sharpness(layout)] / ensemble;
            }
          }
        }
      }
      double[] sorted = times.clone();
      Arrays.sort(sorted);
      double median = sorted[reps / 2];
      double init = Arrays.stream(inits).sum();
      double gflop = flops(dim, width, steps, recordSteps.length) * ensemble * 1e-9;
      double actual = actualFlops(width, steps, recordSteps.length) * ensemble * 1e-9;
      System.out.printf("java,%d,%d,%d,%s,%d,%d,%.6f,%.6f,%.1f,%.3f,%.3f,%.3f,%.4f,%.3f,%d,%d%n",
          dim, width, ensemble, typeName, steps, reps, median, sorted[0],
          (double) ensemble * steps / median, gflop, gflop / median, init / reps, actual,
          actual / median, threads, blockSize);
      System.out.printf("# check (rep 0, last record, ensemble means): loss %.6g K00 %.6g Phi01 %.6g"
          + " sharpness %.6g%n", check[0], check[1], check[2], check[3]);
      System.out.printf("# phases (s, per rep): init %s steps %s; init GFLOP (projection, float64)"
          + " %.3f%n", Arrays.toString(inits), Arrays.toString(times),
          initFlops(dim, width) * ensemble * 1e-9);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One block's starts, in seed order. */
  private static List<PreactivationEnsemble.Start> starts(PreactivationEnsemble trainer,
      long[] seeds) {
    List<PreactivationEnsemble.Start> out = new ArrayList<>(seeds.length);
    for (long seed : seeds) {
      out.add(trainer.start(seed));
    }
    return out;
  }

  interface BlockTask<R> {
    R run(int first, long[] seeds) throws Exception;
  }

  /**
   * Splits the seeds into blocks of {@code blockSize}, runs every block as one task on the pool
   * (tasks queued in block order, taken by whichever thread is free, as Spark hands tasks to
   * free slots) and returns the results in block order once all are done.
   */
  static <R> List<R> runBlocks(ExecutorService pool, long[] seeds, int blockSize,
      BlockTask<R> task) throws Exception {
    List<Callable<R>> tasks = new ArrayList<>();
    for (int first = 0; first < seeds.length; first += blockSize) {
      int from = first;
      long[] block = Arrays.copyOfRange(seeds, first, Math.min(seeds.length, first + blockSize));
      tasks.add(() -> task.run(from, block));
    }
    List<R> out = new ArrayList<>(tasks.size());
    for (Future<R> f : pool.invokeAll(tasks)) {
      out.add(f.get());
    }
    return out;
  }

  /** The old weight-space trainer: blocks of 64 on this thread, step loop timed. */
  static void weights(TwoLayerSetup setup, int dim, int width, int ensemble, DataType type,
      String typeName, int steps, int reps, boolean phases) {
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
    System.out.printf("java-weights,%d,%d,%d,%s,%d,%d,%.6f,%.6f,%.1f,%.3f,%.3f,%.3f,%.4f,%.3f,"
        + "%d,%d%n", dim, width, ensemble, typeName, steps, reps, median, sorted[0],
        (double) ensemble * steps / median, gflop, gflop / median, init / reps, gflop,
        gflop / median, 1, BLOCK);
    System.out.printf("# check (rep 0, last record, ensemble means): loss %.6g K00 %.6g Phi01 %.6g"
        + " sharpness %.6g%n", check[0], check[1], check[2], check[3]);
    if (phases) {
      System.out.printf("# phases (s, all reps): forward %.3f record %.3f update %.3f%n",
          phaseNanos[0] * 1e-9, phaseNanos[1] * 1e-9, phaseNanos[2] * 1e-9);
    }
  }

  /** Peak heap (sum of the heap pools' peaks) and peak RSS (VmHWM) of this process. */
  static void memory() throws java.io.IOException {
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

  /**
   * Flops the pre-activation trainer performs for one network over S steps with R records
   * (2 per multiply-add): per step 2·N·P² (pre-activation update) + 2·N·P (outputs on the
   * training points) + 2·N·P (readout step); per record 2·N·P·Q (test pre-activations from Σg)
   * + 2·N·M (outputs on all M points) + 2 · 2·N·P·M (Φ and G rows, train × all). The projection
   * of the initial weights is {@link #initFlops} (not timed).
   */
  static double actualFlops(int width, int steps, int records) {
    double n = width;
    double m = P + Q;
    double step = 2.0 * n * P * P + 2.0 * n * P + 2.0 * n * P;
    double record = 2.0 * n * P * Q + 2.0 * n * m + 4.0 * n * P * m;
    return steps * step + records * record;
  }

  /** Projection of one network's initial weights on all M points: 2·N·D·M. */
  static double initFlops(int dim, int width) {
    return 2.0 * width * dim * (P + Q);
  }

  static DataType type(String name) {
    return switch (name) {
      case "float", "float32" -> DataType.FLOAT;
      case "double", "float64" -> DataType.DOUBLE;
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** Peak: median GFLOP/s of an n × n × n GEMM through ND4J (the same OpenBLAS). */
  static void gemm(int n, DataType type, int reps, int threads) {
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
    System.out.printf("gemm,java,%d,%s,%d,%.6f,%.3f,%d%n", n,
        type == DataType.FLOAT ? "float" : "double", reps, times[reps / 2],
        gflop / times[reps / 2], threads);
  }
}
