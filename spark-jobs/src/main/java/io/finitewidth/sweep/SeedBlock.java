package io.finitewidth.sweep;

import java.io.Serializable;

/**
 * A run of consecutive network indices of one cell, trained together: networks {@code
 * firstNetwork} to {@code firstNetwork + count − 1}. The unit of Spark work.
 */
public record SeedBlock(int cellIndex, int blockIndex, int firstNetwork, int count)
    implements Serializable {
  public SeedBlock {
    if (cellIndex < 0 || blockIndex < 0 || firstNetwork < 0 || count < 1) {
      throw new IllegalArgumentException("invalid seed block: cell " + cellIndex + ", block "
          + blockIndex + ", first network " + firstNetwork + ", count " + count);
    }
  }

  /** One past the last network index. */
  public int endNetwork() {
    return firstNetwork + count;
  }
}
