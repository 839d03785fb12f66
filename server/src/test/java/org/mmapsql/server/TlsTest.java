package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with a keystore made by keytool, and BASIC authentication over it. */
class TlsTest {
  @TempDir Path dir;

  private void keytool(String... args) throws Exception {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    List<String> cmd = new java.util.ArrayList<>(List.of(java.resolveSibling("keytool").toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
  }

  @Test void httpsWithBasicAuthentication() throws Exception {
    keytool("-genkeypair", "-alias", "mmapsql", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", "server.p12", "-storepass", "changeit");
    keytool("-exportcert", "-alias", "mmapsql", "-keystore", "server.p12", "-storepass", "changeit",
        "-file", "server.crt");
    keytool("-importcert", "-noprompt", "-alias", "mmapsql", "-file", "server.crt",
        "-storetype", "PKCS12", "-keystore", "trust.p12", "-storepass", "changeit");
    ServerConfig config = Servers.config(dir.resolve("data")).withUsersFile(Servers.usersFile(dir))
        .withTls(dir.resolve("server.p12"), "changeit".toCharArray());
    try (MmapServer server = Servers.start(config)) {
      assertTrue(server.url().startsWith("https://127.0.0.1:"), server.url());
      Properties p = new Properties();
      p.setProperty("user", "alice");
      p.setProperty("password", "alice-password");
      p.setProperty("truststore", dir.resolve("trust.p12").toString());
      p.setProperty("truststore_password", "changeit");
      try (Connection c = DriverManager.getConnection(server.jdbcUrl(), p); Statement s = c.createStatement()) {
        assertEquals(List.of("0"), Servers.rows(s, "SELECT MMAP('t', 't.mmap')"));
      }
      // without trusting the certificate
      p.remove("truststore");
      SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(server.jdbcUrl(), p));
      assertTrue(e.getMessage().contains("TLS") || e.getMessage().contains("certif"), e.getMessage());
      // plain HTTP to a TLS port
      SQLException plain = assertThrows(SQLException.class, () -> DriverManager.getConnection(
          "jdbc:mmap:remote:url=" + server.url().replace("https", "http"), p));
      assertTrue(plain.getMessage().contains("this mmapsql server accepts only HTTPS"), plain.getMessage());
    }
  }

  /** A port that closes every connection: a clear error, not Avatica's endless retries. */
  @Test void aServerThatClosesTheConnectionGivesAnError() throws Exception {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        while (!socket.isClosed()) {
          try {
            java.net.Socket s = socket.accept();
            s.getInputStream().read(new byte[1024]);
            s.close();
          } catch (java.io.IOException e) {
            return;
          }
        }
      });
      t.setDaemon(true);
      t.start();
      long start = System.nanoTime();
      SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(
          "jdbc:mmap:remote:url=http://127.0.0.1:" + socket.getLocalPort()));
      assertTrue(e.getMessage().contains("the server closed the connection"), e.getMessage());
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30));
    }
  }

  @Test void nobodyListening() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(
        "jdbc:mmap:remote:url=http://127.0.0.1:" + port));
    assertTrue(e.getMessage().startsWith("cannot reach the mmapsql server at http://127.0.0.1:" + port),
        e.getMessage());
  }
}
