package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each integer and float dtype against an H2 table of the matching SQL type
 * (unsigned types as the wider type with a CHECK of the range): random
 * appends (some values out of range), updates and aggregates give the same
 * rows, the same exact SUM, AVG, MIN and MAX, and fail on the same values.
 */
class TypedDifferentialTest {
  @org.junit.jupiter.api.io.TempDir Path dir;
  private TestDb mm;
  private Connection h2;

  static Stream<Arguments> types() {
    return Stream.of(
        Arguments.of("i1", "TINYINT", -128L, 127L),
        Arguments.of(">i2", "SMALLINT", -32768L, 32767L),
        Arguments.of("int32", "INTEGER", (long) Integer.MIN_VALUE, (long) Integer.MAX_VALUE),
        Arguments.of("i8", "BIGINT", Long.MIN_VALUE, Long.MAX_VALUE),
        Arguments.of("u1", "SMALLINT CHECK (val BETWEEN 0 AND 255)", 0L, 255L),
        Arguments.of("<u2", "INTEGER CHECK (val BETWEEN 0 AND 65535)", 0L, 65535L),
        Arguments.of("uint32", "BIGINT CHECK (val BETWEEN 0 AND 4294967295)", 0L, 4294967295L),
        Arguments.of("u8", "NUMERIC(20) CHECK (val BETWEEN 0 AND 18446744073709551615)", 0L, -1L),
        Arguments.of("f4", "REAL", 0L, 0L),
        Arguments.of(">f8", "DOUBLE", 0L, 0L));
  }

  @BeforeEach void setUp() throws SQLException {
    mm = TestDb.open(dir);
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
  }

  @AfterEach void tearDown() throws Exception {
    h2.close();
    mm.close();
  }

  @ParameterizedTest @MethodSource("types")
  void sameRowsAggregatesAndErrorsAsH2(String type, String h2Type, long min, long max) throws Exception {
    mm.scalar("SELECT MMAP('t', 't.bin', '" + type + "')");
    TestDb.update(h2, "CREATE TABLE t(idx BIGINT PRIMARY KEY, val " + h2Type + ")");
    boolean floats = type.contains("f");
    BigInteger lo = BigInteger.valueOf(min);
    BigInteger hi = max == -1 ? BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE) : BigInteger.valueOf(max);
    Random rnd = new Random(type.hashCode());
    long n = 0;
    for (int op = 0; op < 120; op++) {
      String value;
      if (floats) {
        value = Integer.toString(rnd.nextInt(2001) - 1000) + ".25";
      } else {
        BigInteger v = switch (rnd.nextInt(6)) {
          case 0 -> lo;
          case 1 -> hi;
          case 2 -> hi.add(BigInteger.ONE);
          case 3 -> lo.subtract(BigInteger.ONE);
          default -> lo.add(new BigInteger(hi.subtract(lo).bitLength(), rnd).mod(hi.subtract(lo).add(BigInteger.ONE)));
        };
        value = v.toString();
      }
      boolean update = n > 0 && rnd.nextInt(3) == 0;
      long at = update ? rnd.nextLong(n) : n;
      String m = update ? "UPDATE t SET val = " + value + " WHERE idx = " + at
          : "INSERT INTO t(val) VALUES (" + value + ")";
      String h = update ? m : "INSERT INTO t(idx, val) VALUES (" + at + ", " + value + ")";
      boolean h2Failed = fails(h2, h);
      boolean mmFailed = fails(mm.conn, m);
      assertEquals(h2Failed, mmFailed, type + ": " + m + (h2Failed ? " fails on H2 only" : " fails on mmapsql only"));
      if (!update && !h2Failed) {
        n++;
      }
      String q = "SELECT SUM(val), MIN(val), MAX(val), AVG(val), COUNT(*) FROM t";
      if (op % 10 == 9 && type.equals("i8") && !new BigDecimal(TestDb.scalar(h2, "SELECT COALESCE(SUM(val), 0) FROM t").toString())
          .toBigInteger().equals(BigInteger.valueOf(new BigDecimal(TestDb.scalar(h2, "SELECT COALESCE(SUM(val), 0) FROM t").toString()).longValue()))) {
        mm.fails(q, "does not fit its type BIGINT"); // the exact sum is beyond BIGINT: refused, never wrapped
        continue;
      }
      if (op % 10 == 9) {
        assertEquals(aggregates(h2, q, floats), aggregates(mm.conn, q, floats), type + " after " + m);
        assertEquals(TestDb.rows(h2, "SELECT idx, CAST(val AS VARCHAR(40)) FROM t ORDER BY idx").size(),
            mm.rows("SELECT idx, val FROM t ORDER BY idx").size());
        assertEquals(strings(h2, "SELECT val FROM t ORDER BY idx", floats), strings(mm.conn, "SELECT val FROM t ORDER BY idx", floats));
      }
    }
    if (!floats) {
      // an exact SUM, where a sum in a long would wrap around
      mm.update("DELETE FROM t");
      TestDb.update(h2, "DELETE FROM t");
      for (int i = 0; i < 3; i++) {
        mm.update("INSERT INTO t(val) VALUES (" + hi + ")");
        TestDb.update(h2, "INSERT INTO t(idx, val) VALUES (" + i + ", " + hi + ")");
      }
      if (type.equals("i8")) {
        // SUM(BIGINT) is a BIGINT: the exact sum does not fit, and that is an error, not a wrapped value
        mm.fails("SELECT SUM(val) FROM t", "27670116110564327421", "does not fit");
        return;
      }
      assertEquals(new BigDecimal(hi.multiply(BigInteger.valueOf(3))), mm.scalar("SELECT SUM(val) FROM t") instanceof Number x
          ? new BigDecimal(x.toString()) : null);
      assertEquals(aggregates(h2, "SELECT SUM(val), MIN(val), MAX(val), AVG(val), COUNT(*) FROM t", false),
          aggregates(mm.conn, "SELECT SUM(val), MIN(val), MAX(val), AVG(val), COUNT(*) FROM t", false));
      // Calcite's own SUM (with a GROUP BY) is widened the same way
      assertEquals(new BigDecimal(hi.multiply(BigInteger.valueOf(3))),
          new BigDecimal(mm.scalar("SELECT SUM(val) FROM t GROUP BY idx / 10").toString()));
    }
    mm.update("DELETE FROM t");
    assertNull(mm.scalar("SELECT SUM(val) FROM t"));
  }

  private static boolean fails(Connection c, String sql) {
    try (Statement s = c.createStatement()) {
      s.executeUpdate(sql);
      return false;
    } catch (SQLException e) {
      return true;
    }
  }

  /** SUM, MIN and MAX exact as decimals (floats as doubles), AVG to 12 significant digits, COUNT. */
  private static List<Object> aggregates(Connection c, String sql, boolean floats) throws SQLException {
    List<Object> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      for (int i = 1; i <= 3; i++) {
        if (floats) {
          double d = rs.getDouble(i);
          out.add(rs.wasNull() ? null : d);
          continue;
        }
        BigDecimal d = rs.getBigDecimal(i);
        out.add(d == null ? null : d.stripTrailingZeros());
      }
      double avg = rs.getDouble(4);
      out.add(rs.wasNull() ? null : new BigDecimal(avg).round(new java.math.MathContext(12)));
      out.add(rs.getLong(5));
    }
    return out;
  }

  private static List<String> strings(Connection c, String sql, boolean floats) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(floats ? Double.toString(rs.getDouble(1)) : rs.getBigDecimal(1).toPlainString());
      }
    }
    return out;
  }
}
