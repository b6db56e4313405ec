package io.finitewidth.sweep;

import java.util.Locale;

/** Floating-point type the networks are trained in ({@code training.precision}). */
public enum Precision {
  FLOAT64,
  FLOAT32;

  /** The name used in sweep files: {@code float64} or {@code float32}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
