package io.finitewidth.network;

import io.finitewidth.model.Activation;

/**
 * A plain-Java two-layer mean-field network, written independently of the batched trainer, used
 * only as a reference in tests: f(x) = (1/(γ0 N)) Σ_i w_i φ(w0_i · x / √D).
 */
final class ReferenceNetwork {
  private ReferenceNetwork() {}

  /** f(x) for weights laid out as in {@link TwoLayerEnsemble#finalWeights}. */
  static double output(double[] weights, int width, int dim, Activation act, double gamma0,
      double[] x) {
    double sum = 0;
    for (int i = 0; i < width; i++) {
      double h = 0;
      for (int d = 0; d < dim; d++) {
        h += weights[i * dim + d] * x[d];
      }
      sum += weights[width * dim + i] * act.value(h / Math.sqrt(dim));
    }
    return sum / (gamma0 * width);
  }

  /** L = (c/2) Σ_μ (y_μ − f(x_μ))². */
  static double loss(double[] weights, int width, int dim, Activation act, double gamma0,
      double[][] xs, double[] ys, double c) {
    double s = 0;
    for (int mu = 0; mu < xs.length; mu++) {
      double e = ys[mu] - output(weights, width, dim, act, gamma0, xs[mu]);
      s += e * e;
    }
    return 0.5 * c * s;
  }
}
