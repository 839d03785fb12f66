package org.mmapsql.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.MmapException;

/**
 * Issue 7's findings in the storage, each on a real file changed behind the
 * array's back (no refresh in between, as when another process races a
 * statement): durability, appends at the real end, updates that never grow a
 * file, reads that never return bytes past the real end.
 */
class StorageFixesTest {
  @TempDir Path dir;

  private static byte[] doubles(double... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double d : v) {
      b.putDouble(d);
    }
    return b.array();
  }

  private Path file(double... v) throws Exception {
    Path f = dir.resolve("a.f8");
    Files.write(f, doubles(v));
    return f;
  }

  @Test void aForceCoversOnlyTheWritesCountedBeforeItStarted() throws Exception {
    Durability d = new Durability();
    AtomicInteger forces = new AtomicInteger();
    d.written();
    // a write lands while the flusher is forcing: it is not covered by that force
    d.force(() -> {
      forces.incrementAndGet();
      d.written();
    });
    d.force(forces::incrementAndGet);
    assertEquals(2, forces.get(), "the write made during the first force needs a force of its own");
    d.force(forces::incrementAndGet);
    assertEquals(2, forces.get(), "nothing written since: no force");
    d.written();
    assertThrows(java.io.IOException.class, () -> d.force(() -> {
      throw new java.io.IOException("disk gone");
    }));
    d.force(forces::incrementAndGet);
    assertEquals(3, forces.get(), "a failed force leaves the write pending");
  }

  @Test void anAppendWritesAtTheFilesRealEndNotAtTheLengthLastSeen() throws Exception {
    Path f = file(1, 2, 3);
    try (MappedArray a = MappedArray.open(f, Layout.raw(Dtype.FLOAT64, 0), false)) {
      assertEquals(3, a.length());
      Files.write(f, doubles(4, 5), StandardOpenOption.APPEND); // another program appends
      a.writeLock().lock();
      try {
        assertEquals(5, a.append(doubles(6), 1).first());
      } finally {
        a.writeLock().unlock();
      }
      assertEquals(ByteBuffer.wrap(doubles(1, 2, 3, 4, 5, 6)), ByteBuffer.wrap(Files.readAllBytes(f)));
    }
  }

  @Test void anUpdateNeverGrowsAFileAnotherProgramCut() throws Exception {
    Path f = file(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    try (MappedArray a = MappedArray.open(f, Layout.raw(Dtype.FLOAT64, 0), false)) {
      assertEquals(10, a.length());
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
        ch.truncate(4 * 8);
      }
      a.writeLock().lock();
      try {
        MmapException e = assertThrows(MmapException.class, () -> a.write(new long[] {8}, doubles(99)));
        assertTrue(e.getMessage().contains("nothing was written"), e.getMessage());
      } finally {
        a.writeLock().unlock();
      }
      assertEquals(32, Files.size(f));
    }
  }

  @Test void readsStopAtTheRealEndEvenInsideTheLastPage() throws Exception {
    Path f = file(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    try (MappedArray a = MappedArray.open(f, Layout.raw(Dtype.FLOAT64, 0), false)) {
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
        ch.truncate(5 * 8 + 3); // inside the first page: the mapping would show zeros past it
      }
      Object[][] out = new Object[1][10];
      assertEquals(5, a.read(0, 10, out));
      assertEquals(5.0, out[0][4]);
      double[] d = new double[10];
      assertEquals(0, a.readDoubles(7, 3, 0, d));
    }
  }

  @Test void aFailedAppendThatCannotBeCutBackSaysThatRowsStay() throws Exception {
    Path f = file(1, 2);
    try (MappedArray a = MappedArray.open(f, Layout.raw(Dtype.FLOAT64, 0), false)) {
      int[] calls = {0};
      // the second chunk fails after another program appended a row behind the first
      RowChunks chunks = () -> switch (calls[0]++) {
        case 0 -> ByteBuffer.wrap(doubles(3, 4));
        default -> {
          try (FileChannel other = FileChannel.open(f, StandardOpenOption.APPEND)) {
            other.write(ByteBuffer.wrap(doubles(99)));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          throw new MmapException(org.mmapsql.SqlState.DATA_EXCEPTION, "value out of range; nothing was inserted");
        }
      };
      MmapException e = assertThrows(MmapException.class, () -> a.append(chunks));
      assertEquals("58030", e.state().code(), e.getMessage());
      assertTrue(e.getMessage().contains("(value out of range)"), e.getMessage());
      assertTrue(e.getMessage().contains("rows from idx 2 may be partly written"), e.getMessage());
      assertTrue(!e.getMessage().contains("nothing was inserted"), e.getMessage());
      assertEquals(5 * 8, Files.size(f), "the other program's row stays, and so do the two before it");
    }
  }
}
