package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.jdbc.FewRowsResultSet;
import org.mmapsql.plan.DirectExecution;

/**
 * The result set of a statement that ran directly ({@code FewRowsResultSet})
 * answers every getter as Avatica's result set answers the same rows (the one
 * a plan with a sort on top still gets), for every column type: values,
 * {@code getObject}'s classes, {@code wasNull}, errors, metadata; its values
 * and NULLs are H2's; and it keeps JDBC's rules: closed by the next execution
 * and with its statement, {@code closeOnCompletion}, {@code maxRows}, errors
 * after close, {@code getStatement}, {@code unwrap}.
 */
class FewRowsResultSetTest {
  /** dtype, the values written (SQL literals), the H2 column type for the same values. */
  private static final String[][] TYPES = {
      {"int8", "-128, 0, 7, 127", "TINYINT"},
      {"int16", "-32768, 0, 300, 32767", "SMALLINT"},
      {"int32", "-2147483648, 0, 70000, 2147483647", "INTEGER"},
      {"int64", "-9223372036854775808, 0, 5000000000, 9223372036854775807", "BIGINT"},
      {"uint8", "0, 1, 200, 255", "SMALLINT"},
      {"uint64", "0, 1, 9223372036854775808, 18446744073709551615", "DECIMAL(20, 0)"},
      {"float32", "-1.5, 0, 0.1, 3.4e38", "REAL"},
      {"float64", "-1.5, 0, 0.1, 1e300", "DOUBLE"},
      {"bool", "true, false, true, false", "BOOLEAN"},
      {"longdouble", "-1.5, NULL, 0.25, 1e20", "DECIMAL(40, 19)"},
      {"datetime64[ms]", "TIMESTAMP '2020-01-02 03:04:05.123', NULL, TIMESTAMP '1969-12-31 23:59:59.999',"
          + " TIMESTAMP '2038-01-19 03:14:08'", "TIMESTAMP(3)"},
  };

  @TempDir Path dir;
  private TestDb mm;
  private Connection h2;

  @BeforeEach void setUp() throws SQLException {
    mm = TestDb.open(dir);
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
    for (int t = 0; t < TYPES.length; t++) {
      mm.scalar("SELECT MMAP('t" + t + "', 't" + t + ".bin', '" + TYPES[t][0] + "')");
      TestDb.update(h2, "CREATE TABLE t" + t + "(idx BIGINT PRIMARY KEY, val " + TYPES[t][2] + ")");
      String[] values = TYPES[t][1].split(", ");
      for (int i = 0; i < values.length; i++) {
        mm.update("INSERT INTO t" + t + "(val) VALUES (" + values[i] + ")");
        TestDb.update(h2, "INSERT INTO t" + t + " VALUES (" + i + ", " + values[i] + ")");
      }
    }
  }

  @AfterEach void tearDown() throws SQLException {
    h2.close();
    mm.close();
  }

  /** Every getter, by index and by label, of a direct read and of Avatica's result set of the same rows. */
  @Test void everyGetterAnswersAsAvaticasResultSet() throws SQLException {
    for (int t = 0; t < TYPES.length; t++) {
      String direct = "SELECT idx, val FROM t" + t + " WHERE idx = ?";
      String sorted = direct + " ORDER BY idx"; // a sort on top: not a direct plan
      try (PreparedStatement d = mm.conn.prepareStatement(direct);
          PreparedStatement a = mm.conn.prepareStatement(sorted)) {
        for (long i = 0; i < 5; i++) {
          d.setLong(1, i);
          a.setLong(1, i);
          long runs = DirectExecution.directRuns();
          try (ResultSet rd = d.executeQuery()) {
            assertEquals(runs + 1, DirectExecution.directRuns(), "ran directly");
            assertTrue(rd.isWrapperFor(FewRowsResultSet.class), TYPES[t][0]);
            try (ResultSet ra = a.executeQuery()) {
              assertFalse(ra.isWrapperFor(FewRowsResultSet.class), "a sorted read is Avatica's");
              String what = TYPES[t][0] + " idx " + i;
              assertEquals(metadata(ra.getMetaData()), metadata(rd.getMetaData()), what);
              assertEquals(answers(ra), answers(rd), what);
            }
          }
        }
      }
    }
  }

