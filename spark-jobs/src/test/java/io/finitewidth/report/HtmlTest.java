package io.finitewidth.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HtmlTest {
  @Test
  void escape_replacesTheFiveSpecialCharactersOnly() {
    assertEquals("&lt;img src=&quot;x&quot; onerror=&#39;a&amp;&amp;b&#39;&gt; γ0 N·Var",
        Html.escape("<img src=\"x\" onerror='a&&b'> γ0 N·Var"));
    assertEquals("", Html.escape(""));
  }
}
