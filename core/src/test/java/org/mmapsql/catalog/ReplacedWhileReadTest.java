package org.mmapsql.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.storage.MappedArray;

/**
 * Another program replaces a bound file (writes a new one, renames it over)
 * while a scan or an aggregate reads the old one, and another statement looks
 * at the table (and so opens the new file): the running read finishes on the
 * file it started on, whose inode stays whole while it is open; the old file
 * is closed once its last reader ends.
 */
class ReplacedWhileReadTest {
  private static final int OLD_ROWS = 200_000;
  private static final int NEW_ROWS = 1_000;

  @TempDir Path dir;

  /** {@code n} little-endian doubles {@code sign * (i + 0.5)}. */
  private static byte[] doubles(int n, double sign) {
    ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putDouble(sign * (i + 0.5));
    }
    return b.array();
  }

  /** What another program does: the new file written aside, then renamed over the bound one. */
  private void replace(Path file) throws IOException {
    Path aside = dir.resolve("t.new");
    Files.write(aside, doubles(NEW_ROWS, -1));
    Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test void aScanFinishesOnTheFileItStartedOn() throws Exception {
    Path file = dir.resolve("t.f8");
    Files.write(file, doubles(OLD_ROWS, 1));
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir); Statement scan = c.createStatement();
         Statement look = c.createStatement()) {
      look.executeQuery("SELECT MMAP('t', 't.f8')").close();
      scan.setFetchSize(100);
      try (ResultSet r = scan.executeQuery("SELECT idx, val FROM t")) {
        long rows = 0;
        for (; rows < 1000; rows++) {
          assertTrue(r.next());
        }
        replace(file);
        try (ResultSet q = look.executeQuery("SELECT COUNT(*), MIN(val) FROM t")) {
          assertTrue(q.next());
          assertEquals(NEW_ROWS, q.getLong(1), "the other statement sees the new file");
          assertEquals(-(NEW_ROWS - 0.5), q.getDouble(2));
        }
        while (r.next()) {
          assertEquals(rows, r.getLong(1));
          assertEquals(rows + 0.5, r.getDouble(2), "the old file's row " + rows);
          rows++;
        }
        assertEquals(OLD_ROWS, rows, "the scan read the old file to its end");
      }
      try (ResultSet q = look.executeQuery("SELECT COUNT(*) FROM t")) {
        assertTrue(q.next());
        assertEquals(NEW_ROWS, q.getLong(1));
      }
    }
  }

  /**
   * An aggregate reads through {@link MappedArray#consistent}; the file is
   * replaced and the binding looked at between two of its reads.
   */
  @Test void anAggregateFinishesOnTheFileItStartedOn() throws Exception {
    Path file = dir.resolve("t.f8");
    Files.write(file, doubles(OLD_ROWS, 1));
    Database db = Database.open(dir, Database.Settings.DEFAULT);
    try {
      db.map("t", "t.f8", null, "");
      Binding t = db.binding("t");
      MappedArray old = t.refreshed();
      double[] last = old.consistent(() -> {
        double[] some = new double[100];
        assertEquals(100, old.readDoubles(0, 100, 0, some));
        try {
          replace(file);
        } catch (IOException e) {
          throw new AssertionError(e);
        }
        MappedArray now = t.refreshed();
        assertNotSame(old, now);
        assertEquals(NEW_ROWS, now.length());
        assertFalse(old.isClosed(), "closed under the aggregate reading it");
        double[] end = new double[100];
        assertEquals(100, old.readDoubles(OLD_ROWS - 100, 100, 0, end));
        return end;
      });
      assertEquals(OLD_ROWS - 0.5, last[99], "the old file's last row");
      assertTrue(old.isClosed(), "the old file is closed once its last reader ended");
    } finally {
      db.release();
    }
  }

  /**
   * A statement that took the array before the file was replaced and reads it
   * only after it closed (no reader held it open) is told to run again, with
   * SQLSTATE 40001, not that the table was unmapped (42S02).
   */
  @Test void aReadThatComesAfterTheOldFileClosedIsToldToRunAgain() throws Exception {
    Path file = dir.resolve("t.f8");
    Files.write(file, doubles(OLD_ROWS, 1));
    Database db = Database.open(dir, Database.Settings.DEFAULT);
    try {
      db.map("t", "t.f8", null, "");
      Binding t = db.binding("t");
      MappedArray old = t.refreshed();
      replace(file);
      assertEquals(NEW_ROWS, t.refreshed().length());
      assertTrue(old.isClosed());
      MmapException e = assertThrows(MmapException.class, () -> old.readDoubles(0, 100, 0, new double[100]));
      assertEquals(SqlState.SERIALIZATION_FAILURE, e.state(), e.getMessage());
      assertTrue(e.getMessage().contains("was replaced while the statement read it; run it again"), e.getMessage());
    } finally {
      db.release();
    }
  }
}
