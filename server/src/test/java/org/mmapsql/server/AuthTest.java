package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.Service;
import org.apache.calcite.avatica.remote.TypedValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HTTP BASIC with a users file, roles, and the refusal to listen openly without them. */
class AuthTest {
  @TempDir static Path dir;
  static MmapServer server;

  @BeforeAll static void start() throws Exception {
    server = Servers.start(Servers.config(dir.resolve("data")).withUsersFile(Servers.usersFile(dir)));
    try (Connection c = Servers.connect(server, "alice", "alice-password"); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.mmap')").close();
      s.executeUpdate("INSERT INTO t(val) VALUES (1), (2), (3)");
    }
  }

  @AfterAll static void stop() {
    server.close();
  }

  /** What alice sees: the table, unchanged by whatever was refused. */
  static void assertUnchanged() throws SQLException {
    try (Connection c = Servers.connect(server, "alice", "alice-password"); Statement s = c.createStatement()) {
      assertEquals(List.of("0,1.0", "1,2.0", "2,3.0"), Servers.rows(s, "SELECT idx, val FROM t"));
      assertEquals(List.of("t"), Servers.rows(s, "SELECT name FROM sys.mappings"));
    }
  }

  @Test void noCredentials() throws Exception {
    SQLException e = assertThrows(SQLException.class, () -> Servers.connect(server));
    assertTrue(e.getMessage().contains("requires authentication"), e.getMessage());
    Exception a = assertThrows(Exception.class, () -> Servers.avatica(server, ""));
    assertTrue(String.valueOf(a.getMessage()).contains("401"), a.getMessage());
    assertUnchanged();
  }

  @ParameterizedTest @ValueSource(strings = {"alice", "mallory"})
  void wrongPassword(String user) throws Exception {
    SQLException e = assertThrows(SQLException.class, () -> Servers.connect(server, user, "guess"));
    assertEquals("authentication failed for user '" + user + "' at " + server.url()
        + ": wrong user name or password", e.getMessage());
    assertEquals("28000", e.getSQLState());
    assertThrows(Exception.class, () -> Servers.avatica(server,
        ";authentication=BASIC;avatica_user=" + user + ";avatica_password=guess"));
    assertUnchanged();
  }

