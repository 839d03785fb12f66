package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many connections and threads on one table: write statements never
 * interleave (no lost, torn or interleaved write), a query never reads past
 * the length it started with, and concurrent MMAPs bind once.
 */
class ConcurrencyTest {
  private static final int THREADS = 4;

  @TempDir Path dir;
  private TestDb db;
  private ExecutorService pool;

  @BeforeEach void setUp() throws SQLException {
    db = TestDb.open(dir);
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach void tearDown() throws Exception {
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    db.close();
  }

  /** A task on its own connection, all tasks released at once. */
  private interface Task<T> {
    T run(Connection c, int thread) throws Exception;
  }

  private <T> List<T> concurrently(int threads, Task<T> task) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Callable<T> call = () -> {
        try (Connection c = db.connect()) {
          start.await();
          return task.run(c, thread);
        }
      };
      futures.add(pool.submit(call));
    }
    start.countDown();
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      results.add(f.get(120, TimeUnit.SECONDS));
    }
    return results;
  }

  @Test void concurrentAppendsAreAllKeptAndEachStatementStaysTogether() throws Exception {
    db.mmap("t", "t.mmap");
    int batches = 12;
    int rows = 8;
    concurrently(THREADS, (c, thread) -> {
      for (int b = 0; b < batches; b++) {
        StringBuilder sql = new StringBuilder("INSERT INTO t(val) VALUES ");
        for (int r = 0; r < rows; r++) {
          sql.append(r == 0 ? "" : ", ").append('(').append(code(thread, b, r)).append("E0)");
        }
        assertEquals(rows, TestDb.update(c, sql.toString()));
      }
      return null;
    });
    double[] v = db.values("t");
    assertEquals(THREADS * batches * rows, v.length, "final count = sum of appends");
    assertArrayEquals(v, TestDb.readDoubles(dir.resolve("t.mmap")));
    Set<Double> distinct = new HashSet<>();
    for (int i = 0; i < v.length; i += rows) {
      // each statement's rows are consecutive and in order: no other write came in between
      for (int r = 0; r < rows; r++) {
        assertEquals(v[i] + r, v[i + r], "rows of one INSERT were interleaved at idx " + (i + r));
      }
      assertTrue(distinct.add(v[i]), "a batch appears twice");
    }
    for (int t = 0; t < THREADS; t++) {
      for (int b = 0; b < batches; b++) {
        assertTrue(distinct.contains((double) code(t, b, 0)), "lost batch " + t + "/" + b);
      }
    }
  }

  private static long code(int thread, int batch, int row) {
    return thread * 1_000_000L + batch * 1_000L + row;
  }

  @Test void concurrentReadModifyWriteUpdatesAreNotLost() throws Exception {
    db.mmap("t", "t.mmap");
    db.append("t", new double[50]);
    int updates = 10;
    concurrently(THREADS, (c, thread) -> {
      for (int u = 0; u < updates; u++) {
        assertEquals(50, TestDb.update(c, "UPDATE t SET val = val + 1 WHERE idx < 50"));
      }
      return null;
    });
    double[] expected = new double[50];
    Arrays.fill(expected, THREADS * updates);
    assertArrayEquals(expected, db.values("t"), "an update read a value another update was replacing");
  }

  @Test void appendsAndUpdatesTogether() throws Exception {
    db.mmap("t", "t.mmap");
    db.append("t", new double[20]);
    int rounds = 10;
    concurrently(THREADS, (c, thread) -> {
      for (int i = 0; i < rounds; i++) {
        if (thread % 2 == 0) {
          assertEquals(20, TestDb.update(c, "UPDATE t SET val = val + 1 WHERE idx BETWEEN 0 AND 19"));
        } else {
          assertEquals(2, TestDb.update(c, "INSERT INTO t(val) VALUES (-1E0), (-2E0)"));
        }
      }
      return null;
    });
    double[] v = db.values("t");
    assertEquals(20 + (THREADS / 2) * rounds * 2, v.length);
    for (int i = 0; i < 20; i++) {
      assertEquals((THREADS / 2) * rounds, v[i], "idx " + i);
    }
    for (int i = 20; i < v.length; i += 2) {
      assertArrayEquals(new double[] {-1, -2}, Arrays.copyOfRange(v, i, i + 2), "appended pair at " + i);
    }
  }

  @Test void concurrentPopsTakeEachValueOnce() throws Exception {
    db.mmap("t", "t.mmap");
    int n = 60;
    db.append("t", TestDb.range(0, n));
    List<List<Double>> popped = concurrently(THREADS, (c, thread) -> {
      List<Double> mine = new ArrayList<>();
      try (Statement s = c.createStatement()) {
        while (true) {
          try (ResultSet rs = s.executeQuery("SELECT VPOP('t')")) {
            assertTrue(rs.next());
            double v = rs.getDouble(1);
            if (rs.wasNull()) {
              return mine;
            }
            mine.add(v);
          }
        }
      }
    });
    List<Double> all = popped.stream().flatMap(List::stream).sorted().toList();
    assertEquals(Arrays.stream(TestDb.range(0, n)).boxed().toList(), all);
    for (List<Double> mine : popped) {
      for (int i = 1; i < mine.size(); i++) {
        assertTrue(mine.get(i) < mine.get(i - 1), "one thread popped out of order: " + mine);
      }
    }
    assertEquals(0, db.count("t"));
    assertEquals(0, Files.size(dir.resolve("t.mmap")));
  }

  // ------------------------------------------------------------ readers during writes

  @Test void aQueryDoesNotSeeRowsAppendedAfterItStarted() throws SQLException {
    db.mmap("t", "t.mmap");
    db.append("t", TestDb.range(0, 1000));
    try (Connection other = db.connect(); Statement s = db.conn.createStatement();
         ResultSet rs = s.executeQuery("SELECT idx, val FROM t")) {
      assertTrue(rs.next());
      StringBuilder more = new StringBuilder("INSERT INTO t(val) VALUES (1000E0)");
      for (int i = 1001; i < 5000; i++) {
        more.append(", (").append(i).append("E0)");
      }
      assertEquals(4000, TestDb.update(other, more.toString()));
      int rows = 1;
      while (rs.next()) {
        assertEquals(rs.getLong(1), (long) rs.getDouble(2));
        rows++;
      }
      assertEquals(1000, rows, "the query read rows appended after it started");
    }
    assertEquals(5000, db.count("t"));
  }

  @Test void readersDuringAppendsSeeAConsistentPrefix() throws Exception {
    db.mmap("t", "t.mmap");
    AtomicBoolean stop = new AtomicBoolean();
    // one appender: the value at each position is the position
    Future<Integer> appender = pool.submit(() -> {
      int n = 0;
      try (Connection c = db.connect()) {
        while (!stop.get() && n < 200_000) {
          StringBuilder sql = new StringBuilder("INSERT INTO t(val) VALUES ");
          for (int i = 0; i < 500; i++) {
            sql.append(i == 0 ? "" : ", ").append('(').append(n + i).append("E0)");
          }
          TestDb.update(c, sql.toString());
          n += 500;
        }
      }
      return n;
    });
    try (Connection reader = db.connect(); Connection counter = db.connect()) {
      for (int q = 0; q < 15; q++) {
        long before = ((Number) TestDb.scalar(counter, "SELECT COUNT(*) FROM t")).longValue();
        long rows = 0;
        try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT idx, val FROM t")) {
          while (rs.next()) {
            assertEquals(rows, rs.getLong(1), "idx out of sequence");
            assertEquals((double) rows, rs.getDouble(2), "torn or foreign value at idx " + rows);
            rows++;
          }
        }
        long after = ((Number) TestDb.scalar(counter, "SELECT COUNT(*) FROM t")).longValue();
        assertTrue(before <= rows && rows <= after, "read " + rows + " rows, count was " + before + ".." + after);
        assertEquals(0, rows % 500, "a query saw part of an INSERT: " + rows + " rows");
      }
    } finally {
      stop.set(true);
    }
    assertEquals((long) appender.get(120, TimeUnit.SECONDS), db.count("t"));
  }

  @Test void readersDuringPopsNeverSeeGarbage() throws Exception {
    db.mmap("t", "t.mmap");
    int n = 40_000;
    TestDb.writeDoubles(dir.resolve("t.mmap"), TestDb.range(0, n));
    AtomicBoolean stop = new AtomicBoolean();
    Future<Integer> popper = pool.submit(() -> {
      int pops = 0;
      try (Connection c = db.connect()) {
        while (!stop.get() && pops < 150) {
          TestDb.update(c, "DELETE FROM t WHERE idx >= " + (n - (pops + 1) * 200));
          pops++;
        }
      }
      return pops;
    });
    try (Connection reader = db.connect()) {
      for (int q = 0; q < 6; q++) {
        long rows = 0;
        try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT idx, val FROM t")) {
          while (rs.next()) {
            assertEquals(rows, rs.getLong(1));
            assertEquals((double) rows, rs.getDouble(2), "garbage at idx " + rows);
            rows++;
          }
        }
      }
    } finally {
      stop.set(true);
    }
    int pops = popper.get(120, TimeUnit.SECONDS);
    assertEquals(n - pops * 200L, db.count("t"));
  }

  // ------------------------------------------------------------ concurrent MMAP

  @Test void concurrentMmapOfOneNameBindsOnce() throws Exception {
    List<Long> counts = concurrently(8,
        (c, thread) -> ((Number) TestDb.scalar(c, "SELECT MMAP('shared', 'shared.mmap')")).longValue());
    assertEquals(Collections.nCopies(8, 0L), counts);
    assertEquals(List.of(List.of("shared", "shared.mmap", "<f8", 0L, 0L, "ok")), db.mappings());
    String catalog = Files.readString(dir.resolve(".mmapsql-catalog"), StandardCharsets.UTF_8);
    assertEquals(1, catalog.lines().filter(l -> l.startsWith("shared\t")).count(), catalog);
  }

  @Test void concurrentMmapOfOneNameOnDifferentFilesLetsOneWin() throws Exception {
    List<String> outcomes = concurrently(THREADS, (c, thread) -> {
      try {
        TestDb.scalar(c, "SELECT MMAP('x', 'x" + thread + ".mmap')");
        return "ok";
      } catch (SQLException e) {
        TestDb.assertMessage(e, "already mapped on another file");
        return "refused";
      }
    });
    assertEquals(1, outcomes.stream().filter("ok"::equals).count(), outcomes::toString);
    assertEquals(1, db.mappings().size());
  }

  @Test void concurrentMmapOfOneFileUnderDifferentNamesLetsOneWin() throws Exception {
    List<String> outcomes = concurrently(THREADS, (c, thread) -> {
      try {
        TestDb.scalar(c, "SELECT MMAP('n" + thread + "', 'one.mmap')");
        return "ok";
      } catch (SQLException e) {
        TestDb.assertMessage(e, "already mapped as table");
        return "refused";
      }
    });
    assertEquals(1, outcomes.stream().filter("ok"::equals).count(), outcomes::toString);
    assertEquals(1, db.mappings().size());
  }

  @Test void concurrentMmapOfDifferentNamesBindsAll() throws Exception {
    concurrently(THREADS, (c, thread) -> {
      for (int i = 0; i < 5; i++) {
        TestDb.scalar(c, "SELECT MMAP('m" + thread + "_" + i + "', 'm" + thread + "_" + i + ".mmap')");
      }
      return null;
    });
    assertEquals(THREADS * 5, db.mappings().size());
    String catalog = Files.readString(dir.resolve(".mmapsql-catalog"), StandardCharsets.UTF_8);
    assertEquals(THREADS * 5, catalog.lines().filter(l -> l.startsWith("m")).count(), catalog);
  }
}
