package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmapsql.jdbc.CompactExecute;
import org.mmapsql.types.Sql;

/**
 * A prepared INSERT, and a Statement's INSERT carried in an Avatica frame,
 * whose answer is lost on the way back (the server ran it; a proxy drops the
 * answer and closes the connection) fails with 08006 and is not sent again:
 * the row is appended once, not once per retry; a Statement's batch likewise,
 * on either path
 * ({@link AvaticaPathFailuresTest}: the requests that go Avatica's way).
 */
class LostAnswerTest {
  @TempDir Path dir;

  @Test void anExecuteWhoseAnswerIsLostRunsOnceAndSaysSo() throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         Proxy proxy = new Proxy(server.port());
         Connection direct = Servers.connect(server);
         Connection c = DriverManager.getConnection(proxy.jdbcUrl(server))) {
      Sql.mmap(direct, "t", "t.f8", "f8", null);
      PreparedStatement insert = c.prepareStatement("INSERT INTO t(val) VALUES (?)");
      insert.setDouble(1, 1.5);
      assertEquals(1, insert.executeUpdate()); // opens the driver's socket (switched to compact frames)
      long compact = server.compactExecutes();
      proxy.dropAnswers(true);
      SQLException e = assertThrows(SQLException.class, insert::executeUpdate);
      assertEquals("08006", e.getSQLState(), e.getMessage());
      proxy.dropAnswers(false);
      assertEquals(compact + 1, server.compactExecutes(), "the server ran it once, on the compact path");
      assertEquals(2L, ((Number) Sql.scalar(direct, "SELECT COUNT(*) FROM t")).longValue());
    }
  }

  @Test void aStatementWhoseAnswerIsLostOnFramesRunsOnceAndSaysSo() throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         Proxy proxy = new Proxy(server.port());
         Connection direct = Servers.connect(server);
         Connection c = DriverManager.getConnection(proxy.jdbcUrl(server));
         Statement s = c.createStatement()) {
      Sql.mmap(direct, "t", "t.f8", "f8", null);
      assertEquals(1, s.executeUpdate("INSERT INTO t(val) VALUES (1.5)"));
      long frames = server.avaticaFrames();
      long http = server.httpOnlyRequests();
      proxy.dropAnswers(true);
      SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO t(val) VALUES (2.5)"));
      assertEquals("08006", e.getSQLState(), e.getMessage());
      assertTrue(e.getMessage().contains("may or may not have taken effect"), e.getMessage());
      proxy.dropAnswers(false);
      assertEquals(frames + 1, server.avaticaFrames(), "the server ran it once, as a frame");
      assertEquals(http, server.httpOnlyRequests(), "and not again over HTTP");
      assertEquals(2L, ((Number) Sql.scalar(direct, "SELECT COUNT(*) FROM t")).longValue());
    }
  }

  /**
   * A Statement's batch whose answer is lost, on frames or Avatica's HTTP
   * path: a BatchUpdateException (an SQLException, not Avatica's unchecked
   * client exception) with 08006 and no counts, since what ran is unknown; the
   * batch is not sent again, so its rows are appended once.
   */
  @ParameterizedTest @ValueSource(strings = {CompactExecute.COMPACT, CompactExecute.AVATICA})
  void aStatementBatchWhoseAnswerIsLostRunsOnceAndSaysSo(String execute) throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         Proxy proxy = new Proxy(server.port());
         Connection direct = Servers.connect(server);
         Connection c = DriverManager.getConnection(proxy.jdbcUrl(server) + ";" + CompactExecute.PROPERTY + "="
             + execute);
         Statement s = c.createStatement()) {
      Sql.mmap(direct, "t", "t.f8", "f8", null);
      assertEquals(1, s.executeUpdate("INSERT INTO t(val) VALUES (1.5)"));
      proxy.dropAnswers(true);
      s.addBatch("INSERT INTO t(val) VALUES (2.5)");
      s.addBatch("INSERT INTO t(val) VALUES (3.5)");
      BatchUpdateException e = assertInstanceOf(BatchUpdateException.class,
          assertThrows(SQLException.class, s::executeBatch));
      assertEquals("08006", e.getSQLState(), e.getMessage());
      assertEquals(0, e.getLargeUpdateCounts().length);
      proxy.dropAnswers(false);
      assertEquals(3L, ((Number) Sql.scalar(direct, "SELECT COUNT(*) FROM t")).longValue());
    }
  }

  /**
   * An answer that never comes ends the wait at the connection's read timeout
   * (http_response_timeout), which the driver's socket keeps without a
   * timeout of its own (ReadDeadline): 08006, sent once; the next execute
   * opens a new socket.
   */
  @Test void anAnswerThatNeverComesTimesOutAndRunsOnce() throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         Proxy proxy = new Proxy(server.port());
         Connection direct = Servers.connect(server);
         Connection c = DriverManager.getConnection(proxy.jdbcUrl(server) + ";http_response_timeout=300")) {
      Sql.mmap(direct, "t", "t.f8", "f8", null);
      PreparedStatement insert = c.prepareStatement("INSERT INTO t(val) VALUES (?)");
      insert.setDouble(1, 1.5);
      assertEquals(1, insert.executeUpdate());
      long compact = server.compactExecutes();
      proxy.holdAnswers(true);
      SQLException e = assertThrows(SQLException.class, insert::executeUpdate);
      assertEquals("08006", e.getSQLState(), e.getMessage());
      assertTrue(e.getMessage().contains("Read timed out"), e.getMessage());
      proxy.holdAnswers(false);
      assertEquals(compact + 1, server.compactExecutes(), "the server ran it once, on the compact path");
      assertEquals(1, insert.executeUpdate());
      assertEquals(compact + 2, server.compactExecutes(), "then on a new socket, the compact path again");
      assertEquals(3L, ((Number) Sql.scalar(direct, "SELECT COUNT(*) FROM t")).longValue());
    }
  }
}
