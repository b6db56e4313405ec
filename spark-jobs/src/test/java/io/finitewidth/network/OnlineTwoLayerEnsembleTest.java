package io.finitewidth.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.dmft.OnlineDmft;
import io.finitewidth.model.Activation;
import io.finitewidth.model.OnlineSetup;
import io.finitewidth.model.OnlineTask;
import io.finitewidth.model.TimeGrid;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class OnlineTwoLayerEnsembleTest {
  private static final int DIM = 6;
  private static final int WIDTH = 8;
  private static final double GAMMA0 = 0.7;
  private static final double DT = 0.3;

  /**
   * Two float64 evaluations of the same exact map in different orders (ND4J GEMMs vs the
   * (C, β, g) recursion) over ≤ 30 steps of O(1) numbers: rounding ~1e-14 relative; 1e-10 leaves
   * room for accumulation and still fails on any algebraic mistake (an error in η or 1/B is O(1)).
   */
  private static final double SAME_MAP_RELATIVE = 1e-10;

  private static OnlineSetup setup(OnlineTask.Link link, Activation act, int batch,
      boolean centred) {
    OnlineTask task = OnlineTask.gaussian(DIM, link, 7, 3, 4);
    return new OnlineSetup(task, act, GAMMA0, TimeGrid.every(DT, 30, 5), batch, centred);
  }

  @Test
  void train_linearNetwork_matchesExactMapFromItsOwnInitialState() {
    long[] seeds = {11, 12, 13};
    for (int batch : new int[] {OnlineSetup.POPULATION, 1, 5}) {
      for (boolean centred : new boolean[] {false, true}) {
        OnlineSetup setup = setup(OnlineTask.Link.LINEAR, Activation.LINEAR, batch, centred);
        List<OnlineTrajectory> nets = new OnlineTwoLayerEnsemble(setup, WIDTH, DataType.DOUBLE)
            .train(0, seeds);
        for (int b = 0; b < seeds.length; b++) {
          OnlineDmft.LinearRun exact = runFromOwnState(setup, seeds[b]);
          for (int r = 0; r < exact.populationLoss().length; r++) {
            String where = "B=" + batch + " centred=" + centred + " net " + b + " record " + r;
            assertClose(exact.populationLoss()[r], nets.get(b).populationLoss()[r], where);
            assertClose(exact.testLoss()[r], nets.get(b).testLoss()[r], where);
          }
        }
      }
    }
  }

  @Test
  void train_linearNetworkTanhTeacher_matchesExactMapOnTestSet() {
    long[] seeds = {21, 22};
    OnlineSetup setup = setup(OnlineTask.Link.TANH, Activation.LINEAR, 4, false);
    List<OnlineTrajectory> nets = new OnlineTwoLayerEnsemble(setup, WIDTH, DataType.DOUBLE)
        .train(0, seeds);
    for (int b = 0; b < seeds.length; b++) {
      OnlineDmft.LinearRun exact = runFromOwnState(setup, seeds[b]);
      for (int r = 0; r < exact.testLoss().length; r++) {
        assertClose(exact.testLoss()[r], nets.get(b).testLoss()[r], "net " + b + " rec " + r);
        assertTrue(Double.isNaN(nets.get(b).populationLoss()[r]));
      }
    }
  }

  @Test
  void train_tanhNetwork_matchesPerUnitReference() {
    long[] seeds = {31, 32};
    for (boolean centred : new boolean[] {false, true}) {
      OnlineSetup setup = setup(OnlineTask.Link.TANH, Activation.TANH, 3, centred);
      List<OnlineTrajectory> nets = new OnlineTwoLayerEnsemble(setup, WIDTH, DataType.DOUBLE,
          true, false).train(0, seeds);
      for (int b = 0; b < seeds.length; b++) {
        double[][] reference = perUnitTestPredictions(setup, seeds[b]);
        for (int r = 0; r < reference.length; r++) {
          for (int q = 0; q < reference[r].length; q++) {
            assertClose(reference[r][q], nets.get(b).testPredictions()[r][q],
                "centred=" + centred + " net " + b + " rec " + r + " point " + q);
          }
        }
      }
    }
  }

  @Test
  void train_antithetic_hasZeroInitialOutput() {
    OnlineSetup setup = setup(OnlineTask.Link.TANH, Activation.TANH, 3, false);
    OnlineTrajectory net = new OnlineTwoLayerEnsemble(setup, WIDTH, DataType.DOUBLE, true, true)
        .train(0, new long[] {5}).get(0);
    for (double f : net.testPredictions()[0]) {
      // Pairs cancel exactly up to one rounding of the GEMM sum (~1e-16 per unit).
      assertEquals(0, f, 1e-14);
    }
    assertEquals(0, net.initialStatistics()[OnlineTrajectory.TEST_TARGET_OUTPUT], 1e-14);
  }

  @Test
  void train_exactSecondMomentBatch_equalsPopulationGradient() {
    // Batches of the 2D points ±√D e_a have Ŝ = I exactly: for linear networks and teacher the
    // batch gradient is then the population gradient, so both paths of the trainer agree.
    OnlineTask task = OnlineTask.gaussian(DIM, OnlineTask.Link.LINEAR, 7, 3, 4)
        .withBatchSource((step, batch, dim) -> axisInputs(dim));
    for (boolean centred : new boolean[] {false, true}) {
      OnlineSetup pop = new OnlineSetup(task, Activation.LINEAR, GAMMA0,
          TimeGrid.every(DT, 30, 5), OnlineSetup.POPULATION, centred);
      OnlineSetup axis = new OnlineSetup(task, Activation.LINEAR, GAMMA0,
          TimeGrid.every(DT, 30, 5), 2 * DIM, centred);
      long[] seeds = {41, 42};
      List<OnlineTrajectory> a = new OnlineTwoLayerEnsemble(pop, WIDTH, DataType.DOUBLE)
          .train(0, seeds);
      List<OnlineTrajectory> b = new OnlineTwoLayerEnsemble(axis, WIDTH, DataType.DOUBLE)
          .train(0, seeds);
      for (int n = 0; n < seeds.length; n++) {
        for (int r = 0; r < a.get(n).populationLoss().length; r++) {
          assertClose(a.get(n).populationLoss()[r], b.get(n).populationLoss()[r], "rec " + r);
        }
      }
    }
  }

  @Test
  void train_largeBatch_approachesPopulationGradientAsOneOverRootB() {
    // The batch trajectory deviates from the population one by O(1/√B) (Ŝ − I = ξ/√B), so the
    // RMS over K data sequences of L_B(n) − L_pop(n) should shrink by √16 = 4 from B = 64 to
    // B = 1024. Each RMS over K = 16 roughly Gaussian deviations has relative s.d. ≈ 1/√(2K)
    // = 0.18, so ln(ratio) has s.d. ≈ 0.25; z = 3.3 (two-sided 0.1 %) gives the band
    // ratio ∈ 4 · exp(±0.83) = [1.75, 9.2].
    int sequences = 16;
    double[] rms = new double[2];
    int[] batches = {64, 1024};
    OnlineTask base = OnlineTask.gaussian(16, OnlineTask.Link.LINEAR, 0, 3, 4);
    TimeGrid grid = new TimeGrid(0.2, 20, new int[] {0, 20});
    long[] seeds = {51};
    double population = new OnlineTwoLayerEnsemble(new OnlineSetup(base, Activation.LINEAR, 1.0,
        grid, OnlineSetup.POPULATION, false), 64, DataType.DOUBLE).train(0, seeds).get(0)
        .populationLoss()[1];
    for (int k = 0; k < 2; k++) {
      double sum = 0;
      for (int s = 0; s < sequences; s++) {
        OnlineTask task = base.withBatchSource(new OnlineTask.GaussianBatches(1000 + s));
        double loss = new OnlineTwoLayerEnsemble(new OnlineSetup(task, Activation.LINEAR, 1.0,
            grid, batches[k], false), 64, DataType.DOUBLE).train(0, seeds).get(0)
            .populationLoss()[1];
        sum += (loss - population) * (loss - population);
      }
      rms[k] = Math.sqrt(sum / sequences);
    }
    double ratio = rms[0] / rms[1];
    assertTrue(ratio > 1.75 && ratio < 9.2, "RMS ratio " + ratio + " (rms " + rms[0] + ", "
        + rms[1] + ")");
  }

  private static double[][] axisInputs(int dim) {
    double[][] x = new double[2 * dim][dim];
    for (int a = 0; a < dim; a++) {
      x[2 * a][a] = Math.sqrt(dim);
      x[2 * a + 1][a] = -Math.sqrt(dim);
    }
    return x;
  }

  private static void assertClose(double expected, double actual, String where) {
    assertEquals(expected, actual, SAME_MAP_RELATIVE * (Math.abs(expected) + 1e-3), where);
  }

  /** The exact (C, β, g) map started from the network's own initial weights. */
  static OnlineDmft.LinearRun runFromOwnState(OnlineSetup setup, long seed) {
    InitialWeights init = InitialWeights.draw(seed, WIDTH, DIM);
    double[][] c = new double[DIM][DIM];
    double[] beta = new double[DIM];
    double g = 0;
    double[] w0 = init.inputWeights();
    double[] w = init.readoutWeights();
    for (int i = 0; i < WIDTH; i++) {
      for (int a = 0; a < DIM; a++) {
        beta[a] += w[i] * w0[i * DIM + a] / WIDTH;
        for (int b = 0; b < DIM; b++) {
          c[a][b] += w0[i * DIM + a] * w0[i * DIM + b] / WIDTH;
        }
      }
      g += w[i] * w[i] / WIDTH;
    }
    return OnlineDmft.run(setup, c, beta, g);
  }

  /** A plain per-unit implementation of the online update, test predictions per record. */
  private static double[][] perUnitTestPredictions(OnlineSetup setup, long seed) {
    OnlineTask task = setup.task();
    InitialWeights init = InitialWeights.draw(seed, WIDTH, DIM);
    double[][] w0 = new double[WIDTH][DIM];
    double[] w = init.readoutWeights().clone();
    for (int i = 0; i < WIDTH; i++) {
      System.arraycopy(init.inputWeights(), i * DIM, w0[i], 0, DIM);
    }
    double[][] w0Init = new double[WIDTH][];
    for (int i = 0; i < WIDTH; i++) {
      w0Init[i] = w0[i].clone();
    }
    double[] wInit = w.clone();
    Activation act = setup.activation();
    double eta = setup.grid().dt() * setup.gamma0();
    int[] record = setup.grid().recordSteps();
    double[][] test = task.testInputs();
    double[][] out = new double[record.length][];
    int r = 0;
    for (int n = 0; n <= setup.grid().steps(); n++) {
      if (r < record.length && record[r] == n) {
        out[r] = new double[test.length];
        for (int q = 0; q < test.length; q++) {
          out[r][q] = output(w0, w, test[q], act, setup)
              - (setup.centred() ? output(w0Init, wInit, test[q], act, setup) : 0);
        }
        r++;
      }
      if (n == setup.grid().steps()) {
        break;
      }
      double[][] x = task.batchInputs(n, setup.batchSize());
      double[] y = task.targets(x);
      int batch = x.length;
      double[][] dw0 = new double[WIDTH][DIM];
      double[] dw = new double[WIDTH];
      for (int mu = 0; mu < batch; mu++) {
        double f = output(w0, w, x[mu], act, setup)
            - (setup.centred() ? output(w0Init, wInit, x[mu], act, setup) : 0);
        double delta = y[mu] - f;
        for (int i = 0; i < WIDTH; i++) {
          double h = dot(w0[i], x[mu]) / Math.sqrt(DIM);
          dw[i] += eta / batch * delta * act.value(h);
          for (int a = 0; a < DIM; a++) {
            dw0[i][a] += eta / (batch * Math.sqrt(DIM)) * delta * w[i] * act.derivative(h)
                * x[mu][a];
          }
        }
      }
      for (int i = 0; i < WIDTH; i++) {
        w[i] += dw[i];
        for (int a = 0; a < DIM; a++) {
          w0[i][a] += dw0[i][a];
        }
      }
    }
    return out;
  }

  private static double output(double[][] w0, double[] w, double[] x, Activation act,
      OnlineSetup setup) {
    double f = 0;
    for (int i = 0; i < WIDTH; i++) {
      f += w[i] * act.value(dot(w0[i], x) / Math.sqrt(DIM));
    }
    return f / (setup.gamma0() * WIDTH);
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
