package io.finitewidth.model;

/**
 * Exact single-site statistics of one hidden neuron at initialisation, where (h_a, h_b) are jointly
 * Gaussian with covariance [[Kx_aa, Kx_ab], [Kx_ab, Kx_bb]] and the readout z ~ N(0, 1) is
 * independent (E z² = 1, E z⁴ = 3). See THEORY.md §2, §4 ("pitfalls") and §5.
 *
 * <p>Per pair (a, b) five moments are needed: m0 = E[φ_aφ_b], m1 = E[φ'_aφ'_b],
 * m2 = E[(φ_aφ_b)²], m3 = E[φ_aφ_bφ'_aφ'_b], m4 = E[(φ'_aφ'_b)²]. From them, with
 * k_ab = φ_aφ_b + z²φ'_aφ'_b Kx_ab the single-neuron NTK summand:
 *
 * <pre>
 *   Φ0_ab = m0,   G0_ab = m1,   K0_ab = m0 + m1 Kx_ab
 *   N·Var K_ab = m2 + 2 m3 Kx_ab + 3 m4 Kx_ab² − K0_ab²
 *   N·Var Φ_ab = m2 − m0²,       N·Var G_ab = 3 m4 − m1²
 * </pre>
 *
 * <p>How each activation is integrated: LINEAR by Isserlis' theorem (see {@link #pair}); RELU by
 * the arc-cosine closed forms E[Θ(h_a)Θ(h_b) h_a^n h_b^n] =
 * (1/2π) (Kx_aa Kx_bb)^{n/2} J_n(θ), cos θ = Kx_ab/√(Kx_aa Kx_bb), with J0 = π − θ,
 * J1 = sin θ + (π − θ) cos θ, J2 = 3 sin θ cos θ + (π − θ)(1 + 2cos²θ) (Cho and Saul 2009,
 * "Kernel methods for deep learning"); TANH by the tensor-product
 * {@link GaussianQuadrature#TANH_RULE} (trapezoid; Gauss–Hermite converges too slowly for tanh).
 */
public final class SingleSiteMoments {
  private SingleSiteMoments() {}

  /** The five two-point moments m0..m4 of one pair, named as in the class comment. */
  public record PairMoments(double m0, double m1, double m2, double m3, double m4) {

    /** K0_ab = m0 + m1 Kx_ab. */
    public double ntk(double kxAb) {
      return m0 + m1 * kxAb;
    }

    /** N·Var K_ab = m2 + 2 m3 Kx_ab + 3 m4 Kx_ab² − K0_ab². */
    public double ntkNVar(double kxAb) {
      double k0 = ntk(kxAb);
      return m2 + 2 * m3 * kxAb + 3 * m4 * kxAb * kxAb - k0 * k0;
    }

    /** N·Var Φ_ab = m2 − m0². */
    public double featureNVar() {
      return m2 - m0 * m0;
    }

    /** N·Var G_ab = E[z⁴] m4 − m1² = 3 m4 − m1². */
    public double gradientNVar() {
      return 3 * m4 - m1 * m1;
    }
  }

  /**
   * The moments m0..m4 of (φ(h_a), φ(h_b)) for (h_a, h_b) ~ N(0, [[kaa, kab], [kab, kbb]]).
   *
   * <p>LINEAR (Isserlis): m0 = kab, m1 = 1, m2 = kaa kbb + 2 kab², m3 = kab, m4 = 1. RELU: m0 and
   * m2 are the degree-1 and degree-2 arc-cosine moments, m1 = m4 = (π − θ)/(2π) (Θ² = Θ), and
   * m3 = m0 (ReLU(h) Θ(h) = ReLU(h)); a zero variance makes every moment 0 since φ'(0) = 0.
   */
  public static PairMoments pair(Activation activation, double kaa, double kbb, double kab) {
    switch (activation) {
      case LINEAR:
        return new PairMoments(kab, 1, kaa * kbb + 2 * kab * kab, kab, 1);
      case RELU:
        return reluPair(kaa, kbb, kab);
      case TANH:
      default:
        return quadraturePair(activation, kaa, kbb, kab);
    }
  }

  private static PairMoments reluPair(double kaa, double kbb, double kab) {
    if (!(kaa > 0) || !(kbb > 0)) {
      return new PairMoments(0, 0, 0, 0, 0);
    }
    double norm = Math.sqrt(kaa * kbb);
    double cos = Math.max(-1, Math.min(1, kab / norm));
    double theta = Math.acos(cos);
    double sin = Math.sqrt(Math.max(0, 1 - cos * cos));
    double j0 = Math.PI - theta;
    double j1 = sin + (Math.PI - theta) * cos;
    double j2 = 3 * sin * cos + (Math.PI - theta) * (1 + 2 * cos * cos);
    double m0 = norm * j1 / (2 * Math.PI);
    double m1 = j0 / (2 * Math.PI);
    double m2 = kaa * kbb * j2 / (2 * Math.PI);
    return new PairMoments(m0, m1, m2, m0, m1);
  }

  private static PairMoments quadraturePair(Activation act, double kaa, double kbb, double kab) {
    GaussianQuadrature rule = GaussianQuadrature.TANH_RULE;
    double[] acc = rule.expect(kaa, kbb, kab, 5, (ha, hb, out) -> {
      double pp = act.value(ha) * act.value(hb);
      double dd = act.derivative(ha) * act.derivative(hb);
      out[0] = pp;
      out[1] = dd;
      out[2] = pp * pp;
      out[3] = pp * dd;
      out[4] = dd * dd;
    });
    return new PairMoments(acc[0], acc[1], acc[2], acc[3], acc[4]);
  }

  /**
   * The moments of every pair of points of an input kernel, {@code result[a][b]} for a, b over
   * all points (symmetric). Not modified: {@code kx}.
   */
  public static PairMoments[][] allPairs(Activation activation, double[][] kx) {
    int m = kx.length;
    PairMoments[][] out = new PairMoments[m][m];
    for (int a = 0; a < m; a++) {
      for (int b = a; b < m; b++) {
        out[a][b] = pair(activation, kx[a][a], kx[b][b], kx[a][b]);
        out[b][a] = out[a][b];
      }
    }
    return out;
  }
}
