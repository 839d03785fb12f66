package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.jdbc.GeneratedKeys;

/**
 * Generated keys through a real server: mmapsql's remote driver reads them
 * from the statement that wrote, so each connection (and each statement) sees
 * the idx of its own rows, with both serializations; Avatica's own client
 * gets them by sending {@link GeneratedKeys#SQL} on its Statement.
 */
class RemoteGeneratedKeysTest {
  @TempDir Path dir;
  MmapServer server;

  @BeforeEach void start() throws Exception {
    server = Servers.start(Servers.config(dir));
    try (Connection c = Servers.connect(server); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close();
      s.executeQuery("SELECT MMAP('u', 'u.i4')").close();
      s.executeUpdate("INSERT INTO t(val) VALUES (0.5), (1.5)");
    }
  }

  @AfterEach void stop() {
    server.close();
  }

  static List<Long> keys(Statement s) throws SQLException {
    List<Long> keys = new ArrayList<>();
    try (ResultSet rs = s.getGeneratedKeys()) {
      assertEquals("idx", rs.getMetaData().getColumnLabel(1));
      while (rs.next()) {
        keys.add(rs.getLong(1));
      }
    }
    return keys;
  }

  @Test void singleAndMultiRowInsertsGiveTheirIdx() throws SQLException {
    try (Connection c = Servers.connect(server); Statement s = c.createStatement()) {
      assertEquals(1, s.executeUpdate("INSERT INTO t(val) VALUES (7)", Statement.RETURN_GENERATED_KEYS));
      assertEquals(List.of(2L), keys(s));
      assertEquals(3, s.executeUpdate("INSERT INTO t(val) VALUES (8), (9), (10)", new String[] {"idx"}));
      assertEquals(List.of(3L, 4L, 5L), keys(s));
      assertEquals(false, s.execute("INSERT INTO u(val) VALUES (1), (2)", Statement.RETURN_GENERATED_KEYS));
      assertEquals(List.of(0L, 1L), keys(s), "u's own idx");
      s.executeUpdate("INSERT INTO t(val) VALUES (11)");
      assertEquals(List.of(), keys(s), "not asked for");
      assertEquals(1, s.executeUpdate("UPDATE t SET val = 0 WHERE idx = 0", Statement.RETURN_GENERATED_KEYS));
      assertEquals(List.of(), keys(s), "an UPDATE appends nothing");
    }
  }

  @Test void preparedInsertsAndBatchesGiveTheirIdx() throws SQLException {
    try (Connection c = Servers.connect(server);
        PreparedStatement ps = c.prepareStatement("INSERT INTO t(val) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
      ps.setDouble(1, 5);
      assertEquals(1, ps.executeUpdate());
      assertEquals(List.of(2L), keys(ps));
      for (int i = 0; i < 1000; i++) {
        ps.setDouble(1, i);
        ps.addBatch();
      }
      assertEquals(1000, ps.executeLargeBatch().length);
      List<Long> expected = new ArrayList<>();
      for (long k = 3; k < 1003; k++) {
        expected.add(k);
      }
      assertEquals(expected, keys(ps), "a batch's keys, in order");
      ps.setNull(1, java.sql.Types.DOUBLE);
      ps.addBatch();
      assertThrows(SQLException.class, ps::executeBatch);
      assertEquals(List.of(), keys(ps), "a failed batch appended nothing");
    }
    try (Connection c = Servers.connect(server);
        PreparedStatement ps = c.prepareStatement("INSERT INTO t(val) VALUES (?)")) {
      ps.setDouble(1, 5);
      ps.executeUpdate();
      assertEquals(List.of(), keys(ps), "prepared without RETURN_GENERATED_KEYS");
    }
  }

  /** Two connections writing in turn into one table: each sees the idx of its own rows only. */
  @Test void interleavedConnectionsSeeTheirOwnKeys() throws SQLException {
    try (Connection a = Servers.connect(server); Connection b = Servers.connect(server);
        PreparedStatement pa = a.prepareStatement("INSERT INTO t(val) VALUES (?)", Statement.RETURN_GENERATED_KEYS);
        Statement sb = b.createStatement()) {
      long next = 2;
      for (int round = 0; round < 5; round++) {
        pa.setDouble(1, round);
        pa.executeUpdate();
        sb.executeUpdate("INSERT INTO t(val) VALUES (1), (2)", Statement.RETURN_GENERATED_KEYS);
        assertEquals(List.of(next + 1, next + 2), keys(sb), "b's rows, round " + round);
        assertEquals(List.of(next), keys(pa), "a's row, read after b wrote, round " + round);
        next += 3;
      }
    }
  }

  @Test void jsonSerializationToo() throws Exception {
    server.close();
    server = Servers.start(Servers.config(dir).withSerialization("json"));
    try (Connection c = java.sql.DriverManager.getConnection(server.jdbcUrl() + ";serialization=json");
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO t(val) VALUES (1), (2)", Statement.RETURN_GENERATED_KEYS);
      assertEquals(List.of(2L, 3L), keys(s));
    }
  }

  /** Avatica's own client refuses RETURN_GENERATED_KEYS, but may ask on the Statement that wrote. */
  @Test void avaticasClientAsksWithTheQuery() throws SQLException {
    try (Connection c = Servers.avatica(server, ""); Statement s = c.createStatement()) {
      assertThrows(SQLException.class,
          () -> s.executeUpdate("INSERT INTO t(val) VALUES (1)", Statement.RETURN_GENERATED_KEYS));
      s.executeUpdate("INSERT INTO t(val) VALUES (3), (4)");
      List<Long> keys = new ArrayList<>();
      try (ResultSet rs = s.executeQuery(GeneratedKeys.SQL)) {
        while (rs.next()) {
          keys.add(rs.getLong("idx"));
        }
      }
      assertEquals(List.of(2L, 3L), keys);
    }
  }
}
