package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A connection to a data directory through the real driver, with the small
 * helpers the tests share: run SQL, read rows, expect an error, and read or
 * write the raw little-endian files the way another program would.
 */
final class TestDb implements AutoCloseable {
  final Path dir;
  final Connection conn;
  private final AutoCloseable then;

  private TestDb(Path dir, Connection conn) {
    this(dir, conn, () -> { });
  }

  private TestDb(Path dir, Connection conn, AutoCloseable then) {
    this.dir = dir;
    this.conn = conn;
    this.then = then;
  }

  /** Opens {@code dir}; {@code props} are appended to the URL, e.g. {@code ";maxMappings=3"}. */
  static TestDb open(Path dir, String props) throws SQLException {
    return new TestDb(dir, DriverManager.getConnection(url(dir, props)));
  }

  static TestDb open(Path dir) throws SQLException {
    return open(dir, "");
  }

  /**
   * A TestDb on a connection made elsewhere (a remote one, say) to the data
   * directory {@code dir}; {@code then} is closed after the connection.
   */
  static TestDb of(Path dir, Connection conn, AutoCloseable then) {
    return new TestDb(dir, conn, then);
  }

  static String url(Path dir, String props) {
    return "jdbc:mmap:" + dir + props;
  }

  /** Another connection on the same directory (same JVM: same bindings). */
  Connection connect() throws SQLException {
    return DriverManager.getConnection(url(dir, ""));
  }

  static Connection connect(Path dir, Properties info) throws SQLException {
    return DriverManager.getConnection(url(dir, ""), info);
  }

  @Override public void close() throws SQLException {
    try (AutoCloseable after = then) {
      conn.close();
    } catch (SQLException e) {
      throw e;
    } catch (Exception e) {
      throw new SQLException(e);
    }
  }

  // ------------------------------------------------------------ running SQL

  /** All rows of a query, each a list of column values (JDBC objects). */
  List<List<Object>> rows(String sql, Object... params) throws SQLException {
    return rows(conn, sql, params);
  }

