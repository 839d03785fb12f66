package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.jdbc.CompactExecute;
import org.mmapsql.types.Sql;

/**
 * The mmapsql driver's requests that go Avatica's way (a Statement's, and a
 * PreparedStatement's with {@code mmapsql.execute=avatica}) when the connection
 * breaks: a write whose answer is lost runs once and fails with 08006; a
 * kept-alive connection the server closed while idle is replaced without a
 * failure; a statement prepared before a server restart, or one the server
 * expired, fails with a SQLSTATE that says to prepare it again.
 */
class AvaticaPathFailuresTest {
  /** Longer than the idle time after which the driver checks a pooled connection before reuse. */
  static final long IDLE_MILLIS = 1_500;

  @TempDir Path dir;

  static Connection connect(String url, String execute) throws SQLException {
    Properties p = new Properties();
    p.setProperty(CompactExecute.PROPERTY, execute);
    return DriverManager.getConnection(url, p);
  }

  @Test void aStatementsInsertWhoseAnswerIsLostRunsOnceAndSaysSo() throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         Proxy proxy = new Proxy(server.port());
         Connection direct = Servers.connect(server);
         Connection c = DriverManager.getConnection(proxy.jdbcUrl(server));
         Statement s = c.createStatement()) {
      Sql.mmap(direct, "t", "t.f8", "f8", null);
      proxy.dropAnswers(true);
      SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO t(val) VALUES (1.5)"));
      proxy.dropAnswers(false);
      assertEquals(1L, ((Number) Sql.scalar(direct, "SELECT COUNT(*) FROM t")).longValue(), "rows after one INSERT");
      assertLost(e);
    }
  }

  @Test void aPreparedInsertOnAvaticasPathWhoseAnswerIsLostRunsOnceAndSaysSo() throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         Proxy proxy = new Proxy(server.port());
         Connection direct = Servers.connect(server);
         Connection c = connect(proxy.jdbcUrl(server), CompactExecute.AVATICA)) {
      Sql.mmap(direct, "t", "t.f8", "f8", null);
      PreparedStatement insert = c.prepareStatement("INSERT INTO t(val) VALUES (?)");
      insert.setDouble(1, 1.5);
      proxy.dropAnswers(true);
      SQLException e = assertThrows(SQLException.class, insert::executeUpdate);
      proxy.dropAnswers(false);
      assertEquals(1L, ((Number) Sql.scalar(direct, "SELECT COUNT(*) FROM t")).longValue(), "rows after one INSERT");
      assertLost(e);
    }
  }

  @Test void anAnswerCutShortSaysTheStatementMayHaveRun() throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         Proxy proxy = new Proxy(server.port());
         Connection direct = Servers.connect(server);
         Connection c = DriverManager.getConnection(proxy.jdbcUrl(server));
         Statement s = c.createStatement()) {
      Sql.mmap(direct, "t", "t.f8", "f8", null);
      proxy.cutAnswers(true);
      SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO t(val) VALUES (1.5)"));
      proxy.cutAnswers(false);
      assertEquals(1L, ((Number) Sql.scalar(direct, "SELECT COUNT(*) FROM t")).longValue(), "rows after one INSERT");
      assertLost(e);
    }
  }

  static void assertLost(SQLException e) {
    assertEquals("08006", e.getSQLState(), e.getMessage());
    assertTrue(e.getMessage().contains("may or may not have taken effect"), e.getMessage());
  }

  @Test void anIdleConnectionTheServerClosedIsReplacedWithoutAFailure() throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         Proxy proxy = new Proxy(server.port());
         Connection direct = Servers.connect(server);
         Connection c = connect(proxy.jdbcUrl(server), CompactExecute.AVATICA);
         Statement s = c.createStatement()) {
      Sql.mmap(direct, "t", "t.f8", "f8", null);
      PreparedStatement insert = c.prepareStatement("INSERT INTO t(val) VALUES (?)");
      for (int i = 0; i < 3; i++) {
        proxy.closeClients();
        Thread.sleep(IDLE_MILLIS);
        assertEquals(1, s.executeUpdate("INSERT INTO t(val) VALUES (" + i + ")"));
        proxy.closeClients();
        Thread.sleep(IDLE_MILLIS);
        insert.setDouble(1, i + 0.5);
        assertEquals(1, insert.executeUpdate());
      }
      assertEquals(6L, ((Number) Sql.scalar(direct, "SELECT COUNT(*) FROM t")).longValue());
    }
  }

  @Test void aStatementPreparedBeforeARestartFailsWithAStateThatSaysPrepareAgain() throws Exception {
    Path data = dir.resolve("data");
    MmapServer first = Servers.start(Servers.config(data));
    int port = first.port();
    Connection compact = Servers.connect(first);
    Connection avatica = connect(first.jdbcUrl(), CompactExecute.AVATICA);
    try {
      Sql.mmap(compact, "r", "r.f8", "f8", null);
      Sql.update(compact, "INSERT INTO r(val) VALUES (1.5)");
      List<PreparedStatement> reads = new ArrayList<>();
      List<PreparedStatement> inserts = new ArrayList<>();
      for (Connection c : List.of(compact, avatica)) {
        reads.add(c.prepareStatement("SELECT val FROM r WHERE idx = ?"));
        inserts.add(c.prepareStatement("INSERT INTO r(val) VALUES (?)"));
      }
      Statement statement = avatica.createStatement();
      first.close();
      Thread.sleep(IDLE_MILLIS);
      SQLException gone = assertThrows(SQLException.class,
          () -> statement.executeUpdate("INSERT INTO r(val) VALUES (0)"));
      assertEquals("08006", gone.getSQLState(), gone.getMessage());
      assertTrue(gone.getMessage().contains("the request did not go out"), gone.getMessage());
      try (MmapServer second = Servers.start(Servers.config(data).withPort(port))) {
        Thread.sleep(IDLE_MILLIS);
        for (int i = 0; i < 2; i++) {
          PreparedStatement read = reads.get(i);
          PreparedStatement insert = inserts.get(i);
          read.setLong(1, 0);
          assertPrepareAgain(assertThrows(SQLException.class, read::executeQuery));
          insert.setDouble(1, 2.5);
          assertPrepareAgain(assertThrows(SQLException.class, insert::executeUpdate));
          assertPrepareAgain(assertThrows(SQLException.class, insert::execute));
          insert.addBatch();
          assertPrepareAgain(assertThrows(BatchUpdateException.class, insert::executeBatch));
        }
        // a Statement's server statement is made anew, for a batch and for one statement
        statement.addBatch("INSERT INTO r(val) VALUES (3.5)");
        statement.addBatch("INSERT INTO r(val) VALUES (4.5)");
        assertArrayEquals(new int[] {1, 1}, statement.executeBatch());
        assertEquals(3L, Servers.count(statement, "r"));
        try (Connection c = Servers.connect(second)) {
          assertEquals(List.of("0,1.5", "1,3.5", "2,4.5"), Servers.rows(c.createStatement(), "SELECT idx, val FROM r"));
        }
      }
    } finally {
      CompactExecuteTest.closeQuietly(compact);
      CompactExecuteTest.closeQuietly(avatica);
    }
  }

  @Test void aStatementTheServerExpiredFailsWithAStateThatSaysPrepareAgain() throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data"))
        .withExpiry(Duration.ofHours(1), Duration.ofSeconds(1)))) {
      for (String execute : List.of(CompactExecute.COMPACT, CompactExecute.AVATICA)) {
        try (Connection c = connect(server.jdbcUrl(), execute)) {
          Sql.mmap(c, "e", "e.f8", "f8", null);
          PreparedStatement insert = c.prepareStatement("INSERT INTO e(val) VALUES (?)");
          insert.setDouble(1, 2.5);
          Thread.sleep(IDLE_MILLIS);
          assertPrepareAgain(assertThrows(SQLException.class, insert::executeUpdate));
          assertEquals(0L, ((Number) Sql.scalar(c, "SELECT COUNT(*) FROM e")).longValue());
          Sql.scalar(c, "SELECT UNMAP('e')");
        }
      }
    }
  }

  static void assertPrepareAgain(SQLException e) {
    assertEquals("26000", e.getSQLState(), e.getMessage());
    assertTrue(e.getMessage().contains("prepare it again"), e.getMessage());
  }
}
