package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One statement cannot take the server's heap down for everyone: a sort is
 * limited to {@code --max-sort-rows} rows with a clear error, the default
 * limit included. A JVM that runs out of memory anyway (here: no useful
 * limit and a tiny heap) stops at once, as bin/mmapsql runs it (and these
 * tests run their servers) with -XX:+ExitOnOutOfMemoryError, and a restart
 * finds every acknowledged write.
 */
class BoundedMemoryTest {
  /** 3 million rows: some 400 MB as sorted Java rows, far more than the server's 96 MB heap. */
  private static final int ROWS = 3_000_000;

  @TempDir Path dir;
  private Path data;

  @BeforeEach void bigTable() throws IOException, SQLException {
    data = Files.createDirectories(dir.resolve("data"));
    try (FileChannel ch = FileChannel.open(data.resolve("big.f8"), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.allocate(8 * 100_000).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < ROWS; i++) {
        buf.putDouble((i * 7919L) % ROWS);
        if (!buf.hasRemaining()) {
          buf.flip();
          ch.write(buf);
          buf.clear();
        }
      }
    }
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + data); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('big', 'big.f8')").close();
    }
  }

  /**
   * With no useful limit, a sort exhausts a 48 MB heap: the server process
   * exits (it does not serve on half alive), and a restart opens the catalog
   * with every acknowledged write in place. Restarted with the default
   * --max-sort-rows (1,000,000) and a 256 MB heap, the same sort is refused
   * with SQLSTATE 54000 and the server serves on.
   */
  @Test void aServerOutOfMemoryExitsAndRestartsIntactAndTheDefaultLimitPreventsIt() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + data); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('log', 'log.f8')").close();
    }
    String sort = "SELECT idx, val FROM big ORDER BY val DESC";
    long t0 = System.nanoTime();
    double[] logged = new double[200];
    // Parallel GC: its GC overhead limit (lowered here to 50% of the time) ends the thrashing of a nearly full
    // heap far sooner than G1 does (sort to exit 15 s instead of 40 s); the OutOfMemoryError is the same
    try (ServerProcess server = ServerProcess.start(data, "-Xmx48m -XX:+UseParallelGC -XX:GCTimeLimit=50 -XX:GCHeapFreeLimit=10", "--users-file", Users.file(dir).toString(),
        "--max-sort-rows", "1000000000")) {
      try (Connection alice = Users.connect(server.url(), "alice", "alice-password");
          Statement s = alice.createStatement()) {
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < logged.length; i++) {
          logged[i] = i + 0.5;
          values.append(i == 0 ? "" : ", ").append('(').append(logged[i]).append(')');
        }
        assertEquals(logged.length, s.executeUpdate("INSERT INTO log(val) VALUES " + values));
        assertEquals(10, s.executeUpdate("UPDATE big SET val = -1.5 WHERE idx < 10"));
      }
      Connection bob = Users.connect(server.url(), "bob", "bob-password");
      long t1 = System.nanoTime();
      assertThrows(SQLException.class, () -> drain(bob.createStatement(), sort));
      long t2 = System.nanoTime();
      assertTrue(server.waitForExit(120), "the server still runs after running out of memory: " + server.stderr());
      // HotSpot's -XX:+ExitOnOutOfMemoryError exits with 3 (and says so on stdout)
      assertEquals(3, server.exitCode(), server.stderr());
      System.out.printf("out of memory: start and writes %d ms, sort %d ms, exit %d ms%n", (t1 - t0) / 1_000_000,
          (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
      try {
        bob.close();
      } catch (SQLException expected) {
        // the server is gone
      }
    }
    double[] big = expectedBig();
    for (int i = 0; i < 10; i++) {
      big[i] = -1.5;
    }
    assertArrayEquals(big, Raw.doubles(data.resolve("big.f8")));
    assertArrayEquals(logged, Raw.doubles(data.resolve("log.f8")));
    long t3 = System.nanoTime();
    try (ServerProcess server = ServerProcess.start(data, "-Xmx256m", "--users-file", Users.file(dir).toString())) {
      try (Connection bob = Users.connect(server.url(), "bob", "bob-password");
          Statement s = bob.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT name, status, row_count FROM sys.mappings ORDER BY name")) {
          assertTrue(rs.next());
          assertEquals("big ok " + ROWS, rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3));
          assertTrue(rs.next());
          assertEquals("log ok " + logged.length, rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3));
          assertFalse(rs.next());
        }
        assertEquals(-15.0, scalar(s, "SELECT SUM(val) FROM big WHERE idx < 10"));
        SQLException e = assertThrows(SQLException.class, () -> drain(s, sort));
        assertEquals("54000", e.getSQLState(), e.toString());
        assertTrue(e.getMessage().contains("more than 1000000 rows"), e.getMessage());
      }
      assertTrue(server.isAlive(), server.stderr());
      try (Connection alice = Users.connect(server.url(), "alice", "alice-password");
          Statement s = alice.createStatement()) {
        assertEquals(1, s.executeUpdate("INSERT INTO log(val) VALUES (7.5)"));
        assertEquals(logged.length + 1, (long) scalar(s, "SELECT COUNT(*) FROM log"));
      }
    }
    System.out.printf("restart and default limit %d ms%n", (System.nanoTime() - t3) / 1_000_000);
  }

  /** The values {@link #bigTable} writes, computed again. */
  private static double[] expectedBig() {
    double[] v = new double[ROWS];
    for (int i = 0; i < ROWS; i++) {
      v[i] = (i * 7919L) % ROWS;
    }
    return v;
  }

  private static void drain(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        // the rows of a sort come only once it has all of them
      }
    }
  }

  private static double scalar(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getDouble(1);
    }
  }

  @Test void aReadonlyUsersHugeSortIsRefusedAndTheServerServesOn() throws Exception {
    try (ServerProcess server = ServerProcess.start(data, "-Xmx96m", "--users-file",
        Users.file(dir).toString(), "--max-sort-rows", "200000")) {
      try (Connection bob = Users.connect(server.url(), "bob", "bob-password");
          Statement s = bob.createStatement()) {
        SQLException e = assertThrows(SQLException.class, () -> {
          try (ResultSet rs = s.executeQuery("SELECT idx, val FROM big ORDER BY val DESC")) {
            while (rs.next()) {
              // the rows of a sort come only once it has all of them
            }
          }
        });
        assertTrue(e.getMessage().contains("ORDER BY would hold more than 200000 rows in memory"),
            e.getMessage());
        assertTrue(server.isAlive(), server.stderr());
        // a window sorts too
        e = assertThrows(SQLException.class, () -> s.executeQuery(
            "SELECT idx, RANK() OVER (ORDER BY val) FROM big").close());
        assertTrue(e.getMessage().contains("more than 200000 rows"), e.getMessage());
        // the same connection goes on; a sort with a small LIMIT, or of few rows, is fine
        assertEquals(ROWS, count(s, "SELECT COUNT(*) FROM big"));
        try (ResultSet rs = s.executeQuery("SELECT val FROM big WHERE idx < 1000 ORDER BY val LIMIT 3")) {
          assertTrue(rs.next());
          assertEquals(0.0, rs.getDouble(1));
        }
      }
      try (Connection alice = Users.connect(server.url(), "alice", "alice-password");
          Statement s = alice.createStatement()) {
        assertEquals(1, s.executeUpdate("INSERT INTO big(val) VALUES (1.5)"));
        assertEquals(ROWS + 1, count(s, "SELECT COUNT(*) FROM big"));
      }
      assertTrue(server.isAlive(), server.stderr());
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
