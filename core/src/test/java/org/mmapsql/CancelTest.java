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

  /** A write waiting for another write on the same table gives up when its statement is canceled. */
  @Test void cancelStopsAWriteWaitingForTheTable() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close();
      s.executeUpdate("INSERT INTO t(val) VALUES (1.0)");
      org.mmapsql.catalog.Database db = org.mmapsql.catalog.Database.open(dir, org.mmapsql.catalog.Database.Settings.DEFAULT);
      java.util.concurrent.locks.ReentrantLock lock = db.binding("t").array().writeLock();
      java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
      Thread writer = new Thread(() -> { // stands for a long write statement on another connection
        lock.lock();
        held.countDown();
        try {
          done.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          lock.unlock();
        }
      });
      writer.start();
      held.await();
      try {
        timer.schedule(() -> {
          try {
            s.cancel();
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        }, 100, TimeUnit.MILLISECONDS);
        SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate("UPDATE t SET val = 2"));
        assertTrue(e.getMessage().contains("statement canceled"), e.getMessage());
      } finally {
        done.countDown();
        writer.join();
        db.release();
      }
      try (Statement s2 = c.createStatement(); ResultSet rs = s2.executeQuery("SELECT val FROM t")) {
        assertTrue(rs.next());
        org.junit.jupiter.api.Assertions.assertEquals(1.0, rs.getDouble(1), "nothing written");
      }
    } finally {
      timer.shutdownNow();
    }
  }

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
