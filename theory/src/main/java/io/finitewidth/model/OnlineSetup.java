package io.finitewidth.model;

import java.io.Serializable;
import java.util.Objects;

/**
 * Everything but the width and the network seed that fixes an online training run
 * (THEORY-online.md §1): f(x) = (1/(γ0 N)) Σ_i w_i φ(w0_i·x/√D), per-step loss
 * (1/(2B)) Σ_batch (y − f)², every parameter moved by −dt · γ0² · N · ∂loss/∂θ, step n at time
 * t = n · dt. {@code batchSize} = {@link #POPULATION} means B = ∞: the exact expectation of the
 * gradient over the input distribution (defined for linear networks with a linear teacher only).
 * {@code centred} trains and reports f − f(θ_init).
 */
public record OnlineSetup(OnlineTask task, Activation activation, double gamma0, TimeGrid grid,
    int batchSize, boolean centred) implements Serializable {

  /** The batch size that stands for B = ∞ (population gradient). */
  public static final int POPULATION = 0;

  public OnlineSetup {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(grid, "grid");
    if (!(gamma0 > 0) || Double.isInfinite(gamma0)) {
      throw new IllegalArgumentException("gamma0 must be a positive finite number, got " + gamma0);
    }
    if (batchSize < 0) {
      throw new IllegalArgumentException("batch_size must be ≥ 1, or 0 for the population"
          + " gradient, got " + batchSize);
    }
    if (batchSize == POPULATION
        && (activation != Activation.LINEAR || task.link() != OnlineTask.Link.LINEAR)) {
      throw new IllegalArgumentException("the population gradient (batch_size 0) is exact only"
          + " for a linear network with a linear teacher, got activation "
          + activation.label() + " and teacher " + task.link());
    }
  }

  public boolean population() {
    return batchSize == POPULATION;
  }

  /** η = dt · γ0, the step of THEORY-online.md §2. */
  public double eta() {
    return grid.dt() * gamma0;
  }

  /**
   * Whether the test loss is the exact population loss |e|²/(2D) (linear network, linear
   * teacher) rather than a test-set average.
   */
  public boolean exactPopulationLoss() {
    return activation == Activation.LINEAR && task.link() == OnlineTask.Link.LINEAR;
  }
}
