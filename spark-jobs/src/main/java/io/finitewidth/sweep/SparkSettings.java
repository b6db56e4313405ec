package io.finitewidth.sweep;

import java.io.Serializable;

/**
 * Where and how wide the sweep runs ({@code spark:} section). Does not influence results.
 *
 * @param master Spark master URL, or null for an embedded {@code local[*]} bound to loopback
 * @param partitions RDD partitions for the seed blocks; 0 means one per seed block
 */
public record SparkSettings(String master, int partitions) implements Serializable {
  public SparkSettings {
    if (partitions < 0) {
      throw new IllegalArgumentException("spark.partitions must be ≥ 0, got " + partitions);
    }
  }
}
