package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Results of fixed-width numbers in packed frames, through a real server on a
 * loopback port: the mmapsql driver asks for them; its answers are checked
 * against H2 holding the same rows, and every getter against the same driver
 * reading Avatica's frames ({@code mmapsql.frames=rows}); fetch sizes, maxRows,
 * early close, results with another column, Avatica's own client and JSON
 * keep Avatica's frames and the same answers.
 */
class PackedFramesTest {
  @TempDir static Path dir;
  static MmapServer server;
  static Connection h2;

  /** Rows of each table: more than two frames of 10,000 rows and than two blocks of 4,096. */
  static final int ROWS = 25_003;

  /** The tables: name, dtype, bytes per value, SQL type of H2's copy. */
  static final String[][] TABLES = {
      {"f64", "float64", "8", "DOUBLE PRECISION"}, {"i32", "int32", "4", "INTEGER"}, {"u8", "uint8", "1", "SMALLINT"},
      {"b1", "bool", "1", "BOOLEAN"}, {"f32", "float32", "4", "REAL"}, {"i16", "int16", "2", "SMALLINT"},
      {"i8", "int8", "1", "TINYINT"}, {"i64", "int64", "8", "BIGINT"}};

  /** Row i of a table of dtype {@code dtype}: whole numbers, and quarters for the floats (exact in a float). */
  static Object value(String dtype, long i) {
    long m = (i * 2654435761L) % 1000003;
    return switch (dtype) {
      case "float64" -> m * 0.25 - 100_000.5;
      case "float32" -> (float) ((m % 65536) * 0.25 - 8000);
      case "int32" -> (int) (m - 500_000);
      case "int64" -> m * 1_000_003_000L - 3;
      case "int16" -> (short) (m % 65536 - 32768);
      case "int8" -> (byte) (m % 256 - 128);
      case "uint8" -> (short) (m % 256);
      case "bool" -> m % 3 == 0;
      default -> throw new AssertionError(dtype);
    };
  }

  @BeforeAll static void start() throws Exception {
    h2 = DriverManager.getConnection("jdbc:h2:mem:packed" + System.nanoTime());
    for (String[] t : TABLES) {
      write(t);
    }
    server = Servers.start(Servers.config(dir));
    try (Connection c = Servers.connect(server); Statement s = c.createStatement()) {
      for (String[] t : TABLES) {
        s.executeQuery("SELECT MMAP('" + t[0] + "', '" + t[0] + ".bin', '" + t[1] + "')").close();
      }
    }
  }

