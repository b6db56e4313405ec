package io.finitewidth.sweep;

import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every problem found in one sweep file, reported together before any Spark work starts. Each
 * problem names the field by its dotted YAML path (list items as {@code network.widths[1]}), the
 * value found and what is allowed; the message lists them all under the file name.
 */
public class SweepConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * One bad field. {@code explanation} normally reads {@code "allowed: …"}; for a dataset file that
   * exists but cannot be used it carries the reader's message.
   */
  public record Problem(String field, String value, String explanation) implements Serializable {
    /** {@code field: value — explanation}. */
    public String render() {
      return field + ": " + value + " — " + explanation;
    }
  }

  private final String file;
  private final List<Problem> problems;

  public SweepConfigException(String file, List<Problem> problems) {
    super(message(file, problems));
    this.file = file;
    this.problems = List.copyOf(problems);
  }

  /** The sweep file as given. */
  public String file() {
    return file;
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String message(String file, List<Problem> problems) {
    String header = "sweep file " + file + " has " + problems.size()
        + (problems.size() == 1 ? " problem:" : " problems:");
    return problems.stream().map(p -> "  " + p.render())
        .collect(Collectors.joining("\n", header + "\n", ""));
  }
}
