package io.finitewidth.job;

import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TwoLayerSetup;
import io.finitewidth.sweep.Cell;
import io.finitewidth.sweep.Sweep;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** The {@code theory} subcommand: predictions for a sweep's distinct setups, no Spark. */
final class TheoryPredictions {
  private TheoryPredictions() {}

  static void writeCsv(Sweep sweep, Path csvFile, PrintStream console) throws IOException {
    TheoryCache cache = new TheoryCache(null, null, sweep.theory());
    List<String> header = new ArrayList<>(List.of("activation", "gamma0", "dt", "centred"));
    header.addAll(List.of(TheoryCache.columns()));
    header.addAll(List.of("theory_mean_method", "theory_nvar_method"));
    Path temporary = csvFile.toAbsolutePath().resolveSibling("." + csvFile.getFileName() + ".tmp");
    Set<String> done = new HashSet<>();
    try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8);
        CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder()
            .setHeader(header.toArray(String[]::new)).setRecordSeparator("\n").build())) {
      for (Cell cell : sweep.cells()) {
        TwoLayerSetup s = cell.setup();
        if (!done.add(cache.key(s))) {
          continue;
        }
        TheoryPrediction p = cache.predict(s);
        console.printf("%s gamma0=%s dt=%s: mean %s, N·Var %s%n", s.activation().label(),
            s.gamma0(), s.grid().dt(), p.meanMethod(), p.nvarMethod());
        TheoryCache.writeRows(csv, p,
            new Object[] {s.activation().label(), s.gamma0(), s.grid().dt(), s.centred()},
            new Object[] {p.meanMethod(), p.nvarMethod()});
      }
    }
    Files.move(temporary, csvFile, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    console.println("predictions: " + csvFile);
  }
}
