package org.mmapsql.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.MmapException;
import org.mmapsql.storage.Dtype;
import org.mmapsql.storage.Layout;
import org.mmapsql.storage.MappedArray;

/**
 * A scan that ends any way but by reading its last row (canceled, failed,
 * closed by another thread) closes its snapshot at once, so the old rows it
 * pinned are dropped instead of being kept until the statement expires.
 */
class ScanSnapshotTest {
  private static final int BLOCK = 4096;

  @TempDir Path dir;

  private MappedArray threeBlocks() throws Exception {
    Path f = dir.resolve("t.f8");
    Files.write(f, new byte[3 * BLOCK * 8]);
    return MappedArray.open(f, Layout.raw(Dtype.FLOAT64, 0), false);
  }

  private static void updateAll(MappedArray a) {
    long[] rows = new long[(int) a.length()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = i;
    }
    a.writeLock().lock();
    try {
      a.write(rows, new byte[rows.length * 8]);
    } finally {
      a.writeLock().unlock();
    }
  }

  private static void readBlock(RowEnumerator scan) {
    for (int i = 0; i < BLOCK; i++) {
      assertTrue(scan.moveNext());
    }
  }

  @Test void aCanceledScanClosesItsSnapshot() throws Exception {
    try (MappedArray a = threeBlocks()) {
      AtomicBoolean cancel = new AtomicBoolean();
      RowEnumerator scan = new RowEnumerator(a, IdxRanges.ALL, cancel);
      readBlock(scan);
      updateAll(a);
      assertEquals(1, a.openSnapshots());
      assertEquals(1, a.keptChanges(), "the scan still needs the old rows");
      cancel.set(true);
      MmapException e = assertThrows(MmapException.class, scan::moveNext);
      assertEquals(org.mmapsql.SqlState.CANCELED, e.state());
      assertEquals(0, a.openSnapshots(), "the canceled scan left its snapshot open");
      assertEquals(0, a.keptChanges(), "old rows kept for a scan that ended");
      scan.close();
    }
  }

  @Test void aScanClosedByAnotherThreadEndsAndReopensNothing() throws Exception {
    try (MappedArray a = threeBlocks()) {
      RowEnumerator scan = new RowEnumerator(a, IdxRanges.ALL, null);
      readBlock(scan);
      updateAll(a);
      Thread closer = new Thread(scan::close);
      closer.start();
      closer.join();
      assertFalse(scan.moveNext(), "a closed scan reads on");
      assertEquals(0, a.openSnapshots(), "a closed scan opened a snapshot nobody closes");
      assertEquals(0, a.keptChanges());
      scan.reset();
      assertFalse(scan.moveNext(), "closed is for good");
      assertEquals(0, a.openSnapshots());
    }
  }

  @Test void aResetScanReadsAgainAndClosesAtItsEnd() throws Exception {
    try (MappedArray a = threeBlocks()) {
      RowEnumerator scan = new RowEnumerator(a, IdxRanges.ALL, null);
      int n = 0;
      while (scan.moveNext()) {
        n++;
      }
      assertEquals(3 * BLOCK, n);
      assertEquals(0, a.openSnapshots(), "a scan read to its end holds nothing");
      scan.reset();
      assertEquals(1, a.openSnapshots());
      n = 0;
      while (scan.moveNext()) {
        n++;
      }
      assertEquals(3 * BLOCK, n);
      assertEquals(0, a.openSnapshots());
      scan.close();
    }
  }
}
