package io.finitewidth.job;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Writes the summary as Parquet ({@code summary/}) and long-format CSV ({@code summary.csv}). */
final class SummaryWriter {
  private SummaryWriter() {}

  static final StructType SCHEMA = schema();
  private static final int ROWS_PER_SLICE = 2000;

  private static StructType schema() {
    DataType[] types = {
        DataTypes.IntegerType, DataTypes.IntegerType, DataTypes.DoubleType, DataTypes.StringType,
        DataTypes.DoubleType, DataTypes.IntegerType, DataTypes.DoubleType, DataTypes.StringType,
        DataTypes.IntegerType, DataTypes.IntegerType, DataTypes.LongType, DataTypes.LongType,
        DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType,
        DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType,
        DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.StringType,
        DataTypes.StringType, DataTypes.IntegerType, DataTypes.DoubleType, DataTypes.DoubleType};
    StructField[] fields = new StructField[SummaryRow.COLUMNS.length];
    for (int c = 0; c < fields.length; c++) {
      fields[c] = DataTypes.createStructField(SummaryRow.COLUMNS[c], types[c], true);
    }
    return new StructType(fields);
  }

  static void writeParquet(SparkSession spark, List<SummaryRow> rows, Path into) {
    List<Row> sparkRows = new ArrayList<>(rows.size());
    for (SummaryRow r : rows) {
      Object[] v = r.values();
      for (int c = 0; c < v.length; c++) {
        if (v[c] instanceof Double d && d.isNaN()) {
          v[c] = null; // missing, not a number: readers see null
        }
      }
      sparkRows.add(RowFactory.create(v));
    }
    // Spread the rows over slices so that no single task carries megabytes of rows; the
    // order of rows (and of the files) follows the slices, so the table reads back in order.
    int slices = Math.max(1, sparkRows.size() / ROWS_PER_SLICE);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    spark.createDataFrame(jsc.parallelize(sparkRows, slices), SCHEMA).write()
        .mode(SaveMode.ErrorIfExists).parquet(into.toString());
  }

  static void writeCsv(FileSystem fs, List<SummaryRow> rows, Path into) throws IOException {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader(SummaryRow.COLUMNS)
        .setRecordSeparator("\n").build();
    try (Writer out = new OutputStreamWriter(fs.create(into, false), StandardCharsets.UTF_8);
        CSVPrinter csv = new CSVPrinter(out, format)) {
      for (SummaryRow r : rows) {
        Object[] v = r.values();
        for (int c = 0; c < v.length; c++) {
          if (v[c] instanceof Double d) {
            v[c] = d.isNaN() ? "" : Double.toString(d);
          } else if (v[c] == null) {
            v[c] = "";
          }
        }
        csv.printRecord(v);
      }
    }
  }
}
