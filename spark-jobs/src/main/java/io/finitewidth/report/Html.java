package io.finitewidth.report;

/** Escaping for text and attribute values placed into the report's HTML. */
final class Html {
  private Html() {}

  /**
   * Escapes {@code & < > " '} so that any text, including names read from the summary, shows
   * as itself in element content and in quoted attribute values.
   */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int k = 0; k < text.length(); k++) {
      char c = text.charAt(k);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
