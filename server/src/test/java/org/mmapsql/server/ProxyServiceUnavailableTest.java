package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.calcite.avatica.remote.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmapsql.jdbc.CompactExecute;
import org.mmapsql.jdbc.RemoteHttpClient;
import org.mmapsql.types.Sql;

/**
 * An HTTP proxy in front of a server answers 503: after it forwarded the
 * INSERT (the server ran it), the driver must not send it again, and says it
 * may or may not have taken effect; the server's own 503, which says it did
 * not run the request ({@link RemoteHttpClient.NOT_RUN}), is sent again.
 */
class ProxyServiceUnavailableTest {
  @TempDir Path dir;

  /**
   * What the proxy does: forward; forward each request, then answer 503; answer
   * the first two requests that carry an INSERT 503 as the server does when it
   * refuses one (without forwarding them), then forward.
   */
  private enum Mode { FORWARD, FORWARD_THEN_503, REFUSE_TWICE_AS_THE_SERVER_DOES }

  /** A plain HTTP proxy on loopback: it forwards each request to the server, and its answer back. */
  private static final class HttpProxy implements AutoCloseable {
    private static final Set<String> NOT_COPIED = Set.of("content-length", "connection", "transfer-encoding",
        "date", "upgrade");
    private final HttpServer http;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String target;
    volatile Mode mode = Mode.FORWARD;
    /** Requests the mode applied to (FORWARD_THEN_503: all; REFUSE_TWICE...: those with an INSERT). */
    final AtomicInteger counted = new AtomicInteger();
    /** Each request that came in, with its mode: for the failure messages. */
    final List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    HttpProxy(int targetPort) throws IOException {
      target = "http://127.0.0.1:" + targetPort;
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
      http.createContext("/", this::handle);
      http.start();
    }

    String jdbcUrl() {
      return "jdbc:mmap:remote:url=http://127.0.0.1:" + http.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
      try (x) {
        byte[] body = x.getRequestBody().readAllBytes();
        boolean insert = new String(body, StandardCharsets.ISO_8859_1).contains("INSERT INTO");
        Mode m = insert || mode == Mode.FORWARD_THEN_503 ? mode : Mode.FORWARD;
        seen.add(x.getRequestURI() + " " + insert + " " + m);
        if (insert && m == Mode.REFUSE_TWICE_AS_THE_SERVER_DOES && counted.incrementAndGet() <= 2) {
          x.getResponseHeaders().set(RemoteHttpClient.NOT_RUN, "1");
          x.sendResponseHeaders(503, -1);
          return;
        }
        HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target + x.getRequestURI()))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        x.getRequestHeaders().forEach((name, values) -> {
          if (!NOT_COPIED.contains(name.toLowerCase(Locale.ROOT)) && !name.equalsIgnoreCase("host")) {
            values.forEach(v -> forward.header(name, v));
          }
        });
        HttpResponse<byte[]> answer;
        try {
          answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
        if (m == Mode.FORWARD_THEN_503) {
          counted.incrementAndGet();
          x.sendResponseHeaders(503, -1); // the server ran it; the proxy answers 503 anyway (a timeout, a reload)
          return;
        }
        answer.headers().map().forEach((name, values) -> {
          if (!NOT_COPIED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
            x.getResponseHeaders().put(name, values);
          }
        });
        x.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
        x.getResponseBody().write(answer.body());
      }
    }

    @Override public void close() {
      http.stop(0);
    }
  }

  private static Connection through(HttpProxy proxy, String execute) throws SQLException {
    Properties p = new Properties();
    p.setProperty(CompactExecute.PROPERTY, execute);
    return DriverManager.getConnection(proxy.jdbcUrl(), p);
  }

  /** A Statement's INSERT (Avatica's HTTP path) and a prepared one (the compact execute over plain HTTP). */
  @ParameterizedTest
  @ValueSource(strings = {"statement", "prepared"})
  void aProxys503AfterItForwardedTheInsertIsNotSentAgain(String kind) throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         HttpProxy proxy = new HttpProxy(server.port());
         Connection direct = Servers.connect(server);
         Connection c = through(proxy, kind.equals("statement") ? CompactExecute.AVATICA : CompactExecute.COMPACT)) {
      Sql.mmap(direct, "t", "t.f8", "f8", null);
      PreparedStatement insert = c.prepareStatement("INSERT INTO t(val) VALUES (?)");
      try (Statement s = c.createStatement()) {
        assertEquals(1, s.executeUpdate("INSERT INTO t(val) VALUES (1)")); // the server has answered this client
        proxy.mode = Mode.FORWARD_THEN_503;
        SQLException e = assertThrows(SQLException.class, () -> {
          if (kind.equals("statement")) {
            s.executeUpdate("INSERT INTO t(val) VALUES (2)");
          } else {
            insert.setDouble(1, 2);
            insert.executeUpdate();
          }
        });
        assertEquals("08006", e.getSQLState(), e.getMessage());
        assertTrue(e.getMessage().contains("may or may not have taken effect"), e.getMessage());
        assertEquals(1, proxy.counted.get(), "sent once: " + proxy.seen);
        proxy.mode = Mode.FORWARD;
      }
      assertEquals(List.of("1.0", "2.0"), rows(direct));
    }
  }

  /** A 503 that says the server did not run the request is sent again: the row is appended once. */
  @Test void theServersOwn503IsSentAgain() throws Exception {
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
         HttpProxy proxy = new HttpProxy(server.port());
         Connection direct = Servers.connect(server);
         Connection c = through(proxy, CompactExecute.AVATICA);
         Statement s = c.createStatement()) {
      Sql.mmap(direct, "t", "t.f8", "f8", null);
      proxy.mode = Mode.REFUSE_TWICE_AS_THE_SERVER_DOES;
      assertEquals(1, s.executeUpdate("INSERT INTO t(val) VALUES (3)"));
      assertEquals(3, proxy.counted.get(), "refused twice, then run");
      assertEquals(List.of("3.0"), rows(direct));
    }
  }

  /**
   * The server's own 503, a request on a kept-alive connection while a stop
   * waits for one in flight (Jetty refuses it), says the request did not run.
   */
  @Test void aStoppingServersOwn503SaysTheRequestDidNotRun() throws Exception {
    MmapServer server = Servers.start(Servers.config(dir.resolve("data")));
    RawClient raw = new RawClient(server, null, null);
    assertInstanceOf(Service.OpenConnectionResponse.class,
        raw.send(new Service.OpenConnectionRequest("c", Map.of()))); // its connection is kept alive
    Thread stop = new Thread(server::close, "stop");
    try (Socket inFlight = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      OutputStream out = inFlight.getOutputStream();
      out.write(("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
          + "Content-Length: 100\r\n\r\n0123456789").getBytes(StandardCharsets.ISO_8859_1));
      out.flush(); // its body never ends: the stop waits for it
      Thread.sleep(200);
      stop.start();
      HttpResponse<byte[]> refused = null;
      for (int i = 0; i < 100 && refused == null; i++) {
        HttpResponse<byte[]> r = raw.post(new byte[0]);
        if (r.statusCode() == 503) {
          refused = r;
        } else {
          Thread.sleep(50);
        }
      }
      assertTrue(refused != null, "no 503 while the server stopped");
      assertEquals(java.util.Optional.of("1"), refused.headers().firstValue(RemoteHttpClient.NOT_RUN));
    } finally {
      stop.join(60_000);
    }
  }

  private static List<String> rows(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      return Servers.rows(s, "SELECT val FROM t ORDER BY idx");
    }
  }
}
