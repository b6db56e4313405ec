package io.finitewidth.network;

import io.finitewidth.model.Activation;

/**
 * A plain-Java deep mean-field network, written independently of the batched trainer and used
 * only as a test reference. Parameters in the draw order of {@link DeepEnsemble}: W0 (N × D
 * row-major), W1 .. W_{L−1} (N × N row-major), w (N).
 */
final class ReferenceDeepNetwork {
  private ReferenceDeepNetwork() {}

  /** φ(h^l(x)) for l = 1..L (index l − 1). */
  static double[][] features(double[] theta, int width, int dim, int depth, Activation act,
      double[] x) {
    double[][] out = new double[depth][width];
    for (int i = 0; i < width; i++) {
      double h = 0;
      for (int d = 0; d < dim; d++) {
        h += theta[i * dim + d] * x[d];
      }
      out[0][i] = act.value(h / Math.sqrt(dim));
    }
    for (int l = 1; l < depth; l++) {
      int base = width * dim + (l - 1) * width * width;
      for (int i = 0; i < width; i++) {
        double h = 0;
        for (int j = 0; j < width; j++) {
          h += theta[base + i * width + j] * out[l - 1][j];
        }
        out[l][i] = act.value(h / Math.sqrt(width));
      }
    }
    return out;
  }

  static double output(double[] theta, int width, int dim, int depth, Activation act,
      double gamma0, double[] x) {
    double[] top = features(theta, width, dim, depth, act, x)[depth - 1];
    int base = theta.length - width;
    double s = 0;
    for (int i = 0; i < width; i++) {
      s += theta[base + i] * top[i];
    }
    return s / (gamma0 * width);
  }

  static double loss(double[] theta, int width, int dim, int depth, Activation act, double gamma0,
      double[][] xs, double[] ys, double c) {
    double s = 0;
    for (int mu = 0; mu < xs.length; mu++) {
      double e = ys[mu] - output(theta, width, dim, depth, act, gamma0, xs[mu]);
      s += e * e;
    }
    return 0.5 * c * s;
  }
}
