package io.finitewidth.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Activation;
import io.finitewidth.model.LossConvention;
import io.finitewidth.model.TheoryPrediction;
import io.finitewidth.model.TimeGrid;
import io.finitewidth.model.TwoLayerSetup;
import io.finitewidth.network.LazyLimitAgreementTest;
import io.finitewidth.sweep.TheorySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TheoryCacheTest {
  @Test
  void aStoredPredictionIsReadBackExactlyInsteadOfSolvedAgain(@TempDir Path dir) throws Exception {
    TwoLayerSetup setup = new TwoLayerSetup(LazyLimitAgreementTest.canonicalTask(),
        Activation.LINEAR, 1.0, LossConvention.MEAN, TimeGrid.every(0.2, 20, 5), false);
    FileSystem fs = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path folder = new org.apache.hadoop.fs.Path(dir.toUri());
    TheorySettings settings = new TheorySettings(1000, 0.1, 5L);

    TheoryPrediction solved = new TheoryCache(fs, folder, settings).predict(setup);
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".csv")).toList();
    }
    assertEquals(1, files.size());

    TheoryPrediction reread = new TheoryCache(fs, folder, settings).predict(setup);
    for (int r = 0; r < solved.grid().recordCount(); r++) {
      assertArrayEquals(solved.mean()[r], reread.mean()[r], 0.0);
      assertArrayEquals(solved.nvar()[r], reread.nvar()[r], 0.0);
      assertArrayEquals(solved.nvarSe()[r], reread.nvarSe()[r], 0.0);
    }
    assertEquals(solved.nvarMethod(), reread.nvarMethod());

    // Proof that the file is what is read: a value edited on disk comes back.
    String text = Files.readString(files.get(0));
    String firstLoss = text.lines().skip(2).findFirst().orElseThrow();
    String edited = firstLoss.replaceFirst(",loss,,,[^,]*,", ",loss,,,123.5,");
    Files.writeString(files.get(0), text.replace(firstLoss, edited));
    // Hadoop's local file system keeps a checksum beside each file; an edit by hand drops it.
    Files.deleteIfExists(dir.resolve("." + files.get(0).getFileName() + ".crc"));
    TheoryPrediction fromDisk = new TheoryCache(fs, folder, settings).predict(setup);
    assertEquals(123.5, fromDisk.mean()[0][0], 0.0);

    // Other settings are another key: solved anew, not read from this file.
    TheoryPrediction other = new TheoryCache(fs, folder, new TheorySettings(1000, 0.1, 6L))
        .predict(setup);
    assertTrue(other.mean()[0][0] != 123.5);
  }
}
