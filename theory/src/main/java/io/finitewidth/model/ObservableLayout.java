package io.finitewidth.model;

import java.util.ArrayList;
import java.util.List;

/**
 * How the recorded observables of one network at one time are laid out in a flat vector, shared
 * by the trainer, the statistics and the theory so that entry k means the same thing everywhere.
 *
 * <p>Order: loss; prediction_train (P); prediction_test (Q); ntk on train points (upper triangle
 * i ≤ j, row by row); ntk_train_test (P × Q, row i = train point, column j = test point);
 * feature_kernel (upper triangle); gradient_kernel (upper triangle).
 */
public final class ObservableLayout implements java.io.Serializable {
  private static final long serialVersionUID = 1L;


  /** One named order parameter; {@code j} is −1 for vectors and scalars, {@code i} −1 for scalars. */
  public record Entry(Observable observable, int i, int j) implements java.io.Serializable {}

  /** The observable families, named as in the summary's {@code observable} column. */
  public enum Observable {
    LOSS("loss"),
    PREDICTION_TRAIN("prediction_train"),
    PREDICTION_TEST("prediction_test"),
    NTK("ntk"),
    NTK_TRAIN_TEST("ntk_train_test"),
    FEATURE_KERNEL("feature_kernel"),
    GRADIENT_KERNEL("gradient_kernel");

    private final String label;

    Observable(String label) { this.label = label; }

    public String label() { return label; }
  }

  private final int trainPoints;
  private final int testPoints;
  private final List<Entry> entries;

  public ObservableLayout(int trainPoints, int testPoints) {
    this.trainPoints = trainPoints;
    this.testPoints = testPoints;
    List<Entry> e = new ArrayList<>();
    e.add(new Entry(Observable.LOSS, -1, -1));
    for (int i = 0; i < trainPoints; i++) {
      e.add(new Entry(Observable.PREDICTION_TRAIN, i, -1));
    }
    for (int q = 0; q < testPoints; q++) {
      e.add(new Entry(Observable.PREDICTION_TEST, q, -1));
    }
    addUpperTriangle(e, Observable.NTK);
    for (int i = 0; i < trainPoints; i++) {
      for (int q = 0; q < testPoints; q++) {
        e.add(new Entry(Observable.NTK_TRAIN_TEST, i, q));
      }
    }
    addUpperTriangle(e, Observable.FEATURE_KERNEL);
    addUpperTriangle(e, Observable.GRADIENT_KERNEL);
    this.entries = List.copyOf(e);
  }

  private void addUpperTriangle(List<Entry> e, Observable o) {
    for (int i = 0; i < trainPoints; i++) {
      for (int j = i; j < trainPoints; j++) {
        e.add(new Entry(o, i, j));
      }
    }
  }

  public int trainPoints() { return trainPoints; }

  public int testPoints() { return testPoints; }

  /** K, the length of the flat vector. */
  public int size() { return entries.size(); }

  public Entry entry(int k) { return entries.get(k); }

  public List<Entry> entries() { return entries; }

  public int lossIndex() { return 0; }

  public int predictionTrain(int i) { return 1 + i; }

  public int predictionTest(int q) { return 1 + trainPoints + q; }

  private int triangleOffset(int i, int j) {
    int a = Math.min(i, j);
    int b = Math.max(i, j);
    return a * trainPoints - a * (a - 1) / 2 + (b - a);
  }

  private int triangleSize() { return trainPoints * (trainPoints + 1) / 2; }

  public int ntk(int i, int j) { return 1 + trainPoints + testPoints + triangleOffset(i, j); }

  public int ntkTrainTest(int i, int q) {
    return 1 + trainPoints + testPoints + triangleSize() + i * testPoints + q;
  }

  public int featureKernel(int i, int j) {
    return 1 + trainPoints + testPoints + triangleSize() + trainPoints * testPoints
        + triangleOffset(i, j);
  }

  public int gradientKernel(int i, int j) {
    return featureKernel(0, 0) + triangleSize() + triangleOffset(i, j);
  }
}
