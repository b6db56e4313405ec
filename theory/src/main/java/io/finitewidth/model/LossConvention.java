package io.finitewidth.model;

import java.util.Locale;

/**
 * Square loss L = (c/2) Σ_μ (y_μ − f_μ)²: c = 1/P ("mean") or c = 1 ("sum"). The two are the same
 * dynamics on rescaled time: t_sum = t_mean / P.
 */
public enum LossConvention {
  MEAN, SUM;

  /** The factor c for P training points. */
  public double factor(int trainPoints) {
    return this == MEAN ? 1.0 / trainPoints : 1.0;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static LossConvention parse(String name) {
    for (LossConvention c : values()) {
      if (c.label().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown loss convention '" + name + "'; allowed: mean, sum");
  }
}
