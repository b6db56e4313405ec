package io.finitewidth.job;

import io.finitewidth.network.DeepEnsemble;
import io.finitewidth.network.DeepObservables;
import io.finitewidth.network.NetworkTrajectory;
import io.finitewidth.network.PreactivationEnsemble;
import io.finitewidth.network.RecordedSlots;
import io.finitewidth.network.TwoLayerEnsemble;
import io.finitewidth.stats.CentralMoments;
import io.finitewidth.sweep.Cell;
import io.finitewidth.sweep.Precision;
import io.finitewidth.sweep.SeedBlock;
import io.finitewidth.sweep.TrainingEngine;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.Function;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The executor side of the main job: trains one seed block of one cell and folds its finite
 * networks into moments. Everything it draws comes from the network seeds, so a retried or
 * speculative task reproduces the same block bit for bit.
 */
final class BlockTrainer implements Function<SeedBlock, BlockResult>, Serializable {
  private static final long serialVersionUID = 1L;

  private final List<Cell> cells;
  private final long sweepSeed;
  private final Precision precision;
  private final TrainingEngine engine;

  BlockTrainer(List<Cell> cells, long sweepSeed, Precision precision, TrainingEngine engine) {
    this.cells = List.copyOf(cells);
    this.sweepSeed = sweepSeed;
    this.precision = precision;
    this.engine = engine;
  }

  @Override
  public BlockResult call(SeedBlock block) {
    NativeThreads.pinOncePerExecutor();
    Cell cell = cells.get(block.cellIndex());
    long[] seeds = new long[block.count()];
    for (int b = 0; b < seeds.length; b++) {
      seeds[b] = cell.networkSeed(sweepSeed, block.firstNetwork() + b);
    }
    DataType dataType = precision == Precision.FLOAT32 ? DataType.FLOAT : DataType.DOUBLE;
    List<NetworkTrajectory> networks;
    int slotsPerRecord;
    if (cell.deep()) {
      DeepEnsemble ensemble = new DeepEnsemble(cell.deepSetup(), cell.width(), dataType);
      networks = new ArrayList<>();
      for (DeepObservables o : ensemble.train(block.firstNetwork(), seeds)) {
        networks.add(new NetworkTrajectory(o.networkIndex(), o.seed(), o.values(),
            o.divergedAtStep()));
      }
      slotsPerRecord = cell.deepSetup().layout().size();
    } else if (engine == TrainingEngine.PREACTIVATION) {
      PreactivationEnsemble ensemble =
          new PreactivationEnsemble(cell.setup(), cell.width(), dataType);
      networks = ensemble.train(block.firstNetwork(), seeds);
      slotsPerRecord = RecordedSlots.size(ensemble.layout());
    } else {
      TwoLayerEnsemble ensemble = new TwoLayerEnsemble(cell.setup(), cell.width(), dataType);
      networks = ensemble.train(block.firstNetwork(), seeds);
      slotsPerRecord = RecordedSlots.size(ensemble.layout());
    }

    int records = cell.setup().grid().recordCount();
    CentralMoments moments = new CentralMoments(records * slotsPerRecord);
    double[] flat = new double[records * slotsPerRecord];
    int diverged = 0;
    for (NetworkTrajectory network : networks) {
      if (network.diverged()) {
        diverged++;
        continue;
      }
      for (int r = 0; r < records; r++) {
        System.arraycopy(network.observables()[r], 0, flat, r * slotsPerRecord, slotsPerRecord);
      }
      moments.add(flat);
    }
    return new BlockResult(block.cellIndex(), block.blockIndex(), networks, moments, diverged);
  }
}
