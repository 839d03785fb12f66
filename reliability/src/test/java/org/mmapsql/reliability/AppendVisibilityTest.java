package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large INSERT becomes visible to the other statements of the process all
 * at once: a COUNT(*) or SUM running meanwhile (which no longer waits for the
 * INSERT's file I/O) sees the table before it or after it, never half of it.
 */
class AppendVisibilityTest {
  private static final int ROWS = 1_000_000;

  @TempDir Path dir;

  @Test void aCountDuringALargeInsertSeesAllOrNothing() throws Exception {
    double[] ones = new double[ROWS];
    Arrays.fill(ones, 1.0);
    Raw.write(dir.resolve("src.f8"), ones);
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('src', 'src.f8')").close();
      s.executeQuery("SELECT MMAP('dst', 'dst.f8')").close();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong counts = new AtomicLong();
      ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
      Thread reader = new Thread(() -> {
        try (Connection r = DriverManager.getConnection("jdbc:mmap:" + dir); Statement rs = r.createStatement()) {
          while (!stop.get()) {
            try (ResultSet q = rs.executeQuery("SELECT COUNT(*), SUM(val) FROM dst")) {
              q.next();
              long n = q.getLong(1);
              if (n % ROWS != 0 || (n > 0 && q.getDouble(2) != n)) {
                seen.add("COUNT(*) " + n + ", SUM " + q.getDouble(2));
              }
              counts.incrementAndGet();
            }
          }
        } catch (Exception e) {
          seen.add(e.toString());
        }
      }, "counter");
      reader.start();
      int inserts = 3;
      try {
        for (int i = 0; i < inserts; i++) {
          assertEquals(ROWS, s.executeUpdate("INSERT INTO dst(val) SELECT val FROM src"));
        }
      } finally {
        stop.set(true);
        reader.join(60_000);
      }
      assertTrue(seen.isEmpty(), "a statement saw part of an INSERT: " + seen.peek());
      assertEquals(inserts * (long) ROWS, Raw.doubles(dir.resolve("dst.f8")).length);
      Figures.record("AppendVisibilityTest", "counts taken during " + inserts + " INSERTs of " + ROWS + " rows",
          counts.get());
    }
  }
}
