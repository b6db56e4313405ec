package io.finitewidth.network;

import org.nd4j.linalg.api.buffer.DataType;

/** The checks every trainer makes of its width and precision before it allocates anything. */
final class TrainerArguments {
  private TrainerArguments() {}

  /** @throws IllegalArgumentException naming the bad value */
  static void check(int width, DataType dataType) {
    if (width < 1) {
      throw new IllegalArgumentException("width must be at least 1, got " + width);
    }
    if (dataType != DataType.DOUBLE && dataType != DataType.FLOAT) {
      throw new IllegalArgumentException("precision must be DOUBLE or FLOAT, got " + dataType);
    }
  }
}
