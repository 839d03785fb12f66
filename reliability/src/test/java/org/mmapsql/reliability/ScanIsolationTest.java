package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scan sees an UPDATE of its table whole or not at all, however many blocks
 * it reads and however long its client keeps the cursor open, and without
 * making the UPDATE wait: every UPDATE here sets all rows of a table of many
 * blocks to one new value, so a scan that saw two values saw part of one.
 */
class ScanIsolationTest {
  /** 25 blocks of the scan's 4,096 rows; 1.6 MB kept (old rows and their positions) an UPDATE. */
  private static final int ROWS = 100_000;
  /** 13 blocks: enough for a scan to meet an UPDATE between two of them, at half the cost. */
  private static final int RACED_ROWS = 50_000;

  @TempDir Path dir;

  @Test void scansRacingWholeTableUpdatesSeeOneValue() throws Exception {
    Raw.write(dir.resolve("t.f8"), new double[RACED_ROWS]);
    String url = "jdbc:mmap:" + dir;
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong updates = new AtomicLong();
      AtomicLong scans = new AtomicLong();
      ConcurrentLinkedQueue<String> torn = new ConcurrentLinkedQueue<>();
      List<Thread> scanners = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        scanners.add(thread(() -> {
          try (Connection r = DriverManager.getConnection(url); Statement rs = r.createStatement()) {
            while (!stop.get()) {
              String problem = allEqual(rs, "SELECT val FROM t");
              if (problem != null) {
                torn.add(problem);
              }
              scans.incrementAndGet();
            }
          } catch (Exception e) {
            torn.add(e.toString());
          }
        }));
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE t SET val = ?")) {
        // until both kinds of statement have run often enough to interleave many times
        for (int k = 1; k <= 400 && (k <= 30 || scans.get() < 30); k++) {
          ps.setDouble(1, k);
          assertEquals(RACED_ROWS, ps.executeUpdate());
          updates.incrementAndGet();
        }
      } finally {
        stop.set(true);
        for (Thread t : scanners) {
          t.join(60_000);
        }
      }
      assertTrue(torn.isEmpty(), "a scan saw part of an UPDATE: " + torn.peek());
      Figures.record("ScanIsolationTest", "scans of " + RACED_ROWS + " rows during whole-table UPDATEs", scans.get());
      Figures.record("ScanIsolationTest", "whole-table UPDATEs during scans", updates.get());
    }
  }

  @Test void aCursorHeldOpenSeesTheRowsOfItsStartAndDoesNotBlockUpdates() throws Exception {
    Raw.write(dir.resolve("t.f8"), new double[ROWS]);
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir); Statement s = c.createStatement();
        Connection reader = DriverManager.getConnection("jdbc:mmap:" + dir);
        Statement r = reader.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close();
      try (ResultSet rs = r.executeQuery("SELECT idx, val FROM t")) {
        for (int i = 0; i < 10; i++) {
          assertTrue(rs.next());
          assertEquals(0.0, rs.getDouble(2));
        }
        // 20 UPDATEs and a cut return while the cursor is open (32 MB kept: within the budget)
        for (int k = 1; k <= 20; k++) {
          assertEquals(ROWS, s.executeUpdate("UPDATE t SET val = " + k));
        }
        assertEquals(ROWS / 2, s.executeUpdate("DELETE FROM t WHERE idx >= " + ROWS / 2));
        assertEquals(ROWS / 2, s.executeUpdate("INSERT INTO t(val) SELECT val + 100 FROM t"));
        long n = 10;
        while (rs.next()) {
          assertEquals(n, rs.getLong(1));
          assertEquals(0.0, rs.getDouble(2), "idx " + n + " as of the scan's start");
          n++;
        }
        // rows past the cut are gone, and the rows appended since are not the scan's
        assertEquals(ROWS / 2, n);
      }
      // a new scan sees everything done since
      assertEquals(null, allEqualUpTo(r, "SELECT val FROM t WHERE idx < " + ROWS / 2, 20.0));
    }
  }

  @Test void aCursorThatOutlivesTooManyUpdatesFailsWith40001() throws Exception {
    Raw.write(dir.resolve("t.f8"), new double[ROWS]);
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir); Statement s = c.createStatement();
        Connection reader = DriverManager.getConnection("jdbc:mmap:" + dir);
        Statement r = reader.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close();
      try (ResultSet rs = r.executeQuery("SELECT val FROM t")) {
        assertTrue(rs.next());
        // 50 UPDATEs of 1.6 MB kept each: 80 MB, more than the 64 MB kept for open scans
        for (int k = 1; k <= 50; k++) {
          assertEquals(ROWS, s.executeUpdate("UPDATE t SET val = " + k));
        }
        SQLException e = assertThrows(SQLException.class, () -> {
          while (rs.next()) {
            assertEquals(0.0, rs.getDouble(1));
          }
        });
        assertEquals("40001", e.getSQLState(), e.toString());
        assertTrue(e.getMessage().contains("run it again"), e.getMessage());
      }
      assertEquals(null, allEqualUpTo(r, "SELECT val FROM t", 50.0));
    }
  }

  /** Null if every value the query returns is the same, else what differed. */
  private static String allEqual(Statement s, String sql) throws SQLException {
    return allEqualUpTo(s, sql, Double.NaN);
  }

  /** Null if every value is {@code expected} (or, for NaN, the first value), else what differed. */
  private static String allEqualUpTo(Statement s, String sql, double expected) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      double first = expected;
      long n = 0;
      while (rs.next()) {
        double v = rs.getDouble(1);
        if (n == 0 && Double.isNaN(first)) {
          first = v;
        }
        if (v != first) {
          return sql + ": row " + n + " is " + v + ", row 0 " + first;
        }
        n++;
      }
      return n == 0 ? sql + ": no rows" : null;
    }
  }

  private static Thread thread(Runnable r) {
    Thread t = new Thread(r, "scanner");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
