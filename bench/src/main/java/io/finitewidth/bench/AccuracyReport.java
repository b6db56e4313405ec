package io.finitewidth.bench;

import io.finitewidth.fluctuation.PropagatorOptions;
import io.finitewidth.fluctuation.TwoLayerPropagator;
import io.finitewidth.model.ObservableLayout;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;
import java.io.PrintStream;

/**
 * Command-line companion of {@link PropagatorBenchmark}: one timed call and the theory's own
 * relative standard error nvarSe/nvar of the final NTK entries and final test predictions.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.finitewidth.bench.AccuracyReport
 * SETTING [PARTICLES TANGENT_PARTICLES REPLICAS]}.
 */
public final class AccuracyReport {
  private AccuracyReport() {}

  public static void main(String[] args) {
    PrintStream out = System.out;
    TwoLayerSetup setup = BenchTasks.setup(args.length > 0 ? args[0] : "target");
    PropagatorOptions options = args.length >= 4
        ? new PropagatorOptions(Integer.parseInt(args[1]), Integer.parseInt(args[2]), 7L,
            Integer.parseInt(args[3]))
        : PropagatorOptions.defaults(7L);
    long start = System.nanoTime();
    TheoryPrediction p = TwoLayerPropagator.predict(setup, options);
    double seconds = (System.nanoTime() - start) / 1e9;
    ObservableLayout l = p.layout();
    int last = p.nvar().length - 1;
    double worstNtk = 0;
    double sumNtk = 0;
    int count = 0;
    for (int i = 0; i < l.trainPoints(); i++) {
      for (int j = i; j < l.trainPoints(); j++) {
        double rel = p.nvarSe()[last][l.ntk(i, j)] / p.nvar()[last][l.ntk(i, j)];
        worstNtk = Math.max(worstNtk, rel);
        sumNtk += rel;
        count++;
      }
    }
    double worstTest = 0;
    for (int q = 0; q < l.testPoints(); q++) {
      worstTest = Math.max(worstTest,
          p.nvarSe()[last][l.predictionTest(q)] / p.nvar()[last][l.predictionTest(q)]);
    }
    out.printf("%s %s: %.1f s; final NTK relative SE: max %.4f, mean %.4f;"
        + " final test predictions: max %.4f%n", args.length > 0 ? args[0] : "target", options,
        seconds, worstNtk, sumNtk / count, worstTest);
  }
}
