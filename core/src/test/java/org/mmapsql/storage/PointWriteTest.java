package org.mmapsql.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * Writes in place of a few rows (a point update), which go with pwrite rather
 * than through the mapping, keep what the mapped writes promise: visible at
 * once through every mapping of the file and to plain reads, also into a page
 * a force has just written back, never making a file another program cut
 * longer (nor writing into the part of a page past its end), shown to scans as
 * of their start only after them, counted for the flusher, and on a .npy file
 * after its header.
 */
class PointWriteTest {
  private static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED
      .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
  @TempDir Path dir;

  private static final Layout F8 = Layout.raw(Dtype.FLOAT64, 0);

  private Path halves(String name, int rows) throws Exception {
    double[] v = new double[rows];
    for (int i = 0; i < rows; i++) {
      v[i] = i + 0.5;
    }
    Path f = dir.resolve(name);
    Files.write(f, UndoLogTest.doubles(v));
    return f;
  }

  private static void write(MappedArray a, long[] rows, double... v) {
    a.writeLock().lock();
    try {
      a.write(rows, UndoLogTest.doubles(v));
    } finally {
      a.writeLock().unlock();
    }
  }

  private static double at(MappedArray a, long row) {
    Object[][] out = new Object[1][1];
    assertEquals(1, a.read(row, 1, out));
    return (Double) out[0][0];
  }

  @Test void aPointWriteIsSeenAtOnceThroughAMappingMadeBeforeIt() throws Exception {
    Path f = halves("p.f8", 200_000); // 1.6 MB: many pages
    try (FileChannel other = FileChannel.open(f, StandardOpenOption.READ); Arena arena = Arena.ofConfined();
        MappedArray a = MappedArray.open(f, F8, false)) {
      MemorySegment seen = other.map(FileChannel.MapMode.READ_ONLY, 0, Files.size(f), arena);
      assertEquals(123_456.5, seen.get(LE_DOUBLE, 123_456L * 8)); // mapped and read before the write
      write(a, new long[] {123_456}, -7.25);
      assertEquals(-7.25, seen.get(LE_DOUBLE, 123_456L * 8), "another mapping reads the page cache");
      assertEquals(-7.25, at(a, 123_456));
      write(a, new long[] {0, 1, 2, 199_999}, 1, 2, 3, 4); // two runs, the last row among them
      assertArrayEquals(new double[] {1, 2, 3, 3.5, 4}, new double[] {seen.get(LE_DOUBLE, 0), seen.get(LE_DOUBLE, 8),
          seen.get(LE_DOUBLE, 16), seen.get(LE_DOUBLE, 24), seen.get(LE_DOUBLE, 199_999L * 8)});
      assertEquals(200_000L * 8, Files.size(f), "a write in place never changes the length");
    }
  }

  @Test void aPointWriteOfARowAnotherProgramCutOffFailsAndNeverGrowsTheFile() throws Exception {
    Path f = halves("c.f8", 1000);
    try (MappedArray a = MappedArray.open(f, F8, false);
        FileChannel other = FileChannel.open(f, StandardOpenOption.WRITE)) {
      assertEquals(1000, a.length());
      other.truncate(500 * 8); // after the array last looked: it still counts 1000 rows
      MmapException e = assertThrows(MmapException.class, () -> write(a, new long[] {700}, 9));
      assertEquals(SqlState.IO_ERROR, e.state());
      assertTrue(e.getMessage().contains("c.f8") && e.getMessage().contains("nothing was written"), e.getMessage());
      assertEquals(500L * 8, Files.size(f), "a pwrite past the end would have grown it back to 5,608 bytes");
      e = assertThrows(MmapException.class, () -> write(a, new long[] {10, 499, 500}, 9, 9, 9));
      assertEquals(500L * 8, Files.size(f));
      assertEquals(10.5, at(a, 10), "refused before anything was written");
      write(a, new long[] {499}, 9); // the last row it still has
      assertEquals(500L * 8, Files.size(f));
      assertEquals(9.0, at(a, 499));
    }
  }

