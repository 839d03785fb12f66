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

  /**
   * The keystore's password in a file MMAP can reach would be readable by any readwrite user
   * (bound as {@code |u1}): the server refuses to start, before it reads the file.
   */
  @Test void aKeystorePasswordFileInsideTheDataDirectoryIsRefused() throws Exception {
    keytool("-genkeypair", "-alias", "mmapsql", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", "server.p12",
        "-storepass", "changeit");
    Path data = java.nio.file.Files.createDirectories(dir.resolve("data"));
    Path allowed = java.nio.file.Files.createDirectories(dir.resolve("allowed"));
    Path outside = java.nio.file.Files.writeString(dir.resolve("pass.txt"), "changeit\n");
    for (Path inside : List.of(java.nio.file.Files.writeString(data.resolve("pass.txt"), "changeit\n"),
        java.nio.file.Files.writeString(allowed.resolve("pass.txt"), "changeit\n"))) {
      java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
      java.io.PrintStream stderr = System.err;
      int exit;
      try {
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        // a server that starts serves until stopped: fail then rather than wait for ever
        exit = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
            () -> Main.run("serve", "--port", "0", "--data-dir", data.toString(), "--allowed-directory",
                allowed.toString(), "--tls-keystore", dir.resolve("server.p12").toString(),
                "--tls-keystore-password-file", inside.toString()));
      } finally {
        System.setErr(stderr);
      }
      assertEquals(1, exit, err.toString());
      assertTrue(err.toString().contains("TLS keystore password file " + inside)
          && err.toString().contains("where MMAP can reach it"), err.toString());
    }
    // the keystore itself there is refused too (then taken away: the data directory's files are tables)
    Path keystoreInside = java.nio.file.Files.copy(dir.resolve("server.p12"), data.resolve("server.p12"));
    MmapServer.StartException e = assertThrows(MmapServer.StartException.class, () -> MmapServer.start(
        Servers.config(data).withTls(keystoreInside, "changeit".toCharArray())));
    assertTrue(e.getMessage().contains("TLS keystore " + keystoreInside) && e.getMessage().contains("where MMAP can reach it"),
        e.getMessage());
    java.nio.file.Files.delete(keystoreInside);
    // the same file outside both directories is the server's to read: it gets as far as starting
    ServerConfig ok = Servers.config(data).withTls(dir.resolve("server.p12"), "changeit".toCharArray());
    MmapServer.refuseMappable(data, List.of(allowed), "TLS keystore password file", outside);
    try (MmapServer server = Servers.start(ok)) {
      assertTrue(server.url().startsWith("https://"), server.url());
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
