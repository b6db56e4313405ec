package io.finitewidth.model;

import java.util.Objects;

/**
 * Everything but the width and the seed that fixes a two-layer mean-field training run:
 * f(x) = (1/(γ0 N)) Σ_i w_i φ(w0_i · x / √D), square loss with convention c, steps of size dt
 * (raw learning rate dt · γ0² · N). {@code centred} trains and reports f − f(θ_init).
 */
public record TwoLayerSetup(Task task, Activation activation, double gamma0, LossConvention loss,
    TimeGrid grid, boolean centred) implements java.io.Serializable {

  public TwoLayerSetup {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(grid, "grid");
    if (!(gamma0 > 0) || Double.isInfinite(gamma0)) {
      throw new IllegalArgumentException("gamma0 must be a positive finite number, got " + gamma0);
    }
  }

  /** The loss factor c. */
  public double lossFactor() {
    return loss.factor(task.trainPoints());
  }

  /** η = c · dt, the step in function space per unit NTK. */
  public double eta() {
    return lossFactor() * grid.dt();
  }
}
