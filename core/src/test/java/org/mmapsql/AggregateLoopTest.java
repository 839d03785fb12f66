package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Aggregates with a predicate on the value ({@code MmapAggregate val=[...]})
 * and downsampling ({@code GROUP BY idx / k}, {@code MmapDownsample}) run in
 * mmapsql's loops: EXPLAIN shows them, and their answers are H2's on the same
 * data and SQL, and for every dtype those of Calcite's own operators (the same
 * SQL with {@code idx + 0}, which no mmapsql rule takes).
 */
class AggregateLoopTest {
  private static final int N = 25_000;

  @TempDir Path dir;
  private TestDb db;
  private Connection h2;

  @BeforeEach void setUp() throws Exception {
    db = TestDb.open(dir);
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
    double[] v = new double[N];
    for (int i = 0; i < N; i++) {
      v[i] = value(i);
    }
    TestDb.writeDoubles(dir.resolve("t.f8"), v);
    assertEquals((long) N, db.mmap("t", "t.f8"));
    try (Statement s = h2.createStatement()) {
      s.execute("CREATE TABLE t(idx BIGINT PRIMARY KEY, val DOUBLE)");
      s.execute("CREATE TABLE e(idx BIGINT PRIMARY KEY, val DOUBLE)");
    }
    try (PreparedStatement ps = h2.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
      for (int i = 0; i < N; i++) {
        ps.setLong(1, i);
        ps.setDouble(2, v[i]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    db.mmap("e", "e.f8");
  }

  @AfterEach void tearDown() throws Exception {
    db.close();
    h2.close();
  }

  /** Whole numbers from -100 to 100 (so every sum is exact in every engine). */
  private static long value(long i) {
    return (i * 7919) % 201 - 100;
  }

  private String plan(String sql, Object... params) throws SQLException {
    return db.rows("EXPLAIN PLAN FOR " + sql, params).stream()
        .map(r -> String.valueOf(r.get(0))).collect(Collectors.joining("\n"));
  }

  /** The same rows, numbers compared as doubles (H2 sums and averages DOUBLE as DECFLOAT). */
  private void sameAsH2(String sql, Object... params) throws SQLException {
    assertEquals(doubles(TestDb.rows(h2, sql, params)), doubles(db.rows(sql, params)), sql);
  }

  private static List<List<Object>> doubles(List<List<Object>> rows) {
    return rows.stream().map(r -> r.stream().map(x -> x instanceof Number n ? (Object) n.doubleValue() : x)
        .toList()).toList();
  }

  @Test void predicatesOnTheValueRunInTheLoop() throws SQLException {
    String aggs = "SELECT SUM(val), MIN(val), MAX(val), AVG(val), COUNT(val), COUNT(*) FROM ";
    for (String where : List.of("val > 50", "val > 5E1", "val >= 50", "val < -99.5", "val = 7", "val BETWEEN -20 AND 30",
        "val > 1000", "50 < val AND val <= 60", "idx BETWEEN 100 AND 20000 AND val > 0")) {
      String sql = aggs + "t WHERE " + where;
      String p = plan(sql);
      assertTrue(p.contains("MmapAggregate(table=[[mmap, t]]") && p.contains("val=["), () -> sql + ":\n" + p);
      assertFalse(p.contains("Enumerable"), () -> sql + ":\n" + p);
      sameAsH2(sql);
      sameAsH2(aggs + "e WHERE " + where);
    }
    sameAsH2(aggs + "t WHERE val > ? AND val < ?", 10.5, 20);
    sameAsH2(aggs + "t WHERE val > ?", (Object) null);
  }

  @Test void predicatesOnOtherColumnsOrExpressionsStayWithCalcite() throws SQLException {
    for (String where : List.of("val > 50 OR val < -50", "val * 2 > 50", "val <> 7", "val IN (1, 2)")) {
      String sql = "SELECT SUM(val), COUNT(*) FROM t WHERE " + where;
      assertFalse(plan(sql).contains("val=["), sql);
      sameAsH2(sql);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"})
  void everyDtypeFiltersAndDownsamplesAsCalciteDoes(String dtype) throws Exception {
    boolean unsigned = dtype.startsWith("u");
    int width = Integer.parseInt(dtype.substring(1));
    int n = 3000;
    ByteBuffer b = ByteBuffer.allocate(n * width).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      long x = unsigned ? value(i) + 100 : value(i);
      switch (dtype) {
        case "i1", "u1" -> b.put((byte) x);
        case "i2", "u2" -> b.putShort((short) x);
        case "i4", "u4" -> b.putInt((int) x);
        case "i8", "u8" -> b.putLong(x);
        case "f2" -> b.putShort(Float.floatToFloat16(x / 2f));
        case "f4" -> b.putFloat(x / 4f);
        default -> b.putDouble(x / 8.0);
      }
    }
    Files.write(dir.resolve("x." + dtype), b.array());
    db.longValue("SELECT MMAP(?, ?, ?)", "x", "x." + dtype, dtype);
    String aggs = "SELECT SUM(val), MIN(val), MAX(val), AVG(val), COUNT(val), COUNT(*) FROM x WHERE ";
    for (String where : List.of("val > 50", "val >= 2.5", "val < 10.2", "val BETWEEN 3 AND 70", "val > 1e1",
        "val = 25", "val > 300")) {
      String sql = aggs + where;
      String p = plan(sql);
      boolean inLoop = p.contains("val=[");
      // an int64 or uint64 compared as a DOUBLE (1e1) would round: Calcite's own operators then
      assertTrue(inLoop || width == 8 && !dtype.startsWith("f") && where.contains("e1"), () -> sql + ":\n" + p);
      assertEquals(db.rows(sql + " AND idx + 0 >= 0").toString(), db.rows(sql).toString(), sql);
    }
    for (Object param : new Object[] {2.5, 7, 60.75}) {
      String sql = aggs + "val >= ?";
      if (!dtype.startsWith("f") && !dtype.equals("u8") && param instanceof Double) {
        // a ? compared with an integer column (but u8: DECIMAL) is that integer type: a fraction is refused in both plans
        db.failsPrepared(sql, new Object[] {param}, "not a whole number");
        db.failsPrepared(sql + " AND idx + 0 >= 0", new Object[] {param}, "not a whole number");
        continue;
      }
      assertEquals(db.rows(sql + " AND idx + 0 >= 0", param).toString(), db.rows(sql, param).toString(),
          sql + " " + param);
    }
    String down = "SELECT idx / 40 AS b, MIN(val), MAX(val), AVG(val), SUM(val), COUNT(*) FROM x";
    assertTrue(plan(down + " GROUP BY idx / 40").contains("MmapDownsample"));
    assertEquals(db.rows(down.replace("idx / 40", "(idx + 0) / 40") + " GROUP BY (idx + 0) / 40 ORDER BY b").toString(),
        db.rows(down + " GROUP BY idx / 40 ORDER BY b").toString(), dtype);
  }

  @Test void downsamplingIsH2sGroupBy() throws SQLException {
    for (int k : new int[] {32, 100, 10_000, 1_000_000}) {
      for (String where : List.of("", " WHERE idx BETWEEN 123 AND 20456", " WHERE idx IN (1, 5, 12, 13, 40, 99, 100)",
          " WHERE idx >= 24990", " WHERE idx > 30000")) {
        String group = " GROUP BY idx / " + k;
        String sql = "SELECT idx / " + k + " AS b, MIN(val), MAX(val), AVG(val), COUNT(*), SUM(val), COUNT(val) FROM t"
            + where + group + " ORDER BY b";
        String p = plan(sql);
        assertTrue(p.contains("MmapDownsample(table=[[mmap, t]]") && p.contains("bucket=[idx / " + k + "]"),
            () -> sql + ":\n" + p);
        assertFalse(p.contains("EnumerableAggregate"), () -> sql + ":\n" + p);
        sameAsH2(sql);
        sameAsH2(sql.replace(" FROM t", " FROM e"));
      }
    }
    sameAsH2("SELECT FLOOR(idx / 1000) AS b, MAX(val) FROM t GROUP BY FLOOR(idx / 1000) ORDER BY b DESC");
    assertTrue(plan("SELECT FLOOR(idx / 1000), MAX(val) FROM t GROUP BY FLOOR(idx / 1000)")
        .contains("MmapDownsample"));
    // not a downsampling: left to Calcite, still right
    for (String g : List.of("idx / -100", "MOD(idx, 100)", "idx / 250.5", "idx / 100, val", "idx / 7", "idx")) {
      String sql = "SELECT COUNT(*), MAX(val) FROM t GROUP BY " + g;
      assertFalse(plan(sql).contains("MmapDownsample"), sql);
      sameAsH2(sql + " ORDER BY " + g);
    }
  }

  /** MIN and MAX pass over NaN as Calcite's own operators do (NaN only when all values are); SUM and AVG are NaN. */
  @Test void nanInAFilterAndInBuckets() throws SQLException {
    db.update("UPDATE t SET val = CAST('NaN' AS DOUBLE) WHERE idx = 0 OR idx BETWEEN 64 AND 95 OR idx = 100");
    String sql = "SELECT idx / 32 AS b, MIN(val), MAX(val), AVG(val), SUM(val), COUNT(*) FROM t WHERE idx < 160"
        + " GROUP BY idx / 32 ORDER BY b";
    assertTrue(plan(sql).contains("MmapDownsample"));
    List<List<Object>> rows = db.rows(sql);
    List<List<Object>> calcite = db.rows(sql.replace("idx / 32", "(idx + 0) / 32"));
    assertEquals(5, rows.size());
    for (int b : new int[] {0, 1, 3, 4}) {
      assertEquals(calcite.get(b).toString(), rows.get(b).toString(), "bucket " + b);
    }
    List<Object> allNaN = new ArrayList<>(rows.get(2));
    assertEquals(List.of(2L, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 32L), allNaN);
    assertEquals(db.rows("SELECT MIN(val), MAX(val), SUM(val) FROM t WHERE idx + 0 < 10").toString(),
        db.rows("SELECT MIN(val), MAX(val), SUM(val) FROM t WHERE idx < 10").toString());
    // a predicate never keeps a NaN
    String f = "SELECT MIN(val), MAX(val), SUM(val), COUNT(*) FROM t WHERE idx < 50 AND val > -1000";
    assertEquals(db.rows(f.replace("idx <", "idx + 0 <")).toString(), db.rows(f).toString());
  }

  /** Above two million rows the runs are spread over the cores; the answer is that of Calcite's own operators. */
  @Test void largeTablesGiveTheSameAnswers() throws IOException, SQLException {
    int n = 3_000_000;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = value(i);
    }
    TestDb.writeDoubles(dir.resolve("big.f8"), v);
    db.mmap("big", "big.f8");
    String sql = "SELECT SUM(val), MIN(val), MAX(val), COUNT(*) FROM big WHERE val > -50";
    assertEquals(db.rows(sql + " AND idx + 0 >= 0").toString(), db.rows(sql).toString());
    long exact = 0;
    for (int i = 0; i < n; i++) {
      exact += value(i);
    }
    assertEquals((double) exact, db.scalar("SELECT SUM(val) FROM big"));
    assertEquals(300L, db.longValue("SELECT COUNT(*) FROM (SELECT idx / 10000 AS b, MIN(val) FROM big GROUP BY idx / 10000)"));
  }
}
