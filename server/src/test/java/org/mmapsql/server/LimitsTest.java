package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.apache.calcite.avatica.remote.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What protects the server: request size, frame size, timeout, expiry, garbage. */
class LimitsTest {
  @TempDir static Path dir;
  static MmapServer server;

  @BeforeAll static void start() throws Exception {
    server = Servers.start(Servers.config(dir.resolve("data"))
        .withLimits(64 * 1024, 50, Duration.ofMinutes(1)));
    try (Connection c = Servers.connect(server); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.mmap')").close();
      s.executeUpdate("INSERT INTO t(val) SELECT CAST(x AS DOUBLE) FROM (VALUES "
          + String.join(", ", java.util.stream.IntStream.range(0, 500).mapToObj(i -> "(" + i + ")").toList())
          + ") AS v(x)");
    }
  }

  @AfterAll static void stop() {
    server.close();
  }

  static void assertServing() throws SQLException {
    try (Connection c = Servers.connect(server); Statement s = c.createStatement()) {
      assertEquals(500, Servers.count(s, "t"));
    }
  }

  @Test void garbageGetsAnErrorAndTheServerStaysUp() throws Exception {
    RawClient raw = new RawClient(server, null, null);
    Random random = new Random(42);
    for (int size : new int[] {0, 1, 7, 100, 4096, 60_000}) {
      byte[] junk = new byte[size];
      random.nextBytes(junk);
      HttpResponse<byte[]> r = raw.post(junk);
      assertTrue(r.statusCode() == 500 || r.statusCode() == 400, "status " + r.statusCode());
    }
    HttpResponse<byte[]> r = raw.post("{\"request\": \"openConnection\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(500, r.statusCode());
    assertInstanceOf(Service.ErrorResponse.class, raw.parse(r.body()));
    assertEquals(400, raw.get().statusCode());
    // well-formed requests that make no sense
    Service.ErrorResponse missing = assertInstanceOf(Service.ErrorResponse.class,
        raw.send(new Service.FetchRequest("nope", 12345, 0, 10)));
    assertTrue(missing.errorMessage.contains("nope"), missing.errorMessage);
    assertInstanceOf(Service.ErrorResponse.class, raw.send(new Service.PrepareAndExecuteRequest(
        "nope", 1, "SELECT 1", -1, -1)));
    assertInstanceOf(Service.ErrorResponse.class, raw.send(new Service.OpenConnectionRequest(null, Map.of())));
    assertServing();
  }

  @Test void requestsLargerThanTheLimitAreRefused() throws Exception {
    RawClient raw = new RawClient(server, null, null);
    HttpResponse<byte[]> r = raw.post(new byte[200_000]);
    assertEquals(500, r.statusCode());
    Service.ErrorResponse e = assertInstanceOf(Service.ErrorResponse.class, raw.parse(r.body()));
    assertTrue(e.errorMessage.startsWith("request too large: 200000 bytes; the server accepts at most 65536"),
        e.errorMessage);
    try (Connection c = Servers.connect(server); Statement s = c.createStatement()) {
      StringBuilder sql = new StringBuilder("INSERT INTO t(val) VALUES (0)");
      while (sql.length() < 100_000) {
        sql.append(", (0)");
      }
      SQLException x = assertThrows(SQLException.class, () -> s.executeUpdate(sql.toString()));
      assertTrue(x.getMessage().contains("request too large"), x.getMessage());
      try (PreparedStatement p = c.prepareStatement("INSERT INTO t(val) VALUES (?)")) {
        for (int i = 0; i < 20_000; i++) {
          p.setDouble(1, i);
          p.addBatch();
        }
        x = assertThrows(SQLException.class, p::executeBatch);
        assertTrue(x.getMessage().contains("request too large"), x.getMessage());
      }
    }
    assertServing();
  }

  @Test void framesAreCapped() throws Exception {
    RawClient raw = new RawClient(server, null, null);
    String id = UUID.randomUUID().toString();
    raw.send(new Service.OpenConnectionRequest(id, Map.of()));
    Service.CreateStatementResponse st = (Service.CreateStatementResponse) raw.send(
        new Service.CreateStatementRequest(id));
    // -2 asks for every row in the first frame
    Service.ExecuteResponse r = assertInstanceOf(Service.ExecuteResponse.class, raw.send(
        new Service.PrepareAndExecuteRequest(id, st.statementId, "SELECT * FROM t", -1, -2)));
    assertEquals(50, size(r.results.get(0).firstFrame.rows));
    assertTrue(!r.results.get(0).firstFrame.done);
    Service.FetchResponse f = assertInstanceOf(Service.FetchResponse.class, raw.send(
        new Service.FetchRequest(id, st.statementId, 50, -1)));
    assertEquals(50, size(f.frame.rows));
    raw.send(new Service.CloseConnectionRequest(id));
    // a JDBC client that asks for big frames still gets every row
    try (Connection c = Servers.connect(server); Statement s = c.createStatement()) {
      s.setFetchSize(100_000);
      assertEquals(500, Servers.rows(s, "SELECT * FROM t").size());
    }
  }

  private static int size(Iterable<?> rows) {
    int n = 0;
    for (Object ignored : rows) {
      n++;
    }
    return n;
  }

  @Test void connectionsBeyondTheCapAreRefused() throws Exception {
    try (MmapServer small = Servers.start(Servers.config(dir.resolve("small")).withMaxConnections(3))) {
      RawClient raw = new RawClient(small, null, null);
      // Eight openings at once: exactly three get through, the others get 53300.
      List<java.util.concurrent.Future<Service.Response>> answers;
      try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
        answers = pool.invokeAll(java.util.stream.IntStream.range(0, 8)
            .mapToObj(i -> (java.util.concurrent.Callable<Service.Response>) () ->
                raw.send(new Service.OpenConnectionRequest(UUID.randomUUID().toString(), Map.of())))
            .toList());
      }
      int opened = 0;
      for (var a : answers) {
        Service.Response r = a.get();
        if (r instanceof Service.ErrorResponse e) {
          assertEquals("53300", e.sqlState, e.errorMessage);
          assertTrue(e.errorMessage.contains("too many connections: the server allows 3"), e.errorMessage);
        } else {
          assertInstanceOf(Service.OpenConnectionResponse.class, r);
          opened++;
        }
      }
      assertEquals(3, opened);
      SQLException e = assertThrows(SQLException.class, () -> Servers.connect(small).createStatement());
      assertTrue(e.getMessage().contains("too many connections"), e.getMessage());
    }
  }

