package io.finitewidth.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The hidden-unit nonlinearity φ and its derivative φ′. */
public enum Activation {
  /** φ(h) = h. Every order parameter is a polynomial of Gaussians: closed forms exist. */
  LINEAR {
    @Override public double value(double h) { return h; }
    @Override public double derivative(double h) { return 1.0; }
  },
  /** φ(h) = tanh(h). */
  TANH {
    @Override public double value(double h) { return Math.tanh(h); }
    @Override public double derivative(double h) {
      double t = Math.tanh(h);
      return 1.0 - t * t;
    }
  },
  /** φ(h) = max(h, 0); φ′ is the step function (0 at h = 0). */
  RELU {
    @Override public double value(double h) { return h > 0 ? h : 0.0; }
    @Override public double derivative(double h) { return h > 0 ? 1.0 : 0.0; }
  };

  public abstract double value(double h);

  public abstract double derivative(double h);

  /** The lower-case name used in sweep files and outputs. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a sweep-file name such as {@code tanh}; the message lists what is allowed. */
  public static Activation parse(String name) {
    for (Activation a : values()) {
      if (a.label().equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown activation '" + name + "'; allowed: " + allowed());
  }

  public static String allowed() {
    return Arrays.stream(values()).map(Activation::label).collect(Collectors.joining(", "));
  }
}
