package io.finitewidth.fluctuation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.finitewidth.model.Activation;
import io.finitewidth.model.CanonicalData;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.SymmetricEigen;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;
import org.junit.jupiter.api.Test;

/**
 * Checks the recursion of {@link LazyLimit} against the discrete eigenbasis closed form of
 * THEORY.md §5 for a LINEAR network, evaluated here from scratch:
 *
 * <pre>
 *   δΔ_n = −Σ_k e_k r_k^n (e_k·δf0) − Σ_{k,l} e_k ε̃_kl ỹ_l A_kl(n),   r_k = 1 − η λ_k
 *   A_kl(n) = (r_k^n − r_l^n)/(λ_l − λ_k) (k ≠ l),   A_kk(n) = η n r_k^{n−1}
 *   Cov(ε̃_kl, ε̃_k'l') = X̃_kk' X̃_ll' + X̃_kl' X̃_lk' + 2 X̃_kl X̃_k'l',   X̃ = Eᵀ Kx_tt E
 * </pre>
 */
class LazyLimitClosedFormTest {
  /**
   * Both sides are sums of ≲ 10⁴ O(1) terms after ≤ 100 contractions with |r| < 1; the closed
   * form's divided differences lose ~|λ|/min|λ_k − λ_l| ≈ 10² ulps: 1e-10 absolute is ample.
   */
  private static final double EXACT = 1e-10;
  private static final double GAMMA0 = 0.5;

  @Test
  void predict_linearUncentred_equalsEigenbasisClosedForm() {
    assertMatchesClosedForm(CanonicalData.setup(Activation.LINEAR, GAMMA0, false));
  }

  @Test
  void predict_linearCentred_equalsEigenbasisClosedForm() {
    assertMatchesClosedForm(CanonicalData.setup(Activation.LINEAR, GAMMA0, true));
  }

  @Test
  void predict_initialStep_reproducesInitialisationStatistics() {
    // THEORY.md §9: N·Var f_μ(0) = Φ_μμ(0)/γ0² (1/γ0² linear, 0.394294/γ0² tanh), N·Var
    // K_μμ(0) = 4 (linear) and 0.690260 (tanh).
    TheoryPrediction linear = LazyLimit.predict(CanonicalData.setup(Activation.LINEAR, GAMMA0,
        false), 1L);
    TheoryPrediction tanh = LazyLimit.predict(CanonicalData.setup(Activation.TANH, GAMMA0, false),
        1L);
    ObservableLayout layout = linear.layout();
    for (int mu = 0; mu < 6; mu++) {
      int f = layout.predictionTrain(mu);
      int k = layout.ntk(mu, mu);
      assertEquals(1 / (GAMMA0 * GAMMA0), linear.nvar()[0][f], EXACT);
      assertEquals(4, linear.nvar()[0][k], EXACT);
      // 6 printed decimals of the reference (±1e-6) scaled by 1/γ0² = 4: allow 4 · 1.5e-6.
      assertEquals(0.394294 / (GAMMA0 * GAMMA0), tanh.nvar()[0][f], 4 * 1.5e-6);
      assertEquals(0.690260, tanh.nvar()[0][k], 1.5e-6);
    }
  }

  private static void assertMatchesClosedForm(TwoLayerSetup setup) {
    TheoryPrediction pred = LazyLimit.predict(setup, 1L);
    double[][] kx = setup.task().inputKernel();
    double[] y = setup.task().trainTargets();
    int p = y.length;
    double eta = setup.eta();
    double[][] kxTrain = new double[p][p];
    double[][] k0 = new double[p][p];
    for (int a = 0; a < p; a++) {
      for (int b = 0; b < p; b++) {
        kxTrain[a][b] = kx[a][b];
        k0[a][b] = 2 * kx[a][b];
      }
    }
    SymmetricEigen eig = SymmetricEigen.of(k0);
    double[] lambda = eig.values();
    double[][] e = eig.vectors();
    double[][] xr = rotate(e, kxTrain);
    double[] yr = new double[p];
    for (int k = 0; k < p; k++) {
      for (int mu = 0; mu < p; mu++) {
        yr[k] += e[mu][k] * y[mu];
      }
    }
    for (int n = 0; n <= setup.grid().steps(); n++) {
      double[][] amp = amplitudes(lambda, eta, n);
      for (int mu = 0; mu < p; mu++) {
        double want = kernelTerm(e, xr, yr, amp, mu);
        if (!setup.centred()) {
          // Φ0 = Kx for linear φ, and e_kᵀ Kx e_k' = X̃_kk'.
          for (int k = 0; k < p; k++) {
            for (int kk = 0; kk < p; kk++) {
              want += e[mu][k] * Math.pow(1 - eta * lambda[k], n) * xr[k][kk]
                  * Math.pow(1 - eta * lambda[kk], n) * e[mu][kk] / (GAMMA0 * GAMMA0);
            }
          }
        }
        assertEquals(want, pred.nvar()[n][pred.layout().predictionTrain(mu)], EXACT,
            "N·Var Δ_" + mu + " at step " + n);
      }
    }
  }

  /** Σ B_kl B_k'l' Cov(ε̃_kl, ε̃_k'l') with B_kl = e_μk A_kl ỹ_l. */
  private static double kernelTerm(double[][] e, double[][] xr, double[] yr, double[][] amp,
      int mu) {
    int p = yr.length;
    double s = 0;
    for (int k = 0; k < p; k++) {
      for (int l = 0; l < p; l++) {
        double b = e[mu][k] * amp[k][l] * yr[l];
        for (int kk = 0; kk < p; kk++) {
          for (int ll = 0; ll < p; ll++) {
            double bb = e[mu][kk] * amp[kk][ll] * yr[ll];
            double cov = xr[k][kk] * xr[l][ll] + xr[k][ll] * xr[l][kk] + 2 * xr[k][l] * xr[kk][ll];
            s += b * bb * cov;
          }
        }
      }
    }
    return s;
  }

  /** A_kl(n) of the class comment. */
  private static double[][] amplitudes(double[] lambda, double eta, int n) {
    int p = lambda.length;
    double[][] a = new double[p][p];
    for (int k = 0; k < p; k++) {
      double rk = 1 - eta * lambda[k];
      for (int l = 0; l < p; l++) {
        double rl = 1 - eta * lambda[l];
        a[k][l] = k == l ? (n == 0 ? 0 : eta * n * Math.pow(rk, n - 1))
            : (Math.pow(rk, n) - Math.pow(rl, n)) / (lambda[l] - lambda[k]);
      }
    }
    return a;
  }

  /** Eᵀ M E. */
  private static double[][] rotate(double[][] e, double[][] m) {
    int p = m.length;
    double[][] out = new double[p][p];
    for (int k = 0; k < p; k++) {
      for (int l = 0; l < p; l++) {
        double s = 0;
        for (int a = 0; a < p; a++) {
          for (int b = 0; b < p; b++) {
            s += e[a][k] * m[a][b] * e[b][l];
          }
        }
        out[k][l] = s;
      }
    }
    return out;
  }
}
