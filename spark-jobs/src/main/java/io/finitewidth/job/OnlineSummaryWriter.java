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

/** Writes the online summary as Parquet ({@code summary/}) and long CSV ({@code summary.csv}). */
final class OnlineSummaryWriter {
  private OnlineSummaryWriter() {}

  static final StructType SCHEMA = schema();

  private static StructType schema() {
    DataType[] types = {
        DataTypes.IntegerType, DataTypes.IntegerType, DataTypes.DoubleType, DataTypes.StringType,
        DataTypes.LongType, DataTypes.IntegerType, DataTypes.DoubleType, DataTypes.DoubleType,
        DataTypes.StringType, DataTypes.LongType, DataTypes.LongType, DataTypes.DoubleType,
        DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType,
        DataTypes.DoubleType, DataTypes.StringType, DataTypes.StringType};
    StructField[] fields = new StructField[OnlineSummaryRow.COLUMNS.length];
    for (int c = 0; c < fields.length; c++) {
      fields[c] = DataTypes.createStructField(OnlineSummaryRow.COLUMNS[c], types[c], true);
    }
    return new StructType(fields);
  }

  /** One Parquet file in row order (the summary is small: a few thousand rows). */
  static void writeParquet(SparkSession spark, List<OnlineSummaryRow> rows, Path into) {
    List<Row> sparkRows = new ArrayList<>(rows.size());
    for (OnlineSummaryRow r : rows) {
      Object[] v = r.values();
      for (int c = 0; c < v.length; c++) {
        if (v[c] instanceof Double d && d.isNaN()) {
          v[c] = null;
        }
      }
      sparkRows.add(RowFactory.create(v));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    spark.createDataFrame(jsc.parallelize(sparkRows, 1), SCHEMA).write()
        .mode(SaveMode.ErrorIfExists).parquet(into.toString());
  }

  static void writeCsv(FileSystem fs, List<OnlineSummaryRow> rows, Path into)
      throws IOException {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader(OnlineSummaryRow.COLUMNS)
        .setRecordSeparator("\n").build();
    try (Writer out = new OutputStreamWriter(fs.create(into, false), StandardCharsets.UTF_8);
        CSVPrinter csv = new CSVPrinter(out, format)) {
      for (OnlineSummaryRow r : rows) {
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
