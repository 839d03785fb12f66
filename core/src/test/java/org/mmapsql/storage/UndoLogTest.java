package org.mmapsql.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.MmapException;

/**
 * The old rows kept for open scans: bounded by one heap budget for all arrays,
 * counted as what they really take, and never read after their scan is closed.
 */
class UndoLogTest {
  @TempDir Path dir;

  private static final Layout F8 = Layout.raw(Dtype.FLOAT64, 0);

  /** One-row UPDATEs, each its own change, while {@code open} snapshots pin them. */
  private static void updateOneRow(UndoLog log, int times) {
    for (int i = 0; i < times; i++) {
      log.beginUpdate(new long[] {i % 4}, new byte[8]);
      log.end();
    }
  }

  @Test void oneRowUpdatesCountTheirHeadersAgainstTheBudget() {
    UndoLog log = new UndoLog(F8, "t.f8");
    try (UndoLog.Snapshot scan = log.open()) {
      // 16 bytes of rows and images each: 40 MB of them would fit a budget that counted only those
      int updates = (int) Math.min(UndoLog.BUDGET / 16 * 5 / 8, 4_000_000);
      updateOneRow(log, updates);
      assertTrue(log.keptChanges() < updates, "kept all " + updates + " changes, beyond the budget");
      assertTrue(log.keptChanges() <= UndoLog.BUDGET / 100, log.keptChanges() + " changes kept");
      MmapException e = assertThrows(MmapException.class, () -> scan.settle(0, 4, new Object[1][4]));
      assertEquals(org.mmapsql.SqlState.SERIALIZATION_FAILURE, e.state());
    }
    assertEquals(0, log.keptChanges(), "no scan open: nothing kept");
  }

  @Test void theBudgetIsSharedByAllArrays() {
    UndoLog first = new UndoLog(F8, "a.f8");
    UndoLog second = new UndoLog(F8, "b.f8");
    int changes = (int) (UndoLog.BUDGET / 104 * 3 / 5); // 60% of the budget each, at 104 bytes a change
    try (UndoLog.Snapshot a = first.open(); UndoLog.Snapshot b = second.open()) {
      updateOneRow(first, changes);
      assertEquals(changes, first.keptChanges());
      updateOneRow(second, changes);
      assertTrue(UndoLog.keptBytes() <= UndoLog.BUDGET, UndoLog.keptBytes() + " bytes kept");
      assertTrue(second.keptChanges() < changes, "the second array went over the shared budget");
      assertThrows(MmapException.class, () -> b.settle(0, 4, new Object[1][4]));
      assertEquals(4, a.settle(0, 4, new Object[1][4]), "the first array's scan still has its rows");
    }
  }

  @Test void aScanClosedFromAnotherThreadNeverSettlesWithRowsPrunedUnderIt() throws Exception {
    Path f = dir.resolve("a.f8");
    Files.write(f, doubles(1, 2, 3, 4));
    try (MappedArray a = MappedArray.open(f, F8, false)) {
      MappedArray.Snapshot scan = a.snapshot();
      update(a, 9);
      Thread closer = new Thread(scan::close);
      closer.start();
      closer.join();
      assertEquals(0, a.keptChanges(), "closed: its old rows are dropped");
      // without the check it would show 9.0, a row of no state the scan started with
      assertThrows(MmapException.class, () -> scan.read(0, 4, new Object[1][4]));
    }
  }

  static void update(MappedArray a, double v) {
    a.writeLock().lock();
    try {
      a.write(new long[] {0, 1, 2, 3}, doubles(v, v, v, v));
    } finally {
      a.writeLock().unlock();
    }
  }

  static byte[] doubles(double... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double d : v) {
      b.putDouble(d);
    }
    return b.array();
  }
}
