package io.finitewidth.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Images with integer class labels, as read from a dataset file. Pixels are kept as the file's
 * unsigned bytes (0..255) and handed out scaled to [0, 1]. Immutable.
 *
 * <p>Each image is a flat vector of {@code dim() = channels · height · width} values in the
 * file's order (for CIFAR-10: the red plane, then green, then blue, each row-major).
 */
public final class LabelledImages {
  /** Maximum pixel value of an unsigned byte: pixels are divided by it to land in [0, 1]. */
  static final double PIXEL_MAX = 255.0;

  private final String source;
  private final byte[][] pixels;
  private final int[] labels;
  private final int channels;
  private final int height;
  private final int width;

  /**
   * Wraps pixel rows and labels. Not modified: the arrays are taken over without a copy, so callers
   * in this package must not keep writing to them.
   */
  LabelledImages(String source, byte[][] pixels, int[] labels, int channels, int height,
      int width) {
    this.source = Objects.requireNonNull(source, "source");
    if (pixels.length != labels.length) {
      throw new IllegalArgumentException(
          source + ": " + pixels.length + " images but " + labels.length + " labels");
    }
    this.pixels = pixels;
    this.labels = labels;
    this.channels = channels;
    this.height = height;
    this.width = width;
  }

  /** Where the images came from (file names), for messages and task names. */
  public String source() {
    return source;
  }

  public int count() {
    return labels.length;
  }

  /** Values per image: channels · height · width. */
  public int dim() {
    return channels * height * width;
  }

  public int channels() {
    return channels;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public int label(int index) {
    return labels[index];
  }

  /** All labels, in file order (a copy). */
  public int[] labels() {
    return labels.clone();
  }

  /** How many images carry {@code label}. */
  public int countOf(int label) {
    return (int) Arrays.stream(labels).filter(l -> l == label).count();
  }

  /** Image {@code index} as a fresh vector of pixel values in [0, 1]. */
  public double[] image(int index) {
    byte[] raw = pixels[index];
    double[] x = new double[raw.length];
    for (int i = 0; i < raw.length; i++) {
      x[i] = Byte.toUnsignedInt(raw[i]) / PIXEL_MAX;
    }
    return x;
  }

  /** Pixel {@code i} of image {@code index} as the file's unsigned byte value 0..255. */
  public int rawPixel(int index, int i) {
    return Byte.toUnsignedInt(pixels[index][i]);
  }
}
