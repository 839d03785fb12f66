package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Stream;

import org.apache.calcite.avatica.AvaticaResultSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmapsql.catalog.Database;
import org.mmapsql.jdbc.ScanCursor;
import org.mmapsql.storage.MappedArray;

/**
 * A statement that is a plain scan ({@code SELECT * FROM t}, with or without
 * an idx range) is read by {@link ScanCursor}, in place: every getter gives
 * what H2 gives for the same rows, for every dtype family; fetch sizes,
 * maxRows, a scan closed early and UPDATEs during a scan behave as JDBC and
 * the snapshot rules say.
 */
class ScanCursorTest {
  @TempDir Path dir;
  private TestDb mm;
  private Connection h2;

  @BeforeEach void setUp() throws SQLException {
    mm = TestDb.open(dir);
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
  }

  @AfterEach void tearDown() throws Exception {
    h2.close();
    mm.close();
  }

  /** dtype, MMAP options, H2's column type, a value for row i as SQL text. */
  static Stream<Arguments> types() {
    return Stream.of(
        Arguments.of(">f8", "", "DOUBLE", "1", 3),
        Arguments.of("f4", "", "REAL", "1", 3),
        Arguments.of("f2", "", "REAL", "1", 3),
        Arguments.of("i1", "", "TINYINT", "1", 1),
        Arguments.of(">i2", "", "SMALLINT", "1", 1),
        Arguments.of("int32", "", "INTEGER", "1", 1),
        Arguments.of("i8", "", "BIGINT", "1", 1),
        Arguments.of("u1", "", "SMALLINT", "1", 2),
        Arguments.of("<u2", "", "INTEGER", "1", 2),
        Arguments.of("uint32", "", "BIGINT", "1", 2),
        Arguments.of("u8", "", "NUMERIC(20)", "1", 2),
        Arguments.of("bool", "", "BOOLEAN", "1", 4),
        Arguments.of("string(6)", "", "CHAR(6)", "1", 5),
        Arguments.of("datetime64[ms]", "", "TIMESTAMP(3)", "1", 6),
        Arguments.of("f8", "columns=3", "DOUBLE", "3", 3),
        Arguments.of(">i4", "columns=2", "INTEGER", "2", 1));
  }

  /** A value of kind {@code kind} (1 signed, 2 unsigned, 3 float, 4 bool, 5 string, 6 timestamp) for row i. */
  private static String value(int kind, String dtype, Random rnd, int i) {
    return switch (kind) {
      case 1 -> Long.toString(rnd.nextInt(101) - 50);
      case 2 -> Long.toString(rnd.nextInt(200));
      case 3 -> (rnd.nextInt(1001) - 500) + ".25"; // exact in float16 too
      case 4 -> rnd.nextBoolean() ? "TRUE" : "FALSE";
      case 5 -> "'s" + rnd.nextInt(1000) + "'";
      default -> "TIMESTAMP '2026-01-0" + (1 + rnd.nextInt(9)) + " 10:00:0" + rnd.nextInt(10) + ".125'";
    };
  }

