package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.catalog.Database;
import org.mmapsql.storage.MappedArray;

/**
 * The locks of a binding, of the directory and of a table's writes are never
 * taken in a cycle, and an UNMAP never waits for a write: a write statement
 * whose input pops the table it writes, racing UNMAP of that table, ends (with
 * a result or an error) and never hangs.
 */
class LockOrderTest {
  @TempDir Path dir;

  @Test void insertOfVpopRacingUnmapNeverHangs() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    int rounds = 60;
    try (Connection a = DriverManager.getConnection("jdbc:mmap:" + dir);
        Connection b = DriverManager.getConnection("jdbc:mmap:" + dir);
        Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
      for (int i = 0; i < rounds; i++) {
        sa.executeQuery("SELECT MMAP('t', 't.f8')").close();
        sa.executeUpdate("INSERT INTO t(val) VALUES (1), (2), (3)");
        CyclicBarrier start = new CyclicBarrier(2);
        Future<?> insert = pool.submit(() -> quietly(start, sa, "INSERT INTO t(val) VALUES (VPOP('t'))"));
        Future<?> unmap = pool.submit(() -> quietly(start, sb, "SELECT UNMAP('t')"));
        for (Future<?> f : new Future<?>[] {insert, unmap}) {
          try {
            f.get(60, TimeUnit.SECONDS);
          } catch (TimeoutException e) {
            System.out.println(ConcurrencyTest.threadDump());
            fail("round " + i + ": INSERT of VPOP racing UNMAP hangs (thread dump above)");
          }
        }
        sa.executeQuery("SELECT UNMAP('t')").close();
      }
    } finally {
      pool.shutdownNow();
    }
    Figures.record("LockOrderTest", "INSERT ... VPOP races with UNMAP", rounds);
  }

  private static Object quietly(CyclicBarrier start, Statement s, String sql) throws Exception {
    start.await(30, TimeUnit.SECONDS);
    try {
      s.execute(sql);
    } catch (SQLException e) {
      // losing the race is an error, which is fine; hanging is not
    }
    return null;
  }

  @Test void unmapReturnsWhileAWriteHoldsTheTableAndTheFileClosesAfter() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('w', 'w.f8')").close();
      Database db = Database.open(dir, Database.Settings.DEFAULT);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        MappedArray array = db.binding("w").array();
        ReentrantLock write = array.writeLock();
        Future<?> holder = pool.submit(write::lock); // a write statement in progress, as far as locks go
        holder.get(30, TimeUnit.SECONDS);
        try (ResultSet rs = s.executeQuery("SELECT UNMAP('w')")) {
          rs.next();
          assertEquals(1, rs.getInt(1));
        }
        assertTrue(!array.isClosed(), "closed under a running write");
        pool.submit(write::unlock).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 200 && !array.isClosed(); i++) {
          Thread.sleep(50);
        }
        assertTrue(array.isClosed(), "the file stays open after the write ended");
      } finally {
        pool.shutdownNow();
        db.release();
      }
    }
  }
}
