package io.finitewidth.bench;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** Native thread count for a benchmark JVM, set the way a Spark executor task sets it. */
public final class Threads {
  private Threads() {}

  /** Uses FINITE_WIDTH_BLAS_THREADS, default 1 (one task slot). Returns the count set. */
  public static int pin() {
    String configured = System.getenv("FINITE_WIDTH_BLAS_THREADS");
    int threads = configured == null ? 1 : Integer.parseInt(configured.trim());
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    return threads;
  }
}