  @ParameterizedTest @MethodSource("types")
  void everyGetterAsH2(String dtype, String options, String h2Type, String width, int kind) throws Exception {
    int k = Integer.parseInt(width);
    mm.scalar("SELECT MMAP('t', 't.bin', '" + dtype + "'" + (options.isEmpty() ? "" : ", '" + options + "'") + ")");
    List<String> cols = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      cols.add(k == 1 ? "val" : "c" + c);
    }
    StringBuilder h2Cols = new StringBuilder("idx BIGINT PRIMARY KEY");
    cols.forEach(c -> h2Cols.append(", ").append(c).append(' ').append(h2Type));
    TestDb.update(h2, "CREATE TABLE t(" + h2Cols + ")");
    Random rnd = new Random(dtype.hashCode());
    int rows = 9_000; // more than two blocks
    for (int from = 0; from < rows; from += 500) {
      StringBuilder mv = new StringBuilder();
      StringBuilder hv = new StringBuilder();
      for (int i = from; i < from + 500; i++) {
        List<String> vals = new ArrayList<>();
        for (int c = 0; c < k; c++) {
          vals.add(value(kind, dtype, rnd, i));
        }
        mv.append(i == from ? "" : ", ").append('(').append(String.join(", ", vals)).append(')');
        hv.append(i == from ? "" : ", ").append('(').append(i).append(", ").append(String.join(", ", vals)).append(')');
      }
      mm.update("INSERT INTO t(" + String.join(", ", cols) + ") VALUES " + mv);
      TestDb.update(h2, "INSERT INTO t VALUES " + hv);
    }
    compare("SELECT * FROM t", "SELECT * FROM t ORDER BY idx", 1 + k, kind);
    compare("SELECT * FROM t WHERE idx BETWEEN 4000 AND 4100 OR idx > 8990",
        "SELECT * FROM t WHERE idx BETWEEN 4000 AND 4100 OR idx > 8990 ORDER BY idx", 1 + k, kind);
  }

  private void compare(String mmSql, String h2Sql, int columns, int kind) throws Exception {
    try (Statement ms = mm.conn.createStatement(); Statement hs = h2.createStatement()) {
      ms.setFetchSize(10_000);
      try (ResultSet m = ms.executeQuery(mmSql); ResultSet h = hs.executeQuery(h2Sql)) {
        assertInstanceOf(ScanCursor.class, cursor(m), "a plain scan is read in place");
        ResultSetMetaData md = m.getMetaData();
        assertEquals(columns, md.getColumnCount());
        int n = 0;
        while (h.next()) {
          assertTrue(m.next(), "row " + n);
          for (int c = 1; c <= columns; c++) {
            String at = mmSql + " row " + n + " column " + c;
            Object hv = h.getObject(c);
            Object mv = m.getObject(c);
            assertFalse(m.wasNull(), at);
            if (kind <= 3 || c == 1) {
              assertEquals(((Number) hv).doubleValue(), ((Number) mv).doubleValue(), at);
              assertEquals(h.getDouble(c), m.getDouble(c), at);
              assertEquals(h.getFloat(c), m.getFloat(c), at);
              assertEquals(h.getLong(c), m.getLong(c), at);
              assertEquals(h.getInt(c), m.getInt(c), at);
              assertEquals(h.getShort(c), m.getShort(c), at);
              assertEquals(new BigDecimal(h.getString(c)).compareTo(new BigDecimal(m.getString(c))), 0, at);
              assertEquals(0, h.getBigDecimal(c).compareTo(m.getBigDecimal(c)), at);
            } else if (kind == 4) {
              assertEquals(h.getBoolean(c), m.getBoolean(c), at);
              assertEquals(hv, mv, at);
            } else if (kind == 5) {
              assertEquals(Objects.toString(hv).strip(), Objects.toString(mv).strip(), at);
            } else {
              assertEquals(h.getTimestamp(c), m.getTimestamp(c), at);
            }
            assertFalse(m.wasNull(), at);
          }
          n++;
        }
        assertFalse(m.next(), "no more rows than H2");
        assertFalse(m.next(), "still none after the end");
      }
    }
  }

  /** The cursor behind a result set (Avatica keeps it in a protected field). */
  private static Object cursor(ResultSet rs) throws Exception {
    Field f = AvaticaResultSet.class.getDeclaredField("cursor");
    f.setAccessible(true);
    return f.get(rs.unwrap(AvaticaResultSet.class));
  }

  @Test void fetchSizesAndMaxRows() throws Exception {
    double[] v = new double[5000];
    for (int i = 0; i < v.length; i++) {
      v[i] = i + 0.5;
    }
    TestDb.writeDoubles(dir.resolve("t.f8"), v);
    mm.scalar("SELECT MMAP('t', 't.f8')");
    for (int fetch : new int[] {0, 1, 4096, 1_000_000}) {
      try (Statement s = mm.conn.createStatement()) {
        s.setFetchSize(fetch);
        try (ResultSet rs = s.executeQuery("SELECT * FROM t")) {
          long n = 0;
          while (rs.next()) {
            assertEquals(n, rs.getLong(1));
            assertEquals(n + 0.5, rs.getDouble("val"));
            n++;
          }
          assertEquals(5000, n, "fetch size " + fetch);
        }
      }
    }
    try (Statement s = mm.conn.createStatement()) {
      s.setMaxRows(10);
      try (ResultSet rs = s.executeQuery("SELECT * FROM t")) {
        int n = 0;
        while (rs.next()) {
          assertEquals(n + 0.5, rs.getDouble(2));
          n++;
        }
        assertEquals(10, n, "maxRows");
      }
    }
  }

  @Test void aScanClosedEarlyOrReadToTheEndLeavesNoSnapshot() throws Exception {
    TestDb.writeDoubles(dir.resolve("t.f8"), new double[10_000]);
    mm.scalar("SELECT MMAP('t', 't.f8')");
    try (Statement s = mm.conn.createStatement()) {
      ResultSet early = s.executeQuery("SELECT * FROM t");
      assertTrue(early.next());
      assertEquals(1, openSnapshots());
      early.close();
      assertEquals(0, openSnapshots(), "closed early");
      try (ResultSet all = s.executeQuery("SELECT * FROM t")) {
        while (all.next()) {
          all.getDouble(2);
        }
        assertEquals(0, openSnapshots(), "read to the end, still open");
      }
    }
  }

  @Test void aScanSeesEachUpdateWholeOrNotAtAll() throws Exception {
    java.nio.file.Files.write(dir.resolve("t.i8"), new byte[20_000 * 16]);
    mm.scalar("SELECT MMAP('t', 't.i8', 'i8', 'columns=2')");
    try (Connection other = DriverManager.getConnection("jdbc:mmap:" + dir);
        Statement w = other.createStatement(); Statement s = mm.conn.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT * FROM t")) {
        for (int round = 1; rs.next(); round++) {
          // c0 = c1 in every version of every row, and no row of this scan sees an UPDATE made after it began
          assertEquals(rs.getLong(2), rs.getLong(3));
          assertEquals(0, rs.getLong(2), "row " + rs.getLong(1));
          if (round % 3000 == 1) {
            w.executeUpdate("UPDATE t SET c0 = c0 + 1, c1 = c1 + 1");
          }
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT * FROM t WHERE idx BETWEEN 100 AND 200")) {
        assertTrue(rs.next());
        assertNotEquals(0, rs.getLong(2), "a new scan sees the UPDATEs");
      }
    }
  }

  private int openSnapshots() {
    Database db = Database.open(dir, Database.Settings.DEFAULT);
    try {
      MappedArray a = db.binding("t").array();
      return a.openSnapshots();
    } finally {
      db.release();
    }
  }
}