  /** The values, classes and NULLs are H2's for the same statement. */
  @Test void valuesAndNullsAreH2s() throws SQLException {
    for (int t = 0; t < TYPES.length; t++) {
      String sql = "SELECT val FROM t" + t + " WHERE idx = ?";
      try (PreparedStatement m = mm.conn.prepareStatement(sql); PreparedStatement h = h2.prepareStatement(sql)) {
        for (long i = 0; i < 5; i++) {
          m.setLong(1, i);
          h.setLong(1, i);
          try (ResultSet rm = m.executeQuery(); ResultSet rh = h.executeQuery()) {
            String what = TYPES[t][0] + " idx " + i;
            assertTrue(rm.isWrapperFor(FewRowsResultSet.class), what);
            while (rh.next()) {
              assertTrue(rm.next(), what);
              Object hv = rh.getObject(1);
              Object mv = rm.getObject(1);
              assertEquals(rh.wasNull(), rm.wasNull(), what);
              if (hv instanceof Number hn) { // the classes are Avatica's (TINYINT a Byte), compared above
                assertEquals(0, new BigDecimal(hn.toString()).compareTo(new BigDecimal(mv.toString())),
                    what + ": " + hv + " vs " + mv);
              } else {
                assertEquals(hv, mv, what);
              }
              if (!(hv instanceof java.sql.Timestamp) && !(hv instanceof Boolean)) {
                assertEquals(rh.getDouble(1), rm.getDouble(1), what);
                assertEquals(rh.wasNull(), rm.wasNull(), what + ": wasNull after getDouble");
              }
            }
            assertFalse(rm.next(), what);
          }
        }
      }
    }
  }

  @Test void theNextExecutionAndTheStatementsCloseCloseIt() throws SQLException {
    try (PreparedStatement ps = mm.conn.prepareStatement("SELECT val FROM t7 WHERE idx = ?")) {
      ps.setLong(1, 0);
      ResultSet first = ps.executeQuery();
      assertSame(first, ps.getResultSet());
      assertEquals(-1, ps.getUpdateCount());
      assertSame(ps, first.getStatement());
      assertTrue(ps.execute());
      ResultSet second = ps.getResultSet();
      assertTrue(first.isClosed());
      assertFalse(second.isClosed());
      assertTrue(second.next());
      assertEquals(-1.5, second.getDouble(1));
      assertFalse(ps.getMoreResults());
      assertTrue(second.isClosed());
      ResultSet third = ps.executeQuery();
      ps.close();
      assertTrue(third.isClosed());
    }
    try (Statement s = mm.conn.createStatement()) {
      ResultSet count = s.executeQuery("SELECT COUNT(*) FROM t7");
      assertTrue(count.isWrapperFor(FewRowsResultSet.class), "COUNT(*) through a Statement runs directly");
      assertSame(count, s.getResultSet());
      assertSame(s, count.getStatement());
      assertTrue(s.execute("SELECT val FROM t7 WHERE idx = 1"));
      assertTrue(count.isClosed());
      ResultSet point = s.getResultSet();
      assertTrue(point.next());
      assertEquals(0.0, point.getDouble(1));
      assertEquals(1, s.executeUpdate("UPDATE t7 SET val = 0 WHERE idx = 1"));
      assertTrue(point.isClosed());
      assertNull(s.getResultSet());
      assertEquals(1, s.getUpdateCount());
      ResultSet last = s.executeQuery("SELECT COUNT(*) FROM t7");
      s.close();
      assertTrue(last.isClosed());
    }
  }

  @Test void closeOnCompletionClosesTheStatementWithItsResultSet() throws SQLException {
    PreparedStatement ps = mm.conn.prepareStatement("SELECT val FROM t7 WHERE idx = ?");
    ps.closeOnCompletion();
    ps.setLong(1, 2);
    ResultSet rs = ps.executeQuery();
    assertTrue(rs.next());
    assertFalse(ps.isClosed());
    rs.close();
    assertTrue(ps.isClosed());
    Statement s = mm.conn.createStatement();
    s.closeOnCompletion();
    s.executeQuery("SELECT COUNT(*) FROM t7").close();
    assertTrue(s.isClosed());
  }

