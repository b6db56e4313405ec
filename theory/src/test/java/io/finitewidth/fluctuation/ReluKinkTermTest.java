package io.finitewidth.fluctuation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Activation;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;
import org.junit.jupiter.api.Test;

/**
 * ReLU with the kink term against the simulated ensembles of THEORY-relu.md (10 500 networks,
 * N = 256..2048, canonical data, γ0 = 1, uncentred; "pooled" column).
 *
 * <p>Tolerances are those suggested there: ±12 % on the late-time NTK variance (covers the
 * bandwidth systematic of the kink term), ±5 % on errors and the NTK at t = 4, ±6 % on the test
 * prediction (an unexplained 4 % gap common to every theory variant), each plus {@link #Z}
 * replica standard errors of this run (7 degrees of freedom: P(|t_7| > 4) ≈ 0.5 %) and Z
 * standard errors of the simulated value.
 *
 * <p>At this particle count the naive tangent (12.6 for N·Var K_00 at t = 20) is not excluded
 * by these tolerances; the larger runs of THEORY-relu.md are what separate the two.
 */
class ReluKinkTermTest {
  private static final double Z = 4.0;

  @Test
  void kinkTermAgreesWithSimulatedEnsembles() {
    int[] record = {0, 10, 20, 100};
    TwoLayerSetup setup = CanonicalData.setup(Activation.RELU, 1.0, false, record);
    TheoryPrediction p = TwoLayerPropagator.predict(setup,
        new PropagatorOptions(3000, 750, 4242L, 8));
    assertEquals(TwoLayerPropagator.NVAR_METHOD_RELU, p.nvarMethod());
    ObservableLayout l = p.layout();
    // {record row, entry}, simulated value, its s.e., relative allowance.
    Object[][] checks = {
        {1, l.predictionTrain(0), 0.333, 0.005, 0.05},
        {2, l.predictionTrain(0), 0.249, 0.004, 0.05},
        {3, l.predictionTest(0), 1.33, 0.02, 0.06},
        {2, l.ntk(0, 0), 6.95, 0.10, 0.05},
        {3, l.ntk(0, 0), 15.2, 0.2, 0.12},
        {3, l.ntk(0, 1), 0.865, 0.012, 0.12}};
    for (Object[] c : checks) {
      int r = (Integer) c[0];
      int k = (Integer) c[1];
      double simulated = (Double) c[2];
      double simulatedSe = (Double) c[3];
      double allowance = (Double) c[4] * simulated;
      double value = p.nvar()[r][k];
      double se = p.nvarSe()[r][k];
      double bound = Z * Math.hypot(se, simulatedSe) + allowance;
      assertTrue(Math.abs(value - simulated) <= bound, l.entry(k) + " at step " + record[r]
          + ": theory " + value + " ± " + se + ", simulated " + simulated + ", bound " + bound);
    }
  }
}
