package org.mmapsql.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Test helpers: real servers on random loopback ports, real clients, other JVMs. */
final class Servers {
  private Servers() {
  }

  /** A server's defaults, on any free loopback port. */
  static ServerConfig config(Path dataDir) {
    return ServerConfig.defaults(dataDir).withPort(0);
  }

  static MmapServer start(ServerConfig config) throws MmapServer.StartException {
    return MmapServer.start(config);
  }

  /** A users file with alice (readwrite) and bob (readonly); passwords are NAME-password. */
  static Path usersFile(Path dir) throws IOException {
    Path f = dir.resolve("users");
    UsersFile.write(f, List.of(
        UsersFile.create("alice", User.Role.READWRITE, "alice-password".toCharArray(), 1000),
        UsersFile.create("bob", User.Role.READONLY, "bob-password".toCharArray(), 1000)));
    return f;
  }

  /** A connection through the mmapsql driver (jdbc:mmap:remote:...). */
  static Connection connect(MmapServer server, String user, String password) throws SQLException {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
      p.setProperty("password", password);
    }
    return DriverManager.getConnection(server.jdbcUrl(), p);
  }

  static Connection connect(MmapServer server) throws SQLException {
    return connect(server, null, null);
  }

  /** A connection through Avatica's own remote driver, as any Avatica client would make it. */
  static Connection avatica(MmapServer server, String extra) throws SQLException {
    return DriverManager.getConnection("jdbc:avatica:remote:url=" + server.url() + ";serialization="
        + (server.config().serialization().equals("json") ? "JSON" : "PROTOBUF") + extra);
  }

  static long count(Statement s, String table) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
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

  // ------------------------------------------------ other JVMs

  /** A result of a finished process. */
  record Result(int exitCode, String out, String err) {
  }

  static ProcessBuilder java(Path workDir, String... args) {
    return javaWithHeap(workDir, "-Xmx256m", args);
  }

  static ProcessBuilder javaWithHeap(Path workDir, String heap, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("--sun-misc-unsafe-memory-access=allow");
    cmd.add(heap);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(workDir.toFile());
  }

  static Result run(Path workDir, long timeoutSeconds, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "out", ".txt");
    Path err = Files.createTempFile(workDir, "err", ".txt");
    Process p = java(workDir, args).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("process did not finish in " + timeoutSeconds + "s: "
          + Files.readString(err, StandardCharsets.UTF_8));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
