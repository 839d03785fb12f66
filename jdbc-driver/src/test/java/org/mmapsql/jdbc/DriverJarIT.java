package org.mmapsql.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
import org.mmapsql.server.UsersFile;
import org.mmapsql.server.User;

/**
 * The shaded driver jar, loaded alone in a fresh class loader (nothing of the
 * build's class path visible), against a real server and embedded.
 */
class DriverJarIT {
  @TempDir static Path dir;
  static Path jar;
  static URLClassLoader loader;
  static java.sql.Driver driver;
  static MmapServer server;

  @BeforeAll static void load() throws Exception {
    jar = Path.of(System.getProperty("driver.jar"));
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
    assertEquals("org.mmapsql.jdbc.Driver", driver.getClass().getName());
    Path users = dir.resolve("users");
    UsersFile.write(users, List.of(UsersFile.create("alice", User.Role.READWRITE, "alice-password".toCharArray(), 1000)));
    server = MmapServer.start(ServerConfig.defaults(dir.resolve("served")).withPort(0).withUsersFile(users));
  }

  @AfterAll static void close() throws Exception {
    server.close();
    loader.close();
  }

  static Connection remote() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "alice");
    p.setProperty("password", "alice-password");
    return driver.connect("jdbc:mmap:remote:url=" + server.url(), p);
  }

  @Test void remoteWalkthrough() throws Exception {
    try (Connection c = remote(); Statement s = c.createStatement()) {
      assertSame(loader, c.getClass().getClassLoader());
      walkthrough(c, s, "db");
      DatabaseMetaData md = c.getMetaData();
      assertEquals("mmapsql JDBC Driver (remote)", md.getDriverName());
      assertEquals(Driver.version(), md.getDriverVersion());
      assertEquals("mmapsql", md.getDatabaseProductName());
      assertEquals(Driver.version(), md.getDatabaseProductVersion());
    }
    Properties wrong = new Properties();
    wrong.setProperty("user", "alice");
    wrong.setProperty("password", "nope");
    SQLException e = assertThrows(SQLException.class,
        () -> driver.connect("jdbc:mmap:remote:url=" + server.url(), wrong));
    assertTrue(e.getMessage().contains("wrong user name or password"), e.getMessage());
  }

  /** The all-in-one jar has its own Jackson (relocated): JSON serialization works with it. */
  @Test void remoteJson() throws Exception {
    try (MmapServer json = MmapServer.start(ServerConfig.defaults(dir.resolve("json")).withPort(0)
        .withSerialization("json"));
        Connection c = driver.connect("jdbc:mmap:remote:url=" + json.url() + ";serialization=json", new Properties());
        Statement s = c.createStatement()) {
      assertEquals(List.of("0"), rows(s, "SELECT MMAP('j', 'j.f8')"));
      assertEquals(1, s.executeUpdate("INSERT INTO j(val) VALUES (1.5)"));
      assertEquals(List.of("0,1.5"), rows(s, "SELECT idx, val FROM j"));
    }
  }

  @Test void embedded() throws Exception {
    try (Connection c = driver.connect("jdbc:mmap:" + dir.resolve("embedded"), new Properties());
         Statement s = c.createStatement()) {
      walkthrough(c, s, "emb");
      assertEquals("mmapsql JDBC Driver", c.getMetaData().getDriverName());
    }
  }

  static void walkthrough(Connection c, Statement s, String t) throws SQLException {
    assertEquals(List.of("0"), rows(s, "SELECT MMAP('" + t + "', '" + t + ".mmap')"));
    for (int i = 0; i < 10; i++) {
      assertEquals(1, s.executeUpdate("INSERT INTO " + t + "(val) VALUES (" + i + ")"));
    }
    try (PreparedStatement p = c.prepareStatement("INSERT INTO " + t + "(val) VALUES (?)",
        Statement.RETURN_GENERATED_KEYS)) {
      for (double v : new double[] {0.5, 0.75, 1.0, 1.25, 1.3, 1.5}) {
        p.setDouble(1, v);
        p.addBatch();
      }
      p.executeBatch();
      List<String> keys = new ArrayList<>();
      try (ResultSet rs = p.getGeneratedKeys()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
      assertEquals(List.of("10", "11", "12", "13", "14", "15"), keys, "the batch's generated keys");
    }
    assertEquals(List.of("16"), rows(s, "SELECT COUNT(*) FROM " + t));
    assertEquals(List.of("5.0"), rows(s, "SELECT val FROM " + t + " WHERE idx = 5"));
    assertEquals(List.of("1,1.0", "11,0.75"), rows(s, "SELECT idx, val FROM " + t + " WHERE idx IN (1, 11)"));
    assertEquals(2, s.executeUpdate("UPDATE " + t + " SET val = 50 WHERE idx IN (1, 2)"));
    assertEquals(List.of("1.5"), rows(s, "SELECT VPOP('" + t + "')"));
    assertEquals(List.of("1"), rows(s, "SELECT UNMAP('" + t + "')"));
    assertEquals(List.of("15"), rows(s, "SELECT MMAP('" + t + "2', '" + t + ".mmap')"));
    assertEquals(15, s.executeUpdate("DELETE FROM " + t + "2"));
  }

  static List<String> rows(Statement s, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          b.append(i > 1 ? "," : "").append(rs.getString(i));
        }
        out.add(b.toString());
      }
    }
    return out;
  }

  /** Third-party classes are relocated: an application's own Guava, Jackson, protobuf... do not clash. */
  @Test void thirdPartyClassesAreRelocated() throws Exception {
    List<String> allowed = List.of("org/mmapsql/", "org/apache/calcite/avatica/");
    List<String> stray = new ArrayList<>();
    try (JarFile j = new JarFile(jar.toFile())) {
      j.stream().map(e -> e.getName())
          .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/"))
          .filter(n -> allowed.stream().noneMatch(n::startsWith))
          .forEach(stray::add);
      assertEquals("org.mmapsql.jdbc.Driver\n", new String(j.getInputStream(
          j.getEntry("META-INF/services/java.sql.Driver")).readAllBytes()));
    }
    assertEquals(List.of(), stray.subList(0, Math.min(20, stray.size())));
    assertThrows(ClassNotFoundException.class, () -> loader.loadClass("com.google.common.collect.ImmutableList"));
    loader.loadClass("org.mmapsql.shaded.com.google.common.collect.ImmutableList");
    loader.loadClass("org.mmapsql.shaded.com.google.protobuf.Message");
    loader.loadClass("org.mmapsql.shaded.com.fasterxml.jackson.databind.ObjectMapper");
    assertThrows(ClassNotFoundException.class, () -> loader.loadClass("org.apache.calcite.rel.core.Aggregate"));
    loader.loadClass("org.mmapsql.shaded.org.apache.calcite.rel.core.Aggregate");
  }
}
