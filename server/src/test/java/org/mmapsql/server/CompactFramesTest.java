package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;

import org.apache.calcite.avatica.remote.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.jdbc.CompactExecute;
import org.mmapsql.types.Sql;

/**
 * The driver's socket switches to compact frames ({@link CompactExecute#UPGRADE})
 * and its executes then go as frames, not HTTP requests, with what the HTTP
 * layer guarantees kept: the user's credentials checked for every frame, the
 * request size limit, errors as Avatica's error response, connections ended
 * when the client closes and at the server's stop.
 */
class CompactFramesTest {
  @TempDir Path dir;

  @Test void executesGoAsFramesOnOneUpgradedSocket() throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")))) {
      try (Connection c = Servers.connect(server)) {
        Sql.mmap(c, "t", "t.f8", "f8", null);
        Sql.update(c, "INSERT INTO t(val) VALUES (1.5), (2.5), (3.5)");
        PreparedStatement p = c.prepareStatement("SELECT val FROM t WHERE idx = ?");
        long executes = server.compactExecutes();
        for (int i = 0; i < 30; i++) {
          p.setLong(1, i % 3);
          try (ResultSet rs = p.executeQuery()) {
            assertTrue(rs.next());
            assertEquals(1.5 + i % 3, rs.getDouble(1));
          }
        }
        assertEquals(30, server.compactExecutes() - executes);
        assertEquals(1, server.compactConnections(), "one socket, switched to frames");
      }
      awaitZero(server::compactConnections, "closing the JDBC connection closes its socket");
    }
  }

  @Test void malformedAndOversizedFramesGetAvaticasErrors() throws Exception {
    ServerConfig config = Servers.config(dir.resolve("data")).withLimits(1000, 1000, Duration.ZERO);
    try (MmapServer server = Servers.start(config);
         Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.write(("POST " + CompactExecute.PATH + " HTTP/1.1\r\nHost: x\r\nUpgrade: " + CompactExecute.UPGRADE
          + "\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      List<String> head = head(in);
      assertTrue(head.get(0).startsWith("HTTP/1.1 101"), head.toString());
      assertTrue(head.contains("Upgrade: " + CompactExecute.UPGRADE), head.toString());

      out.writeInt(3);
      out.write(new byte[] {7, 0, 42}); // not a compact request
      assertEquals(500, in.readInt());
      Service.ErrorResponse e = error(in);
      assertTrue(e.errorMessage.contains("takes only the execute"), e.errorMessage);
      assertTrue(e.exceptions.stream().noneMatch(t -> t.contains("\tat ")), "no stack trace of the server");

      out.writeInt(2000); // over the limit: the body dropped unread, answered, and the connection ends
      out.write(new byte[2000]);
      assertEquals(500 | CompactExecute.FRAME_CLOSES, in.readInt(), "a 500 that says the socket closes");
      e = error(in);
      assertEquals("54000", e.sqlState);
      assertTrue(e.errorMessage.startsWith("request too large: 2000 bytes"), e.errorMessage);
      assertThrows(EOFException.class, in::readInt);
      awaitZero(server::compactConnections, "the server ended the connection");
    }
  }

  @Test void framesAnsweredAtOnceAreNoMoreThanMaxThreads() throws Exception {
    int maxThreads = 6;
    int clients = 16;
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")).withMaxThreads(maxThreads))) {
      try (Connection c = Servers.connect(server)) {
        Sql.mmap(c, "t", "t.f8", "f8", null);
        Sql.update(c, "INSERT INTO t(val) SELECT CAST(x AS DOUBLE) FROM (VALUES (1), (2), (3), (4)) AS v(x)");
        for (int i = 0; i < 14; i++) {
          Sql.update(c, "INSERT INTO t(val) SELECT val FROM t");
        }
      }
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
      try {
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Long>> runs = new java.util.ArrayList<>();
        for (int k = 0; k < clients; k++) {
          runs.add(pool.submit(() -> {
            try (Connection c = Servers.connect(server);
                 PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM t WHERE val > ?")) {
              long n = 0;
              start.await();
              for (int i = 0; i < 20; i++) {
                p.setDouble(1, i % 4);
                try (ResultSet rs = p.executeQuery()) {
                  assertTrue(rs.next());
                  n += rs.getLong(1);
                }
              }
              return n;
            }
          }));
        }
        start.countDown();
        for (java.util.concurrent.Future<Long> r : runs) {
          assertEquals(5 * (4L + 3 + 2 + 1) * (1 << 14), r.get()); // values 1..4, each 2^14 times; 5 rounds of > 0, 1, 2, 3
        }
      } finally {
        pool.shutdownNow();
      }
      assertTrue(server.compactExecutes() >= clients * 20L, "the executes went as frames");
      assertTrue(server.compactFramesPeak() <= maxThreads, "at most --max-threads frames answered at once, not "
          + server.compactFramesPeak());
    }
  }

  /**
   * Clients asking at once to switch: no more sockets switch than
   * --max-connections (the check and the count were two steps, which clients
   * switching together all passed), the others stay on HTTP, and a closed
   * switched socket frees its place.
   */
  @Test void switchesAtOnceAreNoMoreThanMaxConnections() throws Exception {
    int max = 2;
    int clients = 24;
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")).withMaxConnections(max)
        .withMaxThreads(clients + 8))) {
      List<Socket> sockets = new java.util.ArrayList<>();
      try {
        for (int k = 0; k < clients; k++) {
          sockets.add(new Socket(InetAddress.getLoopbackAddress(), server.port()));
        }
        byte[] upgrade = ("POST " + CompactExecute.PATH + " HTTP/1.1\r\nHost: x\r\nUpgrade: "
            + CompactExecute.UPGRADE + "\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(clients);
        List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger switched = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger stayed = new java.util.concurrent.atomic.AtomicInteger();
        for (Socket s : sockets) {
          threads.add(new Thread(() -> {
            try {
              together.await();
              s.getOutputStream().write(upgrade);
              String status = head(s.getInputStream()).get(0);
              (status.startsWith("HTTP/1.1 101") ? switched : stayed).incrementAndGet();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
          t.join();
        }
        assertEquals(clients, switched.get() + stayed.get());
        assertTrue(switched.get() <= max, switched.get() + " sockets switched, at most " + max + " may");
        assertTrue(switched.get() >= 1, "one switched");
      } finally {
        for (Socket s : sockets) {
          s.close();
        }
      }
      awaitZero(server::compactConnections, "the switched sockets ended");
      try (Connection c = Servers.connect(server)) {
        Sql.mmap(c, "t", "t.f8", "f8", null);
        Sql.update(c, "INSERT INTO t(val) VALUES (1.5)");
        assertEquals(1, server.compactConnections(), "the places are free again");
      }
    }
  }

  @Test void credentialsAreCheckedForEveryFrame() throws Exception {
    Path users = Servers.usersFile(dir);
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")).withUsersFile(users))) {
      Connection alice = Servers.connect(server, "alice", "alice-password");
      Sql.mmap(alice, "t", "t.f8", "f8", null);
      Sql.update(alice, "INSERT INTO t(val) VALUES (4.0)");
      PreparedStatement p = alice.prepareStatement("SELECT val FROM t WHERE idx = ?");
      p.setLong(1, 0);
      try (ResultSet rs = p.executeQuery()) {
        assertTrue(rs.next());
      }
      assertEquals(1, server.compactConnections());
      // alice's password changes while her socket is on frames
      UsersFile.write(users, List.of(UsersFile.create("alice", User.Role.READWRITE, "new".toCharArray(), 1000)));
      long executes = server.compactExecutes();
      SQLException refused = null;
      for (long end = System.nanoTime() + 20_000_000_000L; refused == null && System.nanoTime() < end; ) {
        Thread.sleep(200); // the server looks at the file again at most every 2 seconds
        try (ResultSet rs = p.executeQuery()) {
          assertTrue(rs.next());
          executes = server.compactExecutes();
        } catch (SQLException e) {
          refused = e;
        }
      }
      assertTrue(refused != null, "the old password kept working");
      // as on Avatica's path, which the driver takes for a refused frame and which refuses it too
      assertTrue(refused.getMessage().contains("401"), refused.getMessage());
      assertEquals(executes, server.compactExecutes(), "the statement did not run");
      // at once again: the refused frame's answer said the socket closes, so no 08006 from a dead socket
      SQLException again = assertThrows(SQLException.class, p::executeQuery);
      assertTrue(again.getMessage().contains("401"), again.getSQLState() + " " + again.getMessage());
      awaitZero(server::compactConnections, "the refused socket is closed");
      CompactExecuteTest.closeQuietly(alice); // refused too
    }
  }

  /** A connection the application drops without closing it does not keep its socket open for ever. */
  @Test void aConnectionDroppedUnclosedReleasesItsSocket() throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")))) {
      try (Connection c = Servers.connect(server)) {
        Sql.mmap(c, "t", "t.f8", "f8", null);
      }
      awaitZero(server::compactConnections, "the closed connection's socket is closed");
      dropUnclosed(server);
      assertEquals(1, server.compactConnections());
      for (long end = System.nanoTime() + 20_000_000_000L; server.compactConnections() != 0 && System.nanoTime() < end; ) {
        System.gc();
        Thread.sleep(50);
      }
      assertEquals(0, server.compactConnections(), "the dropped connection's socket is closed once it is unreachable");
    }
  }

  private static void dropUnclosed(MmapServer server) throws SQLException {
    Connection c = Servers.connect(server);
    try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM t")) {
      p.executeQuery().close();
    }
  }

  @Test void theServersStopEndsUpgradedConnections() throws Exception {
    MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
    try (Connection c = Servers.connect(server)) {
      Sql.mmap(c, "t", "t.f8", "f8", null);
      try (PreparedStatement p = c.prepareStatement("INSERT INTO t(val) VALUES (?)")) {
        p.setDouble(1, 1);
        assertEquals(1, p.executeUpdate());
      }
      assertEquals(1, server.compactConnections());
      server.close();
      assertEquals(0, server.compactConnections());
    } catch (SQLException closingAfterTheStop) {
      // the server is gone
    }
  }

  /**
   * A request that has come in when the server stops is answered 503 and
   * the socket closes after it (the driver then goes by HTTP: not run), not
   * left unread under a closed socket, which the driver could only report as
   * a statement that may or may not have run.
   */
  @Test void aRequestThatCameInAsTheServerStopsIsAnswered503() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("data"));
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(dir.resolve("data/big.f8").toFile(), "rw")) {
      f.setLength(8L << 28); // sparse: a SUM long enough for the stop to come while it runs
    }
    MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
    try (Connection c = Servers.connect(server)) {
      Sql.mmap(c, "big", "big.f8", "f8", null);
    }
    org.apache.calcite.avatica.remote.ProtobufTranslation wire =
        new org.apache.calcite.avatica.remote.ProtobufTranslationImpl();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.write(("POST " + CompactExecute.PATH + " HTTP/1.1\r\nHost: x\r\nUpgrade: " + CompactExecute.UPGRADE
          + "\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      assertTrue(head(in).get(0).startsWith("HTTP/1.1 101"));
      avaticaFrame(out, wire.serializeRequest(new Service.OpenConnectionRequest("c1", java.util.Map.of())));
      assertEquals(200, in.readInt());
      in.readFully(new byte[in.readInt()]);
      avaticaFrame(out, wire.serializeRequest(new Service.CreateStatementRequest("c1")));
      assertEquals(200, in.readInt());
      byte[] created = new byte[in.readInt()];
      in.readFully(created);
      int statement = ((Service.CreateStatementResponse) wire.parseResponse(created)).statementId;

      // a long SUM, and behind it at once the next request, which the server has not read when it stops
      avaticaFrame(out, wire.serializeRequest(
          new Service.PrepareAndExecuteRequest("c1", statement, "SELECT SUM(val) FROM big", -1)));
      avaticaFrame(out, wire.serializeRequest(new Service.CloseStatementRequest("c1", statement)));
      server.close();

      int status = in.readInt();
      if ((status & CompactExecute.FRAME_CLOSES) == 0) { // the SUM was in hand: answered first
        in.readFully(new byte[in.readInt()]);
        status = in.readInt();
      }
      assertEquals(503 | CompactExecute.FRAME_CLOSES, status, "the request not run is refused, and the socket closes");
      in.readFully(new byte[in.readInt()]);
      assertThrows(EOFException.class, in::readInt);
    } finally {
      server.close();
    }
  }

  private static void avaticaFrame(DataOutputStream out, byte[] avaticaRequest) throws IOException {
    out.writeInt(avaticaRequest.length + 1);
    out.write(1); // AvaticaFrame's kind
    out.write(avaticaRequest);
    out.flush();
  }

  private static List<String> head(InputStream in) throws IOException {
    List<String> lines = new java.util.ArrayList<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0; b = in.read()) {
      if (b == '\n') {
        String l = line.toString(StandardCharsets.ISO_8859_1).strip();
        if (l.isEmpty()) {
          return lines;
        }
        lines.add(l);
        line.reset();
      } else {
        line.write(b);
      }
    }
    throw new EOFException(lines.toString());
  }

  private static Service.ErrorResponse error(DataInputStream in) throws IOException {
    byte[] body = new byte[in.readInt()];
    in.readFully(body);
    return (Service.ErrorResponse) new org.apache.calcite.avatica.remote.ProtobufTranslationImpl()
        .parseResponse(body);
  }

  private static void awaitZero(IntSupplier count, String what) throws InterruptedException {
    for (long end = System.nanoTime() + 10_000_000_000L; count.getAsInt() != 0 && System.nanoTime() < end; ) {
      Thread.sleep(20);
    }
    assertEquals(0, count.getAsInt(), what);
  }
}