  static List<List<Object>> rows(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        return drain(rs);
      }
    }
  }

  static List<List<Object>> drain(ResultSet rs) throws SQLException {
    int n = rs.getMetaData().getColumnCount();
    List<List<Object>> out = new ArrayList<>();
    while (rs.next()) {
      List<Object> row = new ArrayList<>(n);
      for (int i = 1; i <= n; i++) {
        row.add(rs.getObject(i));
      }
      out.add(row);
    }
    return out;
  }

  /** The single value of a one-row, one-column query. */
  Object scalar(String sql, Object... params) throws SQLException {
    return scalar(conn, sql, params);
  }

  static Object scalar(Connection c, String sql, Object... params) throws SQLException {
    List<List<Object>> r = rows(c, sql, params);
    assertEquals(1, r.size(), () -> "one row expected from " + sql + ", got " + r);
    assertEquals(1, r.get(0).size(), () -> "one column expected from " + sql);
    return r.get(0).get(0);
  }

  long longValue(String sql, Object... params) throws SQLException {
    return ((Number) scalar(sql, params)).longValue();
  }

  /** Runs a write statement; returns its update count. */
  int update(String sql, Object... params) throws SQLException {
    return update(conn, sql, params);
  }

  static int update(Connection c, String sql, Object... params) throws SQLException {
    if (params.length == 0) {
      try (Statement s = c.createStatement()) {
        return s.executeUpdate(sql);
      }
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      return ps.executeUpdate();
    }
  }

  static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, params[i]);
    }
  }

  /** Binds {@code name} to {@code path}; returns the element count MMAP reports. */
  long mmap(String name, String path) throws SQLException {
    return longValue("SELECT MMAP(?, ?)", name, path);
  }

  long count(String table) throws SQLException {
    return longValue("SELECT COUNT(*) FROM " + table);
  }

  /** The values of a table in idx order, checking that idx runs 0..n-1. */
  double[] values(String table) throws SQLException {
    List<List<Object>> r = rows("SELECT idx, val FROM " + table + " ORDER BY idx");
    double[] v = new double[r.size()];
    for (int i = 0; i < v.length; i++) {
      assertEquals((long) i, ((Number) r.get(i).get(0)).longValue(), "idx of row " + i);
      v[i] = ((Number) r.get(i).get(1)).doubleValue();
    }
    return v;
  }

  /** Appends values with one multi-row INSERT. */
  void append(String table, double... values) throws SQLException {
    StringBuilder b = new StringBuilder("INSERT INTO " + table + "(val) VALUES ");
    for (int i = 0; i < values.length; i++) {
      b.append(i == 0 ? "" : ", ").append('(').append(literal(values[i])).append(')');
    }
    assertEquals(values.length, update(b.toString()));
  }

  /**
   * A double as an approximate SQL literal ({@code 1.5E0}) that reads back as
   * exactly the same double. Always in E notation: Calcite 1.42 fails on
   * VALUES mixing exact and approximate literals (see DifferentialTest).
   */
  static String literal(double d) {
    String s = Double.toString(d).toUpperCase(Locale.ROOT);
    return s.contains("E") ? s : s + "E0";
  }

  /** Rows of {@code sys.mappings} in name order, as lists of strings. */
  List<List<Object>> mappings() throws SQLException {
    return rows("SELECT name, path, type, row_count, file_bytes, status FROM sys.mappings ORDER BY name");
  }

  // ------------------------------------------------------------ expecting errors

  /**
   * Runs {@code sql} (reading any result set to its end) and asserts that it
   * fails with an SQLException whose message contains every fragment
   * (case-insensitively). Returns the exception.
   */
  SQLException fails(String sql, String... fragments) {
    return fails(conn, sql, fragments);
  }

  static SQLException fails(Connection c, String sql, String... fragments) {
    SQLException e = assertThrows(SQLException.class, () -> {
      try (Statement s = c.createStatement()) {
        if (s.execute(sql)) {
          drain(s.getResultSet());
        }
      }
    }, () -> "expected an SQLException from: " + sql);
    assertMessage(e, fragments);
    return e;
  }

  /** As {@link #fails(String, String...)} for a prepared statement with parameters. */
  SQLException failsPrepared(String sql, Object[] params, String... fragments) {
    SQLException e = assertThrows(SQLException.class, () -> {
      try (PreparedStatement ps = conn.prepareStatement(sql)) {
        bind(ps, params);
        if (ps.execute()) {
          drain(ps.getResultSet());
        }
      }
    }, () -> "expected an SQLException from: " + sql + " with " + Arrays.toString(params));
    assertMessage(e, fragments);
    return e;
  }

  static void assertMessage(Throwable e, String... fragments) {
    String msg = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    for (String f : fragments) {
      assertTrue(msg.contains(f.toLowerCase(Locale.ROOT)),
          () -> "message should mention '" + f + "' but is: " + e.getMessage());
    }
  }

  // ------------------------------------------------------------ raw files

  /** Writes {@code values} as raw little-endian doubles, replacing the file, as numpy's tofile does. */
  static void writeDoubles(Path file, double... values) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      writeAt(ch, 0, values);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code values} at element position {@code index} of an open channel. */
  static void writeAt(FileChannel ch, long index, double... values) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      buf.putDouble(v);
    }
    buf.flip();
    long pos = index * 8;
    while (buf.hasRemaining()) {
      pos += ch.write(buf, pos);
    }
  }

  /** The whole elements of a raw file of little-endian doubles. */
  static double[] readDoubles(Path file) {
    byte[] b = bytes(file);
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    double[] v = new double[b.length / 8];
    for (int i = 0; i < v.length; i++) {
      v[i] = buf.getDouble();
    }
    return v;
  }

  static byte[] bytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Names of the entries of a directory, sorted. */
  static List<String> listing(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double[] range(int from, int to) {
    double[] v = new double[to - from];
    for (int i = 0; i < v.length; i++) {
      v[i] = from + i;
    }
    return v;
  }
}
