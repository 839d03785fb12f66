package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MIN and MAX of a float column where Calcite aggregates (a filter mmapsql's
 * one-pass aggregate does not take, GROUP BY, a window, FILTER): H2's answers
 * on the infinities (Calcite's own operators started from the largest finite
 * double: MIN of only +Infinity was 1.7976931348623157E308), and with NaN,
 * which H2 orders above every number, the one-pass aggregate's answers (README:
 * MIN and MAX pass over NaN, and are NaN only when every value is).
 */
class FloatExtremesTest {
  private static final double INF = Double.POSITIVE_INFINITY;
  private static final double NAN = Double.NaN;

  @org.junit.jupiter.api.io.TempDir Path dir;
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

  /** Each query as Calcite plans it, over every row: the plan says it is not mmapsql's own aggregate. */
  private static final List<String> CALCITES = List.of(
      "SELECT MIN(val), MAX(val) FROM %s WHERE val IS NOT NULL",
      "SELECT MIN(val), MAX(val) FROM %s WHERE MOD(idx, 2) >= 0",
      "SELECT MIN(val), MAX(val) FROM %s GROUP BY idx * 0",
      "SELECT MIN(val) FILTER (WHERE idx >= 0), MAX(val) FILTER (WHERE idx >= 0) FROM %s",
      "SELECT MIN(val) OVER (), MAX(val) OVER () FROM %s");
  private static final String MOVING =
      "SELECT MIN(val) OVER (ORDER BY idx ROWS 1 PRECEDING), MAX(val) OVER (ORDER BY idx ROWS 1 PRECEDING) FROM %s";

  @ParameterizedTest
  @ValueSource(strings = {"f8", "f4"})
  void theInfinitiesAreH2s(String dtype) throws Exception {
    double[][] tables = {{INF, INF, INF}, {-INF, -INF}, {INF}, {-INF}, {INF, -INF}, {INF, 2.5, INF},
        {-INF, -2.5}, {Double.MAX_VALUE, INF}, {-Double.MAX_VALUE, -INF}};
    for (int t = 0; t < tables.length; t++) {
      String name = "t" + t;
      table(name, dtype, tables[t]);
      h2Table(name, dtype, tables[t]);
      for (String q : concat(CALCITES, MOVING)) {
        String sql = String.format(q, name);
        assertTrue(!plan(sql).contains("MmapAggregate"), sql);
        assertEquals(doubles(TestDb.rows(h2, sql)), doubles(db.rows(sql)), sql);
        assertEquals(doubles(TestDb.rows(h2, sql)), doubles(statement(sql)), "through a Statement: " + sql);
      }
    }
    double m = Double.MAX_VALUE;
    assertEquals(List.of(List.of(INF, INF)), db.rows("SELECT MIN(x), MAX(x) FROM (VALUES (CAST(? AS DOUBLE) * 10)) v(x)", m));
  }

  @ParameterizedTest
  @ValueSource(strings = {"f8", "f4"})
  void nanIsPassedOverAsByTheOnePassAggregate(String dtype) throws Exception {
    double[][] tables = {{NAN, NAN}, {NAN, 2.0, NAN}, {-1.0, NAN}, {NAN, INF}, {NAN, -INF, NAN}, {-0.0, NAN, 0.0}};
    for (int t = 0; t < tables.length; t++) {
      String name = "n" + t;
      table(name, dtype, tables[t]);
      String own = "SELECT MIN(val), MAX(val) FROM " + name;
      assertTrue(plan(own).contains("MmapAggregate"), own);
      List<Object> expected = db.rows(own).get(0);
      for (String q : CALCITES) {
        String sql = String.format(q, name);
        assertTrue(!plan(sql).contains("MmapAggregate"), sql);
        for (List<Object> row : db.rows(sql)) {
          assertEquals(expected.toString(), row.toString(), sql);
        }
      }
    }
  }

  private static List<String> concat(List<String> a, String b) {
    List<String> all = new ArrayList<>(a);
    all.add(b);
    return all;
  }

  private String plan(String sql) throws SQLException {
    return db.rows("EXPLAIN PLAN FOR " + sql).toString();
  }

  private List<List<Object>> statement(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(TestDb.url(dir, "")); Statement s = c.createStatement()) {
      return TestDb.drain(s.executeQuery(sql));
    }
  }

  private void table(String name, String dtype, double[] v) throws Exception {
    int w = dtype.equals("f8") ? 8 : 4;
    ByteBuffer b = ByteBuffer.allocate(v.length * w).order(ByteOrder.LITTLE_ENDIAN);
    for (double x : v) {
      if (w == 8) {
        b.putDouble(x);
      } else {
        b.putFloat((float) x);
      }
    }
    Files.write(dir.resolve(name + ".bin"), b.array());
    db.longValue("SELECT MMAP(?, ?, ?)", name, name + ".bin", dtype);
  }

  private void h2Table(String name, String dtype, double[] v) throws SQLException {
    try (Statement s = h2.createStatement()) {
      s.execute("CREATE TABLE " + name + "(idx BIGINT, val " + (dtype.equals("f8") ? "DOUBLE" : "REAL") + ")");
    }
    try (PreparedStatement ps = h2.prepareStatement("INSERT INTO " + name + " VALUES (?, ?)")) {
      for (int i = 0; i < v.length; i++) {
        ps.setLong(1, i);
        ps.setDouble(2, v[i]);
        ps.executeUpdate();
      }
    }
  }

  private static List<List<Object>> doubles(List<List<Object>> rows) {
    List<List<Object>> out = new ArrayList<>();
    for (List<Object> row : rows) {
      out.add(row.stream().map(x -> x instanceof Number n ? (Object) n.doubleValue() : x).toList());
    }
    return out;
  }
}
