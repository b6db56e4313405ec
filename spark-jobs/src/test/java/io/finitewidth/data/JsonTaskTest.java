package io.finitewidth.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finitewidth.model.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTaskTest {
  /** The stored Kx was computed in double precision from the same numbers: rounding only. */
  private static final double KERNEL_TOLERANCE = 1e-14;

  @TempDir Path dir;

  @Test
  void canonicalTaskSplitsSixTrainThreeTestAndReproducesItsStoredInputKernel()
      throws IOException {
    Path file = ShippedData.folder().resolve("theory-canonical.json");

    Task task = JsonTask.read(file);

    assertEquals(6, task.trainPoints());
    assertEquals(3, task.testPoints());
    assertEquals(16, task.dim());
    JsonNode stored = new ObjectMapper().readTree(file.toFile()).get("Kx");
    double[][] kx = task.inputKernel();
    for (int a = 0; a < 9; a++) {
      for (int b = 0; b < 9; b++) {
        assertEquals(stored.get(a).get(b).asDouble(), kx[a][b], KERNEL_TOLERANCE);
      }
    }
    assertEquals(stored.get(0).get(0).asDouble(), 1.0, KERNEL_TOLERANCE);
  }

  @Test
  void raggedRowIsNamedByItsJsonLocation() throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"X\": [[1, 2], [3]], \"y\": [1]}");

    DatasetException e = assertThrows(DatasetException.class, () -> JsonTask.read(file));

    assertTrue(e.getMessage().contains("X[1] has 1 values"), e.getMessage());
  }

  @Test
  void moreTargetsThanRowsIsRejected() throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"X\": [[1, 2]], \"y\": [1, 2]}");

    DatasetException e = assertThrows(DatasetException.class, () -> JsonTask.read(file));

    assertTrue(e.getMessage().contains("1 ≤ len(y) ≤ len(X)"), e.getMessage());
  }

  @Test
  void nonNumericTargetIsNamed() throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"X\": [[1, 2]], \"y\": [\"one\"]}");

    DatasetException e = assertThrows(DatasetException.class, () -> JsonTask.read(file));

    assertTrue(e.getMessage().contains("y[0] is \"one\""), e.getMessage());
  }
}
