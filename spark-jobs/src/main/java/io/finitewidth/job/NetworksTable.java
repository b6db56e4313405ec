package io.finitewidth.job;

import io.finitewidth.model.DeepLayout;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.network.NetworkTrajectory;
import io.finitewidth.network.RecordedSlots;
import io.finitewidth.sweep.Cell;
import io.finitewidth.sweep.SeedBlock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code networks/} table, schema version 1: one row per network per recorded step. Matrices
 * are stored row-major as flat arrays: {@code ntk}, {@code feature_kernel}, {@code
 * gradient_kernel} are P × P on train points; {@code ntk_train_test} is P × Q (row = train point).
 */
final class NetworksTable {
  static final int SCHEMA_VERSION = 1;

  /** Partition folders: {@code networks/cell_key=<hash>/block=<first network>/}. */
  static final String[] PARTITION_COLUMNS = {"cell_key", "block"};

  static final StructType SCHEMA = new StructType(new StructField[] {
      DataTypes.createStructField("cell_key", DataTypes.StringType, false),
      DataTypes.createStructField("block", DataTypes.IntegerType, false),
      DataTypes.createStructField("cell", DataTypes.IntegerType, false),
      DataTypes.createStructField("width", DataTypes.IntegerType, false),
      DataTypes.createStructField("gamma0", DataTypes.DoubleType, false),
      DataTypes.createStructField("activation", DataTypes.StringType, false),
      DataTypes.createStructField("dt", DataTypes.DoubleType, false),
      DataTypes.createStructField("depth", DataTypes.IntegerType, false),
      DataTypes.createStructField("network", DataTypes.IntegerType, false),
      DataTypes.createStructField("seed", DataTypes.LongType, false),
      DataTypes.createStructField("step", DataTypes.IntegerType, false),
      DataTypes.createStructField("time", DataTypes.DoubleType, false),
      DataTypes.createStructField("diverged", DataTypes.BooleanType, false),
      DataTypes.createStructField("loss", DataTypes.DoubleType, false),
      DataTypes.createStructField("sharpness", DataTypes.DoubleType, false),
      array("prediction_train"),
      array("prediction_test"),
      array("ntk"),
      array("ntk_train_test"),
      array("feature_kernel"),
      array("gradient_kernel"),
  });

  private NetworksTable() {}

  private static StructField array(String name) {
    return DataTypes.createStructField(name, DataTypes.createArrayType(DataTypes.DoubleType, false),
        false);
  }

  /** The rows of one block, in network then step order. */
  static Iterator<Row> rows(BlockResult result, List<Cell> cells) {
    Cell cell = cells.get(result.cellIndex());
    if (cell.deep()) {
      return deepRows(result, cell);
    }
    String cellKey = BlockStore.cellHash(cell);
    int firstNetwork = result.networks().get(0).networkIndex();
    int p = cell.setup().task().trainPoints();
    int q = cell.setup().task().testPoints();
    ObservableLayout layout = new ObservableLayout(p, q);
    int[] steps = cell.setup().grid().recordSteps();
    double[] times = cell.setup().grid().times();
    List<Row> rows = new ArrayList<>();
    for (NetworkTrajectory n : result.networks()) {
      for (int r = 0; r < steps.length; r++) {
        double[] v = n.observables()[r];
        rows.add(RowFactory.create(cellKey, firstNetwork, cell.index(), cell.width(),
            cell.setup().gamma0(),
            cell.setup().activation().label(), cell.setup().grid().dt(), 1, n.networkIndex(),
            n.seed(), steps[r], times[r], n.diverged(), v[layout.lossIndex()],
            v[RecordedSlots.sharpness(layout)],
            vector(v, layout.predictionTrain(0), p), vector(v, layout.predictionTest(0), q),
            square(v, p, layout::ntk), trainTest(v, layout, p, q),
            square(v, p, layout::featureKernel), square(v, p, layout::gradientKernel)));
      }
    }
    return rows.iterator();
  }

  /**
   * Rows of a deep cell: as for two-layer cells, with {@code feature_kernel} and
   * {@code gradient_kernel} holding depth × P × P values (layer-major, layer 1 first) and no
   * sharpness (NaN).
   */
  private static Iterator<Row> deepRows(BlockResult result, Cell cell) {
    DeepLayout layout = cell.deepSetup().layout();
    int p = layout.trainPoints();
    int q = layout.testPoints();
    int depth = layout.depth();
    String cellKey = BlockStore.cellHash(cell);
    int firstNetwork = result.networks().get(0).networkIndex();
    int[] steps = cell.setup().grid().recordSteps();
    double[] times = cell.setup().grid().times();
    List<Row> rows = new ArrayList<>();
    for (NetworkTrajectory n : result.networks()) {
      for (int r = 0; r < steps.length; r++) {
        double[] v = n.observables()[r];
        Double[] train = new Double[p];
        Double[] test = new Double[q];
        for (int a = 0; a < p; a++) {
          train[a] = v[layout.prediction(a)];
        }
        for (int t = 0; t < q; t++) {
          test[t] = v[layout.prediction(p + t)];
        }
        Double[] ntk = new Double[p * p];
        Double[] ntkTrainTest = new Double[p * q];
        Double[] phi = new Double[depth * p * p];
        Double[] g = new Double[depth * p * p];
        for (int i = 0; i < p; i++) {
          for (int j = 0; j < p; j++) {
            ntk[i * p + j] = v[layout.ntk(i, j)];
            for (int l = 1; l <= depth; l++) {
              phi[(l - 1) * p * p + i * p + j] = v[layout.featureKernel(l, i, j)];
              g[(l - 1) * p * p + i * p + j] = v[layout.gradientKernel(l, i, j)];
            }
          }
          for (int t = 0; t < q; t++) {
            ntkTrainTest[i * q + t] = v[layout.ntk(i, p + t)];
          }
        }
        rows.add(RowFactory.create(cellKey, firstNetwork, cell.index(), cell.width(),
            cell.setup().gamma0(), cell.setup().activation().label(), cell.setup().grid().dt(),
            depth, n.networkIndex(), n.seed(), steps[r], times[r], n.diverged(),
            v[layout.lossIndex()], Double.NaN, train, test, ntk, ntkTrainTest, phi, g));
      }
    }
    return rows.iterator();
  }

  /** The folder of one block's rows below networks/. */
  static String partitionPath(Cell cell, SeedBlock block) {
    return "cell_key=" + BlockStore.cellHash(cell) + "/block=" + block.firstNetwork();
  }

  private interface PairIndex {
    int at(int i, int j);
  }

  private static Double[] vector(double[] v, int from, int count) {
    Double[] out = new Double[count];
    for (int k = 0; k < count; k++) {
      out[k] = v[from + k];
    }
    return out;
  }

  private static Double[] square(double[] v, int p, PairIndex index) {
    Double[] out = new Double[p * p];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < p; j++) {
        out[i * p + j] = v[index.at(i, j)];
      }
    }
    return out;
  }

  private static Double[] trainTest(double[] v, ObservableLayout layout, int p, int q) {
    Double[] out = new Double[p * q];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < q; j++) {
        out[i * q + j] = v[layout.ntkTrainTest(i, j)];
      }
    }
    return out;
  }
}
