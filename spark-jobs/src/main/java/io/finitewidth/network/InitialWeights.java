package io.finitewidth.network;

/**
 * The i.i.d. N(0, 1) initial weights of one two-layer network, drawn from its seed in a fixed
 * order: first the input weights w0 (N × D, row by row, row i = hidden unit i), then the readout
 * w (N). The order is part of the determinism contract: changing it changes every network.
 */
public record InitialWeights(int width, int dim, double[] inputWeights, double[] readoutWeights) {

  public static InitialWeights draw(long networkSeed, int width, int dim) {
    GaussianStream normal = new GaussianStream(networkSeed);
    double[] w0 = new double[width * dim];
    normal.fillInto(w0, 0, w0.length);
    double[] w = new double[width];
    normal.fillInto(w, 0, width);
    return new InitialWeights(width, dim, w0, w);
  }
}
