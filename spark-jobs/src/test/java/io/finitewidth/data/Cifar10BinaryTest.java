package io.finitewidth.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10BinaryTest {
  @TempDir Path dir;

  @Test
  void shippedTestSubsetHasTwoHundredPerClassInTheOfficialOrder() {
    LabelledImages cifar = Cifar10Binary.read(List.of(ShippedData.cifarTest()));

    assertEquals(2000, cifar.count());
    assertEquals(3072, cifar.dim());
    for (int label = 0; label < 10; label++) {
      assertEquals(200, cifar.countOf(label), "class " + label);
    }
    List<String> expected = List.of("cat", "ship", "ship", "airplane", "frog", "frog",
        "automobile", "frog", "cat", "automobile", "airplane", "truck");
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i), Cifar10Binary.CLASS_NAMES.get(cifar.label(i)), "record " + i);
    }
  }

  @Test
  void severalFilesReadAsOneCollectionInOrder() {
    LabelledImages both = Cifar10Binary.read(List.of(ShippedData.cifarTest(),
        ShippedData.cifarTrain()));

    assertEquals(5000, both.count());
    assertEquals(500, both.countOf(6));
    assertEquals("frog", Cifar10Binary.CLASS_NAMES.get(both.label(2000)));
    assertEquals("truck", Cifar10Binary.CLASS_NAMES.get(both.label(2001)));
  }

  @Test
  void pixelsKeepThePlaneLayout() throws IOException {
    byte[] record = new byte[Cifar10Binary.RECORD_BYTES];
    record[0] = 2;
    record[1] = (byte) 255; // red (0, 0)
    record[1 + 1024 + 33] = (byte) 51; // green (1, 1)
    Path file = dir.resolve("one.bin");
    Files.write(file, record);

    LabelledImages one = Cifar10Binary.read(List.of(file));

    double[] x = one.image(0);
    assertEquals(2, one.label(0));
    assertEquals(1.0, x[0]);
    assertEquals(0.2, x[1024 + 33], 1e-15);
    assertEquals(0.0, x[2048]);
  }

  @Test
  void sizeThatIsNotWholeRecordsIsRejected() throws IOException {
    Path file = dir.resolve("ragged.bin");
    Files.write(file, new byte[2 * Cifar10Binary.RECORD_BYTES + 5]);

    DatasetException e = assertThrows(DatasetException.class,
        () -> Cifar10Binary.read(List.of(file)));

    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("6151 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("multiple of the 3073-byte record"), e.getMessage());
  }

  @Test
  void labelAboveNineNamesTheRecord() throws IOException {
    byte[] records = new byte[2 * Cifar10Binary.RECORD_BYTES];
    records[Cifar10Binary.RECORD_BYTES] = 10;
    Path file = dir.resolve("bad-label.bin");
    Files.write(file, records);

    DatasetException e = assertThrows(DatasetException.class,
        () -> Cifar10Binary.read(List.of(file)));

    assertTrue(e.getMessage().contains("record 1 has label 10; allowed: 0..9"), e.getMessage());
  }

  @Test
  void classNamesMapToLabels() {
    assertEquals(3, Cifar10Binary.labelOf("cat"));
    assertEquals(-1, Cifar10Binary.labelOf("unicorn"));
  }
}
