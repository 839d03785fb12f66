package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/mmapsql's commands as separate processes: the lock, SIGTERM, sqlline scripts. */
class ProcessesTest {
  @TempDir Path dir;

  @Test void aSecondServerOnTheSameDirectoryFailsAndTheFirstKeepsServing() throws Exception {
    Path data = dir.resolve("data");
    try (MmapServer first = Servers.start(Servers.config(data))) {
      try (Connection c = Servers.connect(first); Statement s = c.createStatement()) {
        s.executeQuery("SELECT MMAP('t', 't.mmap')").close();
        s.executeUpdate("INSERT INTO t(val) VALUES (1), (2)");
      }
      Servers.Result second = Servers.run(dir, 60, "serve", "--data-dir", data.toString(), "--port", "0");
      assertEquals(1, second.exitCode(), second.err());
      assertTrue(second.err().contains("mmapsql serve: data directory " + data.toRealPath()
          + " is in use by another process (pid " + ProcessHandle.current().pid()), second.err());
      try (Connection c = Servers.connect(first); Statement s = c.createStatement()) {
        assertEquals(3, s.executeUpdate("INSERT INTO t(val) VALUES (3), (4), (5)"));
        assertEquals(5, Servers.count(s, "t"));
      }
    }
  }

  @Test void sigtermStopsCleanlyAndReleasesTheDirectory() throws Exception {
    Path data = dir.resolve("data");
    Process p = Servers.java(dir, "serve", "--data-dir", data.toString(), "--port", "0")
        .redirectError(dir.resolve("err.txt").toFile()).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String url = null;
      for (String line; url == null && (line = out.readLine()) != null; ) {
        Matcher m = Pattern.compile("connect with (\\S+)").matcher(line);
        if (m.find()) {
          url = m.group(1);
        }
      }
      assertTrue(url != null && url.startsWith("jdbc:mmap:remote:url=http://127.0.0.1:"), String.valueOf(url));
      Connection c = DriverManager.getConnection(url);
      Statement s = c.createStatement();
      s.executeQuery("SELECT MMAP('t', 't.mmap')").close();
      s.executeUpdate("INSERT INTO t(val) VALUES (1.5), (2.5)");
      p.destroy(); // SIGTERM, with the client still connected
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the server stopped");
      assertEquals(143, p.exitValue());
      assertTrue(Files.readString(dir.resolve("err.txt")).contains("mmapsql server stopped"),
          Files.readString(dir.resolve("err.txt")));
    } finally {
      p.destroyForcibly();
    }
    // the lock is released and the data is there
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + data); Statement s = c.createStatement()) {
      assertEquals(List.of("0,1.5", "1,2.5"), Servers.rows(s, "SELECT idx, val FROM t"));
    }
  }

  /** A scan far larger than the server's heap streams through in frames. */
  @Test void aLargeScanStreamsWithABoundedServerHeap() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    int n = 2_000_000;
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(data.resolve("big.mmap"),
        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8 * 100_000).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        buf.putDouble(i % 1000);
        if (!buf.hasRemaining()) {
          buf.flip();
          ch.write(buf);
          buf.clear();
        }
      }
    }
    // 2 million rows as Java objects need some 150 MB; the server gets 64.
    Process p = Servers.javaWithHeap(dir, "-Xmx64m", "serve", "--data-dir", data.toString(), "--port", "0")
        .redirectError(dir.resolve("err.txt").toFile()).start();
    try {
      String url = jdbcUrl(p);
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
        assertEquals(List.of(Integer.toString(n)), Servers.rows(s, "SELECT MMAP('big', 'big.mmap')"));
        s.setFetchSize(10_000);
        long rows = 0;
        long sum = 0;
        try (java.sql.ResultSet rs = s.executeQuery("SELECT idx, val FROM big")) {
          while (rs.next()) {
            rows++;
            sum += (long) rs.getDouble(2);
          }
        }
        assertEquals(n, rows);
        assertEquals((long) n / 1000 * (999 * 1000 / 2), sum);
      }
      assertTrue(p.isAlive(), Files.readString(dir.resolve("err.txt")));
    } finally {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static String jdbcUrl(Process p) throws java.io.IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = out.readLine()) != null; ) {
      Matcher m = Pattern.compile("connect with (\\S+)").matcher(line);
      if (m.find()) {
        return m.group(1);
      }
    }
    throw new AssertionError("the server printed no URL");
  }

  @Test void sqlScriptThroughSqllineAgainstAServer() throws Exception {
    Path script = dir.resolve("walk.sql");
    Files.writeString(script, """
        SELECT MMAP('db', 'db.mmap') AS n;
        INSERT INTO db(val) VALUES (1.0), (1.1), (2.5);
        SELECT idx, val FROM db WHERE idx IN (0, 2);
        SELECT VPOP('db') AS popped;
        SELECT COUNT(*) AS c FROM db;
        """);
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("data")))) {
      Servers.Result r = Servers.run(dir, 60, "sql", "--url", server.jdbcUrl(), "-f", script.toString());
      assertEquals(0, r.exitCode(), r.err());
      assertEquals("""
          +---+
          | n |
          +---+
          | 0 |
          +---+
          +-----+-----+
          | idx | val |
          +-----+-----+
          | 0   | 1.0 |
          | 2   | 2.5 |
          +-----+-----+
          +--------+
          | popped |
          +--------+
          | 2.5    |
          +--------+
          +---+
          | c |
          +---+
          | 2 |
          +---+
          """, r.out());
      assertEquals("", r.err());

      Files.writeString(script, "SELECT COUNT(*) FROM db;\nSELECT * FROM nosuch;\nSELECT 1;\n");
      r = Servers.run(dir, 60, "sql", "--url", server.jdbcUrl(), "-f", script.toString());
      assertEquals(1, r.exitCode(), r.err());
      assertTrue(r.err().contains("Object 'nosuch' not found"), r.err());
      assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
      assertTrue(!r.out().contains("EXPR$0 |\n+--------+\n| 1"), "stopped at the error: " + r.out());
    }
  }

  @Test void sqlEmbeddedByDefaultOnDotData() throws Exception {
    Servers.Result r = Servers.run(dir, 60, "sql", "-e", "SELECT MMAP('e', 'e.mmap') AS n");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("| 0 |"), r.out());
    assertTrue(Files.exists(dir.resolve("data").resolve("e.mmap")));
  }
}
