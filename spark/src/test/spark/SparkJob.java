import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import org.apache.spark.sql.functions;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

/**
 * What a Spark user does with mmapsql, run by SparkJdbcTest in Spark's own JVM (Java 17, local
 * mode): reads through Spark's JDBC source with our thin driver and with Avatica's own client
 * (default fetch size, partitioned by idx, filtered, the query option), a sharded array read as
 * one partitioned read per shard (bounds from sys.mappings) unioned, and writes. Prints
 * "RESULT key value" lines for the test to check; nothing here knows the expected answers.
 *
 * Arguments: thin URL, Avatica URL (same server, table series), shard URLs (comma-separated,
 * table part on each), and the number of rows of series.
 */
public class SparkJob {
  public static void main(String[] args) throws Exception {
    String thin = args[0];
    String avatica = args[1];
    String[] shards = args[2].split(",");
    long n = Long.parseLong(args[3]);
    SparkSession spark = SparkSession.builder().master("local[2]").appName("mmapsql")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");

    reads(spark, "thin", thin, "org.mmapsql.jdbc.RemoteDriver", n);
    reads(spark, "avatica", avatica, "org.apache.calcite.avatica.remote.Driver", n);

    // a sharded array: one partitioned read per shard, bounds from its sys.mappings row, unioned
    Dataset<Row> all = null;
    for (String url : shards) {
      long base;
      long rows;
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT base, row_count FROM sys.mappings WHERE name = 'part'")) {
        rs.next();
        base = rs.getLong(1);
        rows = rs.getLong(2);
      }
      Dataset<Row> shard = spark.read().option("fetchsize", "10000")
          .jdbc(url, "part", "idx", base, base + rows, 2, props("org.mmapsql.jdbc.RemoteDriver"));
      all = all == null ? shard : all.unionAll(shard);
    }
    Row p = all.agg(functions.count("*"), sum("val"), min("idx"), max("idx"), countDistinct(col("idx"))).first();
    result("sharded.count", p.getLong(0));
    result("sharded.sum", p.getDouble(1));
    result("sharded.minIdx", p.getLong(2));
    result("sharded.maxIdx", p.getLong(3));
    result("sharded.distinctIdx", p.getLong(4));
    result("sharded.partitions", all.rdd().getNumPartitions());

    // writes: a batch with a NULL in its 501st row is refused whole; a good one lands whole
    StructType schema = new StructType().add("val", DataTypes.DoubleType, true);
    List<Row> bad = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      bad.add(RowFactory.create(i == 500 ? null : (Double) (i * 0.5)));
    }
    try {
      spark.createDataFrame(bad, schema).coalesce(1).write().mode(SaveMode.Append).option("batchsize", "1000")
          .jdbc(thin, "target", props("org.mmapsql.jdbc.RemoteDriver"));
      result("write.null", "accepted");
    } catch (Exception e) {
      result("write.null", "refused");
    }
    result("write.afterNull", count(thin, "target"));
    List<Row> good = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      good.add(RowFactory.create((Double) (i * 0.25)));
    }
    spark.createDataFrame(good, schema).repartition(2).write().mode(SaveMode.Append).option("batchsize", "1000")
        .jdbc(thin, "target", props("org.mmapsql.jdbc.RemoteDriver"));
    result("write.afterGood", count(thin, "target"));
    Row w = spark.read().jdbc(thin, "target", props("org.mmapsql.jdbc.RemoteDriver")).agg(sum("val")).first();
    result("write.sum", w.getDouble(0));
    spark.stop();
  }

  private static void reads(SparkSession spark, String client, String url, String driver, long n) {
    Properties props = props(driver);
    // Spark's default: fetchsize 0
    Dataset<Row> plain = spark.read().jdbc(url, "series", props);
    Row r = plain.agg(functions.count("*"), sum("val"), min("idx"), max("idx")).first();
    result(client + ".count", r.getLong(0));
    result(client + ".sum", r.getDouble(1));
    result(client + ".maxIdx", r.getLong(3));
    Dataset<Row> parted = spark.read().option("fetchsize", "10000").jdbc(url, "series", "idx", 0, n, 4, props);
    Row q = parted.agg(functions.count("*"), sum("val"), countDistinct(col("idx"))).first();
    result(client + ".partitions", parted.rdd().getNumPartitions());
    result(client + ".partitioned.count", q.getLong(0));
    result(client + ".partitioned.sum", q.getDouble(1));
    result(client + ".partitioned.distinctIdx", q.getLong(2));
    Row f = parted.filter("val > 0.5 AND idx >= 1000").agg(functions.count("*"), sum("val")).first();
    result(client + ".filtered.count", f.getLong(0));
    result(client + ".filtered.sum", f.getDouble(1));
    Row s = spark.read().format("jdbc").option("url", url).option("driver", driver)
        .option("query", "SELECT idx, val FROM series WHERE idx < 100").load()
        .agg(functions.count("*"), sum("val")).first();
    result(client + ".query.count", s.getLong(0));
    result(client + ".query.sum", s.getDouble(1));
  }

  private static long count(String url, String table) throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Properties props(String driver) {
    Properties p = new Properties();
    p.setProperty("driver", driver);
    return p;
  }

  private static void result(String key, Object value) {
    System.out.println("RESULT " + key + " " + value);
  }
}
