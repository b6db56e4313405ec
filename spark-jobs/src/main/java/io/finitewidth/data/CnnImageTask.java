package io.finitewidth.data;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The binary CIFAR-10 image task of the CNN study (CNN.md §1): two classes, the first mapped to
 * y = +1 and the second to y = −1 (airplane vs automobile by default), images kept as 3×32×32
 * tensors.
 *
 * <ul>
 *   <li>training set: the first P records of the training file, in file order, whose label is one
 *       of the two classes;
 *   <li>test set: the records of the test file with one of the two labels, in file order (all of
 *       them, or the first Q when a limit is given);
 *   <li>pixels: byte / 255, then per-channel standardisation with the mean and population
 *       standard deviation of that channel over the P training images and all 1024 pixels; the
 *       same six constants are applied to the test images;
 *   <li>probe set: the first {@code probe} test images (for the NTK).
 * </ul>
 *
 * <p>Image layout: each image is a flat array in the file's channel-major order, index
 * {@code c·1024 + row·32 + col} (CHW). Immutable; the arrays handed out are copies only where
 * noted.
 */
public final class CnnImageTask implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final int SIDE = Cifar10Binary.SIDE;
  public static final int CHANNELS = Cifar10Binary.CHANNELS;
  public static final int PIXELS = SIDE * SIDE;

  private final String source;
  private final int[] classes;
  private final double[][] trainImages;
  private final double[] trainTargets;
  private final double[][] testImages;
  private final double[] testTargets;
  private final double[] channelMean;
  private final double[] channelStd;
  private final int probePoints;

  private CnnImageTask(String source, int[] classes, double[][] trainImages,
      double[] trainTargets, double[][] testImages, double[] testTargets, double[] channelMean,
      double[] channelStd, int probePoints) {
    this.source = source;
    this.classes = classes;
    this.trainImages = trainImages;
    this.trainTargets = trainTargets;
    this.testImages = testImages;
    this.testTargets = testTargets;
    this.channelMean = channelMean;
    this.channelStd = channelStd;
    this.probePoints = probePoints;
  }

  /**
   * Builds the task from the two record files.
   *
   * @param positive label mapped to y = +1 (0 = airplane)
   * @param negative label mapped to y = −1 (1 = automobile)
   * @param trainPoints P, at least 1
   * @param testLimit at most this many test images; 0 keeps them all
   * @param probePoints images of the NTK probe set (the first of the test set), at least 1
   * @throws DatasetException when a file is unusable or holds too few images of the two classes
   */
  public static CnnImageTask build(Path trainFile, Path testFile, int positive, int negative,
      int trainPoints, int testLimit, int probePoints) {
    if (positive == negative) {
      throw new IllegalArgumentException("the two classes must differ, got " + positive);
    }
    if (trainPoints < 1 || testLimit < 0 || probePoints < 1) {
      throw new IllegalArgumentException("need P ≥ 1, test limit ≥ 0 and probe ≥ 1, got "
          + trainPoints + ", " + testLimit + ", " + probePoints);
    }
    LabelledImages train = Cifar10Binary.read(List.of(trainFile));
    LabelledImages test = Cifar10Binary.read(List.of(testFile));
    int[] trainIndex = select(train, positive, negative, trainPoints);
    if (trainIndex.length < trainPoints) {
      throw new DatasetException(train.source() + " holds " + trainIndex.length
          + " images of classes " + positive + " and " + negative + "; " + trainPoints
          + " training images were asked for");
    }
    int[] testIndex = select(test, positive, negative,
        testLimit == 0 ? Integer.MAX_VALUE : testLimit);
    if (testIndex.length < probePoints) {
      throw new DatasetException(test.source() + " holds " + testIndex.length
          + " test images of the two classes; the probe set needs " + probePoints);
    }

    // Per-channel mean and population standard deviation over the training images.
    double[] mean = new double[CHANNELS];
    double[] std = new double[CHANNELS];
    for (int c = 0; c < CHANNELS; c++) {
      double sum = 0;
      for (int index : trainIndex) {
        for (int q = 0; q < PIXELS; q++) {
          sum += train.rawPixel(index, c * PIXELS + q) / LabelledImages.PIXEL_MAX;
        }
      }
      double m = sum / ((double) trainIndex.length * PIXELS);
      double squares = 0;
      for (int index : trainIndex) {
        for (int q = 0; q < PIXELS; q++) {
          double d = train.rawPixel(index, c * PIXELS + q) / LabelledImages.PIXEL_MAX - m;
          squares += d * d;
        }
      }
      mean[c] = m;
      std[c] = Math.sqrt(squares / ((double) trainIndex.length * PIXELS));
      if (!(std[c] > 0)) {
        throw new DatasetException("channel " + c + " is constant over the training images");
      }
    }
    double[][] trainImages = standardise(train, trainIndex, mean, std);
    double[][] testImages = standardise(test, testIndex, mean, std);
    String source = train.source() + " / " + test.source();
    return new CnnImageTask(source, new int[] {positive, negative}, trainImages,
        targets(train, trainIndex, positive), testImages, targets(test, testIndex, positive),
        mean, std, probePoints);
  }

  /** Indices of the first {@code limit} images with one of the two labels, in file order. */
  private static int[] select(LabelledImages images, int positive, int negative, int limit) {
    return java.util.stream.IntStream.range(0, images.count())
        .filter(i -> images.label(i) == positive || images.label(i) == negative)
        .limit(limit).toArray();
  }

  private static double[][] standardise(LabelledImages images, int[] index, double[] mean,
      double[] std) {
    double[][] out = new double[index.length][CHANNELS * PIXELS];
    for (int k = 0; k < index.length; k++) {
      for (int c = 0; c < CHANNELS; c++) {
        for (int q = 0; q < PIXELS; q++) {
          int at = c * PIXELS + q;
          out[k][at] = (images.rawPixel(index[k], at) / LabelledImages.PIXEL_MAX - mean[c])
              / std[c];
        }
      }
    }
    return out;
  }

  private static double[] targets(LabelledImages images, int[] index, int positive) {
    double[] y = new double[index.length];
    for (int k = 0; k < index.length; k++) {
      y[k] = images.label(index[k]) == positive ? 1.0 : -1.0;
    }
    return y;
  }

  /** A task from given standardised images (CHW, 3×32×32) and targets; for tests. */
  public static CnnImageTask of(double[][] trainImages, double[] trainTargets,
      double[][] testImages, double[] testTargets, int probePoints) {
    if (trainImages.length != trainTargets.length || testImages.length != testTargets.length
        || probePoints < 1 || probePoints > testImages.length) {
      throw new IllegalArgumentException("inconsistent sizes");
    }
    return new CnnImageTask("given", new int[] {0, 1}, trainImages.clone(), trainTargets.clone(),
        testImages.clone(), testTargets.clone(), new double[CHANNELS], new double[CHANNELS],
        probePoints);
  }

  public String source() {
    return source;
  }

  /** The two labels: y = +1 for the first, −1 for the second. */
  public int[] classes() {
    return classes.clone();
  }

  /** P. */
  public int trainPoints() {
    return trainImages.length;
  }

  public int testPoints() {
    return testImages.length;
  }

  public int probePoints() {
    return probePoints;
  }

  /** Training image μ (CHW, standardised); not a copy: do not modify. */
  public double[] trainImage(int mu) {
    return trainImages[mu];
  }

  /** Test image q (CHW, standardised); not a copy: do not modify. */
  public double[] testImage(int q) {
    return testImages[q];
  }

  public double[] trainTargets() {
    return trainTargets.clone();
  }

  public double[] testTargets() {
    return testTargets.clone();
  }

  /** The per-channel means used for standardisation (of the [0, 1] pixel values). */
  public double[] channelMean() {
    return channelMean.clone();
  }

  /** The per-channel population standard deviations used for standardisation. */
  public double[] channelStd() {
    return channelStd.clone();
  }

  /** SHA-256 hex of every number of the task (images, targets, probe size). */
  public String digest() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      ByteBuffer buffer = ByteBuffer.allocate(8 * CHANNELS * PIXELS);
      for (double[][] images : new double[][][] {trainImages, testImages}) {
        digest.update(ByteBuffer.allocate(4).putInt(images.length).array());
        for (double[] image : images) {
          buffer.clear();
          for (double v : image) {
            buffer.putDouble(v);
          }
          digest.update(buffer.array(), 0, buffer.position());
        }
      }
      for (double[] y : new double[][] {trainTargets, testTargets}) {
        for (double v : y) {
          digest.update(ByteBuffer.allocate(8).putDouble(v).array());
        }
      }
      digest.update(ByteBuffer.allocate(4).putInt(probePoints).array());
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
