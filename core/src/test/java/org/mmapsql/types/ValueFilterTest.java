package org.mmapsql.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A condition on {@code val} that an aggregate's own loop answers ({@code
 * COUNT(*) ... WHERE val > ?}) keeps the rows the same condition keeps in a
 * row query, and the rows H2 keeps: with and without the plan cache, with
 * constants and with parameters, at the edges (zero written with many
 * decimals, the infinities, casts that lose information).
 */
class ValueFilterTest {
  @TempDir Path dir;
  private Connection mm;
  private Connection uncached;
  private Connection h2;

  @BeforeEach void open() throws SQLException {
    mm = DriverManager.getConnection("jdbc:mmap:" + dir);
    uncached = DriverManager.getConnection("jdbc:mmap:" + dir + ";planCache=false");
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
  }

  @AfterEach void close() throws SQLException {
    mm.close();
    uncached.close();
    h2.close();
  }

  /** Review finding 1: a zero with four decimals is still zero, not -0.5 ({@code val > 0.0000} is not {@code val >= 0}). */
  @Test void zeroWithManyDecimalsBoundsAnIntegerColumn() throws SQLException {
    table("ti", "i4", "INTEGER", "3", "261", "0", "5");
    for (String zero : List.of("0.0", "0.0000", "0.00000", "-0.00000")) {
      same("SELECT COUNT(*) FROM ti WHERE val > " + zero + " AND val < 262.5");
      same("SELECT COUNT(*) FROM ti WHERE val >= " + zero);
      same("SELECT COUNT(*) FROM ti WHERE val < " + zero);
      same("SELECT COUNT(*) FROM ti WHERE val <= " + zero);
      same("SELECT COUNT(*) FROM ti WHERE val > ?", new BigDecimal(zero));
      same("SELECT COUNT(*) FROM ti WHERE val <= ?", new BigDecimal(zero));
    }
    same("SELECT COUNT(*) FROM ti WHERE val > 0.001");
    same("SELECT COUNT(*) FROM ti WHERE val > -0.001");
  }

  /** Review finding 2: nothing is greater than +Infinity or less than -Infinity. */
  @Test void anExclusiveBoundAtAnInfinityKeepsNothing() throws SQLException {
    table("tf", "f8", "DOUBLE", "1", "CAST('Infinity' AS DOUBLE)", "CAST('-Infinity' AS DOUBLE)", "2");
    for (double inf : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      for (String op : List.of(">", ">=", "<", "<=", "=")) {
        same("SELECT COUNT(*) FROM tf WHERE val " + op + " ?", inf);
        same("SELECT idx FROM tf WHERE val " + op + " ? ORDER BY idx", inf);
      }
    }
  }

  /** Review finding 3: a cast that rounds or overflows is not answered as if it were the column itself. */
  @Test void aCastThatLosesInformationIsNotTheColumn() throws SQLException {
    table("tf", "f8", "DOUBLE", "1.00000001", "2");
    same("SELECT COUNT(*) FROM tf WHERE CAST(val AS REAL) = 1e0");
    same("SELECT COUNT(*) FROM tf WHERE CAST(val AS REAL) <= ?", 1.0);
    same("SELECT COUNT(*) FROM tf WHERE CAST(val AS INTEGER) = 1");
    table("ti", "i4", "INTEGER", "3", "261", "0", "5");
    same("SELECT COUNT(*) FROM ti WHERE CAST(val AS TINYINT) = 5");
    same("SELECT COUNT(*) FROM ti WHERE CAST(val AS SMALLINT) = 5");
    // widening casts stay exact
    same("SELECT COUNT(*) FROM ti WHERE CAST(val AS BIGINT) > 4");
    same("SELECT COUNT(*) FROM ti WHERE CAST(val AS DOUBLE) > 4.5e0");
  }

  /**
   * Review finding 4: a parameter compared with an integer column is typed as that integer, so it must be
   * a whole number: a fraction is refused (22003) by the aggregate and the row query alike, where the row
   * query truncated it and the aggregate compared it exactly; a number given as text is that number in both.
   */
  @Test void aParameterComparedWithAnIntegerColumnIsWholeOrRefused() throws SQLException {
    table("ti", "i4", "INTEGER", "3", "261", "0", "5");
    for (Object fraction : List.of(new BigDecimal("-0.5"), new BigDecimal("3.0000001"), 2.5, "0.5")) {
      for (String sql : List.of("SELECT COUNT(*) FROM ti WHERE val > ?", "SELECT idx FROM ti WHERE val > ? ORDER BY idx",
          "SELECT COUNT(*) FROM ti WHERE val = ?", "SELECT idx FROM ti WHERE val = ? ORDER BY idx")) {
        for (Connection c : List.of(mm, uncached)) {
          assertEquals("SQLSTATE 22003", run(c, sql, fraction), () -> sql + " with " + fraction);
        }
      }
    }
    for (Object whole : List.of(new BigDecimal("3.000"), new BigDecimal("-1"), 5.0, "0.0000", " 261 ", 0L)) {
      Object h2Value = new BigDecimal(whole.toString().trim());
      for (String sql : List.of("SELECT COUNT(*) FROM ti WHERE val > ?", "SELECT idx FROM ti WHERE val > ? ORDER BY idx",
          "SELECT COUNT(*) FROM ti WHERE val = ?", "SELECT idx FROM ti WHERE val = ? ORDER BY idx")) {
        String expected = run(h2, sql, h2Value);
        for (Connection c : List.of(mm, uncached)) {
          assertEquals(expected, run(c, sql, whole), () -> sql + " with " + whole);
        }
      }
    }
  }

  /** Creates {@code name} in mmapsql (dtype {@code dtype}) and in H2 (column type {@code h2Type}) with the values. */
  private void table(String name, String dtype, String h2Type, String... values) throws SQLException {
    Sql.mmap(mm, name, name + "." + dtype, dtype, null);
    Sql.update(h2, "CREATE TABLE " + name + "(idx BIGINT PRIMARY KEY, val " + h2Type + ")");
    for (int i = 0; i < values.length; i++) {
      Sql.update(mm, "INSERT INTO " + name + "(val) VALUES (" + values[i] + ")");
      Sql.update(h2, "INSERT INTO " + name + " VALUES (" + i + ", " + values[i] + ")");
    }
  }

  /** {@code sql} gives H2's rows (or fails with H2's SQLSTATE) with and without the plan cache. */
  private void same(String sql, Object... params) throws SQLException {
    String expected = run(h2, sql, params);
    for (Connection c : List.of(mm, uncached, mm)) {
      assertEquals(expected, run(c, sql, params), () -> sql + " " + List.of(params));
    }
  }

  private static String run(Connection c, String sql, Object... params) {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      List<List<Object>> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            row.add(rs.getLong(i));
          }
          rows.add(row);
        }
      }
      return rows.toString();
    } catch (SQLException e) {
      return "SQLSTATE " + e.getSQLState();
    }
  }
}
