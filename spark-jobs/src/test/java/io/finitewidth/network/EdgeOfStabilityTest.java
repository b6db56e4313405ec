package io.finitewidth.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Activation;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.Task;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import io.finitewidth.stats.CentralMoments;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Large learning rates: at a step 5 % past the stability edge of the (wide-network) initial NTK,
 * η·λmax(K(0)) = 2.1, every network either lowers its sharpness to the edge (η·λmax ≤ 2 at the
 * end) or diverges; diverged networks are flagged and never enter the moments. λmax(K(0)) is
 * taken from one network of width 4096, whose NTK is within ~1 % of the infinite-width one.
 */
class EdgeOfStabilityTest {
  /** Allowed overshoot of the final η·λmax above 2, for a network still oscillating at the edge. */
  static final double EDGE_SLACK = 0.05;

  @Test
  void pastTheEdgeNetworksSettleAtItOrDivergeAndDivergedOnesAreExcluded() throws Exception {
    double edge = 2.1;
    double gamma0 = 1.0;
    Task task = LazyLimitAgreementTest.canonicalTask();
    ObservableLayout layout = new ObservableLayout(task.trainPoints(), task.testPoints());
    int width = 128;
    // λmax(K(0)) from a probe at a tiny step, then dt so that η·λmax(K(0)) ≈ 2.6.
    TwoLayerSetup probe = new TwoLayerSetup(task, Activation.TANH, 1.0, LossConvention.MEAN,
        new TimeGrid(1e-3, 1, new int[] {0}), false);
    double lambda0 = new PreactivationEnsemble(probe, 4096, DataType.DOUBLE)
        .train(0, new long[] {1L}).get(0).observables()[0][RecordedSlots.sharpness(layout)];
    double dt = edge / (probe.lossFactor() * lambda0);
    TwoLayerSetup fast = new TwoLayerSetup(task, Activation.TANH, gamma0, LossConvention.MEAN,
        TimeGrid.every(dt, 400, 100), false);
    long[] seeds = new long[48];
    for (int b = 0; b < seeds.length; b++) {
      seeds[b] = 777L + b;
    }
    List<NetworkTrajectory> networks = new PreactivationEnsemble(fast, width, DataType.DOUBLE)
        .train(0, seeds);
    int last = fast.grid().recordCount() - 1;
    int diverged = 0;
    int settled = 0;
    int cameDown = 0;
    CentralMoments moments = new CentralMoments(RecordedSlots.size(layout));
    for (NetworkTrajectory n : networks) {
      if (n.diverged()) {
        diverged++;
        continue;
      }
      double end = n.observables()[last][RecordedSlots.sharpnessLr(layout)];
      if (n.observables()[0][RecordedSlots.sharpnessLr(layout)] > 2.0) {
        cameDown++;
      }
      assertTrue(end <= 2.0 + EDGE_SLACK, "network " + n.networkIndex()
          + " neither diverged nor came down to the edge: η·λmax = " + end);
      settled++;
      moments.add(n.observables()[last]);
    }
    // Both outcomes occur at this step size (seen: 26 diverged, 22 settled of which 14 started
    // above the edge at their own finite-width λmax(0) and brought it down to 2/η).
    assertTrue(diverged > 0, "no network diverged");
    assertTrue(cameDown > 0, "no network started past the edge and came down to it");
    assertEquals(seeds.length, diverged + settled);
    assertEquals(settled, moments.count());
    for (int k = 0; k < moments.slots(); k++) {
      assertTrue(settled == 0 || Double.isFinite(moments.mean(k)), "slot " + k);
    }
  }
}
