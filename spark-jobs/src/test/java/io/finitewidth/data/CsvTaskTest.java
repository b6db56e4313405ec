package io.finitewidth.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.finitewidth.model.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CsvTaskTest {
  @TempDir Path dir;

  private Path write(String text) throws IOException {
    Path file = dir.resolve("task.csv");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void readsTrainAndTestRowsInFileOrderWithInputsAsGiven() throws IOException {
    Path file = write("""
        x1,split,x2,y
        1.5,train,-2,1
        0,test,3e-1,
        2,train,4,-1
        """);

    Task task = CsvTask.read(file, null);

    assertEquals(2, task.trainPoints());
    assertEquals(1, task.testPoints());
    assertEquals(2, task.dim());
    assertArrayEquals(new double[] {1.5, -2}, task.trainInputs()[0]);
    assertArrayEquals(new double[] {2, 4}, task.trainInputs()[1]);
    assertArrayEquals(new double[] {1, -1}, task.trainTargets());
    assertArrayEquals(new double[] {0, 0.3}, task.testInputs()[0]);
    assertTrue(Double.isNaN(task.testTargets()[0]));
  }

  @Test
  void targetColumnNameIsConfigurable() throws IOException {
    Path file = write("label,a,split\n0.5,1,train\n");

    Task task = CsvTask.read(file, "label");

    assertArrayEquals(new double[] {0.5}, task.trainTargets());
    assertArrayEquals(new double[] {1}, task.trainInputs()[0]);
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("no split column", "a,y\n1,2\n", "no 'split' column"),
        Arguments.of("no target column", "a,split\n1,train\n", "no target column 'y'"),
        Arguments.of("non-numeric input", "a,split,y\n1,train,1\nfoo,train,2\n",
            "row 2, column 'a' is 'foo'; allowed: a finite number"),
        Arguments.of("non-numeric target", "a,split,y\n1,train,x\n",
            "row 1, column 'y' is 'x'"),
        Arguments.of("unknown split", "a,split,y\n1,validate,1\n",
            "column 'split' is 'validate'; allowed: train, test"),
        Arguments.of("no training rows", "a,split,y\n1,test,1\n", "no rows with split = train"),
        Arguments.of("ragged row", "a,b,split,y\n1,2,train,1\n1,train,1\n",
            "row 2 has 3 cells but the header has 4 columns"),
        Arguments.of("no inputs", "split,y\ntrain,1\n", "no input columns"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void badFilesGetOneClearMessage(String what, String text, String expected) throws IOException {
    Path file = write(text);

    DatasetException e = assertThrows(DatasetException.class, () -> CsvTask.read(file, null));

    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }
}
