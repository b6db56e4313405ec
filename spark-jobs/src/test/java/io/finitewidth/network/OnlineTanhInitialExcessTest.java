package io.finitewidth.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.finitewidth.dmft.OnlineDmft;
import io.finitewidth.model.Activation;
import io.finitewidth.model.OnlineSetup;
import io.finitewidth.model.OnlineTask;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.stats.ControlVariateMean;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * THEORY-online.md §7e for tanh: at n = 0, N (E L_N(0) − L_S(0)) equals mean_test E φ(h)²/(2γ0²)
 * exactly on the test set (L_S(0) = ½ mean y², the antithetic particle reference has f = 0).
 * Control variate: mean_test[y f_init] (exact mean 0), least-squares coefficient. N = 64,
 * E = 300, 1000 test points. One comparison at z = 3.29: false-alarm rate 0.1 % (the O(1/E)
 * bias of the fitted coefficient is ~ se/√E, negligible).
 */
@Tag("statistical")
class OnlineTanhInitialExcessTest {
  private static final int WIDTH = 64;
  private static final int ENSEMBLE = 300;
  private static final double Z = 3.29;

  @Test
  void initialExcess_tanh_matchesInitialOutputVariance() {
    OnlineTask task = OnlineTask.gaussian(16, OnlineTask.Link.TANH, 1000, 91, 92);
    OnlineSetup setup = new OnlineSetup(task, Activation.TANH, 1.0,
        new TimeGrid(0.4, 1, new int[] {0}), 32, false);
    long[] seeds = new long[ENSEMBLE];
    for (int i = 0; i < ENSEMBLE; i++) {
      seeds[i] = 9_000_000L + i;
    }
    List<OnlineTrajectory> nets = new ArrayList<>(
        new OnlineTwoLayerEnsemble(setup, WIDTH, DataType.DOUBLE).train(0, seeds));
    double reference = 0;
    for (double y : task.testTargets()) {
      reference += 0.5 * y * y / task.testPoints();
    }
    double[] q = new double[ENSEMBLE];
    double[][] c = new double[ENSEMBLE][1];
    for (int i = 0; i < ENSEMBLE; i++) {
      q[i] = WIDTH * (nets.get(i).testLoss()[0] - reference);
      c[i][0] = nets.get(i).initialStatistics()[OnlineTrajectory.TEST_TARGET_OUTPUT];
    }
    ControlVariateMean.Estimate est = ControlVariateMean.fitted(q, c, new double[] {0});
    double expected = OnlineDmft.initialOutputCorrection(Activation.TANH, task.testInputs(), 1.0);
    assertEquals(expected, est.mean(), Z * est.standardError(),
        "estimate " + est.mean() + " ± " + est.standardError() + " (plain " + est.plainMean()
            + " ± " + est.plainStandardError() + ")");
  }
}
