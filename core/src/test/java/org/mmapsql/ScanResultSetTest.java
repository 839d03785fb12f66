package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain scan's result set moves within a block and reads {@code getLong} /
 * {@code getDouble} of the block's columns itself, not through Avatica's
 * result set: its position ({@code getRow}, {@code isFirst}, before first,
 * after last), its NULLs and {@code wasNull} between those getters and the
 * others, {@code maxRows} of a Statement and a PreparedStatement, and its
 * closing and cancel rules stay what H2 (values) and Avatica's result set of
 * the same rows (errors) say, over several blocks.
 */
class ScanResultSetTest {
  /** More rows than two blocks of 8-byte rows hold. */
  private static final int ROWS = 40_000;

  @TempDir Path dir;
  private TestDb mm;
  private Connection h2;

  @BeforeEach void setUp() throws SQLException {
    mm = TestDb.open(dir);
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
    double[] v = new double[ROWS];
    for (int i = 0; i < ROWS; i++) {
      v[i] = i * 0.5 - 7;
    }
    v[3] = Double.NaN;
    v[5] = Double.POSITIVE_INFINITY;
    TestDb.writeDoubles(dir.resolve("t.f8"), v);
    mm.scalar("SELECT MMAP('t', 't.f8')");
    TestDb.update(h2, "CREATE TABLE t(idx BIGINT PRIMARY KEY, val DOUBLE)");
    h2.setAutoCommit(false);
    try (PreparedStatement ps = h2.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
      for (int i = 0; i < ROWS; i++) {
        ps.setLong(1, i);
        ps.setDouble(2, v[i]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    h2.commit();
    h2.setAutoCommit(true);
  }

  @AfterEach void tearDown() throws SQLException {
    h2.close();
    mm.close();
  }

  /** Every row's values, classes and position are H2's, block after block. */
  @Test void valuesAndPositionAreH2s() throws SQLException {
    try (Statement s = mm.conn.createStatement(); Statement h = h2.createStatement();
        ResultSet m = s.executeQuery("SELECT idx, val FROM t");
        ResultSet r = h.executeQuery("SELECT idx, val FROM t ORDER BY idx")) {
      assertTrue(m.isBeforeFirst());
      assertEquals(r.getRow(), m.getRow());
      int n = 0;
      while (r.next()) {
        assertTrue(m.next(), "row " + n);
        String at = "row " + n;
        assertEquals(r.getRow(), m.getRow(), at);
        assertEquals(r.isFirst(), m.isFirst(), at);
        assertEquals(r.isBeforeFirst(), m.isBeforeFirst(), at);
        assertEquals(r.isAfterLast(), m.isAfterLast(), at);
        assertEquals(r.getLong(1), m.getLong(1), at);
        assertEquals(r.getDouble(2), m.getDouble(2), at);
        assertFalse(m.wasNull(), at);
        if (n % 997 == 0 || n < 10) {
          assertEquals(r.getObject(1), m.getObject(1), at);
          assertEquals(r.getObject(2), m.getObject(2), at);
          assertEquals(r.getFloat(2), m.getFloat(2), at);
          assertEquals(r.getDouble(1), m.getDouble(1), at);
          assertEquals(r.getInt(1), m.getInt(1), at);
          assertEquals(0, r.getBigDecimal(1).compareTo(m.getBigDecimal(1)), at);
          assertEquals(r.getString(1), m.getString(1), at);
          assertEquals(Double.parseDouble(r.getString(2)), Double.parseDouble(m.getString(2)), at);
          assertEquals(r.getDouble("VAL"), m.getDouble("val"), at);
          assertEquals(r.getLong("IDX"), m.getLong("idx"), at);
        }
        n++;
      }
      assertFalse(m.next());
      assertEquals(ROWS, n);
      assertEquals(r.getRow(), m.getRow(), "after the end");
      assertEquals(r.isAfterLast(), m.isAfterLast(), "after the end");
      assertFalse(m.next(), "still none");
    }
  }

  /** Before the first row and after the last (a last block shorter than the one before it), a getter fails, as H2's. */
  @Test void gettersOffARowFailAsH2s() throws SQLException {
    try (Statement s = mm.conn.createStatement(); Statement h = h2.createStatement();
        ResultSet m = s.executeQuery("SELECT idx, val FROM t");
        ResultSet r = h.executeQuery("SELECT idx, val FROM t ORDER BY idx")) {
      offRow(r, m, "before the first row");
      while (r.next()) {
        assertTrue(m.next());
      }
      assertFalse(m.next());
      offRow(r, m, "after the last row");
    }
  }

  private static void offRow(ResultSet h2, ResultSet mm, String where) {
    for (ResultSet rs : List.of(h2, mm)) {
      String what = (rs == h2 ? "H2 " : "mmapsql ") + where;
      assertThrows(SQLException.class, () -> rs.getLong(1), what);
      assertThrows(SQLException.class, () -> rs.getDouble(2), what);
      assertThrows(SQLException.class, () -> rs.getObject(1), what);
      assertThrows(SQLException.class, () -> rs.getObject(2), what);
      assertThrows(SQLException.class, () -> rs.getString(2), what);
    }
  }

  /** NULLs of the dtypes that have them, and wasNull after the block's own getters, are H2's. */
  @Test void nullsAndWasNullAreH2s() throws SQLException {
    String[][] types = {
        {"longdouble", "-1.5, NULL, 0.25, 1e20, NULL", "DECIMAL(40, 19)"},
        {"datetime64[ms]", "TIMESTAMP '2020-01-02 03:04:05.123', NULL, TIMESTAMP '1969-12-31 23:59:59.999', NULL,"
            + " TIMESTAMP '2038-01-19 03:14:08'", "TIMESTAMP(3)"},
    };
    for (int t = 0; t < types.length; t++) {
      String table = "n" + t;
      mm.scalar("SELECT MMAP('" + table + "', '" + table + ".bin', '" + types[t][0] + "')");
      TestDb.update(h2, "CREATE TABLE " + table + "(idx BIGINT PRIMARY KEY, val " + types[t][2] + ")");
      String[] values = types[t][1].split(", ");
      for (int i = 0; i < values.length; i++) {
        mm.update("INSERT INTO " + table + "(val) VALUES (" + values[i] + ")");
        TestDb.update(h2, "INSERT INTO " + table + " VALUES (" + i + ", " + values[i] + ")");
      }
      try (Statement s = mm.conn.createStatement(); Statement h = h2.createStatement();
          ResultSet m = s.executeQuery("SELECT * FROM " + table);
          ResultSet r = h.executeQuery("SELECT * FROM " + table + " ORDER BY idx")) {
        while (r.next()) {
          assertTrue(m.next());
          String at = types[t][0] + " row " + r.getLong(1);
          Object hv = r.getObject(2);
          Object mv = m.getObject(2);
          assertEquals(r.wasNull(), m.wasNull(), at);
          assertEquals(r.getLong(1), m.getLong(1), at);
          assertEquals(r.wasNull(), m.wasNull(), at + ": wasNull after the idx");
          if (t == 0) {
            assertEquals(Objects.isNull(hv), Objects.isNull(mv), at);
            if (hv != null) {
              assertEquals(0, ((BigDecimal) hv).compareTo((BigDecimal) mv), at);
            }
            assertEquals(r.getDouble(2), m.getDouble(2), at);
          } else {
            assertEquals(r.getTimestamp(2), m.getTimestamp(2), at);
            assertEquals(Objects.isNull(hv), Objects.isNull(mv), at);
          }
          assertEquals(r.wasNull(), m.wasNull(), at + ": wasNull after the value");
          assertEquals(r.getDouble(1), m.getDouble(1), at);
          assertEquals(r.wasNull(), m.wasNull(), at + ": wasNull after the idx again");
        }
        assertFalse(m.next());
      }
    }
  }

  /** maxRows beyond a block, of a Statement and of a PreparedStatement (also set after it was prepared). */
  @Test void maxRowsHoldsAcrossBlocks() throws SQLException {
    for (int max : new int[] {1, 16_385, 30_000}) {
      try (Statement s = mm.conn.createStatement(); Statement h = h2.createStatement()) {
        s.setMaxRows(max);
        h.setMaxRows(max);
        try (ResultSet m = s.executeQuery("SELECT * FROM t");
            ResultSet r = h.executeQuery("SELECT * FROM t ORDER BY idx")) {
          assertEquals(TestDb.drain(r), TestDb.drain(m), "Statement, maxRows " + max);
          assertEquals(r.getRow(), m.getRow());
        }
      }
      try (PreparedStatement ps = mm.conn.prepareStatement("SELECT idx, val FROM t");
          PreparedStatement hp = h2.prepareStatement("SELECT idx, val FROM t ORDER BY idx")) {
        ps.setMaxRows(max);
        hp.setMaxRows(max);
        try (ResultSet m = ps.executeQuery(); ResultSet r = hp.executeQuery()) {
          assertEquals(TestDb.drain(r), TestDb.drain(m), "PreparedStatement, maxRows " + max);
        }
        ps.setMaxRows(0);
        try (ResultSet m = ps.executeQuery()) {
          assertEquals(ROWS, TestDb.drain(m).size(), "no limit again");
        }
      }
    }
  }

  /**
   * Closed in the middle of a block (by itself, the next execution, the
   * statement, getMoreResults, closeOnCompletion) or canceled there, a scan's
   * result set fails as Avatica's result set of the same rows (a sort on top) does.
   */
  @Test void closingAndCancelAreAvaticas() throws SQLException {
    String scan = "SELECT idx, val FROM t";
    String sorted = scan + " ORDER BY idx";
    try (Statement s = mm.conn.createStatement(); Statement a = mm.conn.createStatement()) {
      ResultSet m = s.executeQuery(scan);
      ResultSet r = a.executeQuery(sorted);
      for (int i = 0; i < 20_000; i++) { // into the second block
        assertTrue(m.next());
        assertTrue(r.next());
      }
      m.close();
      r.close();
      sameError(m::next, r::next);
      sameError(() -> m.getLong(1), () -> r.getLong(1));
      sameError(() -> m.getDouble(2), () -> r.getDouble(2));
      sameError(() -> m.getObject(2), () -> r.getObject(2));
      sameError(m::getRow, r::getRow);
      sameError(m::isFirst, r::isFirst);
      sameError(m::wasNull, r::wasNull);
      assertTrue(error(m::next).contains("closed"), error(m::next));

      ResultSet first = s.executeQuery(scan);
      assertTrue(first.next());
      assertTrue(first.next());
      ResultSet second = s.executeQuery(scan);
      assertTrue(first.isClosed(), "the next execution closes it");
      assertEquals("SQLException null ResultSet closed", error(first::next));
      assertTrue(s.execute(scan));
      assertTrue(second.isClosed());
      ResultSet third = s.getResultSet();
      assertTrue(third.next());
      assertFalse(s.getMoreResults());
      assertTrue(third.isClosed(), "getMoreResults closes it");

      ResultSet canceled = s.executeQuery(scan);
      ResultSet canceledSorted = a.executeQuery(sorted);
      for (int i = 0; i < 5; i++) {
        assertTrue(canceled.next());
        assertTrue(canceledSorted.next());
      }
      s.cancel();
      a.cancel();
      String e = error(canceled::next);
      assertEquals(error(canceledSorted::next), e);
      assertTrue(e.contains("canceled"), e);
    }
    try (PreparedStatement ps = mm.conn.prepareStatement(scan)) {
      ResultSet first = ps.executeQuery();
      assertTrue(first.next());
      ResultSet second = ps.executeQuery();
      assertTrue(first.isClosed());
      assertTrue(second.next());
      ps.close();
      assertTrue(second.isClosed(), "the statement's close closes it");
      assertEquals("SQLException null ResultSet closed", error(() -> second.getDouble(2)));
    }
    PreparedStatement ps = mm.conn.prepareStatement(scan);
    ps.closeOnCompletion();
    ResultSet rs = ps.executeQuery();
    assertTrue(rs.next());
    assertTrue(rs.next());
    rs.close();
    assertTrue(ps.isClosed(), "closeOnCompletion");
    Statement s = mm.conn.createStatement();
    s.closeOnCompletion();
    s.executeQuery(scan).close();
    assertTrue(s.isClosed(), "closeOnCompletion of a Statement");
  }

  private interface Getter {
    Object get() throws SQLException;
  }

  private static void sameError(Getter scan, Getter avatica) {
    assertEquals(error(avatica), error(scan));
  }

  private static String error(Getter g) {
    try {
      g.get();
      return "no error";
    } catch (SQLException | RuntimeException e) {
      return e.getClass().getSimpleName() + " " + (e instanceof SQLException s ? s.getSQLState() : "") + " "
          + e.getMessage();
    }
  }
}
