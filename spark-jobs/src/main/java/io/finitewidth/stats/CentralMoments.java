package io.finitewidth.stats;

import java.io.Serializable;

/**
 * Mergeable count, mean and central moment sums M2, M3, M4 of many quantities at once (one slot
 * per quantity), as needed for N·Var and its standard error. Values are added one observation
 * vector at a time; two accumulators merge with the pairwise formulas of Chan, Golub and LeVeque
 * (1979) extended to the fourth moment by Pébay (Sandia report SAND2008-6212, eqs. 2.1–2.4):
 *
 * <pre>
 *   δ = mean_b − mean_a, n = n_a + n_b
 *   mean = mean_a + δ n_b / n
 *   M2 = M2_a + M2_b + δ² n_a n_b / n
 *   M3 = M3_a + M3_b + δ³ n_a n_b (n_a − n_b) / n² + 3 δ (n_a M2_b − n_b M2_a) / n
 *   M4 = M4_a + M4_b + δ⁴ n_a n_b (n_a² − n_a n_b + n_b²) / n³
 *        + 6 δ² (n_a² M2_b + n_b² M2_a) / n² + 4 δ (n_a M3_b − n_b M3_a) / n
 * </pre>
 *
 * Floating-point results depend on the order of adds and merges, so callers that need the same
 * bits whatever the cluster shape merge in a fixed order. Not thread-safe.
 */
public final class CentralMoments implements Serializable {
  private static final long serialVersionUID = 1L;

  private long count;
  private final double[] mean;
  private final double[] m2;
  private final double[] m3;
  private final double[] m4;

  public CentralMoments(int slots) {
    mean = new double[slots];
    m2 = new double[slots];
    m3 = new double[slots];
    m4 = new double[slots];
  }

  public int slots() { return mean.length; }

  public long count() { return count; }

  /** Adds one observation of every quantity. Not modified: values. */
  public void add(double[] values) {
    if (values.length != mean.length) {
      throw new IllegalArgumentException("expected " + mean.length + " values, got " + values.length);
    }
    long n = count + 1;
    double nb = 1.0;
    double na = count;
    for (int k = 0; k < mean.length; k++) {
      double delta = values[k] - mean[k];
      double deltaOverN = delta / n;
      double term = delta * deltaOverN * na;
      mean[k] += deltaOverN;
      m4[k] += term * deltaOverN * deltaOverN * (na * na - na * nb + nb * nb)
          + 6 * deltaOverN * deltaOverN * m2[k] - 4 * deltaOverN * m3[k];
      m3[k] += term * deltaOverN * (na - nb) - 3 * deltaOverN * m2[k];
      m2[k] += term;
    }
    count = n;
  }

  /** Merges {@code other} into this accumulator. Modified: this. Not modified: other. */
  public void merge(CentralMoments other) {
    if (other.mean.length != mean.length) {
      throw new IllegalArgumentException("slot counts differ: " + mean.length + " vs "
          + other.mean.length);
    }
    if (other.count == 0) {
      return;
    }
    if (count == 0) {
      count = other.count;
      System.arraycopy(other.mean, 0, mean, 0, mean.length);
      System.arraycopy(other.m2, 0, m2, 0, mean.length);
      System.arraycopy(other.m3, 0, m3, 0, mean.length);
      System.arraycopy(other.m4, 0, m4, 0, mean.length);
      return;
    }
    double na = count;
    double nb = other.count;
    double n = na + nb;
    for (int k = 0; k < mean.length; k++) {
      double delta = other.mean[k] - mean[k];
      double d2 = delta * delta;
      double newM4 = m4[k] + other.m4[k]
          + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n)
          + 6 * d2 * (na * na * other.m2[k] + nb * nb * m2[k]) / (n * n)
          + 4 * delta * (na * other.m3[k] - nb * m3[k]) / n;
      double newM3 = m3[k] + other.m3[k] + d2 * delta * na * nb * (na - nb) / (n * n)
          + 3 * delta * (na * other.m2[k] - nb * m2[k]) / n;
      m2[k] += other.m2[k] + d2 * na * nb / n;
      m3[k] = newM3;
      m4[k] = newM4;
      mean[k] += delta * nb / n;
    }
    count += other.count;
  }

  public CentralMoments copy() {
    CentralMoments c = new CentralMoments(mean.length);
    c.merge(this);
    return c;
  }

  public double mean(int k) { return mean[k]; }

  /** Σ (x − mean)², the second central moment sum. */
  public double m2(int k) { return m2[k]; }

  public double m3(int k) { return m3[k]; }

  public double m4(int k) { return m4[k]; }

  /** The unbiased variance M2 / (n − 1); NaN for fewer than two observations. */
  public double unbiasedVariance(int k) {
    return count < 2 ? Double.NaN : m2[k] / (count - 1);
  }

  /**
   * Writes the accumulator in a stable binary form (slots, count, then mean, M2, M3, M4 as
   * IEEE-754 doubles), so stored moments read back bit for bit.
   */
  public void writeTo(java.io.DataOutput out) throws java.io.IOException {
    out.writeInt(mean.length);
    out.writeLong(count);
    for (double[] a : new double[][] {mean, m2, m3, m4}) {
      for (double v : a) {
        out.writeDouble(v);
      }
    }
  }

  /** Reads what {@link #writeTo} wrote. */
  public static CentralMoments readFrom(java.io.DataInput in) throws java.io.IOException {
    int slots = in.readInt();
    if (slots < 0) {
      throw new java.io.IOException("corrupt moments: " + slots + " slots");
    }
    CentralMoments m = new CentralMoments(slots);
    m.count = in.readLong();
    for (double[] a : new double[][] {m.mean, m.m2, m.m3, m.m4}) {
      for (int k = 0; k < slots; k++) {
        a[k] = in.readDouble();
      }
    }
    return m;
  }
}
