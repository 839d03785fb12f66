package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SUM, MIN, MAX, AVG, COUNT with a range on {@code val} ({@code WHERE val > x},
 * {@code BETWEEN}, ...), which mmapsql's own loops answer: the answers of H2
 * on the same finite data, for every numeric dtype, every form of bound, with
 * constants and parameters, over tables shorter than a leaf of the pairwise sum
 * and of odd lengths; those of Calcite's own operators where H2 does not
 * follow SQL on doubles (NaN, the infinities, -0.0); and above the size where
 * the runs spread over the cores. A filtered SUM of doubles is as accurate as
 * an unfiltered one: within pairwise summation's bound of the exact sum.
 */
class FilteredAggregateTest {
  private static final String AGGS = "SELECT SUM(val), MIN(val), MAX(val), AVG(val), COUNT(val), COUNT(*) FROM ";
  private static final int[] LENGTHS = {1, 3, 7, 127, 128, 129, 1001, 4099};

  @TempDir Path dir;
  private TestDb db;
  private Connection h2;

  @BeforeEach void open() throws SQLException {
    db = TestDb.open(dir);
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
  }

  @AfterEach void close() throws Exception {
    db.close();
    h2.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"f8", ">f8", "f4", "f2", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"})
  void everyBoundFormIsH2s(String dtype) throws Exception {
    Random r = new Random(dtype.hashCode());
    for (int n : LENGTHS) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = finite(dtype, r);
      }
      String t = "t" + n;
      table(t, dtype, v);
      double a = v[r.nextInt(n)];
      double b = v[r.nextInt(n)];
      double lo = Math.min(a, b);
      double hi = Math.max(a, b);
      for (String where : List.of("val > " + lo, "val >= " + lo, "val < " + hi, "val <= " + hi, "val = " + lo,
          "val BETWEEN " + lo + " AND " + hi, "val > " + lo + " AND val < " + hi, "val >= " + lo + " AND val <= " + hi,
          "val >= 0 AND val <= 0", "val > 0", "val < 0", "val > 100000", "val < " + hi + " AND val > " + hi,
          "val > 2.5", "val <= -2.5")) {
        String sql = AGGS + t + " WHERE " + where;
        String p = plan(sql);
        // a contradiction (val > 3 AND val < 3) is answered by Calcite without reading the table
        assertTrue(p.contains("val=[") || p.contains("Values"), () -> sql + ":\n" + p);
        sameAsH2(sql);
      }
      sameAsH2(AGGS + t + " WHERE val > ?", (long) lo);
      sameAsH2(AGGS + t + " WHERE val >= ? AND val <= ?", (long) lo, (long) hi);
      sameAsH2(AGGS + t + " WHERE val < ?", (long) hi);
      sameAsH2(AGGS + t + " WHERE idx BETWEEN 1 AND " + (n / 2) + " AND val > " + lo);
    }
  }

  /** NaN is in no range, the infinities are at its ends, -0.0 equals 0.0: as Calcite's own operators compare. */
  @ParameterizedTest
  @ValueSource(strings = {"f8", ">f8", "f4", "f2"})
  void specialFloatsAreKeptAsCalciteKeepsThem(String dtype) throws Exception {
    double[] special = {Double.NaN, Double.longBitsToDouble(0xFFF8_0000_0000_0001L), Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
        1, -1, 2.5, -2.5, 7};
    for (int n : new int[] {7, 1001}) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = special[(i * 7 + n) % special.length];
      }
      String t = "s" + n;
      table(t, dtype, v);
      for (String where : List.of("val > 0", "val >= 0", "val < 0", "val <= 0", "val >= -0.0 AND val <= 0.0",
          "val BETWEEN -1 AND 1", "val > -1", "val < 1", "val = 0", "val > 7", "val >= 7", "val < -2.5")) {
        sameAsCalcite(AGGS + t + " WHERE " + where);
      }
      for (Object bound : new Object[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, -0.0, 0.0,
          Double.MIN_VALUE, -Double.MIN_VALUE}) {
        for (String op : List.of(">", ">=", "<", "<=", "=")) {
          sameAsCalcite(AGGS + t + " WHERE val " + op + " ?", bound);
        }
        sameAsCalcite(AGGS + t + " WHERE val BETWEEN ? AND ?", bound, Double.POSITIVE_INFINITY);
        sameAsCalcite(AGGS + t + " WHERE val BETWEEN ? AND ?", Double.NEGATIVE_INFINITY, bound);
      }
    }
  }

  /** The smallest subnormals sort between -0.0/+0.0 and the normal numbers. */
  @Test void subnormalsAndZeros() throws Exception {
    double[] v = {Double.MIN_VALUE, -Double.MIN_VALUE, 0.0, -0.0, Double.MIN_NORMAL, -Double.MIN_NORMAL,
        Double.MAX_VALUE, -Double.MAX_VALUE, 3 * Double.MIN_VALUE};
    table("z", "f8", v);
    String aggs = "SELECT MIN(val), MAX(val), COUNT(val) FROM z WHERE ";
    for (String where : List.of("val > 0", "val >= 0", "val < 0", "val <= 0", "val = 0", "val > ?", "val < ?",
        "val >= ? AND val < ?")) {
      int params = (int) where.chars().filter(c -> c == '?').count();
      Object[] p = params == 0 ? new Object[0] : params == 1 ? new Object[] {Double.MIN_VALUE}
          : new Object[] {-Double.MIN_VALUE, 2 * Double.MIN_VALUE};
      sameAsCalcite(aggs + where, p);
    }
    assertEquals(List.of(List.of(-0.0, 0.0, 2L)), db.rows(aggs + "val = 0"));
    assertEquals(List.of(List.of(Double.MIN_VALUE, Double.MAX_VALUE, 4L)), db.rows(aggs + "val > 0"));
    assertEquals(List.of(List.of(-Double.MAX_VALUE, -Double.MIN_VALUE, 3L)), db.rows(aggs + "val < 0"));
  }

  /** Above two million rows the runs are spread over the cores: the same answers as Calcite's operators. */
  @Test void parallelRunsGiveTheSameAnswers() throws Exception {
    int n = 2_300_001;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = i % 1001 == 0 ? Double.NaN : (i * 2654435761L) % 1000003;
    }
    table("big", "f8", v, false);
    for (String where : List.of("val > 500000", "val BETWEEN 1000 AND 2000", "val <= 3", "val < 1000003")) {
      String sql = AGGS + "big WHERE " + where;
      sameAsCalcite(sql);
    }
    long count = 0;
    long sum = 0;
    for (double x : v) {
      if (x > 500000) {
        count++;
        sum += (long) x;
      }
    }
    List<Object> row = db.rows("SELECT SUM(val), COUNT(*) FROM big WHERE val > 500000").get(0);
    assertEquals(List.of((double) sum, count), row);
  }

  /**
   * A filtered SUM on ill-conditioned data: within pairwise summation's bound of
   * the exact (BigDecimal) sum of the rows kept, and at least as accurate as a
   * row-by-row sum; numpy's {@code a[a > x].sum()} is printed beside it where
   * python3 has numpy.
   */
  @Test void filteredSumsOfIllConditionedDataArePairwise() throws Exception {
    Random r = new Random(15);
    int n = 300_000;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double big = Math.scalb(r.nextDouble(), r.nextInt(50));
      v[i] = (i % 2 == 0 ? big : -big * (1 + 1e-9)) + r.nextGaussian();
    }
    v[0] = 1e16;
    table("ill", "f8", v, false);
    for (double above : new double[] {-1e9, 0, 1}) {
      BigDecimal exact = BigDecimal.ZERO;
      BigDecimal magnitude = BigDecimal.ZERO;
      double rowByRow = 0;
      long kept = 0;
      for (double d : v) {
        if (d > above) {
          exact = exact.add(new BigDecimal(d));
          magnitude = magnitude.add(new BigDecimal(Math.abs(d)));
          rowByRow += d;
          kept++;
        }
      }
      double sum = (Double) db.scalar("SELECT SUM(val) FROM ill WHERE val > ?", above);
      double err = error(sum, exact);
      double bound = (Math.log(kept) / Math.log(2) + 8) * Math.ulp(1.0) / 2 * magnitude.doubleValue();
      Double numpy = numpy(dir.resolve("ill.bin"), above);
      System.out.printf("SUM WHERE val > %s: mmapsql error %.3g, row by row %.3g, numpy %s, bound %.3g%n", above, err,
          error(rowByRow, exact), numpy == null ? "-" : String.format("%.3g", error(numpy, exact)), bound);
      assertTrue(err <= bound, "error " + err + " above the pairwise bound " + bound);
      assertTrue(err <= error(rowByRow, exact), "error " + err + " above a row-by-row sum's");
    }
  }

  /** A value of {@code dtype} that every engine sums exactly. */
  private static double finite(String dtype, Random r) {
    return switch (dtype) {
      case "f8", ">f8", "f4" -> (r.nextInt(4001) - 2000) / 4.0;
      case "f2" -> (r.nextInt(1001) - 500) / 2.0;
      default -> dtype.startsWith("u") ? r.nextInt(201) : r.nextInt(201) - 100;
    };
  }

  /** {@code name} as a raw file of {@code dtype} in mmapsql and a table of doubles in H2, both holding {@code v}. */
  private void table(String name, String dtype, double[] v) throws IOException, SQLException {
    table(name, dtype, v, true);
  }

  private void table(String name, String dtype, double[] v, boolean inH2) throws IOException, SQLException {
    boolean big = dtype.startsWith(">");
    String type = big ? dtype.substring(1) : dtype;
    int width = Integer.parseInt(type.substring(1));
    ByteBuffer b = ByteBuffer.allocate(v.length * width).order(big ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    for (double x : v) {
      switch (type) {
        case "f8" -> b.putLong(Double.doubleToRawLongBits(x));
        case "f4" -> b.putInt(Float.floatToRawIntBits((float) x) | (Double.doubleToRawLongBits(x) < 0 ? 1 << 31 : 0));
        case "f2" -> b.putShort((short) (Float.floatToFloat16((float) x) | (Double.doubleToRawLongBits(x) < 0 ? 0x8000 : 0)));
        case "i1", "u1" -> b.put((byte) x);
        case "i2", "u2" -> b.putShort((short) x);
        case "i4", "u4" -> b.putInt((int) x);
        default -> b.putLong((long) x);
      }
    }
    Files.write(dir.resolve(name + ".bin"), b.array());
    db.longValue("SELECT MMAP(?, ?, ?)", name, name + ".bin", dtype);
    boolean finite = true;
    for (double x : v) {
      finite &= Double.isFinite(x);
    }
    if (!finite || !inH2) {
      return;
    }
    try (Statement s = h2.createStatement()) {
      s.execute("CREATE TABLE " + name + "(idx BIGINT PRIMARY KEY, val DOUBLE)");
    }
    try (PreparedStatement ps = h2.prepareStatement("INSERT INTO " + name + " VALUES (?, ?)")) {
      for (int i = 0; i < v.length; i++) {
        ps.setLong(1, i);
        ps.setDouble(2, v[i]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private String plan(String sql, Object... params) throws SQLException {
    return db.rows("EXPLAIN PLAN FOR " + sql, params).stream().map(r -> String.valueOf(r.get(0)))
        .reduce("", (x, y) -> x + "\n" + y);
  }

  /** The same row as H2's, numbers compared as doubles (H2 sums exactly, as DECFLOAT). */
  private void sameAsH2(String sql, Object... params) throws SQLException {
    assertEquals(doubles(TestDb.rows(h2, sql, params)), doubles(db.rows(sql, params)), () -> sql + " " + List.of(params));
  }

  /** The same row as Calcite's own operators give ({@code idx + 0}, which no mmapsql rule takes). */
  private void sameAsCalcite(String sql, Object... params) throws SQLException {
    String calcite = sql.replace(" WHERE ", " WHERE idx + 0 >= 0 AND ");
    assertTrue(plan(sql, params).contains("val=["), sql);
    assertEquals(db.rows(calcite, params).toString(), db.rows(sql, params).toString(), () -> sql + " " + List.of(params));
  }

  private static List<List<Object>> doubles(List<List<Object>> rows) {
    List<List<Object>> out = new ArrayList<>();
    for (List<Object> row : rows) {
      out.add(row.stream().map(x -> x instanceof Number n ? (Object) n.doubleValue() : x).toList());
    }
    return out;
  }

  private static double error(double got, BigDecimal exact) {
    return new BigDecimal(got).subtract(exact, MathContext.DECIMAL128).abs().doubleValue();
  }

  /** numpy's {@code a[a > above].sum()} of the file, or null without python3 and numpy. */
  private static Double numpy(Path file, double above) throws InterruptedException {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import sys, numpy; a = numpy.fromfile(sys.argv[1], '<f8'); "
          + "print(repr(float(a[a > float(sys.argv[2])].sum())))", file.toString(), Double.toString(above))
          .redirectErrorStream(true).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.exitValue() == 0 ? Double.parseDouble(out) : null;
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }
}
