package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.jdbc.AvaticaFrame;
import org.mmapsql.jdbc.CompactExecute;

/**
 * Once the driver's socket is switched to compact frames, every Avatica
 * request of the connection (a Statement's statements, fetches, batches,
 * prepare, metadata, commit, close) goes as an {@link AvaticaFrame} on it: the
 * server's count of HTTP requests stays flat. Each outcome (rows, update
 * counts, batch counts, errors with their SQLSTATE and message) is the one the
 * same driver gets on Avatica's path ({@code mmapsql.execute=avatica}), and
 * the server's checks (read-only users) hold.
 */
class AvaticaFramesTest {
  /** Rows of the large table: fetched in many frames at a fetch size of 1,000. */
  static final int LARGE = 1 << 15;
  @TempDir Path dir;

  @Test void statementsGoAsFramesWithAvaticasOutcomes() throws Exception {
    List<String> framed;
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("framed")));
         Connection c = connect(server, CompactExecute.COMPACT)) {
      long http = server.httpOnlyRequests();
      long frames = server.avaticaFrames();
      framed = script(c);
      assertEquals(0, server.httpOnlyRequests() - http, "no HTTP request once the socket is switched");
      assertTrue(server.avaticaFrames() - frames > LARGE / 1000, "a frame for each request, each fetch too: "
          + (server.avaticaFrames() - frames));
    }
    List<String> avatica;
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("avatica")));
         Connection c = connect(server, CompactExecute.AVATICA)) {
      long http = server.httpOnlyRequests();
      avatica = script(c);
      assertTrue(server.httpOnlyRequests() - http > LARGE / 1000, "Avatica's path is HTTP");
      assertEquals(0, server.avaticaFrames());
    }
    assertEquals(avatica, framed);
    // what the script's statements give, written out: the paths agree, and agree with this
    assertEquals("insert 3", framed.get(1));
    assertEquals("update 1", framed.get(2));
    assertEquals("batch [1, 1, 1]", framed.get(3));
    assertEquals("rows [0 1.5, 1 9.5, 2 3.5, 3 10.0, 4 20.0, 5 30.0]", framed.get(4));
    assertTrue(framed.get(5).startsWith("failed batch 42S02 statement 2 of 2: ")
        && framed.get(5).endsWith("; the 1 statements before it were applied [-2]"), framed.get(5));
    assertTrue(framed.contains("large " + LARGE + " " + (long) LARGE * (LARGE - 1) / 2), framed.toString());
  }

  /** A read-only user's write through a Statement is refused on frames as on Avatica's path. */
  @Test void readOnlyUsersAreRefusedOnFramesAsOnAvaticasPath() throws Exception {
    Path users = Servers.usersFile(dir);
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")).withUsersFile(users))) {
      try (Connection alice = Servers.connect(server, "alice", "alice-password");
           Statement s = alice.createStatement()) {
        s.executeQuery("SELECT MMAP('t', 't.f8')").close();
        assertEquals(1, s.executeUpdate("INSERT INTO t(val) VALUES (1.5)"));
      }
      List<String> outcomes = new ArrayList<>();
      for (String execute : List.of(CompactExecute.COMPACT, CompactExecute.AVATICA)) {
        Properties p = new Properties();
        p.setProperty("user", "bob");
        p.setProperty("password", "bob-password");
        p.setProperty(CompactExecute.PROPERTY, execute);
        try (Connection bob = DriverManager.getConnection(server.jdbcUrl(), p); Statement s = bob.createStatement()) {
          long frames = server.avaticaFrames();
          SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO t(val) VALUES (2.5)"));
          outcomes.add(e.getSQLState() + " " + e.getMessage());
          assertEquals(List.of("1.5"), Servers.rows(s, "SELECT val FROM t"));
          assertEquals(execute.equals(CompactExecute.COMPACT), server.avaticaFrames() > frames, execute);
        }
      }
      assertEquals(outcomes.get(1), outcomes.get(0));
      assertTrue(outcomes.get(0).contains("read"), outcomes.get(0));
    }
  }

  /** Two threads on one connection: the one that finds the socket busy goes Avatica's way, and both are right. */
  @Test void threadsSharingAConnectionGetTheirOwnAnswers() throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         Connection c = Servers.connect(server)) {
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT MMAP('t', 't.f8')").close();
        s.executeUpdate("INSERT INTO t(val) VALUES (0.0), (1.0), (2.0), (3.0)");
      }
      List<Thread> threads = new ArrayList<>();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int k = 0; k < 4; k++) {
        int key = k;
        threads.add(new Thread(() -> {
          try (Statement s = c.createStatement()) {
            for (int i = 0; i < 200; i++) {
              assertEquals(List.of(key + ".0"), Servers.rows(s, "SELECT val FROM t WHERE idx = " + key));
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(List.of(), failures);
    }
  }

  /**
   * A second thread's execute on a connection whose socket carries a long
   * statement goes by HTTP rather than wait for the socket (README).
   */
  @Test void anExecuteBesideALongStatementGoesByHttpInsteadOfWaiting() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("data"));
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(dir.resolve("data/big.f8").toFile(), "rw")) {
      f.setLength(8L << 28); // sparse: a SUM that holds the socket a while
    }
    java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         Connection c = Servers.connect(server);
         Statement sum = c.createStatement()) {
      sum.executeQuery("SELECT MMAP('big', 'big.f8')").close();
      java.sql.PreparedStatement read = c.prepareStatement("SELECT val FROM big WHERE idx = ?");
      read.setLong(1, 7);
      java.util.concurrent.Future<Double> running = other.submit(() -> {
        try (java.sql.ResultSet rs = sum.executeQuery("SELECT SUM(val) FROM big")) {
          assertTrue(rs.next());
          return rs.getDouble(1);
        }
      });
      while (server.compactFramesInFlight() == 0 && !running.isDone()) {
        Thread.sleep(1);
      }
      long http = server.httpOnlyRequests();
      try (java.sql.ResultSet rs = read.executeQuery()) {
        assertTrue(rs.next());
        assertEquals(0.0, rs.getDouble(1));
      }
      assertTrue(server.httpOnlyRequests() > http, "the read went by HTTP, not behind the SUM on the socket");
      assertEquals(0.0, running.get());
    } finally {
      other.shutdownNow();
    }
  }

  private static Connection connect(MmapServer server, String execute) throws SQLException {
    return DriverManager.getConnection(server.jdbcUrl() + ";" + CompactExecute.PROPERTY + "=" + execute);
  }

  /** The same calls on either path; each outcome as a line. */
  private static List<String> script(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement()) {
      out.add("mmap " + Servers.rows(s, "SELECT MMAP('t', 't.f8')").size());
      out.add("insert " + s.executeUpdate("INSERT INTO t(val) VALUES (1.5), (2.5), (3.5)"));
      out.add("update " + s.executeUpdate("UPDATE t SET val = 9.5 WHERE idx = 1"));
      for (int v = 10; v <= 30; v += 10) {
        s.addBatch("INSERT INTO t(val) VALUES (" + v + ")");
      }
      out.add("batch " + Arrays.toString(s.executeBatch()));
      List<String> rows = new ArrayList<>();
      assertTrue(s.execute("SELECT idx, val FROM t ORDER BY idx"));
      try (ResultSet rs = s.getResultSet()) {
        while (rs.next()) {
          rows.add(rs.getLong(1) + " " + rs.getDouble(2));
        }
      }
      out.add("rows " + rows);
      s.addBatch("INSERT INTO t(val) VALUES (40)");
      s.addBatch("INSERT INTO nope(val) VALUES (50)");
      BatchUpdateException b = assertInstanceOf(BatchUpdateException.class,
          assertThrows(SQLException.class, s::executeBatch));
      out.add("failed batch " + b.getSQLState() + " " + b.getMessage() + " "
          + Arrays.toString(b.getLargeUpdateCounts()));
      for (String bad : List.of("SELEC 1", "SELECT * FROM nope", "SELECT 1 / 0 FROM t")) {
        SQLException e = assertThrows(SQLException.class, () -> Servers.rows(s, bad));
        out.add("error " + e.getSQLState() + " " + e.getErrorCode() + " " + e.getMessage());
      }
      s.executeQuery("SELECT MMAP('big', 'big.f8')").close();
      s.executeUpdate("INSERT INTO big(val) SELECT CAST(x AS DOUBLE) FROM (VALUES (0), (1), (2), (3)) AS v(x)");
      for (int n = 4; n < LARGE; n *= 2) {
        s.executeUpdate("INSERT INTO big(val) SELECT val + " + n + " FROM big");
      }
      s.setFetchSize(1000);
      long count = 0;
      long sum = 0;
      try (ResultSet rs = s.executeQuery("SELECT val FROM big")) {
        while (rs.next()) {
          count++;
          sum += (long) rs.getDouble(1);
        }
      }
      out.add("large " + count + " " + sum);
    }
    try (PreparedStatement p = c.prepareStatement("SELECT val FROM t WHERE idx = ?")) {
      p.setLong(1, 2);
      try (ResultSet rs = p.executeQuery()) {
        out.add("prepared " + (rs.next() ? rs.getDouble(1) : null));
      }
    }
    DatabaseMetaData md = c.getMetaData();
    List<String> tables = new ArrayList<>();
    try (ResultSet rs = md.getTables(null, null, "%", null)) {
      while (rs.next()) {
        tables.add(rs.getString("TABLE_NAME"));
      }
    }
    out.add("tables " + tables.contains("t") + " " + tables.contains("big"));
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      out.add("in a transaction " + s.executeUpdate("INSERT INTO t(val) VALUES (60)"));
    }
    c.commit();
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      out.add("count " + Servers.count(s, "t"));
    }
    return out;
  }
}
