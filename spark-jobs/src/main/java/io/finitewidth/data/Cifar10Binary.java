package io.finitewidth.data;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads the CIFAR-10 "binary version": headerless files of fixed 3073-byte records, each one label
 * byte (0..9, see {@link #CLASS_NAMES}) followed by the red, green and blue 32×32 planes, each
 * row-major. Several files are read as one collection, in the order given. Gzipped files are
 * accepted too (recognised by their magic bytes).
 *
 * <p>Errors name the file: a missing file, a size that is not a whole number of records, or a label
 * above 9 (with the record index).
 */
public final class Cifar10Binary {
  public static final int SIDE = 32;

  public static final int CHANNELS = 3;

  /** Pixel bytes per record: three 32×32 planes. */
  public static final int IMAGE_BYTES = CHANNELS * SIDE * SIDE;

  /** Bytes per record: the label byte plus the image. */
  public static final int RECORD_BYTES = 1 + IMAGE_BYTES;

  /** Class names in label order, as in the dataset's {@code batches.meta.txt}. */
  public static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat",
      "deer", "dog", "frog", "horse", "ship", "truck");

  private Cifar10Binary() {}

  /** Reads one or more record files as one collection, records in file order. */
  public static LabelledImages read(List<Path> files) {
    if (files.isEmpty()) {
      throw new DatasetException("CIFAR-10: no files given; allowed: one or more record files");
    }
    List<byte[]> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (Path file : files) {
      readFile(file, images, labels);
    }
    String source = files.stream().map(f -> String.valueOf(f.getFileName()))
        .collect(Collectors.joining(" + "));
    return new LabelledImages(source, images.toArray(new byte[0][]),
        labels.stream().mapToInt(Integer::intValue).toArray(), CHANNELS, SIDE, SIDE);
  }

  /** The label of a class name such as {@code cat}, or -1 when there is none. */
  public static int labelOf(String className) {
    return CLASS_NAMES.indexOf(className.toLowerCase(Locale.ROOT));
  }

  /** Appends the file's records. Modified: {@code images}, {@code labels}. */
  private static void readFile(Path file, List<byte[]> images, List<Integer> labels) {
    InputStream in = DataFiles.open(file);
    try {
      byte[] record = new byte[RECORD_BYTES];
      for (long index = 0; ; index++) {
        int read = DataFiles.readUpTo(in, record, file);
        if (read == 0) {
          return;
        }
        if (read < RECORD_BYTES) {
          long size = index * RECORD_BYTES + read;
          throw new DatasetException("CIFAR-10 file " + file + " holds " + size + " bytes"
              + " (decompressed); allowed: a multiple of the " + RECORD_BYTES + "-byte record ("
              + index + " whole records and " + read + " bytes left over)");
        }
        int label = Byte.toUnsignedInt(record[0]);
        if (label >= CLASS_NAMES.size()) {
          throw new DatasetException("CIFAR-10 file " + file + ": record " + index + " has label "
              + label + "; allowed: 0.." + (CLASS_NAMES.size() - 1));
        }
        byte[] image = new byte[IMAGE_BYTES];
        System.arraycopy(record, 1, image, 0, IMAGE_BYTES);
        images.add(image);
        labels.add(label);
      }
    } finally {
      DataFiles.close(in);
    }
  }
}
