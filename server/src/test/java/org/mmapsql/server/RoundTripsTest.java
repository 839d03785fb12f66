package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point access costs one HTTP request per execution through the mmapsql
 * driver (no fetch after the execute, no reconnection), counted by the real
 * server; and a finished execution leaves nothing behind in the server's timer.
 */
class RoundTripsTest {
  static final int ROWS = 1000;
  static final int TIMES = 50;
  @TempDir static Path dir;
  static MmapServer server;

  @BeforeAll static void start() throws Exception {
    server = Servers.start(Servers.config(dir.resolve("data")));
    try (Connection c = Servers.connect(server); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close();
      s.executeUpdate("INSERT INTO t(val) SELECT CAST(x * 2 AS DOUBLE) FROM (VALUES "
          + IntStream.range(0, ROWS).mapToObj(i -> "(" + i + ")").collect(Collectors.joining(", "))
          + ") AS v(x)");
    }
  }

  @AfterAll static void stop() {
    server.close();
  }

  interface Execution {
    void run(int i) throws SQLException;
  }

  /** Runs {@code e} TIMES (after one run, which may load metadata) and returns the HTTP requests it made. */
  static long requests(Execution e) throws SQLException {
    e.run(0);
    long before = server.httpRequests();
    for (int i = 1; i <= TIMES; i++) {
      e.run(i);
    }
    return server.httpRequests() - before;
  }

  @Test void preparedPointReadIsOneRequest() throws SQLException {
    try (Connection c = Servers.connect(server);
        PreparedStatement p = c.prepareStatement("SELECT val FROM t WHERE idx = ?")) {
      assertEquals(TIMES, requests(i -> {
        p.setLong(1, i * 7);
        try (ResultSet rs = p.executeQuery()) {
          assertTrue(rs.next());
          assertEquals(i * 14.0, rs.getDouble(1));
          assertTrue(!rs.next());
        }
      }));
    }
  }

  @Test void preparedInReadIsOneRequest() throws SQLException {
    try (Connection c = Servers.connect(server);
        PreparedStatement p = c.prepareStatement("SELECT idx, val FROM t WHERE idx IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      assertEquals(TIMES, requests(i -> {
        for (int k = 0; k < 10; k++) {
          p.setLong(k + 1, i + 97L * k);
        }
        int n = 0;
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            assertEquals(rs.getLong(1) * 2.0, rs.getDouble(2));
            n++;
          }
        }
        assertEquals(10, n);
      }));
    }
  }

  @Test void preparedPointUpdateIsOneRequest() throws SQLException {
    try (Connection c = Servers.connect(server);
        PreparedStatement p = c.prepareStatement("UPDATE t SET val = ? WHERE idx = ?")) {
      assertEquals(TIMES, requests(i -> {
        p.setDouble(1, i * 6 * 2.0); // the value it has
        p.setLong(2, i * 6);
        assertEquals(1, p.executeUpdate());
      }));
    }
  }

  @Test void statementPointReadIsOneRequest() throws SQLException {
    try (Connection c = Servers.connect(server); Statement s = c.createStatement()) {
      assertEquals(TIMES, requests(i -> {
        try (ResultSet rs = s.executeQuery("SELECT val FROM t WHERE idx = " + i * 3)) {
          assertTrue(rs.next());
          assertEquals(i * 6.0, rs.getDouble(1));
        }
      }));
    }
  }

  /** createStatement, prepareAndExecute and closeStatement, as on Avatica's HTTP path. */
  @Test void aStatementCreatedExecutedAndClosedIsThreeRequests() throws SQLException {
    try (Connection c = Servers.connect(server)) {
      assertEquals(3 * TIMES, requests(i -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
          assertTrue(rs.next());
          assertEquals(ROWS, rs.getLong(1));
        }
      }));
    }
  }

  @Test void finishedExecutionsLeaveNoTimeoutBehind() throws SQLException {
    try (Connection c = Servers.connect(server);
        PreparedStatement p = c.prepareStatement("SELECT val FROM t WHERE idx = ?")) {
      for (int i = 0; i < 500; i++) {
        p.setLong(1, i);
        p.executeQuery().close();
      }
    }
    // the expiry task and the statement timeout's
    assertTrue(server.pendingTimers() <= 2, server.pendingTimers() + " tasks in the timer");
  }
}
