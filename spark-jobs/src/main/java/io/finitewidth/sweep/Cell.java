package io.finitewidth.sweep;

import io.finitewidth.model.DeepSetup;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One point of a sweep: a two-layer setup at one width, trained by an ensemble of independently
 * seeded networks.
 *
 * <p>The {@code key} is a canonical text of everything that fixes one network's trajectory apart
 * from its seed: activation, width, γ0, dt, steps, record grid, loss, centring and the task's
 * {@link io.finitewidth.model.Task#fingerprint()} (see {@link #keyOf}). It leaves out the
 * ensemble size, the block size, the precision, the cell's position in the sweep and the
 * {@code dynamics} label, so none of them moves a network's seed.
 *
 * <p><b>Network seeds</b> are counter-based: network i of a cell gets
 *
 * <pre>
 *   s0   = mix64(sweepSeed + GOLDEN_GAMMA)
 *   s1   = mix64(s0 ^ hash64(key))
 *   seed = mix64(s1 + GOLDEN_GAMMA · (i + 1))
 * </pre>
 *
 * where mix64 is the SplitMix64 finaliser, GOLDEN_GAMMA = 0x9e3779b97f4a7c15 and hash64(key) the
 * first 8 bytes of SHA-256 of the key's UTF-8 bytes. A seed depends on (sweep seed, key, i) only:
 * raising E adds new seeds without changing old ones, and blocks, partitions and executors play no
 * part.
 *
 * @param index position in the sweep's cell order
 * @param key canonical parameter text, see {@link #keyOf}
 * @param width N, hidden units
 * @param setup everything else that fixes training
 * @param dynamics {@code gradient_descent} or {@code gradient_flow}: a label of intent only, both
 *     run the same Euler map
 * @param depth L, hidden layers (1 = the two-layer network); deep cells train
 *     {@link DeepSetup} networks built from the same setup ({@link #deepSetup()})
 */
public record Cell(int index, String key, int width, TwoLayerSetup setup, String dynamics,
    int depth) implements Serializable {

  /** A two-layer cell (depth 1). */
  public Cell(int index, String key, int width, TwoLayerSetup setup, String dynamics) {
    this(index, key, width, setup, dynamics, 1);
  }

  public Cell {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(setup, "setup");
    Objects.requireNonNull(dynamics, "dynamics");
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be ≥ 1, got " + depth);
    }
    if (index < 0 || width < 1) {
      throw new IllegalArgumentException("cell needs index ≥ 0 and width ≥ 1, got " + index
          + " and " + width);
    }
  }

  /** The canonical key of a deep cell: the two-layer key plus {@code ;depth=L} when L > 1. */
  public static String keyOf(int width, TwoLayerSetup setup, int depth) {
    return depth == 1 ? keyOf(width, setup) : keyOf(width, setup) + ";depth=" + depth;
  }

  /** Whether this cell trains deep (L > 1) networks. */
  public boolean deep() {
    return depth > 1;
  }

  /** The deep-network setup of this cell (any depth; depth 1 is the two-layer network). */
  public DeepSetup deepSetup() {
    return new DeepSetup(setup.task(), setup.activation(), depth, setup.gamma0(), setup.loss(),
        setup.grid());
  }

  /** The canonical key of a setup at a width; {@link #key()} of the cell built from them. */
  public static String keyOf(int width, TwoLayerSetup setup) {
    TimeGrid grid = setup.grid();
    return "activation=" + setup.activation().label()
        + ";width=" + width
        + ";gamma0=" + Canonical.decimal(setup.gamma0())
        + ";dt=" + Canonical.decimal(grid.dt())
        + ";steps=" + grid.steps()
        + ";record=" + recordText(grid)
        + ";loss=" + setup.loss().label()
        + ";centred=" + setup.centred()
        + ";task=" + String.format("%016x", setup.task().fingerprint());
  }

  /** The seed of network {@code networkIndex} (≥ 0), see the class comment. */
  public long networkSeed(long sweepSeed, int networkIndex) {
    return networkSeed(sweepSeed, key, networkIndex);
  }

  /** The counter-based seed of the class comment for any cell key (online cells use it too). */
  public static long networkSeed(long sweepSeed, String key, int networkIndex) {
    if (networkIndex < 0) {
      throw new IllegalArgumentException("network index must be ≥ 0, got " + networkIndex);
    }
    long s0 = Canonical.mix64(sweepSeed + Canonical.GOLDEN_GAMMA);
    long s1 = Canonical.mix64(s0 ^ Canonical.hash64(key));
    return Canonical.mix64(s1 + Canonical.GOLDEN_GAMMA * (networkIndex + 1L));
  }

  /**
   * Splits networks 0..E−1 into blocks of {@code blockSize} consecutive indices; the last block
   * holds the remainder. The first blocks do not change when E grows by a multiple of the block
   * size.
   */
  public List<SeedBlock> seedBlocks(int ensembleSize, int blockSize) {
    if (ensembleSize < 1 || blockSize < 1) {
      throw new IllegalArgumentException("ensemble size and block size must be ≥ 1, got "
          + ensembleSize + " and " + blockSize);
    }
    List<SeedBlock> blocks = new ArrayList<>();
    for (int first = 0, block = 0; first < ensembleSize; first += blockSize, block++) {
      blocks.add(new SeedBlock(index, block, first, Math.min(blockSize, ensembleSize - first)));
    }
    return List.copyOf(blocks);
  }

  public double gamma0() {
    return setup.gamma0();
  }

  /** {@code every k} for the grids {@link TimeGrid#every} makes, otherwise the step list. */
  private static String recordText(TimeGrid grid) {
    int[] steps = grid.recordSteps();
    if (steps.length >= 2 && steps[0] == 0) {
      int every = steps[1];
      TimeGrid regular = TimeGrid.every(grid.dt(), grid.steps(), every);
      if (Arrays.equals(regular.recordSteps(), steps)) {
        return "every" + every;
      }
    }
    return Arrays.toString(steps).replace(" ", "");
  }
}
