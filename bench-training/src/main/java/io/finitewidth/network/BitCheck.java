package io.finitewidth.network;

import io.finitewidth.bench.Threads;
import io.finitewidth.bench.Workloads;
import io.finitewidth.model.Activation;
import io.finitewidth.model.TwoLayerSetup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Fingerprints of trajectories and final weights (SHA-256 over the raw IEEE bits) for a fixed set
 * of shapes, one line per network. Written before and after a change to the trainer; the two files
 * must be identical. Usage: BitCheck OUT_FILE
 */
public final class BitCheck {
  private record Shape(int dim, int width, int trainPoints, int testPoints, Activation act,
      DataType type, boolean centred, int steps, int every, int block, double gamma0, double dt) {}

  private static final List<Shape> SHAPES = List.of(
      new Shape(5, 7, 4, 2, Activation.TANH, DataType.DOUBLE, false, 30, 10, 3, 0.8, 0.3),
      new Shape(32, 64, 16, 16, Activation.TANH, DataType.FLOAT, false, 40, 10, 8, 1.0, 1.0),
      new Shape(32, 64, 16, 16, Activation.TANH, DataType.DOUBLE, false, 40, 10, 8, 1.0, 1.0),
      new Shape(784, 256, 16, 16, Activation.TANH, DataType.FLOAT, false, 20, 10, 4, 1.0, 1.0),
      new Shape(784, 128, 16, 16, Activation.TANH, DataType.DOUBLE, false, 20, 10, 3, 1.0, 1.0),
      new Shape(20, 33, 6, 3, Activation.RELU, DataType.DOUBLE, true, 25, 5, 5, 0.5, 0.5),
      new Shape(20, 33, 6, 3, Activation.LINEAR, DataType.FLOAT, true, 25, 5, 5, 2.0, 0.2),
      new Shape(12, 1024, 16, 16, Activation.TANH, DataType.FLOAT, true, 30, 10, 2, 1.0, 2.0),
      new Shape(9, 40, 1, 0, Activation.TANH, DataType.DOUBLE, false, 12, 3, 2, 1.0, 0.5));

  public static void main(String[] args) throws Exception {
    Threads.pin();
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[0])))) {
      int shapeIndex = 0;
      for (Shape s : SHAPES) {
        TwoLayerSetup setup = Workloads.setup(
            Workloads.task(100 + shapeIndex, s.dim(), s.trainPoints(), s.testPoints()),
            s.act(), s.gamma0(), s.dt(), s.steps(), s.every(), s.centred());
        long[] seeds = new long[s.block()];
        for (int b = 0; b < seeds.length; b++) {
          seeds[b] = 7919L * (shapeIndex + 1) + 31L * b;
        }
        TwoLayerEnsemble ensemble = new TwoLayerEnsemble(setup, s.width(), s.type());
        List<NetworkTrajectory> trajectories = ensemble.train(0, seeds);
        double[][] weights = ensemble.finalWeights(seeds);
        for (int b = 0; b < seeds.length; b++) {
          MessageDigest digest = MessageDigest.getInstance("SHA-256");
          for (double[] row : trajectories.get(b).observables()) {
            update(digest, row);
          }
          String obs = HexFormat.of().formatHex(digest.digest());
          digest.reset();
          update(digest, weights[b]);
          String w = HexFormat.of().formatHex(digest.digest());
          out.printf("%s net=%d diverged=%d obs=%s weights=%s first=%s%n", s, b,
              trajectories.get(b).divergedAtStep(), obs, w,
              Double.toHexString(trajectories.get(b).observables()[
                  trajectories.get(b).observables().length - 1][0]));
        }
        shapeIndex++;
      }
    }
  }

  private static void update(MessageDigest digest, double[] values) {
    ByteBuffer buffer = ByteBuffer.allocate(8 * values.length);
    for (double v : values) {
      buffer.putLong(Double.doubleToRawLongBits(v));
    }
    digest.update(buffer.array());
  }
}