  /** Errors after close, and the other errors of a result set, are those of Avatica's result set. */
  @Test void errorsAreAvaticas() throws SQLException {
    try (PreparedStatement d = mm.conn.prepareStatement("SELECT idx, val FROM t7 WHERE idx = ?");
        PreparedStatement a = mm.conn.prepareStatement("SELECT idx, val FROM t7 WHERE idx = ? ORDER BY idx")) {
      d.setLong(1, 1);
      a.setLong(1, 1);
      ResultSet rd = d.executeQuery();
      ResultSet ra = a.executeQuery();
      assertEquals(error(() -> ra.getDouble(3)), error(() -> rd.getDouble(3)));
      assertEquals(error(() -> ra.getDouble("nope")), error(() -> rd.getDouble("nope")));
      assertEquals(error(ra::previous), error(rd::previous));
      assertEquals(error(() -> {
        ra.updateDouble(2, 1);
        return null;
      }), error(() -> {
        rd.updateDouble(2, 1);
        return null;
      }));
      assertEquals(error(() -> ra.unwrap(Connection.class)), error(() -> rd.unwrap(Connection.class)));
      assertEquals(ra.getType(), rd.getType());
      assertEquals(ra.getConcurrency(), rd.getConcurrency());
      assertEquals(ra.getHoldability(), rd.getHoldability());
      assertEquals(ra.getFetchSize(), rd.getFetchSize());
      assertNull(rd.getWarnings());
      assertSame(rd, rd.unwrap(ResultSet.class));
      ra.close();
      rd.close();
      assertEquals(error(ra::next), error(rd::next));
      assertEquals(error(() -> ra.getDouble(2)), error(() -> rd.getDouble(2)));
      assertEquals(error(ra::getMetaData), error(rd::getMetaData));
      assertEquals(error(ra::wasNull), error(rd::wasNull));
      assertEquals(error(ra::getStatement), error(rd::getStatement));
    }
  }

  @Test void maxRowsAndFetchSizeHold() throws SQLException {
    String sql = "SELECT idx, val FROM t7 WHERE idx IN (0, 1, 2, 3)";
    try (Statement s = mm.conn.createStatement(); Statement h = h2.createStatement()) {
      s.setMaxRows(2);
      h.setMaxRows(2);
      s.setFetchSize(3);
      try (ResultSet rs = s.executeQuery(sql); ResultSet hs = h.executeQuery(sql + " ORDER BY idx")) {
        assertTrue(rs.isWrapperFor(FewRowsResultSet.class));
        assertEquals(3, rs.getFetchSize());
        assertEquals(TestDb.drain(hs), TestDb.drain(rs));
      }
    }
  }

  /** JDBC: setMaxRows applies to the executions after it, also of a statement prepared before it. */
  @Test void aPreparedStatementsMaxRowsHolds() throws SQLException {
    for (String sql : List.of("SELECT idx, val FROM t7 WHERE idx IN (?, 1, 2, 3)",
        "SELECT idx, val FROM t7 WHERE idx >= ? ORDER BY idx")) {
      try (PreparedStatement ps = mm.conn.prepareStatement(sql);
           PreparedStatement hp = h2.prepareStatement(sql.contains("ORDER") ? sql : sql + " ORDER BY idx")) {
        ps.setLong(1, 0);
        hp.setLong(1, 0);
        ps.setMaxRows(2);
        hp.setMaxRows(2);
        try (ResultSet rs = ps.executeQuery(); ResultSet hs = hp.executeQuery()) {
          assertEquals(TestDb.drain(hs), TestDb.drain(rs), sql);
        }
      }
    }
  }

