package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.catalog.Database;
import org.mmapsql.storage.MappedArray;

/**
 * Power loss, simulated by counting: with {@code durability=sync} a write
 * statement returns only once a force (fdatasync: the data and the file
 * length) covering its write has succeeded, also while another thread forces
 * the same file at the same moment (as the background flusher does); with
 * {@code async} the flusher forces within about a second.
 */
class DurabilityTest {
  /** Counting forces needs no real disk: on tmpfs (where there is one) a force costs nothing. */
  @TempDir(factory = Shm.class) Path dir;

  static final class Shm implements org.junit.jupiter.api.io.TempDirFactory {
    @Override public Path createTempDirectory(org.junit.jupiter.api.extension.AnnotatedElementContext element,
        org.junit.jupiter.api.extension.ExtensionContext context) throws java.io.IOException {
      Path shm = Path.of("/dev/shm");
      return java.nio.file.Files.isDirectory(shm) && java.nio.file.Files.isWritable(shm)
          ? java.nio.file.Files.createTempDirectory(shm, "durability") : java.nio.file.Files.createTempDirectory("durability");
    }
  }

  @Test void aSyncStatementReturnsOnlyAfterItsWriteIsForcedEvenRacingTheFlusher() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir + ";durability=sync");
        Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close();
      Database db = Database.open(dir, Database.Settings.DEFAULT);
      try {
        MappedArray array = db.binding("t").array();
        // alone: each write statement forces once
        for (int i = 0; i < 20; i++) {
          long before = array.forces();
          s.executeUpdate("INSERT INTO t(val) VALUES (" + i + ")");
          assertEquals(0, array.unforcedWrites(), "statement " + i + " returned before its write was forced");
          assertTrue(array.forces() > before, "no force for statement " + i);
        }
        // racing another forcer, which may take the dirty state first
        AtomicBoolean stop = new AtomicBoolean();
        Thread racer = new Thread(() -> {
          while (!stop.get()) {
            array.force();
          }
        }, "racing-flusher");
        racer.start();
        int statements = 0;
        try {
          for (int i = 0; i < 90; i++) {
            String sql = switch (i % 3) {
              case 0 -> "INSERT INTO t(val) VALUES (" + i + ")";
              case 1 -> "UPDATE t SET val = val + 1 WHERE idx = " + (i % 20);
              default -> "SELECT VPOP('t')";
            };
            s.execute(sql);
            statements++;
            assertEquals(0, array.unforcedWrites(), sql + " returned before its write was forced");
          }
        } finally {
          stop.set(true);
          racer.join(30_000);
        }
        Figures.record("DurabilityTest", "sync statements checked forced on return (racing a forcer)",
            statements + 20);
      } finally {
        db.release();
      }
    }
  }

  @Test void asyncWritesAreForcedWithinAboutASecond() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('a', 'a.f8')").close();
      Database db = Database.open(dir, Database.Settings.DEFAULT);
      try {
        MappedArray array = db.binding("a").array();
        long before = array.forces();
        s.executeUpdate("INSERT INTO a(val) VALUES (1), (2)");
        for (int i = 0; i < 200 && array.unforcedWrites() > 0; i++) {
          Thread.sleep(50);
        }
        assertEquals(0, array.unforcedWrites(), "not forced 10 s after the write");
        assertTrue(array.forces() > before);
      } finally {
        db.release();
      }
    }
  }
}
