package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * limited to {@code --max-sort-rows} rows with a clear error. (A JVM that runs
 * out of memory anyway stops at once: bin/mmapsql runs it, and these tests run
 * their servers, with -XX:+ExitOnOutOfMemoryError.)
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
