package io.finitewidth.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistIdxTest {
  /** Mean test-set pixel on the [0, 1] scale, as stated (to 4 digits) in the data's README. */
  private static final double MEAN_TEST_PIXEL = 0.1325;

  @TempDir Path dir;

  @Test
  void shippedTestSetHasTenThousandDigitsInTheKnownOrder() {
    LabelledImages mnist = MnistIdx.read(ShippedData.mnistImages(), ShippedData.mnistLabels());

    assertEquals(10_000, mnist.count());
    assertEquals(28, mnist.height());
    assertEquals(28, mnist.width());
    assertEquals(784, mnist.dim());
    assertArrayEquals(new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9},
        Arrays.copyOf(mnist.labels(), 10));
    assertEquals(980, mnist.countOf(0));
    assertEquals(1135, mnist.countOf(1));
    double sum = 0;
    for (int i = 0; i < mnist.count(); i++) {
      for (double v : mnist.image(i)) {
        assertTrue(v >= 0 && v <= 1, "pixel outside [0, 1]: " + v);
        sum += v;
      }
    }
    assertEquals(MEAN_TEST_PIXEL, sum / (10_000.0 * 784), 5e-5);
  }

  @Test
  void plainAndGzippedFilesReadTheSame() throws IOException {
    Path images = gunzip(ShippedData.mnistImages(), "images-plain");
    Path labels = gunzip(ShippedData.mnistLabels(), "labels-plain.gz"); // name lies: plain bytes

    LabelledImages plain = MnistIdx.read(images, labels);
    LabelledImages gzipped = MnistIdx.read(ShippedData.mnistImages(), ShippedData.mnistLabels());

    assertEquals(gzipped.count(), plain.count());
    assertArrayEquals(gzipped.labels(), plain.labels());
    for (int i : new int[] {0, 1, 4321, 9999}) {
      assertArrayEquals(gzipped.image(i), plain.image(i));
    }
  }

  @Test
  void truncatedImageFileSaysExpectedAndFoundBytes() throws IOException {
    Path file = dir.resolve("short-images");
    byte[] body = new byte[3 * 4 * 4 - 5];
    Files.write(file, concat(header(MnistIdx.IMAGES_MAGIC, 3, 4, 4), body));

    DatasetException e = assertThrows(DatasetException.class, () -> MnistIdx.read(file,
        writeLabels("labels", 3)));

    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("64 bytes (decompressed) were expected, found 59"),
        e.getMessage());
  }

  @Test
  void truncatedGzipStreamIsReportedAsTruncation() throws IOException {
    byte[] whole = Files.readAllBytes(ShippedData.mnistLabels());
    Path file = dir.resolve("cut-labels.gz");
    Files.write(file, Arrays.copyOf(whole, whole.length / 2));

    DatasetException e = assertThrows(DatasetException.class, () -> MnistIdx.readLabels(file));

    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("10008 bytes (decompressed) were expected"),
        e.getMessage());
  }

  @Test
  void wrongMagicNamesFileFoundAndAllowedValues() throws IOException {
    Path file = dir.resolve("labels-as-images");
    Files.write(file, concat(header(MnistIdx.LABELS_MAGIC, 1, 2, 2), new byte[4]));

    DatasetException e = assertThrows(DatasetException.class,
        () -> MnistIdx.read(file, writeLabels("labels", 1)));

    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("magic number 2049; allowed: 2051"), e.getMessage());
  }

  @Test
  void labelAboveNineIsRejected() throws IOException {
    Path file = dir.resolve("labels");
    Files.write(file, concat(header(MnistIdx.LABELS_MAGIC, 2), new byte[] {3, 12}));

    DatasetException e = assertThrows(DatasetException.class, () -> MnistIdx.readLabels(file));

    assertTrue(e.getMessage().contains("label 1 is 12; allowed: 0..9"), e.getMessage());
  }

  @Test
  void imageAndLabelCountsMustAgree() throws IOException {
    Path images = dir.resolve("images");
    Files.write(images, concat(header(MnistIdx.IMAGES_MAGIC, 2, 1, 1), new byte[] {1, 2}));

    DatasetException e = assertThrows(DatasetException.class,
        () -> MnistIdx.read(images, writeLabels("labels", 3)));

    assertTrue(e.getMessage().contains("2 images"), e.getMessage());
    assertTrue(e.getMessage().contains("3 labels"), e.getMessage());
  }

  @Test
  void missingFileNamesThePath() {
    Path file = dir.resolve("absent.gz");
    DatasetException e = assertThrows(DatasetException.class, () -> MnistIdx.readLabels(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  private Path writeLabels(String name, int count) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, concat(header(MnistIdx.LABELS_MAGIC, count), new byte[count]));
    return file;
  }

  private Path gunzip(Path source, String name) throws IOException {
    Path target = dir.resolve(name);
    try (InputStream in = new GZIPInputStream(Files.newInputStream(source))) {
      Files.copy(in, target);
    }
    return target;
  }

  static byte[] header(int... ints) {
    ByteBuffer buffer = ByteBuffer.allocate(4 * ints.length);
    for (int v : ints) {
      buffer.putInt(v);
    }
    return buffer.array();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
