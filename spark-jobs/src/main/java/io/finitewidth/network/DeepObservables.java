package io.finitewidth.network;

import io.finitewidth.model.DeepLayout;
import io.finitewidth.stats.CentralMoments;
import io.finitewidth.stats.WidthScaledVariance;
import java.util.List;

/**
 * What one deep network recorded: {@code values[r]} is the flat vector of recorded step r laid
 * out by {@link DeepLayout} (loss; f on train then test points; upper triangles of Φ^1..Φ^L,
 * G^1..G^L and the NTK over all points).
 *
 * <p>Signal-to-noise helpers (THEORY-deep.md §5b) work on an ensemble's {@link CentralMoments}
 * of these vectors. For a kernel entry q, SNR = mean(q)² / (N·Var(q)), the width-scaled form
 * that converges as N → ∞ (the raw mean²/Var across networks of width N is N times larger).
 * Standard errors use the delta method, se(SNR)/SNR = √((2 se_mean/mean)² + (se_NVar/NVar)²),
 * and for averages over entries the mean of the entries' standard errors (an upper bound on the
 * standard error of the average whatever their correlation).
 *
 * @param networkIndex index of the network within its ensemble
 * @param seed the network seed its initial weights were drawn from
 * @param divergedAtStep first recorded step with a NaN or infinite value, or −1
 */
public record DeepObservables(int networkIndex, long seed, DeepLayout layout, double[][] values,
    int divergedAtStep) implements java.io.Serializable {

  public boolean diverged() {
    return divergedAtStep >= 0;
  }

  public double loss(int record) {
    return values[record][layout.lossIndex()];
  }

  public double prediction(int record, int point) {
    return values[record][layout.prediction(point)];
  }

  public double featureKernel(int record, int layer, int a, int b) {
    return values[record][layout.featureKernel(layer, a, b)];
  }

  public double gradientKernel(int record, int layer, int a, int b) {
    return values[record][layout.gradientKernel(layer, a, b)];
  }

  public double ntk(int record, int a, int b) {
    return values[record][layout.ntk(a, b)];
  }

  /** A signal-to-noise ratio with its standard error. */
  public record Snr(double value, double standardError) {}

  /** Moments over the non-diverged networks of values[record]. */
  public static CentralMoments moments(List<DeepObservables> ensemble, int record) {
    CentralMoments m = new CentralMoments(ensemble.get(0).layout().size());
    for (DeepObservables o : ensemble) {
      if (!o.diverged()) {
        m.add(o.values()[record]);
      }
    }
    return m;
  }

  /** SNR of one slot: mean² / (N·Var). */
  public static Snr slotSnr(CentralMoments moments, int slot, int width) {
    WidthScaledVariance v = WidthScaledVariance.of(moments, slot, width);
    double snr = v.mean() * v.mean() / v.nvar();
    double rel = Math.hypot(2 * v.meanSe() / Math.abs(v.mean()), v.nvarSe() / v.nvar());
    return new Snr(snr, snr * rel);
  }

  /**
   * SNR_diag(Φ^l): the mean over training points a of mean(Φ^l_aa)² / (N·Var Φ^l_aa)
   * (THEORY-deep.md §5b; the lazy value is 1/(2l) when Kx_aa = 1).
   */
  public static Snr diagonalFeatureSnr(CentralMoments moments, DeepLayout layout, int layer,
      int width) {
    double sum = 0;
    double se = 0;
    int p = layout.trainPoints();
    for (int a = 0; a < p; a++) {
      Snr s = slotSnr(moments, layout.featureKernel(layer, a, a), width);
      sum += s.value();
      se += s.standardError();
    }
    return new Snr(sum / p, se / p);
  }

  /**
   * Frobenius SNR of Φ^l over the training block: ‖mean Φ^l‖_F² / (N Σ_ab Var Φ^l_ab), sums over
   * all P² ordered pairs. (THEORY-deep.md names a "Frobenius version" without a formula; this is
   * our reading: its lazy value for the canonical data, L = 3, last layer, is 0.057 against the
   * brief's 0.062 measured at γ0 = 0.1.) Standard error by the delta method on the two sums,
   * with the sums' errors bounded by the sums of the entries' errors.
   */
  public static Snr frobeniusFeatureSnr(CentralMoments moments, DeepLayout layout, int layer,
      int width) {
    double signal = 0;
    double signalSe = 0;
    double noise = 0;
    double noiseSe = 0;
    int p = layout.trainPoints();
    for (int a = 0; a < p; a++) {
      for (int b = 0; b < p; b++) {
        WidthScaledVariance v = WidthScaledVariance.of(moments, layout.featureKernel(layer, a, b),
            width);
        signal += v.mean() * v.mean();
        signalSe += 2 * Math.abs(v.mean()) * v.meanSe();
        noise += v.nvar();
        noiseSe += v.nvarSe();
      }
    }
    double snr = signal / noise;
    return new Snr(snr, snr * Math.hypot(signalSe / signal, noiseSe / noise));
  }

  /** The mean over training points a of N·Var(K_aa), with the mean of the standard errors. */
  public static Snr diagonalNtkNvar(CentralMoments moments, DeepLayout layout, int width) {
    double sum = 0;
    double se = 0;
    int p = layout.trainPoints();
    for (int a = 0; a < p; a++) {
      WidthScaledVariance v = WidthScaledVariance.of(moments, layout.ntk(a, a), width);
      sum += v.nvar();
      se += v.nvarSe();
    }
    return new Snr(sum / p, se / p);
  }
}
