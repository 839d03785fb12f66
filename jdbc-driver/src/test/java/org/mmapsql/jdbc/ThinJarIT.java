package org.mmapsql.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.jar.JarFile;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.server.MmapServer;
import org.mmapsql.server.ServerConfig;
import org.mmapsql.server.User;
import org.mmapsql.server.UsersFile;

/**
 * The thin driver jar, minimized, loaded alone in a fresh class loader
 * against a real server: everything the client loads is inside (the walkthrough
 * with authentication, generated keys, batch errors, DBeaver's metadata calls, TLS),
 * Jackson is not, and the jar stays small.
 */
class ThinJarIT {
  @TempDir static Path dir;
  static Path jar;
  static URLClassLoader loader;
  static java.sql.Driver driver;
  static MmapServer server;

  @BeforeAll static void load() throws Exception {
    jar = Path.of(System.getProperty("thin.jar"));
    assertTrue(Files.isRegularFile(jar), jar.toString());
    loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    List<java.sql.Driver> drivers = new ArrayList<>();
    ServiceLoader.load(java.sql.Driver.class, loader).forEach(d -> {
      if (d.getClass().getClassLoader() == loader) {
        drivers.add(d);
      }
    });
    assertEquals(1, drivers.size(), "one driver registered by the jar: " + drivers);
    driver = drivers.get(0);
    assertEquals("org.mmapsql.jdbc.RemoteDriver", driver.getClass().getName());
    Path users = dir.resolve("users");
    UsersFile.write(users, List.of(UsersFile.create("alice", User.Role.READWRITE, "alice-password".toCharArray(), 1000)));
    server = MmapServer.start(ServerConfig.defaults(dir.resolve("served")).withPort(0).withUsersFile(users));
  }

  @AfterAll static void close() throws Exception {
    server.close();
    loader.close();
  }

  static Connection connect(MmapServer s, String extra) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "alice");
    p.setProperty("password", "alice-password");
    return driver.connect("jdbc:mmap:remote:url=" + s.url() + extra, p);
  }

  @Test void aFewMegabytesWithoutJackson() throws Exception {
    assertTrue(Files.size(jar) < 5_000_000, "thin jar of " + Files.size(jar) + " bytes");
    try (JarFile j = new JarFile(jar.toFile())) {
      assertEquals(List.of(), j.stream().map(e -> e.getName()).filter(n -> n.contains("jackson")).limit(5)
          .collect(java.util.stream.Collectors.toList()));
    }
  }

  @Test void walkthroughKeysAndBatchErrors() throws Exception {
    try (Connection c = connect(server, ""); Statement s = c.createStatement()) {
      assertSame(loader, c.getClass().getClassLoader());
      DriverJarIT.walkthrough(c, s, "thin");
      assertEquals("mmapsql JDBC Driver (remote)", c.getMetaData().getDriverName());
      s.executeQuery("SELECT MMAP('k', 'k.i4')").close();
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO k(val) VALUES (?)")) {
        ps.setInt(1, 1);
        ps.addBatch();
        ps.setNull(1, Types.INTEGER);
        ps.addBatch();
        BatchUpdateException e = assertInstanceOf(BatchUpdateException.class,
            assertThrows(SQLException.class, ps::executeBatch));
        assertEquals("23502", e.getSQLState(), e.getMessage());
        assertEquals(0, e.getLargeUpdateCounts().length);
      }
      // a Statement's batch too: an SQLException, not Avatica's unchecked client exception
      s.addBatch("INSERT INTO k(val) VALUES (2)");
      s.addBatch("INSERT INTO k(val) VALUES (NULL)");
      BatchUpdateException e = assertInstanceOf(BatchUpdateException.class,
          assertThrows(SQLException.class, s::executeBatch));
      assertEquals("23502", e.getSQLState(), e.getMessage());
      assertEquals(1, e.getLargeUpdateCounts().length);
    }
  }

  @Test void dbeaversMetadataCallsAnswer() throws Exception {
    try (Connection c = connect(server, ""); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('m', 'm.f8')").close();
      DatabaseMetaData md = c.getMetaData();
      assertEquals("mmapsql", md.getDatabaseProductName());
      List<ResultSet> sets = List.of(md.getCatalogs(), md.getSchemas(), md.getTableTypes(),
          md.getTables(null, null, "%", null), md.getColumns(null, "mmap", "m", null), md.getTypeInfo(),
          md.getIndexInfo(null, "mmap", "m", false, true), md.getPrimaryKeys(null, "mmap", "m"),
          md.getImportedKeys(null, "mmap", "m"), md.getExportedKeys(null, "mmap", "m"),
          md.getProcedures(null, null, "%"), md.getFunctions(null, null, "%"));
      for (ResultSet rs : sets) {
        try (rs) {
          while (rs.next()) {
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
              rs.getObject(i);
            }
          }
        }
      }
      for (java.lang.reflect.Method m : DatabaseMetaData.class.getMethods()) {
        Class<?> r = m.getReturnType();
        if (m.getParameterCount() == 0 && (r == boolean.class || r == int.class || r == String.class)) {
          m.invoke(md);
        }
      }
    }
  }

  private static void keytool(Path in, String... args) throws Exception {
    Path javaBin = Path.of(ProcessHandle.current().info().command().orElseThrow());
    List<String> cmd = new ArrayList<>(List.of(javaBin.resolveSibling("keytool").toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(in.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, out);
  }

  /** HTTPS with a trust store: the minimized HttpClient keeps its TLS and hostname checks. */
  @Test void https() throws Exception {
    Path tls = Files.createDirectories(dir.resolve("tls"));
    keytool(tls, "-genkeypair", "-alias", "mmapsql", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", "server.p12", "-storepass", "changeit");
    keytool(tls, "-exportcert", "-alias", "mmapsql", "-keystore", "server.p12", "-storepass", "changeit",
        "-file", "server.crt");
    keytool(tls, "-importcert", "-noprompt", "-alias", "mmapsql", "-file", "server.crt",
        "-storetype", "PKCS12", "-keystore", "trust.p12", "-storepass", "changeit");
    try (MmapServer https = MmapServer.start(ServerConfig.defaults(tls.resolve("data")).withPort(0)
        .withTls(tls.resolve("server.p12"), "changeit".toCharArray()))) {
      String trust = ";truststore=" + tls.resolve("trust.p12") + ";truststore_password=changeit";
      try (Connection c = connect(https, trust); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT MMAP('t', 't.f8')")) {
        assertTrue(rs.next());
      }
      SQLException e = assertThrows(SQLException.class, () -> connect(https, ""));
      assertTrue(e.getMessage().contains("TLS") || e.getMessage().contains("certif"), e.getMessage());
    }
  }

  /** Only JSON needs Jackson: the thin jar refuses it with a message that says what to do. */
  @Test void jsonSerializationIsRefusedClearly() throws Exception {
    try (MmapServer json = MmapServer.start(ServerConfig.defaults(dir.resolve("json")).withPort(0)
        .withSerialization("json"))) {
      SQLException e = assertThrows(SQLException.class,
          () -> driver.connect("jdbc:mmap:remote:url=" + json.url() + ";serialization=json", new Properties()));
      assertEquals("08001", e.getSQLState());
      assertTrue(e.getMessage().contains("serialization=json needs Jackson"), e.getMessage());
    }
  }
}
