package io.finitewidth.model;

/**
 * Flat layout of what a deep network (L hidden layers) reports at one recorded step, shared by the
 * simulated ensembles and the deep theory so that entries can be compared slot by slot.
 *
 * <p>Points are indexed train first, then test (Pa = P + Q points). Slots, in order:
 *
 * <pre>
 *   0                         loss (c/2) Σ_μ Δ_μ²
 *   1 .. Pa                   prediction f(x_a), a = 0 .. Pa − 1
 *   then 2L + 1 kernel blocks, each the upper triangle (a ≤ b, row by row) of a Pa × Pa matrix:
 *   block l − 1   (l = 1..L)  feature kernel Φ^l
 *   block L + l − 1           gradient kernel G^l
 *   block 2L                  NTK K = Σ_{l=0..L} G^{l+1} ∘ Φ^l  (Φ^0 = Kx, G^{L+1} = 1)
 * </pre>
 *
 * Kernel accessors accept (a, b) in either order. Errors Δ_μ = y_μ − f(x_μ) are not stored
 * separately.
 */
public record DeepLayout(int trainPoints, int testPoints, int depth)
    implements java.io.Serializable {

  public DeepLayout {
    if (trainPoints < 1 || testPoints < 0) {
      throw new IllegalArgumentException("need P >= 1 and Q >= 0, got P = " + trainPoints
          + ", Q = " + testPoints);
    }
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be at least 1, got " + depth);
    }
  }

  /** Pa = P + Q. */
  public int points() {
    return trainPoints + testPoints;
  }

  /** Pa (Pa + 1) / 2, the slots of one kernel block. */
  public int kernelSlots() {
    int p = points();
    return p * (p + 1) / 2;
  }

  public int size() {
    return 1 + points() + (2 * depth + 1) * kernelSlots();
  }

  public int lossIndex() {
    return 0;
  }

  /** Slot of f(x_a), a over all points (train first). */
  public int prediction(int a) {
    checkPoint(a);
    return 1 + a;
  }

  /** Slot of Φ^l[a][b], l = 1..L. */
  public int featureKernel(int layer, int a, int b) {
    checkLayer(layer);
    return kernel(layer - 1, a, b);
  }

  /** Slot of G^l[a][b], l = 1..L. */
  public int gradientKernel(int layer, int a, int b) {
    checkLayer(layer);
    return kernel(depth + layer - 1, a, b);
  }

  /** Slot of K[a][b]. */
  public int ntk(int a, int b) {
    return kernel(2 * depth, a, b);
  }

  private int kernel(int block, int a, int b) {
    checkPoint(a);
    checkPoint(b);
    int i = Math.min(a, b);
    int j = Math.max(a, b);
    int p = points();
    return 1 + p + block * kernelSlots() + i * p - i * (i - 1) / 2 + (j - i);
  }

  private void checkPoint(int a) {
    if (a < 0 || a >= points()) {
      throw new IndexOutOfBoundsException("point " + a + " outside [0, " + points() + ")");
    }
  }

  private void checkLayer(int layer) {
    if (layer < 1 || layer > depth) {
      throw new IndexOutOfBoundsException("layer " + layer + " outside [1, " + depth + "]");
    }
  }
}
