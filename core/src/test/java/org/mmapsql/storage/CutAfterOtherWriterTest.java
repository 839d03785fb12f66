package org.mmapsql.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cut (VPOP, DELETE of the last rows) after another program appended to or
 * cut the file since the statement's look: a cut of rows named as they were
 * seen does nothing (the caller retries or says to run it again), a cut of
 * every row from some position on takes the newcomers too and says how many
 * rows there were; neither ever makes the file longer.
 */
class CutAfterOtherWriterTest {
  private static final Layout F8 = Layout.raw(Dtype.FLOAT64, 0);
  @TempDir Path dir;

  private Path rows(int n) throws Exception {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    Path f = dir.resolve("t.f8");
    Files.write(f, UndoLogTest.doubles(v));
    return f;
  }

  /** Appends as another program does: its own descriptor, O_APPEND. */
  private static void appendOther(Path f, double... v) throws Exception {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(UndoLogTest.doubles(v)));
    }
  }

  private static void cutOther(Path f, long bytes) throws Exception {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(bytes);
    }
  }

  @Test void aCutOfTheRowsSeenDoesNothingOnceAnotherProgramAppended() throws Exception {
    Path f = rows(10);
    try (MappedArray a = MappedArray.open(f, F8, false)) {
      a.writeLock().lock();
      try {
        long n = a.refresh();
        long bytes = a.fileBytes();
        appendOther(f, 100, 101, 102); // between the look and the cut
        assertFalse(a.truncateIfUnchanged(n - 1, n, bytes), "the file grew: nothing is cut");
        assertArrayEquals(UndoLogTest.doubles(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 101, 102), Files.readAllBytes(f));
        // looked at again, the cut goes through: the real last row goes, and only it
        n = a.refresh();
        assertEquals(13, n);
        assertTrue(a.truncateIfUnchanged(n - 1, n, a.fileBytes()));
        assertEquals(12 * 8, Files.size(f));
        assertEquals(12, a.length());
      } finally {
        a.writeLock().unlock();
      }
    }
  }

  @Test void aCutOfTheRowsSeenDoesNothingOnceAnotherProgramCut() throws Exception {
    Path f = rows(10);
    try (MappedArray a = MappedArray.open(f, F8, false)) {
      a.writeLock().lock();
      try {
        long n = a.refresh();
        long bytes = a.fileBytes();
        cutOther(f, 4 * 8);
        assertFalse(a.truncateIfUnchanged(n - 1, n, bytes));
        assertEquals(4 * 8, Files.size(f), "never made longer");
      } finally {
        a.writeLock().unlock();
      }
    }
  }

  @Test void aCutOfTheTailTakesTheNewcomersAndCountsThem() throws Exception {
    Path f = rows(10);
    try (MappedArray a = MappedArray.open(f, F8, false)) {
      a.writeLock().lock();
      try {
        assertEquals(10, a.refresh());
        appendOther(f, 100, 101, 102);
        assertEquals(13, a.truncateTail(6), "the rows the file had right before the cut");
        assertArrayEquals(UndoLogTest.doubles(0, 1, 2, 3, 4, 5), Files.readAllBytes(f));
        assertEquals(6, a.length());
        cutOther(f, 2 * 8);
        assertEquals(2, a.truncateTail(4), "fewer rows than the cut keeps: nothing to remove");
        assertEquals(2 * 8, Files.size(f), "never made longer");
      } finally {
        a.writeLock().unlock();
      }
    }
  }
}
