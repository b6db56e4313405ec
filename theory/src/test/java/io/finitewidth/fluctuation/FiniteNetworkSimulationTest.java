package io.finitewidth.fluctuation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Activation;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.Task;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * An independent check of the propagator for tanh in the rich regime (γ0 = 1, uncentred): an
 * ensemble of finite networks trained in weight space, f(x) = Σ_i w_i tanh(w0_i·x/√D)/(γ0 N),
 * θ ← θ − dt γ0² N ∂L/∂θ with the mean loss. Nothing here shares code with the propagator
 * except the seeded normal stream.
 *
 * <p>Tolerance: |N·s² − theory| ≤ Z √(se_sim² + se_theory²) + bias · theory, with se_sim from
 * the fourth sample moment (THEORY.md §8), Z = 4 (two-sided false-alarm ≈ 6e-5 for a normal
 * statistic, a little more for the 7-dof theory error) and a finite-width bias allowance of 3 %
 * (THEORY.md §9: below 2–3 % for N ≥ 128 in this setting).
 */
class FiniteNetworkSimulationTest {
  private static final int WIDTH = 256;
  private static final int NETWORKS = 400;
  private static final double GAMMA0 = 1.0;
  private static final double Z = 4.0;
  private static final double WIDTH_BIAS = 0.03;
  private static final int[] RECORD = {0, 10, 20, 100};

  @Test
  void tanhRichRegimeVariancesMatchSimulatedNetworks() {
    TwoLayerSetup setup = CanonicalData.setup(Activation.TANH, GAMMA0, false, RECORD);
    Task task = setup.task();
    ObservableLayout l = new ObservableLayout(task.trainPoints(), task.testPoints());
    // Observables: Δ_0(t=2), Δ_3(t=4), f_test0(t=20), K_00(t=4), K_00(t=20), K_01(t=20).
    int[][] picks = {
        {1, l.predictionTrain(0)}, {2, l.predictionTrain(3)}, {3, l.predictionTest(0)},
        {2, l.ntk(0, 0)}, {3, l.ntk(0, 0)}, {3, l.ntk(0, 1)}};

    StandardNormalStream root = new StandardNormalStream(314159L);
    StandardNormalStream[] streams = new StandardNormalStream[NETWORKS];
    for (int e = 0; e < NETWORKS; e++) {
      streams[e] = root.split();
    }
    double[][] samples = IntStream.range(0, NETWORKS).parallel()
        .mapToObj(e -> simulate(setup, streams[e], picks)).toArray(double[][]::new);

    TheoryPrediction theory = TwoLayerPropagator.predict(setup,
        new PropagatorOptions(2000, 500, 2718L, 8));
    for (int i = 0; i < picks.length; i++) {
      double sum = 0;
      for (double[] s : samples) {
        sum += s[i];
      }
      double mean = sum / NETWORKS;
      double m2 = 0;
      double m4 = 0;
      for (double[] s : samples) {
        double d = s[i] - mean;
        m2 += d * d;
        m4 += d * d * d * d;
      }
      double unbiased = m2 / (NETWORKS - 1);
      m4 /= NETWORKS;
      double nvar = WIDTH * unbiased;
      double nvarSe = WIDTH * Math.sqrt((m4 - unbiased * unbiased * (NETWORKS - 3.0)
          / (NETWORKS - 1.0)) / NETWORKS);
      double predicted = theory.nvar()[picks[i][0]][picks[i][1]];
      double predictedSe = theory.nvarSe()[picks[i][0]][picks[i][1]];
      double bound = Z * Math.hypot(nvarSe, predictedSe) + WIDTH_BIAS * predicted;
      String what = l.entry(picks[i][1]) + " at step " + RECORD[picks[i][0]];
      assertTrue(Math.abs(nvar - predicted) <= bound, what + ": simulated " + nvar + " ± "
          + nvarSe + ", theory " + predicted + " ± " + predictedSe + ", bound " + bound);
    }
  }

  /** Trains one network; returns the picked observables (record row, layout entry). */
  private static double[] simulate(TwoLayerSetup setup, StandardNormalStream normals,
      int[][] picks) {
    Task task = setup.task();
    double[][] x = task.allInputs();
    double[] y = task.trainTargets();
    int dim = task.dim();
    int trainPoints = task.trainPoints();
    int points = x.length;
    double rootDim = Math.sqrt(dim);
    double[][] kx = task.inputKernel();
    double[][] w0 = new double[WIDTH][dim];
    double[] w = new double[WIDTH];
    for (int i = 0; i < WIDTH; i++) {
      for (int d = 0; d < dim; d++) {
        w0[i][d] = normals.next();
      }
      w[i] = normals.next();
    }
    // θ ← θ − dt γ0² N ∂L/∂θ, L = (c/2) Σ Δ²: w_i += η γ0 Σ_μ Δ_μ φ(h_iμ),
    // w0_i += η γ0 Σ_μ Δ_μ w_i φ'(h_iμ) x_μ/√D, with η = c dt.
    double step = setup.eta() * GAMMA0;
    double[] out = new double[picks.length];
    double[][] phi = new double[WIDTH][points];
    double[][] dphi = new double[WIDTH][points];
    double[] delta = new double[trainPoints];
    double[] f = new double[points];
    int record = 0;
    int[] recordSteps = setup.grid().recordSteps();
    for (int n = 0; n <= setup.grid().steps(); n++) {
      java.util.Arrays.fill(f, 0.0);
      for (int i = 0; i < WIDTH; i++) {
        for (int a = 0; a < points; a++) {
          double h = 0;
          for (int d = 0; d < dim; d++) {
            h += w0[i][d] * x[a][d];
          }
          double t = Math.tanh(h / rootDim);
          phi[i][a] = t;
          dphi[i][a] = 1 - t * t;
          f[a] += w[i] * t;
        }
      }
      for (int a = 0; a < points; a++) {
        f[a] /= GAMMA0 * WIDTH;
      }
      for (int mu = 0; mu < trainPoints; mu++) {
        delta[mu] = y[mu] - f[mu];
      }
      if (record < recordSteps.length && recordSteps[record] == n) {
        ObservableLayout l = new ObservableLayout(trainPoints, task.testPoints());
        for (int k = 0; k < picks.length; k++) {
          if (picks[k][0] != record) {
            continue;
          }
          ObservableLayout.Entry entry = l.entry(picks[k][1]);
          out[k] = switch (entry.observable()) {
            case PREDICTION_TRAIN -> f[entry.i()];
            case PREDICTION_TEST -> f[trainPoints + entry.i()];
            case NTK -> {
              double s = 0;
              for (int i = 0; i < WIDTH; i++) {
                s += phi[i][entry.i()] * phi[i][entry.j()]
                    + w[i] * w[i] * dphi[i][entry.i()] * dphi[i][entry.j()]
                    * kx[entry.i()][entry.j()];
              }
              yield s / WIDTH;
            }
            default -> throw new IllegalArgumentException("not simulated: " + entry);
          };
        }
        record++;
      }
      for (int i = 0; i < WIDTH; i++) {
        double dw = 0;
        double[] dw0 = new double[dim];
        for (int mu = 0; mu < trainPoints; mu++) {
          dw += delta[mu] * phi[i][mu];
          double back = delta[mu] * w[i] * dphi[i][mu] / rootDim;
          for (int d = 0; d < dim; d++) {
            dw0[d] += back * x[mu][d];
          }
        }
        for (int d = 0; d < dim; d++) {
          w0[i][d] += step * dw0[d];
        }
        w[i] += step * dw;
      }
    }
    return out;
  }
}
