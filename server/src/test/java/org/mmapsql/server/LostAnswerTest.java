package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.types.Sql;

/**
 * A prepared INSERT whose answer is lost on the way back (the server ran it;
 * a proxy drops the answer and closes the connection) fails with 08006 and is
 * not sent again: the row is appended once, not once per retry.
 */
class LostAnswerTest {
  @TempDir Path dir;

  @Test void anExecuteWhoseAnswerIsLostRunsOnceAndSaysSo() throws Exception {
    AtomicBoolean dropAnswers = new AtomicBoolean();
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread accept = new Thread(() -> forward(proxy, server.port(), dropAnswers), "proxy");
      accept.setDaemon(true);
      accept.start();
      try (Connection direct = Servers.connect(server);
           Connection c = DriverManager.getConnection(server.jdbcUrl().replace(":" + server.port(), ":" + proxy.getLocalPort()))) {
        Sql.mmap(direct, "t", "t.f8", "f8", null);
        PreparedStatement insert = c.prepareStatement("INSERT INTO t(val) VALUES (?)");
        insert.setDouble(1, 1.5);
        assertEquals(1, insert.executeUpdate()); // opens the driver's socket (switched to compact frames)
        long compact = server.compactExecutes();
        dropAnswers.set(true);
        SQLException e = assertThrows(SQLException.class, insert::executeUpdate);
        assertEquals("08006", e.getSQLState(), e.getMessage());
        dropAnswers.set(false);
        assertEquals(compact + 1, server.compactExecutes(), "the server ran it once, on the compact path");
        assertEquals(2L, ((Number) Sql.scalar(direct, "SELECT COUNT(*) FROM t")).longValue());
      }
    }
  }

  /** Accepts connections and pumps bytes both ways; answers are dropped (and the socket closed) once asked. */
  private static void forward(ServerSocket proxy, int port, AtomicBoolean dropAnswers) {
    try {
      while (true) {
        Socket client = proxy.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), port);
        pump(client.getInputStream(), server.getOutputStream(), null, client);
        pump(server.getInputStream(), client.getOutputStream(), dropAnswers, client);
      }
    } catch (IOException e) {
      // the proxy closed
    }
  }

  private static void pump(InputStream in, OutputStream out, AtomicBoolean drop, Socket client) {
    Thread t = new Thread(() -> {
      byte[] b = new byte[8192];
      try {
        for (int n = in.read(b); n >= 0; n = in.read(b)) {
          if (drop != null && drop.get()) {
            client.close();
            return;
          }
          out.write(b, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // either side closed
      }
    }, "pump");
    t.setDaemon(true);
    t.start();
  }
}
