package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.calcite.avatica.AvaticaSqlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with users: without credentials, with wrong ones, or as a readonly
 * user, no statement changes any file; and no answer of the server carries a
 * stack trace or a path outside the data directory.
 */
class SecurityTest {
  private static final List<String> WRITES = List.of(
      "SELECT MMAP('n', 'n.f8')", "SELECT MMAP('t', 't.f8')", "SELECT UNMAP('t')", "SELECT VPOP('t')",
      "INSERT INTO t(val) VALUES (9.5)", "UPDATE t SET val = 0", "DELETE FROM t WHERE idx >= 1",
      "DELETE FROM t", "SELECT MMAP('s', '../sentinel/s.f8')", "SELECT MMAP('u', '../users')");
  private static final List<String> READS = List.of(
      "SELECT idx, val FROM t", "SELECT COUNT(*) FROM t", "SELECT * FROM sys.mappings",
      "SELECT * FROM nosuch", "SELECT val FROM t WHERE idx = 'abc'", "SELEC garbage");

  @TempDir Path dir;

  @Test void noStatementOfAnUnauthorisedOrReadonlyUserChangesAFile() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.createDirectories(dir.resolve("sentinel"));
    Raw.write(dir.resolve("sentinel").resolve("s.f8"), 1, 2);
    Raw.write(data.resolve("t.f8"), 1.5, 2.5, 3.5);
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + data); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close();
    }
    Path users = Users.file(dir);
    List<String> answers = new ArrayList<>();
    int refused = 0;
    try (ServerProcess server = ServerProcess.start(data, "-Xmx256m", "--users-file", users.toString())) {
      List<Map<String, String>> before = List.of(Raw.snapshot(data), Raw.snapshot(dir.resolve("sentinel")),
          Map.of("users", Raw.sha256(Files.readAllBytes(users))));
      for (String[] who : new String[][] {{null, null}, {"alice", "wrong-password"}, {"nobody", "x"},
          {"bob", "bob-password"}}) {
        Connection c;
        try {
          c = Users.connect(server.url(), who[0], who[1]);
        } catch (SQLException e) {
          answers.add(describe(e));
          refused++;
          continue;
        }
        try (c; Statement s = c.createStatement()) {
          for (String sql : WRITES) {
            try {
              s.execute(sql);
              answers.add(who[0] + " was allowed: " + sql);
            } catch (SQLException e) {
              answers.add(describe(e));
              refused++;
            }
          }
          for (String sql : READS) {
            try {
              if (s.execute(sql)) {
                s.getResultSet().close();
              }
            } catch (SQLException e) {
              answers.add(describe(e));
            }
          }
        } catch (SQLException e) {
          answers.add(describe(e));
          refused++;
        }
      }
      assertEquals(before, List.of(Raw.snapshot(data), Raw.snapshot(dir.resolve("sentinel")),
          Map.of("users", Raw.sha256(Files.readAllBytes(users)))), "a file changed");
      assertTrue(server.isAlive());
    }
    Figures.record("SecurityTest", "statements refused to unauthorised or readonly users", refused);
    check(answers);
  }

  /** A readwrite user's errors, which name files, name none outside the data directory. */
  @Test void errorsNameNoServerPathOutsideTheDataDirectory() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.createDirectories(dir.resolve("sentinel"));
    Raw.write(dir.resolve("sentinel").resolve("s.f8"), 1, 2);
    Path users = Users.file(dir);
    List<String> answers = new ArrayList<>();
    try (ServerProcess server = ServerProcess.start(data, "-Xmx256m", "--users-file", users.toString())) {
      try (Connection c = Users.connect(server.url(), "alice", "alice-password"); Statement s = c.createStatement()) {
        for (String sql : List.of("SELECT MMAP('s', '../sentinel/s.f8')", "SELECT MMAP('u', '../users')",
            "SELECT MMAP('z', '/dev/zero')", "SELECT MMAP('p', '/proc/self/environ')",
            "SELECT MMAP('l', '" + dir.resolve("sentinel").resolve("s.f8") + "')", "SELECT MMAP('d', 'sub/x.f8')",
            "INSERT INTO t(idx, val) VALUES (7, 1)", "SELECT * FROM nosuch")) {
          try {
            s.execute(sql);
            answers.add("alice was allowed: " + sql);
          } catch (SQLException e) {
            String answer = describe(e).replace(sql, "(the statement)");
            // The one statement that names an absolute path may hear it back: the client sent it.
            String sent = dir.resolve("sentinel").resolve("s.f8").toString();
            answers.add(sql.contains(sent) ? answer.replace("'" + sent + "'", "(the path given)") : answer);
          }
        }
      }
      assertTrue(server.isAlive());
    }
    check(answers);
  }

  private void check(List<String> answers) {
    for (String a : answers) {
      assertTrue(!a.contains(" was allowed: "), a);
      assertTrue(!a.matches("(?s).*\\bat [a-z]+\\.[a-z].*\\(.*") && !a.contains("\tat "),
          "a stack trace reached the client: " + a);
      String outside = a.replace(dir.resolve("data").toString(), "DATA");
      assertTrue(!outside.contains(dir.toString()) && !outside.contains("/usr/lib/jvm") && !outside.contains(".jar")
          && !outside.contains("/root/"), "a server path outside the data directory reached the client: " + a);
    }
  }

  /** Everything a client can read of an error: messages, causes and the server's stack traces. */
  private static String describe(SQLException e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      b.append(t.getMessage()).append('\n');
      if (t instanceof AvaticaSqlException a) {
        a.getStackTraces().forEach(trace -> b.append("server's trace: ").append(trace).append('\n'));
      }
    }
    return b.toString();
  }
}
