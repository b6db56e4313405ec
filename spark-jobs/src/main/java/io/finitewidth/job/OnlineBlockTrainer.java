package io.finitewidth.job;

import io.finitewidth.network.OnlineTrajectory;
import io.finitewidth.network.OnlineTwoLayerEnsemble;
import io.finitewidth.sweep.OnlineCell;
import io.finitewidth.sweep.Precision;
import io.finitewidth.sweep.SeedBlock;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.Function;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The executor side of the online job: trains one seed block of one online cell and returns
 * each network's small arrays (losses per record, initial statistics, divergence); error vectors
 * and test predictions stay on the executor. Everything drawn comes from the network seeds and
 * the cell's data seed, so a retried task reproduces its block bit for bit.
 */
final class OnlineBlockTrainer implements Function<SeedBlock, OnlineBlockTrainer.Result>,
    Serializable {
  private static final long serialVersionUID = 1L;

  /** One trained block, in network order. */
  record Result(int cellIndex, int blockIndex, List<OnlineTrajectory> networks)
      implements Serializable {}

  private final List<OnlineCell> cells;
  private final long sweepSeed;
  private final Precision precision;

  OnlineBlockTrainer(List<OnlineCell> cells, long sweepSeed, Precision precision) {
    this.cells = List.copyOf(cells);
    this.sweepSeed = sweepSeed;
    this.precision = precision;
  }

  @Override
  public Result call(SeedBlock block) {
    NativeThreads.pinOncePerExecutor();
    OnlineCell cell = cells.get(block.cellIndex());
    long[] seeds = new long[block.count()];
    for (int b = 0; b < seeds.length; b++) {
      seeds[b] = cell.networkSeed(sweepSeed, block.firstNetwork() + b);
    }
    DataType dataType = precision == Precision.FLOAT32 ? DataType.FLOAT : DataType.DOUBLE;
    List<OnlineTrajectory> trained = new OnlineTwoLayerEnsemble(cell.setup(), cell.width(),
        dataType).train(block.firstNetwork(), seeds);
    List<OnlineTrajectory> small = new ArrayList<>(trained.size());
    for (OnlineTrajectory t : trained) {
      small.add(new OnlineTrajectory(t.networkIndex(), t.seed(), t.populationLoss(),
          t.testLoss(), null, null, t.initialStatistics(), t.divergedAtStep()));
    }
    return new Result(block.cellIndex(), block.blockIndex(), small);
  }
}
