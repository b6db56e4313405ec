package io.finitewidth.network;

/**
 * The pre-activation trainer's kernels use the JDK's incubating vector API, which a JVM offers
 * only when started with {@code --add-modules=jdk.incubator.vector}. This class names no vector
 * type, so the check itself loads on any JVM.
 */
public final class VectorModule {
  static final String NAME = "jdk.incubator.vector";

  private VectorModule() {}

  /** The JVM lacks the module: a launch problem, reported like bad input (no stack trace). */
  public static final class MissingModuleException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    MissingModuleException(String message) {
      super(message);
    }
  }

  public static boolean available() {
    return ModuleLayer.boot().findModule(NAME).isPresent();
  }

  /** Fails, naming the flag to add, when this JVM was started without the module. */
  public static void require() {
    if (!available()) {
      throw new MissingModuleException("the pre-activation trainer (training.engine: "
          + "preactivation, the default) needs the JVM flag --add-modules=" + NAME
          + "; this JVM was started without it. conf/jvm-options lists it, submit/local and "
          + "submit/cluster pass it to the driver and the executors; in your own launcher add it "
          + "to the JVM options (spark.driver/executor.extraJavaOptions on a cluster), or set "
          + "training.engine: weights");
    }
  }
}
