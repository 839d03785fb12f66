package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.catalog.Binding;
import org.mmapsql.catalog.Database;

/** What went wrong once and must not again: interrupts, swapped paths, races, NaN. */
class RobustnessTest {
  @TempDir Path dir;

  /** A FileChannel closes itself when its thread is interrupted; the table must not stay broken. */
  @Test void anInterruptedWriterLeavesTheTableWorking() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.mmap("t", "t.f8");
      db.append("t", 1, 2, 3);
      Thread.currentThread().interrupt();
      try {
        assertEquals(1, db.update("INSERT INTO t(val) VALUES (4.0)"));
      } finally {
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
      }
      assertEquals(1, db.update("INSERT INTO t(val) VALUES (5.0)"));
      assertEquals(1, db.update("UPDATE t SET val = 9 WHERE idx = 0"));
      assertArrayEquals(new double[] {9, 2, 3, 4, 5}, TestDb.readDoubles(dir.resolve("t.f8")));
    }
  }

  /** A directory of the path swapped for a link to elsewhere: the file there is never reached. */
  @Test void aSwappedDirectoryDoesNotLeadOutside() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.createDirectories(data.resolve("sub"));
    TestDb.writeDoubles(outside.resolve("x.f8"), 666, 777);
    try (TestDb db = TestDb.open(data)) {
      db.mmap("t", "sub/x.f8");
      db.append("t", 1, 2);
      Files.move(data.resolve("sub"), data.resolve("sub_old"));
      Files.createSymbolicLink(data.resolve("sub"), outside);
      TestDb.fails(db.conn, "SELECT * FROM t", "outside");
      TestDb.fails(db.conn, "UPDATE t SET val = 0 WHERE idx = 0", "outside");
      assertArrayEquals(new double[] {666, 777}, TestDb.readDoubles(outside.resolve("x.f8")), "untouched");
    }
  }

  /** A file recreated by another program under the bound path is opened anew, as MMAP would. */
  @Test void aReplacedFileIsOpenedAgain() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.mmap("t", "t.f8");
      db.append("t", 1, 2);
      Path tmp = dir.resolve("new.tmp");
      TestDb.writeDoubles(tmp, 7, 8, 9);
      Files.move(tmp, dir.resolve("t.f8"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      assertEquals(List.of(List.of(0L, 7.0), List.of(1L, 8.0), List.of(2L, 9.0)),
          db.rows("SELECT idx, val FROM t ORDER BY idx"));
    }
  }

  /** A binding held while UNMAP runs (sys.mappings, a statement) must not open the file again. */
  @Test void anUnmappedBindingStaysClosed() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.mmap("t", "t.f8");
      Database d = Database.open(dir, Database.Settings.DEFAULT);
      try {
        Binding b = d.binding("t");
        assertEquals(1, d.unmap("t"));
        assertTrue(b.status().contains("not mapped"), b.status());
        assertThrows(MmapException.class, b::array);
        assertNull(d.binding("t"));
      } finally {
        d.release();
      }
    }
  }

  /** Connections opened and closed in a loop by two threads never see their own lock as another's. */
  @Test void openingWhileTheLastConnectionClosesIsFine() throws Exception {
    AtomicReference<String> error = new AtomicReference<>();
    Runnable loop = () -> {
      for (int i = 0; i < 150 && error.get() == null; i++) {
        try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir)) {
          c.createStatement().executeQuery("VALUES 1").close();
        } catch (SQLException e) {
          error.compareAndSet(null, e.getMessage());
        }
      }
    };
    Thread a = new Thread(loop);
    Thread b = new Thread(loop);
    a.start();
    b.start();
    a.join();
    b.join();
    assertNull(error.get());
  }

  /** MIN and MAX with a NaN give what Calcite's own aggregate gives, whichever plan runs. */
  @Test void nanGivesTheSameMinAndMaxWhateverThePlan() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.mmap("t", "t.f8");
      db.append("t", 0, 1, 2, 42);
      db.update("UPDATE t SET val = CAST('NaN' AS DOUBLE) WHERE idx = 2");
      assertEquals(db.rows("SELECT MIN(val), MAX(val) FROM t GROUP BY idx >= 0"),
          db.rows("SELECT MIN(val), MAX(val) FROM t"));
    }
  }

  /** DELETE WHERE idx >= COUNT(*) removes no row but drops a partial element: the repair. */
  @Test void deleteAtTheLengthRepairsAPartialElement() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.mmap("t", "t.f8");
      db.append("t", 1, 2);
      Files.write(dir.resolve("t.f8"), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
      assertEquals(0, db.update("DELETE FROM t WHERE idx >= 2"));
      assertEquals(16, Files.size(dir.resolve("t.f8")));
      assertEquals(1, db.update("INSERT INTO t(val) VALUES (3.0)"));
    }
  }
}
