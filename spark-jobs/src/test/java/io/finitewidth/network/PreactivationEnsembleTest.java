package io.finitewidth.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Activation;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.Task;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The pre-activation trainer against the weight-space trainer (ND4J, independent code: GEMMs over
 * the input weights, libm's tanh), and its determinism contract.
 */
class PreactivationEnsembleTest {

  private static Task task(long seed, int dim, int trainPoints, int testPoints) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] train = new double[trainPoints][dim];
    double[][] test = new double[testPoints][dim];
    for (double[][] block : new double[][][] {train, test}) {
      for (double[] x : block) {
        for (int d = 0; d < dim; d++) {
          x[d] = 2 * rng.nextDouble() - 1;
        }
      }
    }
    double[] y = new double[trainPoints];
    for (int mu = 0; mu < trainPoints; mu++) {
      y[mu] = Math.sin(3 * train[mu][0]) + train[mu][1];
    }
    return new Task("small", train, y, test, new double[testPoints]);
  }

  private static TwoLayerSetup setup(Activation act, boolean centred, double gamma0, int steps) {
    return new TwoLayerSetup(task(7, 13, 6, 3), act, gamma0, LossConvention.MEAN,
        TimeGrid.every(0.5, steps, 5), centred);
  }

  private static final long[] SEEDS = {11L, 12L, 13L};

  /**
   * Same networks (same seeds, same initial weights), same dynamics, different arithmetic:
   * in float64 the two trainers differ by rounding only. 40 steps of a contraction-like map
   * amplify a relative rounding of 1e-16 by far less than 1e6, so every recorded value must
   * agree to 1e-10 relative (absolute 1e-10 where the value itself is below 1).
   */
  @ParameterizedTest
  @CsvSource({"TANH,false,1.0", "TANH,true,2.0", "RELU,false,0.5", "LINEAR,true,1.5"})
  void float64RecordsEqualTheWeightSpaceTrainerUpToRounding(Activation act, boolean centred,
      double gamma0) {
    TwoLayerSetup setup = setup(act, centred, gamma0, 40);
    List<NetworkTrajectory> weights = new TwoLayerEnsemble(setup, 37, DataType.DOUBLE)
        .train(0, SEEDS);
    List<NetworkTrajectory> pre = new PreactivationEnsemble(setup, 37, DataType.DOUBLE)
        .train(0, SEEDS);
    assertClose(weights, pre, 1e-10);
  }

  /** float32 rounding (6e-8) amplified the same way: 1e-4 relative is ample and still sharp. */
  @ParameterizedTest
  @EnumSource(Activation.class)
  void float32RecordsEqualTheWeightSpaceTrainerUpToFloat32Rounding(Activation act) {
    TwoLayerSetup setup = setup(act, false, 1.0, 40);
    assertClose(new TwoLayerEnsemble(setup, 64, DataType.FLOAT).train(0, SEEDS),
        new PreactivationEnsemble(setup, 64, DataType.FLOAT).train(0, SEEDS), 1e-4);
  }

  private static void assertClose(List<NetworkTrajectory> expected,
      List<NetworkTrajectory> actual, double tolerance) {
    assertEquals(expected.size(), actual.size());
    double worst = 0;
    for (int b = 0; b < expected.size(); b++) {
      double[][] e = expected.get(b).observables();
      double[][] a = actual.get(b).observables();
      assertEquals(e.length, a.length);
      for (int r = 0; r < e.length; r++) {
        assertEquals(e[r].length, a[r].length);
        for (int k = 0; k < e[r].length; k++) {
          double scale = Math.max(1.0, Math.abs(e[r][k]));
          worst = Math.max(worst, Math.abs(e[r][k] - a[r][k]) / scale);
          assertEquals(e[r][k], a[r][k], tolerance * scale,
              "network " + b + ", record " + r + ", slot " + k);
        }
      }
    }
    assertTrue(worst > 0, "the two trainers use different arithmetic; identical bits are suspect");
  }

  /** The final weights rebuilt from Σ_t g equal the weight-space trainer's. */
  @ParameterizedTest
  @EnumSource(Activation.class)
  void finalWeightsEqualTheWeightSpaceTrainers(Activation act) {
    TwoLayerSetup setup = setup(act, false, 1.0, 12);
    double[][] expected = new TwoLayerEnsemble(setup, 9, DataType.DOUBLE).finalWeights(SEEDS);
    double[][] actual = new PreactivationEnsemble(setup, 9, DataType.DOUBLE).finalWeights(SEEDS);
    for (int b = 0; b < SEEDS.length; b++) {
      assertArrayEquals(expected[b], actual[b], 1e-11);
    }
  }

  /**
   * Vector lanes and the scalar tail run the same IEEE operations and sums keep a fixed order:
   * the scalar-only path must give the same bits, at widths that are and are not multiples of the
   * lane count, in both precisions.
   */
  @ParameterizedTest
  @CsvSource({"DOUBLE,37", "DOUBLE,64", "FLOAT,37", "FLOAT,64"})
  void vectorAndScalarPathsGiveTheSameBits(DataType type, int width) {
    for (Activation act : Activation.values()) {
      TwoLayerSetup setup = setup(act, true, 1.0, 15);
      assertSameBits(new PreactivationEnsemble(setup, width, type, false).train(0, SEEDS),
          new PreactivationEnsemble(setup, width, type, true).train(0, SEEDS));
    }
  }

  /** A network trained alone records the same bits as inside a block (the Spark contract). */
  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
  void aNetworkAloneEqualsItselfInABlock(DataType type) {
    TwoLayerSetup setup = setup(Activation.TANH, false, 1.0, 15);
    PreactivationEnsemble ensemble = new PreactivationEnsemble(setup, 40, type);
    List<NetworkTrajectory> block = ensemble.train(5, SEEDS);
    List<NetworkTrajectory> alone = ensemble.train(6, new long[] {SEEDS[1]});
    assertArrayEquals(flat(block.get(1)), flat(alone.get(0)));
    assertEquals(6, alone.get(0).networkIndex());
  }

  private static void assertSameBits(List<NetworkTrajectory> a, List<NetworkTrajectory> b) {
    assertEquals(a.size(), b.size());
    for (int n = 0; n < a.size(); n++) {
      assertArrayEquals(flat(a.get(n)), flat(b.get(n)), "network " + n);
    }
  }

  private static double[] flat(NetworkTrajectory t) {
    return java.util.Arrays.stream(t.observables()).flatMapToDouble(java.util.Arrays::stream)
        .toArray();
  }

  /**
   * The pure-arithmetic tanh against the JDK's StrictMath (fdlibm, itself within about 2 ulp of
   * the truth): within 4 ulp in float64 (the worst seen, near |x| = 0.2, is 4: e/(e + 2) rounds
   * e, e + 2 and the quotient) and within 2 ulp of the float32-rounded value in float32, over
   * 2·10⁶ arguments from 1e-9 to saturation; exact on the special values. 4 ulp is 9e-16 relative,
   * far below anything a sweep resolves.
   */
  @Test
  void tanhIsAccurateInBothPrecisions() {
    SplittableRandom rng = new SplittableRandom(3);
    double worst64 = 0;
    double worst32 = 0;
    for (int n = 0; n < 2_000_000; n++) {
      double x = Math.scalb(2 * rng.nextDouble() - 1, rng.nextInt(-30, 6));
      double reference = StrictMath.tanh(x);
      worst64 = Math.max(worst64, Math.abs(PreactivationDynamics64.tanh(x) - reference)
          / Math.ulp(reference));
      float xf = (float) x;
      float ref32 = (float) StrictMath.tanh(xf);
      worst32 = Math.max(worst32, Math.abs(PreactivationDynamics32.tanh(xf) - ref32)
          / Math.ulp(ref32));
    }
    assertTrue(worst64 <= 4, "float64 tanh error " + worst64 + " ulp");
    assertTrue(worst32 <= 2, "float32 tanh error " + worst32 + " ulp");
    assertEquals(1.0, PreactivationDynamics64.tanh(Double.POSITIVE_INFINITY));
    assertEquals(-1.0, PreactivationDynamics64.tanh(-40.0));
    assertEquals(1.0f, PreactivationDynamics32.tanh(12.0f));
    assertEquals(0.0, PreactivationDynamics64.tanh(0.0));
    assertTrue(Double.isNaN(PreactivationDynamics64.tanh(Double.NaN)));
    assertTrue(Float.isNaN(PreactivationDynamics32.tanh(Float.NaN)));
  }

  /** The vector tanh equals the scalar one lane by lane, special values included. */
  @Test
  void vectorTanhEqualsScalarTanhBitForBit() {
    SplittableRandom rng = new SplittableRandom(5);
    double[] x = new double[4099];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.scalb(2 * rng.nextDouble() - 1, rng.nextInt(-40, 8));
    }
    x[0] = Double.NaN;
    x[1] = Double.NEGATIVE_INFINITY;
    x[2] = -0.0;
    x[3] = 1e-310;
    x[4] = 25.0;
    double[] out = new double[x.length];
    PreactivationDynamics64.tanhInto(x, out, null, x.length, true);
    float[] xf = new float[x.length];
    float[] outf = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      xf[i] = (float) x[i];
    }
    PreactivationDynamics32.tanhInto(xf, outf, null, xf.length, true);
    for (int i = 0; i < x.length; i++) {
      assertEquals(Double.doubleToRawLongBits(PreactivationDynamics64.tanh(x[i])),
          Double.doubleToRawLongBits(out[i]), "x = " + x[i]);
      assertEquals(Float.floatToRawIntBits(PreactivationDynamics32.tanh(xf[i])),
          Float.floatToRawIntBits(outf[i]), "x = " + xf[i]);
    }
  }
}
