package org.mmapsql.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** JDBC and file helpers for the typed-array tests (kept apart from core's shared TestDb). */
public final class Sql {
  private Sql() {
  }

  public static int update(Connection c, String sql, Object... params) throws SQLException {
    if (params.length == 0) {
      try (Statement s = c.createStatement()) {
        return s.executeUpdate(sql);
      }
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps.executeUpdate();
    }
  }

  /** Rows as JDBC objects. */
  public static List<List<Object>> rows(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      List<List<Object>> out = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getObject(i));
        }
        out.add(row);
      }
      return out;
    }
  }

  /** Rows with every column after the first {@code skip} read as {@code type} (canonical form); the first ones as long. */
  public static List<List<Object>> typedRows(Connection c, String sql, int skip, Dtype type) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      List<List<Object>> out = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(i <= skip ? (Object) rs.getLong(i) : type.read(rs, i));
        }
        out.add(row);
      }
      return out;
    }
  }

  public static Object scalar(Connection c, String sql) throws SQLException {
    List<List<Object>> r = rows(c, sql);
    assertEquals(1, r.size(), () -> "one row expected from " + sql + ", got " + r);
    return r.get(0).get(0);
  }

  public static long mmap(Connection c, String name, String path, String type, String options) throws SQLException {
    String sql = "SELECT MMAP('" + name + "', '" + path + "'" + (type == null && options == null ? ""
        : ", " + (type == null ? "NULL" : "'" + type + "'")) + (options == null ? "" : ", '" + options + "'") + ")";
    return ((Number) scalar(c, sql)).longValue();
  }

  /**
   * Runs {@code sql} (reading any result to its end), asserts that it fails
   * with one of the SQLSTATEs given (any when none; see {@link #check}) and a message containing
   * every fragment of {@code mentions} (case-insensitive; a fragment with
   * {@code |} is satisfied by any of its alternatives). Returns the exception.
   */
  public static SQLException fails(Connection c, String sql, String[] states, String... mentions) {
    SQLException e = assertThrows(SQLException.class, () -> {
      try (Statement s = c.createStatement()) {
        if (s.execute(sql)) {
          try (ResultSet rs = s.getResultSet()) {
            while (rs.next()) {
              rs.getObject(1);
            }
          }
        }
      }
    }, () -> "expected an SQLException from: " + sql);
    check(e, sql, states, mentions);
    return e;
  }

  /**
   * Checks a refusal: its SQLSTATE is one of {@code states} (any when none
   * given) and its message mentions every fragment. A missing SQLSTATE (null)
   * passes here: {@link SqlStateTest} is the one test that requires it, so
   * that one missing code does not hide every other check behind it.
   */
  public static void check(SQLException e, String sql, String[] states, String... mentions) {
    if (states.length > 0 && e.getSQLState() != null) {
      assertTrue(Arrays.asList(states).contains(e.getSQLState()), () -> "SQLSTATE of " + sql + " should be one of "
          + Arrays.toString(states) + " but is " + e.getSQLState() + ": " + e.getMessage());
    }
    String msg = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    for (String m : mentions) {
      boolean any = Arrays.stream(m.toLowerCase(Locale.ROOT).split("\\|")).anyMatch(msg::contains);
      assertTrue(any, () -> "message of " + sql + " should mention " + m + " but is: " + e.getMessage());
    }
  }

  /** Runs {@code sql}, which must fail with exactly one of {@code states} as its SQLSTATE. */
  public static SQLException failsWithState(Connection c, String sql, String... states) {
    SQLException e = fails(c, sql, new String[0]);
    assertTrue(Arrays.asList(states).contains(e.getSQLState()), () -> "SQLSTATE of " + sql + " should be one of "
        + Arrays.toString(states) + " but is " + e.getSQLState() + ": " + e.getMessage());
    return e;
  }

  public static String[] states(String... s) {
    return s;
  }

  public static byte[] bytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void write(Path file, byte[] b) {
    try {
      Files.write(file, b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