  @Test void aPointUpdateIsCountedWithoutAResultSet() throws SQLException {
    try (PreparedStatement ps = mm.conn.prepareStatement("UPDATE t7 SET val = ? WHERE idx = ?")) {
      ps.setDouble(1, 2.5);
      ps.setLong(2, 3);
      long runs = DirectExecution.directRuns();
      assertEquals(1, ps.executeUpdate());
      assertFalse(ps.execute());
      assertEquals(1, ps.getUpdateCount());
      assertNull(ps.getResultSet());
      ps.setLong(2, 4);
      assertEquals(0, ps.executeUpdate(), "no row 4");
      assertEquals(runs + 3, DirectExecution.directRuns());
    }
    assertEquals(2.5, mm.scalar("SELECT val FROM t7 WHERE idx = 3"));
  }

  // ------------------------------------------------ helpers

  private static List<Object> metadata(ResultSetMetaData md) throws SQLException {
    List<Object> out = new ArrayList<>();
    for (int c = 1; c <= md.getColumnCount(); c++) {
      out.addAll(List.of(md.getColumnName(c), md.getColumnLabel(c), md.getColumnType(c), md.getColumnTypeName(c),
          md.getColumnClassName(c), md.getPrecision(c), md.getScale(c), md.isNullable(c), md.isSigned(c),
          md.getColumnDisplaySize(c), md.getTableName(c), md.getSchemaName(c), md.isAutoIncrement(c),
          md.isCaseSensitive(c), md.isSearchable(c), md.isCurrency(c), md.isReadOnly(c), md.isWritable(c)));
    }
    return out;
  }

  /** What every getter answers (value, or error), with wasNull after each, for each row, then at the end. */
  private static List<String> answers(ResultSet rs) throws SQLException {
    List<String> out = new ArrayList<>();
    out.add("before first " + rs.isBeforeFirst() + " row " + rs.getRow());
    while (rs.next()) {
      out.add("row " + rs.getRow() + " first " + rs.isFirst());
      int n = rs.getMetaData().getColumnCount();
      for (int c = 1; c <= n; c++) {
        String label = rs.getMetaData().getColumnLabel(c);
        int i = c;
        List<Getter> getters = List.of(
            () -> rs.getString(i), () -> rs.getBoolean(i), () -> rs.getByte(i), () -> rs.getShort(i),
            () -> rs.getInt(i), () -> rs.getLong(i), () -> rs.getFloat(i), () -> rs.getDouble(i),
            () -> rs.getBigDecimal(i), () -> rs.getBytes(i), () -> rs.getDate(i), () -> rs.getTime(i),
            () -> rs.getTimestamp(i), () -> rs.getObject(i), () -> rs.getObject(i, Long.class),
            () -> rs.getObject(i, Double.class), () -> rs.getObject(i, BigDecimal.class),
            () -> rs.getObject(i, String.class), () -> rs.getNString(i),
            () -> rs.getString(label), () -> rs.getLong(label), () -> rs.getDouble(label),
            () -> rs.getObject(label), () -> rs.getBigDecimal(label), () -> rs.getTimestamp(label),
            () -> rs.findColumn(label));
        for (int g = 0; g < getters.size(); g++) {
          String v = value(getters.get(g));
          out.add(c + "/" + g + " " + v + " wasNull " + rs.wasNull());
        }
      }
    }
    out.add("after last " + rs.isAfterLast() + " row " + rs.getRow());
    return out;
  }

  private interface Getter {
    Object get() throws SQLException;
  }

  private static String value(Getter g) {
    try {
      Object v = g.get();
      return v == null ? "null" : v.getClass().getSimpleName() + ":" + (v instanceof byte[] b
          ? java.util.Arrays.toString(b) : v);
    } catch (SQLException | RuntimeException e) {
      return error(e);
    }
  }

  private static String error(Getter g) {
    try {
      g.get();
      return "no error";
    } catch (SQLException | RuntimeException e) {
      return error(e);
    }
  }

  private static String error(Exception e) {
    // without the object ids Avatica's messages name (an accessor's)
    return e.getClass().getSimpleName() + " " + (e instanceof SQLException s ? s.getSQLState() : "") + " "
        + String.valueOf(e.getMessage()).replaceAll("@[0-9a-f]+", "@");
  }
}
