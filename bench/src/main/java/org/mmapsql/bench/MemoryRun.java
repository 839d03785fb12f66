package org.mmapsql.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * The memory target of the performance issue, in a JVM of its own started
 * with {@code -Xmx256m} ({@code Suite --memory}): mmapsql embedded scans all
 * of {@code c100m} (100 million rows, a sparse file) through a ResultSet,
 * aggregates it, and appends 1 million rows in batches of 1,000; prints the
 * peak heap used (the sum of each heap pool's peak, which is at least the
 * real peak) and the largest heap use sampled. Running out of memory is
 * reported as such and the JVM exits with status 1.
 *
 * <pre>MemoryRun   (with -Xmx256m -Dmmapsql.bench.dir=...)</pre>
 */
public final class MemoryRun {
  private static final long ROWS = 100_000_000L;
  private static final int APPEND = 1_000_000;

  private MemoryRun() {
  }

  public static void main(String[] args) throws Exception {
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).toList();
    long[] sampled = {0};
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        sampled[0] = Math.max(sampled[0], used);
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap sampler");
    sampler.setDaemon(true);
    Path app = Data.mmapDir().resolve("mem_app.f8");
    Files.deleteIfExists(app);
    long start = System.nanoTime();
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + Data.mmapDir()); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('c100m', 'c100m.f8')").close();
      s.executeQuery("SELECT MMAP('mem_app', 'mem_app.f8')").close();
      heap.forEach(MemoryPoolMXBean::resetPeakUsage);
      sampler.start();
      long scanned = scan(s);
      step("scan", scanned == ROWS, scanned + " rows");
      try (ResultSet rs = s.executeQuery("SELECT SUM(val), MIN(val), MAX(val), AVG(val), COUNT(val) FROM c100m")) {
        rs.next();
        step("aggregate", rs.getLong(5) == ROWS && rs.getDouble(1) == 0, "COUNT(val) " + rs.getLong(5));
      }
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO mem_app(val) VALUES (?)")) {
        for (int i = 0; i < APPEND; i += 1000) {
          for (int k = 0; k < 1000; k++) {
            insert.setDouble(1, i + k);
            insert.addBatch();
          }
          insert.executeBatch();
          c.commit();
        }
      }
      c.setAutoCommit(true);
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM mem_app")) {
        rs.next();
        step("append", rs.getLong(1) == APPEND, rs.getLong(1) + " rows");
      }
      s.executeQuery("SELECT UNMAP('mem_app')").close();
    } catch (OutOfMemoryError e) {
      System.out.println("MEMORY FAILED: out of heap (max " + mb(Runtime.getRuntime().maxMemory()) + "): " + e);
      System.exit(1);
    } finally {
      sampler.interrupt();
      Files.deleteIfExists(app);
    }
    long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    System.out.printf(Locale.ROOT, "MEMORY peak heap used %s (sum of the heap pools' peaks), largest sampled %s,"
        + " max heap %s; scan, aggregate and append of 100,000,000 / 1,000,000 rows in %.1f s%n",
        mb(peak), mb(sampled[0]), mb(Runtime.getRuntime().maxMemory()), (System.nanoTime() - start) / 1e9);
  }

  /** Reads every row of c100m as the suite's scan does; returns how many. */
  private static long scan(Statement s) throws Exception {
    s.setFetchSize(10_000);
    long n = 0;
    double sum = 0;
    try (ResultSet rs = s.executeQuery("SELECT idx, val FROM c100m")) {
      while (rs.next()) {
        n += rs.getLong(1) >= 0 ? 1 : 0;
        sum += rs.getDouble(2);
      }
    }
    return sum == 0 ? n : -1;
  }

  private static void step(String what, boolean ok, String detail) {
    if (!ok) {
      System.out.println("MEMORY FAILED: " + what + " gave a wrong answer: " + detail);
      System.exit(1);
    }
    System.err.println("memory run: " + what + " done, " + detail + ", heap used now "
        + mb(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()));
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
  }
}
