package io.finitewidth.model;

import java.util.Arrays;

/**
 * Training steps of size dt in the theory's time units (t = n · dt) and the steps at which
 * observables are recorded. Step 0 (initialisation) and the last step are always recorded.
 */
public record TimeGrid(double dt, int steps, int[] recordSteps) implements java.io.Serializable {

  public TimeGrid {
    if (!(dt > 0) || Double.isInfinite(dt)) {
      throw new IllegalArgumentException("dt must be a positive finite number, got " + dt);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be at least 1, got " + steps);
    }
    recordSteps = recordSteps.clone();
    for (int i = 0; i < recordSteps.length; i++) {
      if (recordSteps[i] < 0 || recordSteps[i] > steps || (i > 0 && recordSteps[i] <= recordSteps[i - 1])) {
        throw new IllegalArgumentException("record steps must increase within [0, " + steps + "]: "
            + Arrays.toString(recordSteps));
      }
    }
  }

  /** Records every {@code every} steps, plus step 0 and the last step. */
  public static TimeGrid every(double dt, int steps, int every) {
    if (every < 1) {
      throw new IllegalArgumentException("record_every must be at least 1, got " + every);
    }
    int count = steps / every + 1 + (steps % every == 0 ? 0 : 1);
    int[] record = new int[count];
    for (int i = 0; i < count; i++) {
      record[i] = Math.min(i * every, steps);
    }
    return new TimeGrid(dt, steps, record);
  }

  public int recordCount() { return recordSteps.length; }

  /** The recorded times t = n · dt. */
  public double[] times() {
    double[] t = new double[recordSteps.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = recordSteps[i] * dt;
    }
    return t;
  }

  @Override public int[] recordSteps() { return recordSteps.clone(); }

  @Override public boolean equals(Object o) {
    return o instanceof TimeGrid g && g.dt == dt && g.steps == steps
        && Arrays.equals(g.recordSteps, recordSteps);
  }

  @Override public int hashCode() {
    return 31 * (31 * Double.hashCode(dt) + steps) + Arrays.hashCode(recordSteps);
  }

  @Override public String toString() {
    return "TimeGrid[dt=" + dt + ", steps=" + steps + ", record=" + Arrays.toString(recordSteps) + "]";
  }
}
