package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The original module's walkthrough, remotely: through the mmapsql driver, through
 * Avatica's own remote driver, and through a server speaking JSON.
 */
class RemoteWalkthroughTest {
  @TempDir static Path dir;
  static MmapServer protobuf;
  static MmapServer json;

  @BeforeAll static void start() throws Exception {
    protobuf = Servers.start(Servers.config(dir.resolve("pb")));
    json = Servers.start(Servers.config(dir.resolve("js")).withSerialization("json"));
  }

  @AfterAll static void stop() {
    protobuf.close();
    json.close();
  }

  static Connection client(String kind) throws SQLException {
    return switch (kind) {
      case "mmapsql" -> Servers.connect(protobuf);
      case "avatica" -> Servers.avatica(protobuf, "");
      case "json" -> Servers.connect(json);
      case "avatica-json" -> Servers.avatica(json, "");
      default -> throw new AssertionError(kind);
    };
  }

  @ParameterizedTest @ValueSource(strings = {"mmapsql", "avatica", "json", "avatica-json"})
  void walkthrough(String kind) throws Exception {
    String t = "w_" + kind.replace('-', '_');
    try (Connection c = client(kind); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT MMAP('" + t + "', '" + t + ".mmap')")) {
        rs.next();
        assertEquals(0, rs.getLong(1), "bind returns the count");
      }
      for (int i = 0; i < 10; i++) {
        assertEquals(1, s.executeUpdate("INSERT INTO " + t + "(val) VALUES (" + i + ".0)"));
      }
      assertEquals(10, Servers.count(s, t));
      try (PreparedStatement p = c.prepareStatement("INSERT INTO " + t + "(val) VALUES (?)")) {
        for (double v : new double[] {0.5, 0.75, 1.0, 1.25, 1.3, 1.5}) {
          p.setDouble(1, v);
          p.addBatch();
        }
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1}, p.executeBatch());
      }
      assertEquals(List.of("5.0"), Servers.rows(s, "SELECT val FROM " + t + " WHERE idx = 5"));
      assertEquals(List.of("1,1.0", "3,3.0", "11,0.75"),
          Servers.rows(s, "SELECT idx, val FROM " + t + " WHERE idx IN (1, 3, 11) ORDER BY idx"));
      assertEquals(2, s.executeUpdate("UPDATE " + t + " SET val = CASE idx WHEN 1 THEN 100 WHEN 2 THEN 200 END"
          + " WHERE idx IN (1, 2)"));
      assertEquals(List.of("100.0", "200.0"),
          Servers.rows(s, "SELECT val FROM " + t + " WHERE idx IN (1, 2) ORDER BY idx"));
      assertEquals(16, Servers.count(s, t));
      assertEquals(List.of("1.5"), Servers.rows(s, "SELECT VPOP('" + t + "')"));
      assertEquals(15, Servers.count(s, t));
      assertEquals(List.of(t + ",15"), Servers.rows(s,
          "SELECT name, row_count FROM sys.mappings WHERE name = '" + t + "'"));
      // parameters, prepared once and executed twice
      try (PreparedStatement p = c.prepareStatement("SELECT val FROM " + t + " WHERE idx = ?")) {
        p.setLong(1, 3);
        assertEquals(List.of("3.0"), rows(p));
        p.setLong(1, 14);
        assertEquals(List.of("1.3"), rows(p));
      }
      // unbind, bind again under another name, clear
      assertEquals(List.of("1"), Servers.rows(s, "SELECT UNMAP('" + t + "')"));
      assertThrows(SQLException.class, () -> Servers.count(s, t));
      assertEquals(List.of("15"), Servers.rows(s, "SELECT MMAP('" + t + "_again', '" + t + ".mmap')"));
      assertEquals(2, s.executeUpdate("DELETE FROM " + t + "_again WHERE idx >= 13"));
      assertEquals(13, s.executeUpdate("DELETE FROM " + t + "_again"));
      assertEquals(0, Servers.count(s, t + "_again"));
    }
  }

  private static List<String> rows(PreparedStatement p) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** The same mistake gets the core's own message remotely. */
  @ParameterizedTest @ValueSource(strings = {"mmapsql", "avatica", "json"})
  void errorsCarryTheCoreMessage(String kind) throws Exception {
    String t = "e_" + kind;
    try (Connection c = client(kind); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('" + t + "', '" + t + ".mmap')").close();
      s.executeUpdate("INSERT INTO " + t + "(val) VALUES (1), (2), (3)");
      String embedded = "DELETE on " + t + " can only remove rows at the end";
      SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("DELETE FROM " + t + " WHERE idx = 0"));
      assertTrue(e.getMessage().contains(embedded), e.getMessage());
      assertTrue(e.getMessage().contains("nothing was removed"), e.getMessage());
      assertEquals(3, Servers.count(s, t));
      e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT MMAP('x', '../outside.mmap')"));
      assertTrue(e.getMessage().toLowerCase().contains("outside"), e.getMessage());
      e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM nosuch"));
      assertTrue(e.getMessage().contains("Object 'nosuch' not found"), e.getMessage());
    }
  }

  @Test void metadataNamesMmapsqlAndListsBindings() throws Exception {
    try (Connection c = Servers.connect(protobuf); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('meta_t', 'meta_t.mmap')").close();
      DatabaseMetaData md = c.getMetaData();
      assertEquals("mmapsql", md.getDatabaseProductName());
      assertEquals(org.mmapsql.jdbc.Driver.version(), md.getDatabaseProductVersion());
      assertTrue(md.getDriverName().startsWith("mmapsql JDBC Driver"), md.getDriverName());
      assertEquals(org.mmapsql.jdbc.Driver.version(), md.getDriverVersion());
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = md.getTables(null, "mmap", null, null)) {
        while (rs.next()) {
          tables.add(rs.getString("TABLE_NAME"));
        }
      }
      assertTrue(tables.contains("meta_t"), tables.toString());
      List<String> columns = new ArrayList<>();
      try (ResultSet rs = md.getColumns(null, "mmap", "meta_t", null)) {
        while (rs.next()) {
          columns.add(rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME"));
        }
      }
      assertEquals(List.of("idx BIGINT NOT NULL", "val DOUBLE"), columns);
    }
  }

  /** Results come in frames: a scan larger than many frames arrives whole and in order. */
  @Test void largeResultsStreamInFrames() throws Exception {
    try (Connection c = Servers.connect(protobuf); Statement s = c.createStatement()) {
      int n = 200_000;
      // written the way numpy's tofile would: n little-endian doubles, no header
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        buf.putDouble(i);
      }
      java.nio.file.Files.write(protobuf.dataDir().resolve("big.mmap"), buf.array());
      assertEquals(List.of(Integer.toString(n)), Servers.rows(s, "SELECT MMAP('big', 'big.mmap')"));
      s.setFetchSize(7_000);
      long rows = 0;
      double sum = 0;
      try (ResultSet rs = s.executeQuery("SELECT idx, val FROM big")) {
        while (rs.next()) {
          assertEquals(rows, rs.getLong(1));
          sum += rs.getDouble(2);
          rows++;
        }
      }
      assertEquals(n, rows);
      assertEquals((double) n * (n - 1) / 2, sum);
    }
  }

  @Test void plainAvaticaDriverIsRegistered() throws Exception {
    assertTrue(DriverManager.getDriver("jdbc:avatica:remote:url=http://x") != null);
    assertTrue(DriverManager.getDriver("jdbc:mmap:remote:url=http://x") instanceof org.mmapsql.jdbc.Driver);
  }
}
