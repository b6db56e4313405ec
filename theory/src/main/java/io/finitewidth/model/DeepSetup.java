package io.finitewidth.model;

import java.util.Objects;

/**
 * Everything but the width and the seed that fixes a deep mean-field training run
 * (THEORY-deep.md §1): L hidden layers, h^1 = W0 x / √D, h^{l+1} = W_l φ(h^l) / √N,
 * f = w · φ(h^L) / (γ0 N), all weights i.i.d. N(0, 1), square loss with factor c, plain gradient
 * descent with raw learning rate dt · γ0² · N, every parameter updated from the same pre-update
 * pass. Networks are uncentred.
 *
 * @param depth L, the number of hidden layers (1 is the two-layer network of THEORY.md)
 */
public record DeepSetup(Task task, Activation activation, int depth, double gamma0,
    LossConvention loss, TimeGrid grid) implements java.io.Serializable {

  /** Largest depth accepted (the trainer keeps L − 1 batched N × N weight arrays in memory). */
  public static final int MAX_DEPTH = 6;

  public DeepSetup {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(grid, "grid");
    if (depth < 1 || depth > MAX_DEPTH) {
      throw new IllegalArgumentException("depth must be in [1, " + MAX_DEPTH + "], got " + depth);
    }
    if (!(gamma0 > 0) || Double.isInfinite(gamma0)) {
      throw new IllegalArgumentException("gamma0 must be a positive finite number, got " + gamma0);
    }
  }

  /** The loss factor c. */
  public double lossFactor() {
    return loss.factor(task.trainPoints());
  }

  /** η = dt · γ0 · c, the coefficient of the rank-one weight updates (THEORY-deep.md §1). */
  public double eta() {
    return grid.dt() * gamma0 * lossFactor();
  }

  public DeepLayout layout() {
    return new DeepLayout(task.trainPoints(), task.testPoints(), depth);
  }
}