  /** The table's raw file, little-endian as numpy writes it, and H2's copy. */
  static void write(String[] t) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(ROWS * Integer.parseInt(t[2])).order(ByteOrder.LITTLE_ENDIAN);
    try (Statement s = h2.createStatement()) {
      s.execute("CREATE TABLE " + t[0] + "(idx BIGINT PRIMARY KEY, val " + t[3] + ")");
    }
    try (PreparedStatement ins = h2.prepareStatement("INSERT INTO " + t[0] + " VALUES (?, ?)")) {
      for (long i = 0; i < ROWS; i++) {
        Object v = value(t[1], i);
        switch (v) {
          case Double d -> b.putDouble(d);
          case Float f -> b.putFloat(f);
          case Long l -> b.putLong(l);
          case Integer n -> b.putInt(n);
          case Short n -> {
            if (t[2].equals("1")) {
              b.put((byte) (short) n);
            } else {
              b.putShort(n);
            }
          }
          case Byte n -> b.put(n);
          case Boolean z -> b.put((byte) (z ? 1 : 0));
          default -> throw new AssertionError(v);
        }
        ins.setLong(1, i);
        ins.setObject(2, v);
        ins.addBatch();
      }
      ins.executeBatch();
    }
    Files.write(dir.resolve(t[0] + ".bin"), b.array());
  }

  @AfterAll static void stop() throws SQLException {
    server.close();
    h2.close();
  }

  static Connection mmapsql(String frames) throws SQLException {
    Properties p = new Properties();
    p.setProperty("mmapsql.frames", frames);
    return DriverManager.getConnection(server.jdbcUrl(), p);
  }

  /** Every row, with a NULL in every third row of the third column, in idx order. */
  static String query(String table) {
    return "SELECT idx, val, CASE WHEN MOD(idx, 3) = 1 THEN NULL ELSE val END AS v FROM " + table
        + " WHERE idx < ? ORDER BY idx";
  }

  /** The rows of {@code sql} as a client reads them, by the getter of each column's type. */
  static List<List<Object>> read(ResultSet rs) throws SQLException {
    int n = rs.getMetaData().getColumnCount();
    List<List<Object>> out = new ArrayList<>();
    while (rs.next()) {
      List<Object> row = new ArrayList<>();
      for (int c = 1; c <= n; c++) {
        Object v = switch (rs.getMetaData().getColumnType(c)) {
          case Types.DOUBLE, Types.FLOAT, Types.REAL -> rs.getDouble(c);
          case Types.BOOLEAN -> rs.getBoolean(c);
          default -> rs.getLong(c);
        };
        row.add(rs.wasNull() ? null : v);
      }
      out.add(row);
    }
    return out;
  }

  static List<List<Object>> h2(String table, long below) throws SQLException {
    try (PreparedStatement ps = h2.prepareStatement(query(table))) {
      ps.setLong(1, below);
      try (ResultSet rs = ps.executeQuery()) {
        return read(rs);
      }
    }
  }

  @ParameterizedTest @ValueSource(ints = {0, 7, 4096, 10_000})
  void everyDtypeAsH2HasItAtEveryFetchSize(int fetchSize) throws Exception {
    try (Connection c = mmapsql("packed")) {
      for (String[] t : TABLES) {
        try (PreparedStatement ps = c.prepareStatement(query(t[0]))) {
          ps.setFetchSize(fetchSize);
          ps.setLong(1, ROWS);
          try (ResultSet rs = ps.executeQuery()) {
            assertEquals("PackedResultSet", rs.getClass().getSimpleName(), t[1]);
            assertEquals(h2(t[0], ROWS), read(rs), () -> t[1] + ", fetch size " + fetchSize);
          }
        }
      }
    }
  }

  @Test void fetchSizeOneThroughAStatement() throws Exception {
    try (Connection c = mmapsql("packed"); Statement s = c.createStatement()) {
      s.setFetchSize(1);
      for (String table : List.of("f64", "b1")) {
        try (ResultSet rs = s.executeQuery(query(table).replace("?", "300"))) {
          assertEquals("PackedResultSet", rs.getClass().getSimpleName());
          assertEquals(h2(table, 300), read(rs), table);
        }
      }
    }
  }

  /** Every getter, wasNull and getObject's class, as the same driver reading Avatica's frames has them. */
  @Test void everyGetterAsWithAvaticaFrames() throws Exception {
    try (Connection packed = mmapsql("packed"); Connection rows = mmapsql("rows")) {
      List<String> queries = new ArrayList<>();
      for (String[] t : TABLES) {
        queries.add(query(t[0]).replace("?", "5000"));
      }
      // beyond an int, fractions below 1, negative: where getInt, getByte and getBoolean convert
      queries.add("SELECT val * 100000.0 AS big, val / 70000 AS frac, CAST(val * 1000 AS REAL) AS r FROM f64 WHERE idx < 5000");
      queries.add("SELECT CAST(val AS BIGINT) * 100000 AS big, val * 3000 AS i, CAST(val / 1000 AS REAL) AS r FROM i32"
          + " WHERE idx < 5000");
      for (String sql : queries) {
        String[] t = {sql, sql};
        try (Statement sp = packed.createStatement(); Statement sr = rows.createStatement();
             ResultSet p = sp.executeQuery(sql); ResultSet r = sr.executeQuery(sql)) {
          assertEquals("PackedResultSet", p.getClass().getSimpleName());
          assertFalse(r.getClass().getSimpleName().equals("PackedResultSet"));
          int rowCount = 0;
          while (r.next()) {
            assertTrue(p.next());
            rowCount++;
            for (int c = 1; c <= 3; c++) {
              assertEquals(getters(r, c), getters(p, c), t[1] + " row " + rowCount + " column " + c);
            }
          }
          assertFalse(p.next());
          assertEquals(5000, rowCount);
        }
      }
    }
  }

  /** What each getter of column {@code c} answers (or the class of what it throws), and wasNull after it. */
  static List<Object> getters(ResultSet rs, int c) {
    List<Object> out = new ArrayList<>();
    List<Getter> getters = List.of(rs1 -> rs1.getObject(c), rs1 -> rs1.getObject(c) == null ? null
        : rs1.getObject(c).getClass(), rs1 -> rs1.getString(c), rs1 -> rs1.getLong(c), rs1 -> rs1.getInt(c),
        rs1 -> rs1.getShort(c), rs1 -> rs1.getByte(c), rs1 -> rs1.getDouble(c), rs1 -> rs1.getFloat(c),
        rs1 -> rs1.getBoolean(c), rs1 -> rs1.getBigDecimal(c), rs1 -> rs1.getObject(c, Long.class),
        rs1 -> rs1.getObject(c, Double.class));
    for (Getter g : getters) {
      try {
        out.add(Objects.toString(g.get(rs)));
      } catch (SQLException | RuntimeException e) {
        out.add(e.getClass().getName());
      }
      try {
        out.add(rs.wasNull());
      } catch (SQLException e) {
        out.add(e.getClass().getName());
      }
    }
    return out;
  }

  interface Getter {
    Object get(ResultSet rs) throws SQLException;
  }

  @Test void maxRowsAndAResultSetClosedEarly() throws Exception {
    try (Connection c = mmapsql("packed"); Statement s = c.createStatement()) {
      s.setMaxRows(12_345);
      s.setFetchSize(1000);
      try (ResultSet rs = s.executeQuery("SELECT idx, val FROM i32")) {
        assertEquals(h2("i32", 12_345).stream().map(r -> r.subList(0, 2)).toList(), read(rs));
      }
      s.setMaxRows(20);
      s.setFetchSize(7);
      try (ResultSet rs = s.executeQuery("SELECT idx, val FROM f32")) {
        assertEquals(20, read(rs).size());
      }
      s.setMaxRows(0);
      ResultSet early = s.executeQuery("SELECT idx, val FROM f64");
      for (int i = 0; i < 5000; i++) {
        assertTrue(early.next());
      }
      assertEquals(4999, early.getLong(1));
      early.close();
      assertTrue(early.isClosed());
      // the statement and the connection go on
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*), MIN(val) FROM i64")) {
        assertTrue(rs.next());
        assertEquals(ROWS, rs.getLong(1));
      }
    }
  }

  @Test void aResultWithAnotherColumnComesInAvaticaFrames() throws Exception {
    try (Connection c = mmapsql("packed"); Statement s = c.createStatement()) {
      s.setFetchSize(1000);
      try (ResultSet rs = s.executeQuery("SELECT idx, val, CAST(val AS VARCHAR(20)) AS t FROM i32 ORDER BY idx")) {
        assertFalse(rs.getClass().getSimpleName().equals("PackedResultSet"));
        List<List<Object>> want = h2("i32", ROWS);
        int n = 0;
        while (rs.next()) {
          assertEquals(want.get(n).get(1), rs.getLong(2));
          assertEquals(String.valueOf(want.get(n).get(1)), rs.getString(3).trim());
          n++;
        }
        assertEquals(ROWS, n);
      }
    }
  }

  @Test void avaticasOwnClientGetsAvaticaFrames() throws Exception {
    try (Connection c = Servers.avatica(server, ""); PreparedStatement ps = c.prepareStatement(query("u8"))) {
      ps.setFetchSize(4096);
      ps.setLong(1, ROWS);
      try (ResultSet rs = ps.executeQuery()) {
        assertEquals("AvaticaResultSet", rs.getClass().getSimpleName());
        assertEquals(h2("u8", ROWS), read(rs));
      }
    }
  }

  @Test void jsonKeepsAvaticaFrames(@TempDir Path own) throws Exception {
    Files.copy(dir.resolve("f64.bin"), own.resolve("f64.bin"));
    try (MmapServer json = Servers.start(Servers.config(own).withSerialization("json"));
         Connection c = DriverManager.getConnection(json.jdbcUrl() + ";serialization=json")) {
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT MMAP('f64', 'f64.bin', 'float64')").close();
      }
      try (PreparedStatement ps = c.prepareStatement(query("f64"))) {
        ps.setFetchSize(10_000);
        ps.setLong(1, ROWS);
        try (ResultSet rs = ps.executeQuery()) {
          assertFalse(rs.getClass().getSimpleName().equals("PackedResultSet"));
          assertEquals(h2("f64", ROWS), read(rs));
        }
      }
    }
  }

  @Test void aClientMayAskOnlyForPackedOrRows() {
    SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> mmapsql("zip").close());
    assertTrue(e.getMessage().contains("mmapsql.frames"), e.getMessage());
  }
}
