package io.finitewidth.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's {@code data/} folder from the test's working directory. */
public final class ShippedData {
  private ShippedData() {}

  /** The top-level {@code data/} folder: the first ancestor folder holding data/README.md. */
  public static Path folder() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("data").resolve("README.md"))) {
        return p.resolve("data");
      }
    }
    throw new IllegalStateException("no data/README.md above " + Path.of("").toAbsolutePath());
  }

  public static Path mnistImages() {
    return folder().resolve("mnist/t10k-images-idx3-ubyte.gz");
  }

  public static Path mnistLabels() {
    return folder().resolve("mnist/t10k-labels-idx1-ubyte.gz");
  }

  public static Path cifarTest() {
    return folder().resolve("cifar10/test_batch_subset.bin");
  }

  public static Path cifarTrain() {
    return folder().resolve("cifar10/data_batch_subset.bin");
  }
}