  @Test void plainAvaticaClientWithCredentials() throws Exception {
    try (Connection c = Servers.avatica(server, ";authentication=BASIC;avatica_user=alice;avatica_password=alice-password");
         Statement s = c.createStatement()) {
      assertEquals(3, Servers.count(s, "t"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT MMAP('u', 'u.mmap')",
      "SELECT MMAP('t', 't.mmap')",
      "SELECT UNMAP('t')",
      "SELECT VPOP('t')",
      "INSERT INTO t(val) VALUES (4)",
      "INSERT INTO t(val) SELECT val FROM t",
      "UPDATE t SET val = 0 WHERE idx = 1",
      "UPDATE t SET val = val * 2",
      "DELETE FROM t WHERE idx >= 2",
      "DELETE FROM t"})
  void readonlyUserCannotWrite(String sql) throws Exception {
    try (Connection c = Servers.connect(server, "bob", "bob-password"); Statement s = c.createStatement()) {
      assertEquals(List.of("3.0"), Servers.rows(s, "SELECT val FROM t WHERE idx = 2"), "bob can read");
      SQLException e = assertThrows(SQLException.class, () -> s.execute(sql));
      assertTrue(e.getMessage().contains("read-only connection"), e.getMessage());
      assertTrue(e.getMessage().contains("nothing was changed"), e.getMessage());
    }
    assertUnchanged();
    assertFalse(Files.exists(server.dataDir().resolve("u.mmap")), "MMAP created no file");
  }

  @Test void readonlyUserCannotWriteThroughAPreparedBatch() throws Exception {
    try (Connection c = Servers.connect(server, "bob", "bob-password");
         PreparedStatement p = c.prepareStatement("INSERT INTO t(val) VALUES (?)")) {
      p.setDouble(1, 9);
      p.addBatch();
      SQLException e = assertThrows(SQLException.class, p::executeBatch);
      assertTrue(e.getMessage().contains("read-only connection"), e.getMessage());
    }
    assertUnchanged();
  }

  /** Statement ids are small integers: bob must not run a statement alice prepared. */
  @Test void readonlyUserCannotUseAnotherUsersStatementOrConnection() throws Exception {
    try (Connection c = Servers.connect(server, "alice", "alice-password");
         PreparedStatement p = c.prepareStatement("INSERT INTO t(val) VALUES (?)")) {
      Meta.StatementHandle alices = p.unwrap(AvaticaStatement.class).handle;
      RawClient bob = new RawClient(server, "bob", "bob-password");
      String bobs = UUID.randomUUID().toString();
      assertInstanceOf(Service.OpenConnectionResponse.class, bob.send(new Service.OpenConnectionRequest(bobs, Map.of())));
      List<TypedValue> nine = List.of(TypedValue.create("DOUBLE", 9.0));
      for (String connectionId : List.of(bobs, alices.connectionId)) {
        Service.Response r = bob.send(new Service.ExecuteRequest(
            new Meta.StatementHandle(connectionId, alices.id, alices.signature), nine, 100));
        Service.ErrorResponse e = assertInstanceOf(Service.ErrorResponse.class, r);
        assertTrue(e.errorMessage.contains("not found") || e.errorMessage.contains("closed or has expired"),
            e.errorMessage);
      }
      Service.Response r = bob.send(new Service.CreateStatementRequest(alices.connectionId));
      assertInstanceOf(Service.ErrorResponse.class, r);
      r = bob.send(new Service.CloseConnectionRequest(alices.connectionId));
      assertInstanceOf(Service.ErrorResponse.class, r);
      assertUnchanged();
      // alice's statement still works for alice
      p.setDouble(1, 4);
      assertEquals(1, p.executeUpdate());
      try (Statement s = c.createStatement()) {
        assertEquals(1, s.executeUpdate("DELETE FROM t WHERE idx >= 3"));
      }
    }
    assertUnchanged();
  }

  @Test void aReadOnlyServerRefusesWritesFromEveryone() throws Exception {
    try (MmapServer ro = Servers.start(Servers.config(dir.resolve("ro")).withReadOnly(true));
         Connection c = Servers.connect(ro); Statement s = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT MMAP('t', 't.mmap')"));
      assertTrue(e.getMessage().contains("read-only connection: MMAP is not allowed"), e.getMessage());
      assertEquals(List.of(), Servers.rows(s, "SELECT name FROM sys.mappings"));
    }
  }

  @Test void nonLoopbackWithoutAuthenticationIsRefused() throws Exception {
    ServerConfig open = Servers.config(dir.resolve("open")).withHost("0.0.0.0");
    MmapServer.StartException e = assertThrows(MmapServer.StartException.class, () -> MmapServer.start(open));
    assertTrue(e.getMessage().startsWith("refusing to listen on 0.0.0.0 without authentication"), e.getMessage());
    assertTrue(e.getMessage().contains("--insecure"), e.getMessage());
    assertEquals(1, Main.run("serve", "--host", "0.0.0.0", "--port", "0", "--data-dir", dir.resolve("open").toString()));
  }

  /** A users file that MMAP could reach could be rewritten as doubles by a readwrite user. */
  @Test void aUsersFileInsideTheDataDirectoryIsRefused() throws Exception {
    Path data = java.nio.file.Files.createDirectories(dir.resolve("exposed"));
    ServerConfig exposed = Servers.config(data).withUsersFile(Servers.usersFile(data));
    MmapServer.StartException e = assertThrows(MmapServer.StartException.class, () -> MmapServer.start(exposed));
    assertTrue(e.getMessage().contains("where MMAP can reach it"), e.getMessage());
  }

  @Test void passwdStoresOnlyAHash() throws Exception {
    Path f = dir.resolve("users-passwd");
    InputStream in = System.in;
    try {
      System.setIn(new ByteArrayInputStream("carol-secret-1\n".getBytes(StandardCharsets.UTF_8)));
      assertEquals(0, Main.run("passwd", "--users-file", f.toString(), "--role", "readonly",
          "--iterations", "1000", "carol"));
      System.setIn(new ByteArrayInputStream("short\n".getBytes(StandardCharsets.UTF_8)));
      assertEquals(2, Main.run("passwd", "--users-file", f.toString(), "dave"));
    } finally {
      System.setIn(in);
    }
    String text = Files.readString(f);
    assertFalse(text.contains("carol-secret-1"), text);
    assertTrue(text.contains("carol:readonly:pbkdf2-sha512:1000:"), text);
    UsersFile users = new UsersFile(f);
    assertEquals(new User("carol", User.Role.READONLY), users.authenticate("carol", "carol-secret-1".toCharArray()));
    assertEquals(null, users.authenticate("carol", "carol-secret-2".toCharArray()));
    assertEquals(null, users.authenticate("dave", "short".toCharArray()));
    assertEquals(0, Main.run("passwd", "--users-file", f.toString(), "--delete", "carol"));
    assertEquals(Map.of(), UsersFile.read(f));
  }
}
