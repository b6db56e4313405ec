package io.finitewidth.data;

/**
 * A dataset file or dataset request that cannot be honoured: a missing or malformed file, or a
 * selection larger than what the file holds. The message names the file, what was expected and
 * what was found.
 */
public class DatasetException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
