package io.finitewidth.sweep;

import io.finitewidth.model.Task;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Canonical text for numbers, SHA-256 digests and the SplitMix64 finaliser used for seeds. */
public final class Canonical {
  /** 2^64 / φ, the SplitMix64 increment (Steele, Lea and Flood, OOPSLA 2014). */
  static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  /** Significant digits that always suffice to round-trip a double. */
  private static final int MAX_DOUBLE_DIGITS = 17;

  /** Decimal exponents written without an exponent part, as in {@link Double#toString}. */
  private static final int MIN_PLAIN_EXPONENT = -3;

  private static final int MAX_PLAIN_EXPONENT = 6;

  private Canonical() {}

  /**
   * The shortest decimal that parses back to exactly {@code value}: plain for decimal exponents
   * −3..6 ({@code 0.05}, {@code 1}), scientific otherwise ({@code 1E-7}, {@code 2.5E+7}).
   * Computed with exact {@link BigDecimal} arithmetic, so unlike {@link Double#toString} it is the
   * same on every JDK version.
   */
  static String decimal(double value) {
    if (!Double.isFinite(value)) {
      return Double.toString(value);
    }
    if (value == 0) {
      return "0";
    }
    BigDecimal exact = new BigDecimal(value);
    for (int digits = 1; digits <= MAX_DOUBLE_DIGITS; digits++) {
      BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == value) {
        BigDecimal stripped = rounded.stripTrailingZeros();
        int exponent = stripped.precision() - stripped.scale() - 1;
        return exponent >= MIN_PLAIN_EXPONENT && exponent <= MAX_PLAIN_EXPONENT
            ? stripped.toPlainString() : scientific(stripped, exponent);
      }
    }
    return exact.toString();
  }

  /** d.ddd…E±x with the digits of {@code value}, for example {@code 2.5E+7} or {@code 1E-7}. */
  private static String scientific(BigDecimal value, int exponent) {
    String digits = value.unscaledValue().abs().toString();
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return (value.signum() < 0 ? "-" : "") + mantissa + "E" + (exponent >= 0 ? "+" : "")
        + exponent;
  }

  /**
   * The SplitMix64 output function (Stafford's "Mix13" variant of the MurmurHash3 finaliser):
   * a bijection on 64-bit values whose output bits each depend on all input bits.
   */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** The first 8 bytes of SHA-256(text, UTF-8) as a big-endian long. */
  static long hash64(String text) {
    return ByteBuffer.wrap(sha256(text.getBytes(StandardCharsets.UTF_8))).getLong();
  }

  public static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * SHA-256 over the task's numbers: P, Q, D, then every train input, train target, test input and
   * test target as IEEE-754 bits in that order. Equal only for bit-identical tasks.
   */
  public static String taskDigest(Task task) {
    MessageDigest digest = newSha256();
    ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES);
    for (long n : new long[] {task.trainPoints(), task.testPoints(), task.dim()}) {
      digest.update(buffer.clear().putLong(n).array());
    }
    for (double[] x : task.trainInputs()) {
      update(digest, buffer, x);
    }
    update(digest, buffer, task.trainTargets());
    for (double[] x : task.testInputs()) {
      update(digest, buffer, x);
    }
    update(digest, buffer, task.testTargets());
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void update(MessageDigest digest, ByteBuffer buffer, double[] values) {
    for (double v : values) {
      digest.update(buffer.clear().putLong(Double.doubleToLongBits(v)).array());
    }
  }

  private static byte[] sha256(byte[] bytes) {
    return newSha256().digest(bytes);
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
