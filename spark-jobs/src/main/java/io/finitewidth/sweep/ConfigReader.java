package io.finitewidth.sweep;

import io.finitewidth.sweep.SweepConfigException.Problem;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Typed reads from a parsed YAML tree that record a {@link Problem} instead of throwing, so one
 * pass finds every problem. Getters return null when the value is missing or bad (and a problem
 * has been recorded where one applies).
 */
final class ConfigReader {
  /** Longest rendering of a value inside a message. */
  private static final int MAX_VALUE_CHARS = 80;

  /** Typos at most this many edits away (or a third of the key's length) get a suggestion. */
  private static final int MIN_SUGGESTION_DISTANCE = 2;

  static final String MISSING = "(missing)";

  private final List<Problem> problems = new ArrayList<>();

  List<Problem> problems() {
    return problems;
  }

  boolean hasProblemsUnder(String prefix) {
    return problems.stream().anyMatch(p -> p.field().startsWith(prefix));
  }

  void problem(String field, Object value, String allowed) {
    problems.add(new Problem(field, render(value), "allowed: " + allowed));
  }

  void missing(String field, String allowed) {
    problems.add(new Problem(field, MISSING, "required; allowed: " + allowed));
  }

  /** Records a problem with a free explanation (a dataset reader's message, for example). */
  void failed(String field, Object value, String explanation) {
    problems.add(new Problem(field, render(value), explanation));
  }

  static String path(String parent, String key) {
    return parent.isEmpty() ? key : parent + "." + key;
  }

  /** Reports every key of {@code map} not in {@code allowed}, with the nearest allowed key. */
  void checkKeys(Map<String, Object> map, String parent, Collection<String> allowed) {
    for (String key : map.keySet()) {
      if (!allowed.contains(key)) {
        String suggestion = suggest(key, allowed);
        String value = "unknown key"
            + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)");
        problems.add(new Problem(path(parent, key), value,
            "allowed keys here: " + String.join(", ", allowed)));
      }
    }
  }

  /** A sub-mapping; a non-mapping value is a problem, an absent one is one only if required. */
  Map<String, Object> section(Map<String, Object> map, String parent, String key,
      boolean required, List<String> allowedKeys) {
    String field = path(parent, key);
    Object value = map.get(key);
    if (value == null) {
      if (required) {
        missing(field, "a mapping with keys " + String.join(", ", allowedKeys));
      }
      return null;
    }
    if (!(value instanceof Map<?, ?>)) {
      problem(field, value, "a mapping with keys " + String.join(", ", allowedKeys));
      return null;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> section = (Map<String, Object>) value;
    checkKeys(section, field, allowedKeys);
    return section;
  }

  /** An integer in [min, max]; integral floats such as 1e3 count as integers. */
  Long integer(Object value, String field, long min, long max, String allowed) {
    Long result = asLong(value);
    if (result == null || result < min || result > max) {
      problem(field, value, allowed);
      return null;
    }
    return result;
  }

  Long integer(Map<String, Object> map, String parent, String key, Long dflt, long min, long max,
      String allowed) {
    String field = path(parent, key);
    if (map.get(key) == null) {
      if (dflt == null) {
        missing(field, allowed);
      }
      return dflt;
    }
    return integer(map.get(key), field, min, max, allowed);
  }

  /** A finite number (integers included) ≥ {@code min}, or > {@code min} if not inclusive. */
  Double number(Object value, String field, double min, boolean minInclusive, String allowed) {
    if (!(value instanceof Number n) || value instanceof BigInteger && asLong(value) == null) {
      problem(field, value, allowed);
      return null;
    }
    double d = n.doubleValue();
    if (!Double.isFinite(d) || d < min || !minInclusive && d == min) {
      problem(field, value, allowed);
      return null;
    }
    return d;
  }

  Double number(Map<String, Object> map, String parent, String key, Double dflt, double min,
      boolean minInclusive, String allowed) {
    String field = path(parent, key);
    if (map.get(key) == null) {
      if (dflt == null) {
        missing(field, allowed);
      }
      return dflt;
    }
    return number(map.get(key), field, min, minInclusive, allowed);
  }

  /** One of {@code choices}, as written (case-sensitive). */
  String choice(Object value, String field, List<String> choices) {
    if (!(value instanceof String s) || !choices.contains(s)) {
      problem(field, value, String.join(" | ", choices));
      return null;
    }
    return s;
  }

  String choice(Map<String, Object> map, String parent, String key, String dflt,
      List<String> choices) {
    String field = path(parent, key);
    if (map.get(key) == null) {
      if (dflt == null) {
        missing(field, String.join(" | ", choices));
      }
      return dflt;
    }
    return choice(map.get(key), field, choices);
  }

  String string(Map<String, Object> map, String parent, String key, boolean required,
      String allowed) {
    String field = path(parent, key);
    Object value = map.get(key);
    if (value == null) {
      if (required) {
        missing(field, allowed);
      }
      return null;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      problem(field, value, allowed);
      return null;
    }
    return s;
  }

  Boolean bool(Map<String, Object> map, String parent, String key, boolean dflt) {
    Object value = map.get(key);
    if (value == null) {
      return dflt;
    }
    if (!(value instanceof Boolean b)) {
      problem(path(parent, key), value, "true | false");
      return null;
    }
    return b;
  }

  /**
   * A list, or a single value standing for a one-item list. Returns the items, or null when
   * missing (a problem if required), not a list, or empty.
   */
  List<Object> items(Map<String, Object> map, String parent, String key, boolean required,
      String allowed) {
    String field = path(parent, key);
    Object value = map.get(key);
    if (value == null) {
      if (required) {
        missing(field, allowed);
      }
      return null;
    }
    if (value instanceof Map<?, ?>) {
      problem(field, value, allowed);
      return null;
    }
    if (value instanceof List<?> list) {
      if (list.isEmpty()) {
        problem(field, value, allowed);
        return null;
      }
      return new ArrayList<>(list);
    }
    return List.of(value);
  }

  /** {@code network.widths[2]} for a list, plain {@code network.widths} for a single value. */
  static String itemField(Map<String, Object> map, String parent, String key, int i) {
    return map.get(key) instanceof List<?> ? path(parent, key) + "[" + i + "]" : path(parent, key);
  }

  static Long asLong(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger b) {
      return b.bitLength() < Long.SIZE ? b.longValue() : null;
    }
    if (value instanceof Double d && Double.isFinite(d) && d == Math.rint(d)
        && Math.abs(d) < 0x1p53) {
      return d.longValue();
    }
    return null;
  }

  /** A short YAML-like rendering: strings quoted, NaN as .nan. */
  static String render(Object value) {
    String text;
    if (value == null) {
      text = "null";
    } else if (value instanceof String s) {
      text = "\"" + s + "\"";
    } else if (value instanceof Double d && d.isNaN()) {
      text = ".nan";
    } else if (value instanceof Double d && d.isInfinite()) {
      text = d > 0 ? ".inf" : "-.inf";
    } else {
      text = String.valueOf(value);
    }
    return text.length() <= MAX_VALUE_CHARS ? text : text.substring(0, MAX_VALUE_CHARS) + "…";
  }

  /** The allowed key nearest to {@code key} by edit distance, if near enough; else null. */
  static String suggest(String key, Collection<String> allowed) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : allowed) {
      int d = editDistance(key, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    int limit = Math.max(MIN_SUGGESTION_DISTANCE, key.length() / 3);
    return bestDistance <= limit ? best : null;
  }

  /** Levenshtein distance: fewest single-character insertions, deletions and substitutions. */
  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