  /**
   * A point UPDATE looks at the file under the write lock, then waits for the
   * lock a running aggregate holds; another program cuts the file meanwhile:
   * the write is refused, and does not grow the file back with zeros.
   */
  @Test void aCutWhileTheWriteWaitsBehindAnAggregateIsRefusedAndNeverGrowsTheFile() throws Exception {
    Path f = halves("w.f8", 1000);
    try (MappedArray a = MappedArray.open(f, F8, false);
        FileChannel other = FileChannel.open(f, StandardOpenOption.WRITE)) {
      java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      Thread aggregate = new Thread(() -> a.consistent(() -> {
        held.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return null;
      }));
      aggregate.start();
      held.await();
      java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
      Thread update = new Thread(() -> {
        a.writeLock().lock();
        try {
          a.refresh(); // the statement's look, as TableWrites takes it under the write lock
          a.write(new long[] {997}, UndoLogTest.doubles(9), true);
        } catch (Throwable t) {
          failure.set(t);
        } finally {
          a.writeLock().unlock();
        }
      });
      update.start();
      while (update.getState() != Thread.State.WAITING && update.isAlive()) {
        Thread.sleep(1); // until it waits for the aggregate's lock
      }
      other.truncate(997 * 8); // another program cuts the row off
      release.countDown();
      update.join();
      aggregate.join();
      assertTrue(failure.get() instanceof MmapException, String.valueOf(failure.get()));
      assertTrue(failure.get().getMessage().contains("nothing was written"), failure.get().getMessage());
      assertEquals(997L * 8, Files.size(f), "the write grew the file back past the cut");
    }
  }

  @Test void aPointWriteOfARowCutInsideItsPageIsRefusedAndTheFileKeepsItsLength() throws Exception {
    Path f = halves("p.f8", 1000);
    try (MappedArray a = MappedArray.open(f, F8, false);
        FileChannel other = FileChannel.open(f, StandardOpenOption.WRITE)) {
      other.truncate(500 * 8 + 4); // row 500 half there, in the same page as row 499
      MmapException e = assertThrows(MmapException.class, () -> write(a, new long[] {500}, 9));
      assertEquals(SqlState.IO_ERROR, e.state());
      assertEquals(500L * 8 + 4, Files.size(f));
      write(a, new long[] {499}, 9);
      assertEquals(500L * 8 + 4, Files.size(f));
      assertEquals(9.0, readThroughChannel(f, 499));
    }
  }

  @Test void aPointWriteIntoAPageAForceWroteBackIsReadByOthersAndForcedAgain() throws Exception {
    Path f = halves("w.f8", 100_000);
    try (MappedArray a = MappedArray.open(f, F8, false)) {
      for (int round = 1; round <= 3; round++) {
        write(a, new long[] {77_777}, -round); // each force writes the page back
        assertEquals(-round, readThroughChannel(f, 77_777), "a plain read(2) sees the page cache");
        assertEquals(1, a.unforcedWrites());
        long forces = a.forces();
        a.force();
        assertEquals(forces + 1, a.forces());
        assertEquals(0, a.unforcedWrites());
      }
      assertEquals(77_776.5, readThroughChannel(f, 77_776), "its neighbours keep their bytes");
      assertEquals(77_778.5, readThroughChannel(f, 77_778));
    }
    try (MappedArray again = MappedArray.open(f, F8, true)) {
      assertEquals(-3.0, at(again, 77_777));
    }
  }

  /**
   * Point writes that came back to the pages they wrote between two forces
   * store through the mapping in the next interval, as an UPDATE of many rows
   * does; one write a force goes with pwrite, and so do writes spread over many
   * pages. Either way the value is read at once through another mapping and by
   * read(2), the next force covers it, and a row another program cut off is
   * refused without growing the file.
   */
  @Test void pointWritesThatComeBackToTheirPagesStoreThroughTheMapping() throws Exception {
    Path f = halves("b.f8", 100_000); // 800,000 bytes: 196 pages
    try (FileChannel other = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Arena arena = Arena.ofConfined(); MappedArray a = MappedArray.open(f, F8, false)) {
      MemorySegment seen = other.map(FileChannel.MapMode.READ_ONLY, 0, Files.size(f), arena);
      for (int round = 0; round < 3; round++) {
        write(a, new long[] {round * 30_000L}, -round);
        a.force();
      }
      assertEquals(0, a.pointStores(), "a write a force: pwrite");
      for (int i = 0; i < 100; i++) {
        write(a, new long[] {i % 600}, i + 0.25); // rows 0-599: two pages, 100 writes
      }
      assertEquals(0, a.pointStores(), "the interval before had one write each: still pwrite");
      a.force();
      write(a, new long[] {70_500}, -1.25);
      assertEquals(1, a.pointStores(), "the interval before came back to its pages: a store");
      assertEquals(-1.25, seen.get(LE_DOUBLE, 70_500L * 8), "another mapping reads the page cache");
      assertEquals(-1.25, readThroughChannel(f, 70_500));
      for (int i = 1; i < 40; i++) {
        write(a, new long[] {i * 2_000L + 1}, 0.75); // 40 writes into 40 pages in all
      }
      assertEquals(40, a.pointStores(), "the whole interval stores");
      assertEquals(40, a.unforcedWrites());
      a.force();
      assertEquals(0, a.unforcedWrites());
      write(a, new long[] {3}, 0.125);
      assertEquals(40, a.pointStores(), "40 writes into 40 pages: back to pwrite");
      a.force();
      other.truncate(50_000 * 8); // another program cuts the file
      MmapException e = assertThrows(MmapException.class, () -> write(a, new long[] {60_000}, 9));
      assertTrue(e.getMessage().contains("nothing was written"), e.getMessage());
      write(a, new long[] {49_999}, 9);
      assertEquals(50_000L * 8, Files.size(f), "no write grew the file back");
      assertEquals(9.0, readThroughChannel(f, 49_999));
    }
    try (MappedArray again = MappedArray.open(f, F8, true)) {
      assertEquals(0.125, at(again, 3));
      assertEquals(0.75, at(again, 2_001));
      assertEquals(99.25, at(again, 99));
      assertEquals(-1.0, at(again, 30_000));
    }
  }

