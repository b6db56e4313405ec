package io.finitewidth.report;

import java.util.Locale;

/** Number formatting for the report's text: locale-independent, missing values as a dash. */
final class Numbers {
  static final String MISSING = "–";

  private Numbers() {}

  /** Four significant digits, e.g. {@code 0.01235}, {@code 1.235e+04}; a dash for NaN. */
  static String sig(double x) {
    if (Double.isNaN(x)) {
      return MISSING;
    }
    if (x == 0) {
      return "0";
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? "∞" : "−∞";
    }
    double magnitude = Math.abs(x);
    if (magnitude >= 1e-3 && magnitude < 1e5) {
      return strip(String.format(Locale.ROOT, "%.4g", x));
    }
    return String.format(Locale.ROOT, "%.3e", x);
  }

  /** A value with its standard error, {@code 1.234 ± 0.05}. */
  static String withError(double x, double se) {
    return Double.isNaN(se) ? sig(x) : sig(x) + " ± " + sig(se);
  }

  /** The shortest text for a configuration value such as γ0 or dt: {@code 0.05}, {@code 1}. */
  static String compact(double x) {
    if (Double.isNaN(x)) {
      return MISSING;
    }
    if (x == Math.rint(x) && Math.abs(x) < 1e15) {
      return Long.toString((long) x);
    }
    return Double.toString(x);
  }

  private static String strip(String s) {
    if (!s.contains(".") || s.contains("e")) {
      return s;
    }
    int end = s.length();
    while (s.charAt(end - 1) == '0') {
      end--;
    }
    if (s.charAt(end - 1) == '.') {
      end--;
    }
    return s.substring(0, end);
  }
}
