package io.finitewidth.job;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * One BLAS/OpenMP thread per Spark task slot unless {@code FINITE_WIDTH_BLAS_THREADS} says
 * otherwise: parallelism comes from tasks, and two BLAS threads per task collapse when the other
 * core is busy. Keep the default where bit-identical results across runs and cluster shapes
 * matter: with more than one BLAS thread OpenBLAS may split a product differently and change
 * the last bits of recorded values (seen in the trainer benchmark).
 */
final class NativeThreads {
  private static volatile boolean pinned;

  private NativeThreads() {}

  static void pinOncePerExecutor() {
    if (pinned) {
      return;
    }
    synchronized (NativeThreads.class) {
      if (pinned) {
        return;
      }
      String configured = System.getenv("FINITE_WIDTH_BLAS_THREADS");
      int threads = configured == null ? 1 : Integer.parseInt(configured.trim());
      Nd4j.getEnvironment().setMaxMasterThreads(threads);
      Nd4j.factory().blas().setMaxThreads(threads);
      NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
      pinned = true;
    }
  }
}