  /** Row {@code row} of a file of little-endian doubles, read with read(2) through a channel of its own. */
  private static double readThroughChannel(Path f, long row) throws Exception {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      while (b.hasRemaining() && ch.read(b, row * 8 + b.position()) > 0) {
        // a short read goes on
      }
      return b.getDouble(0);
    }
  }

  @Test void aScanThatStartedBeforeAPointWriteSeesTheOldValue() throws Exception {
    Path f = halves("s.f8", 4096);
    try (MappedArray a = MappedArray.open(f, F8, false)) {
      try (MappedArray.Snapshot scan = a.snapshot()) {
        write(a, new long[] {3000}, 42);
        Object[][] out = new Object[1][2];
        assertEquals(2, scan.read(2999, 2, out));
        assertEquals(3000.5, out[0][1], "the scan started before the UPDATE");
        assertEquals(42.0, at(a, 3000));
        assertEquals(1, a.keptChanges());
      }
      assertEquals(0, a.keptChanges(), "no scan open: the old row is dropped");
    }
  }

  @Test void aPointWriteIsCountedForTheFlusherAndForced() throws Exception {
    Path f = halves("d.f8", 100);
    try (MappedArray a = MappedArray.open(f, F8, false)) {
      assertEquals(0, a.unforcedWrites());
      write(a, new long[] {50}, 1.25);
      assertEquals(1, a.unforcedWrites(), "the flusher must force it");
      long forces = a.forces();
      a.force();
      assertEquals(0, a.unforcedWrites());
      assertEquals(forces + 1, a.forces());
    }
    try (MappedArray again = MappedArray.open(f, F8, true)) {
      assertEquals(1.25, at(again, 50));
    }
  }

  @Test void aPointWriteToANpyFileLandsAfterItsHeader() throws Exception {
    Path f = dir.resolve("n.npy");
    Files.createFile(f);
    MappedArray.createNpy(f, F8);
    try (MappedArray a = MappedArray.open(f, null, false)) {
      a.writeLock().lock();
      try {
        a.append(UndoLogTest.doubles(1, 2, 3), 3);
      } finally {
        a.writeLock().unlock();
      }
      long header = Files.size(f) - 3 * 8;
      byte[] before = Arrays.copyOf(Files.readAllBytes(f), (int) header);
      write(a, new long[] {1}, -2);
      byte[] now = Files.readAllBytes(f);
      assertArrayEquals(before, Arrays.copyOf(now, (int) header), "the header is untouched");
      assertEquals(-2.0, MemorySegment.ofArray(now).get(LE_DOUBLE, header + 8));
      assertEquals(3, a.refresh());
      assertEquals(-2.0, at(a, 1));
    }
  }

  @Test void aReadOnlyArrayRefusesAPointWrite() throws Exception {
    Path f = halves("r.f8", 10);
    try (MappedArray a = MappedArray.open(f, F8, true)) {
      MmapException e = assertThrows(MmapException.class, () -> write(a, new long[] {1}, 9));
      assertEquals(SqlState.READ_ONLY, e.state());
      assertEquals(1.5, at(a, 1));
    }
  }
}
