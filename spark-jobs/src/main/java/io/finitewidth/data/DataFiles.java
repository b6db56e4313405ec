package io.finitewidth.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Opening dataset files (gzipped or not) and reading exact byte counts with clear errors. */
final class DataFiles {
  /** The two bytes every gzip stream starts with (RFC 1952, section 2.3.1). */
  private static final int GZIP_MAGIC_FIRST = 0x1f;

  private static final int GZIP_MAGIC_SECOND = 0x8b;

  private static final int BUFFER_BYTES = 1 << 16;

  private DataFiles() {}

  /**
   * Opens {@code file} for reading, decompressing it on the fly when it starts with the gzip magic
   * bytes 1f 8b (whatever its name). A missing file is a {@link DatasetException} naming the path.
   */
  static InputStream open(Path file) {
    try {
      BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES);
      in.mark(2);
      int first = in.read();
      int second = in.read();
      in.reset();
      if (first == GZIP_MAGIC_FIRST && second == GZIP_MAGIC_SECOND) {
        return new BufferedInputStream(new GZIPInputStream(in, BUFFER_BYTES), BUFFER_BYTES);
      }
      return in;
    } catch (NoSuchFileException e) {
      throw new DatasetException("dataset file not found: " + file.toAbsolutePath());
    } catch (IOException e) {
      throw new DatasetException("cannot read dataset file " + file.toAbsolutePath() + ": " + e, e);
    }
  }

  /**
   * Reads up to {@code buffer.length} bytes, stopping early only at the end of the data.
   * Modified: {@code buffer}. A gzip stream that is cut off counts as the end of the data.
   *
   * @return the number of bytes read, less than {@code buffer.length} only at the end
   */
  static int readUpTo(InputStream in, byte[] buffer, Path file) {
    int filled = 0;
    try {
      while (filled < buffer.length) {
        int n = in.read(buffer, filled, buffer.length - filled);
        if (n < 0) {
          break;
        }
        filled += n;
      }
    } catch (EOFException e) {
      return filled; // a truncated gzip stream: the caller reports the short count
    } catch (ZipException e) {
      throw new DatasetException("dataset file " + file.toAbsolutePath()
          + " is not a valid gzip stream: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DatasetException("cannot read dataset file " + file.toAbsolutePath() + ": " + e, e);
    }
    return filled;
  }

  /** True when nothing follows in {@code in}. */
  static boolean atEnd(InputStream in, Path file) {
    return readUpTo(in, new byte[1], file) == 0;
  }

  static int bigEndianInt(byte[] b, int offset) {
    return ((b[offset] & 0xff) << 24) | ((b[offset + 1] & 0xff) << 16)
        | ((b[offset + 2] & 0xff) << 8) | (b[offset + 3] & 0xff);
  }

  static void close(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // Reading finished; a failure to release the handle changes no data.
    }
  }
}