  @Test void statementTimeout() throws Exception {
    try (MmapServer quick = Servers.start(Servers.config(dir.resolve("quick"))
        .withLimits(1 << 20, 100, Duration.ofMillis(1)))) {
      try (Connection c = Servers.connect(quick); Statement s = c.createStatement()) {
        SQLException e = assertThrows(SQLException.class,
            () -> Servers.rows(s, "SELECT * FROM (VALUES (1), (2), (3)) AS v(x)"));
        assertTrue(e.getMessage().contains("statement timeout: the statement ran longer than 1 millisecond"),
            e.getMessage());
      }
    }
  }

  /**
   * A prepared statement on the compact path is stopped by the statement
   * timeout too (57014), and its next execute runs: the timeout's flag is
   * the call's, not the statement's for good. No task is left behind.
   */
  @Test void statementTimeoutStopsACompactExecute() throws Exception {
    Path data = dir.resolve("slow");
    java.nio.file.Files.createDirectories(data);
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(data.resolve("big.f8").toFile(), "rw")) {
      f.setLength(8L << 28); // sparse: long enough to time out
    }
    try (MmapServer slow = Servers.start(Servers.config(data))) {
      try (Connection c = Servers.connect(slow)) {
        c.createStatement().executeQuery("SELECT MMAP('big', 'big.f8')").close();
      }
    }
    try (MmapServer quick = Servers.start(Servers.config(data).withLimits(1 << 20, 100, Duration.ofMillis(200)));
        Connection c = Servers.connect(quick);
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), SUM(val) FROM big WHERE idx >= ?")) {
      long executes = quick.compactExecutes();
      ps.setLong(1, 0);
      SQLException e = assertThrows(SQLException.class, () -> countAndSum(ps));
      assertEquals("57014", e.getSQLState(), e.getMessage());
      assertTrue(e.getMessage().contains("statement timeout: the statement ran longer than 200 milliseconds"),
          e.getMessage());
      ps.setLong(1, (1L << 28) - 3);
      assertEquals("3 0.0", countAndSum(ps));
      assertEquals(2, quick.compactExecutes() - executes, "both went the compact way");
      assertEquals(0, quick.timedCalls(), "no call left under the timeout");
      assertTrue(quick.pendingTimers() <= 2, quick.pendingTimers() + " tasks in the timer");
    }
  }

  private static String countAndSum(PreparedStatement ps) throws SQLException {
    try (java.sql.ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1) + " " + rs.getDouble(2);
    }
  }

  @Test void idleConnectionsExpire() throws Exception {
    try (MmapServer brief = Servers.start(Servers.config(dir.resolve("brief"))
        .withExpiry(Duration.ofSeconds(1), Duration.ofSeconds(1)))) {
      try (Connection plain = Servers.avatica(brief, ""); Connection mmap = Servers.connect(brief)) {
        Servers.rows(plain.createStatement(), "SELECT 1");
        Servers.rows(mmap.createStatement(), "SELECT 1");
        Thread.sleep(1500);
        // Avatica's client throws a RuntimeException here, with the server's message
        Exception e = assertThrows(Exception.class, () -> Servers.rows(plain.createStatement(), "SELECT 1"));
        assertTrue(e.getMessage().contains("is closed or has expired (the server closes connections idle"
            + " for more than 1 second); open a new connection"), e.getMessage());
        // the mmapsql driver reconnects by itself
        assertEquals(List.of("1"), Servers.rows(mmap.createStatement(), "SELECT 1"));
      }
    }
  }
}
