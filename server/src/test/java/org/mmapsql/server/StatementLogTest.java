package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's statement log and log level, read from a real server process's stderr. */
class StatementLogTest {
  @TempDir Path dir;

  /** Runs {@code serve} with {@code options}, a few statements through it, and returns its stderr. */
  private String serve(String... options) throws Exception {
    Path data = dir.resolve("data");
    Path err = Files.createTempFile(dir, "err", ".txt");
    String[] args = new String[options.length + 5];
    System.arraycopy(new String[] {"serve", "--data-dir", data.toString(), "--port", "0"}, 0, args, 0, 5);
    System.arraycopy(options, 0, args, 5, options.length);
    Process p = Servers.java(dir, args).redirectError(err.toFile()).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String url = null;
      for (String line; url == null && (line = out.readLine()) != null; ) {
        Matcher m = Pattern.compile("connect with (\\S+)").matcher(line);
        if (m.find()) {
          url = m.group(1);
        }
      }
      assertTrue(url != null, "the server said where to connect");
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
        s.executeQuery("SELECT MMAP('t', 't.f8')").close();
        s.executeUpdate("INSERT INTO t(val) VALUES (1.5), (2.5)");
        try (PreparedStatement ps = c.prepareStatement("SELECT val FROM t WHERE idx = ?")) {
          ps.setLong(1, 1);
          ps.executeQuery().close();
        }
        try {
          s.executeQuery("SELECT * FROM nosuch");
        } catch (SQLException expected) {
          // logged as failed
        }
      }
      p.destroy();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the server stopped");
    } finally {
      p.destroyForcibly();
    }
    return Files.readString(err, StandardCharsets.UTF_8);
  }

  @Test void statementsAreLoggedWhenAskedWithUserDurationRowsAndSql() throws Exception {
    String log = serve("--log-statements");
    assertTrue(Pattern.compile("user=anonymous duration=\\d+ms rows=2 sql=INSERT INTO t\\(val\\) VALUES \\(1.5\\), \\(2.5\\)")
        .matcher(log).find(), log);
    assertTrue(log.contains("rows=1 sql=SELECT val FROM t WHERE idx = ?"), log);
    assertTrue(Pattern.compile("failed=.*nosuch.* sql=SELECT \\* FROM nosuch").matcher(log).find(), log);
  }

  @Test void noStatementLogByDefault() throws Exception {
    String log = serve();
    assertFalse(log.contains("sql="), log);
  }

  @Test void debugRaisesMmapsqlsLoggersNotJettys() throws Exception {
    String log = serve("--log-level", "debug", "--log-min-duration", "1h");
    assertTrue(log.contains("DEBUG MmapMeta") || log.contains("DEBUG org.mmapsql"), log);
    assertFalse(log.contains("eclipse") || log.contains("jetty"), log);
    assertFalse(log.contains("sql="), "nothing ran for an hour:\n" + log);
  }
}
