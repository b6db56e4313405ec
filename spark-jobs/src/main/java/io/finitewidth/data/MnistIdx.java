package io.finitewidth.data;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads MNIST in its IDX format: images (IDX3) and labels (IDX1), each gzipped or plain. Gzip is
 * recognised by the magic bytes 1f 8b, not by the file name.
 *
 * <p>Layout once decompressed, all header integers 32-bit big-endian:
 *
 * <ul>
 *   <li>images: magic 2051, count, rows, columns, then count · rows · columns unsigned bytes,
 *       image after image, each row-major (0 background, 255 ink);
 *   <li>labels: magic 2049, count, then count unsigned bytes with values 0..9.
 * </ul>
 *
 * <p>Every check fails with a {@link DatasetException} naming the file: wrong magic, negative
 * count, non-positive dimensions, data shorter than the header promises (expected and found byte
 * counts, decompressed), data longer than it promises, labels above 9, image and label counts that
 * differ.
 */
public final class MnistIdx {
  /** Magic number of an IDX3 file of unsigned bytes (type 0x08, 3 dimensions). */
  public static final int IMAGES_MAGIC = 2051;

  /** Magic number of an IDX1 file of unsigned bytes (type 0x08, 1 dimension). */
  public static final int LABELS_MAGIC = 2049;

  /** MNIST digits are 0..9. */
  public static final int MAX_LABEL = 9;

  private static final int IMAGES_HEADER_BYTES = 16;

  private static final int LABELS_HEADER_BYTES = 8;

  private MnistIdx() {}

  /** Reads an image file and its label file; their counts must agree. */
  public static LabelledImages read(Path imagesFile, Path labelsFile) {
    RawImages images = readImages(imagesFile);
    int[] labels = readLabels(labelsFile);
    if (labels.length != images.pixels.length) {
      throw new DatasetException("MNIST image file " + imagesFile + " holds "
          + images.pixels.length + " images but label file " + labelsFile + " holds "
          + labels.length + " labels; they must match");
    }
    return new LabelledImages(imagesFile.getFileName() + " + " + labelsFile.getFileName(),
        images.pixels, labels, 1, images.rows, images.columns);
  }

  /** Reads an IDX1 label file: one value 0..9 per item. */
  public static int[] readLabels(Path file) {
    InputStream in = DataFiles.open(file);
    try {
      byte[] header = new byte[LABELS_HEADER_BYTES];
      int found = DataFiles.readUpTo(in, header, file);
      checkHeader(file, "label", header, found, LABELS_MAGIC);
      int count = DataFiles.bigEndianInt(header, 4);
      if (count < 0) {
        throw new DatasetException("MNIST label file " + file + ": item count " + count
            + " in the header; allowed: 0 or more");
      }
      byte[] data = new byte[count];
      int read = DataFiles.readUpTo(in, data, file);
      if (read < count) {
        throw truncated(file, "label", LABELS_HEADER_BYTES + (long) count,
            LABELS_HEADER_BYTES + (long) read, count + " labels");
      }
      checkNothingFollows(in, file, "label", LABELS_HEADER_BYTES + (long) count);
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = Byte.toUnsignedInt(data[i]);
        if (labels[i] > MAX_LABEL) {
          throw new DatasetException("MNIST label file " + file + ": label " + i + " is "
              + labels[i] + "; allowed: 0.." + MAX_LABEL);
        }
      }
      return labels;
    } finally {
      DataFiles.close(in);
    }
  }

  private static RawImages readImages(Path file) {
    InputStream in = DataFiles.open(file);
    try {
      byte[] header = new byte[IMAGES_HEADER_BYTES];
      int found = DataFiles.readUpTo(in, header, file);
      checkHeader(file, "image", header, found, IMAGES_MAGIC);
      int count = DataFiles.bigEndianInt(header, 4);
      int rows = DataFiles.bigEndianInt(header, 8);
      int columns = DataFiles.bigEndianInt(header, 12);
      if (count < 0 || rows <= 0 || columns <= 0 || (long) rows * columns > Integer.MAX_VALUE) {
        throw new DatasetException("MNIST image file " + file + ": header gives " + count
            + " images of " + rows + "×" + columns + "; allowed: count ≥ 0, rows and columns ≥ 1");
      }
      int imageBytes = rows * columns;
      long expected = IMAGES_HEADER_BYTES + (long) count * imageBytes;
      // Images are allocated one by one as they arrive, so a corrupt count cannot exhaust memory.
      List<byte[]> pixels = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        byte[] image = new byte[imageBytes];
        int read = DataFiles.readUpTo(in, image, file);
        if (read < imageBytes) {
          long foundBytes = IMAGES_HEADER_BYTES + (long) i * imageBytes + read;
          throw truncated(file, "image", expected, foundBytes,
              count + " images of " + rows + "×" + columns);
        }
        pixels.add(image);
      }
      checkNothingFollows(in, file, "image", expected);
      return new RawImages(pixels.toArray(new byte[0][]), rows, columns);
    } finally {
      DataFiles.close(in);
    }
  }

  private static void checkHeader(Path file, String kind, byte[] header, int found, int magic) {
    if (found >= 4 && DataFiles.bigEndianInt(header, 0) != magic) {
      throw new DatasetException("MNIST " + kind + " file " + file + ": magic number "
          + DataFiles.bigEndianInt(header, 0) + "; allowed: " + magic + " (an IDX " + kind
          + " file of unsigned bytes)");
    }
    if (found < header.length) {
      throw new DatasetException("MNIST " + kind + " file " + file + " is truncated: expected a "
          + header.length + "-byte header, found " + found + " bytes");
    }
  }

  private static DatasetException truncated(Path file, String kind, long expected, long found,
      String promise) {
    return new DatasetException("MNIST " + kind + " file " + file + " is truncated: its header"
        + " promises " + promise + ", so " + expected + " bytes (decompressed) were expected,"
        + " found " + found);
  }

  private static void checkNothingFollows(InputStream in, Path file, String kind, long expected) {
    if (!DataFiles.atEnd(in, file)) {
      throw new DatasetException("MNIST " + kind + " file " + file + " is longer than its header"
          + " says: expected exactly " + expected + " bytes (decompressed), found more");
    }
  }

  private record RawImages(byte[][] pixels, int rows, int columns) {}
}
