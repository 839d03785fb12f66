package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Statement.cancel stops a statement inside one long computation, not only between rows. */
class CancelTest {
  @TempDir Path dir;

  @Test void cancelStopsALongAggregate() throws Exception {
    Path file = dir.resolve("big.f8");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(8L << 28); // 2^28 zeros, sparse: SUM reads 2 GiB of holes
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('big', 'big.f8')").close();
      timer.schedule(() -> {
        try {
          s.cancel();
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }, 100, TimeUnit.MILLISECONDS);
      SQLException e = assertThrows(SQLException.class, () -> {
        try (ResultSet rs = s.executeQuery("SELECT SUM(val), MAX(val) FROM big")) {
          rs.next();
        }
      });
      // "statement canceled" comes from inside the aggregate's pass; had it run to its end,
      // the cancel would only show at ResultSet.next() as Avatica's "Statement canceled".
      assertTrue(e.getMessage().contains("statement canceled"), e.getMessage());
    } finally {
      timer.shutdownNow();
      Files.deleteIfExists(file);
    }
  }
}
