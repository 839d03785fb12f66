package org.mmapsql.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.MmapException;

/**
 * An append of rows written straight out of another array's mapping
 * ({@link MappedArray.Snapshot#writeBytes}, what a byte-for-byte
 * {@code INSERT INTO t SELECT ... FROM u} does), on real files: the target
 * gets u's bytes as of the copy's start, a cut of u by another program fails
 * the append and cuts t back, and another program's appends to t stay.
 */
class MappedCopyTest {
  private static final int CHUNK = 7;

  @TempDir Path dir;

  private static byte[] doubles(double... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double d : v) {
      b.putDouble(d);
    }
    return b.array();
  }

  private static double[] values(Path f) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    double[] v = new double[b.remaining() / 8];
    for (int i = 0; i < v.length; i++) {
      v[i] = b.getDouble();
    }
    return v;
  }

  private static double[] range(int from, int to) {
    double[] v = new double[to - from];
    for (int i = from; i < to; i++) {
      v[i - from] = i + 0.5;
    }
    return v;
  }

  private MappedArray array(String name, double... v) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, doubles(v));
    return MappedArray.open(f, Layout.raw(Dtype.FLOAT64, 0), false);
  }

  /** What happens to the sink of an append: a chance to act before each chunk is written. */
  private interface BeforeChunk {
    void run(int chunk) throws IOException;
  }

  /** All of {@code from}'s rows as of now, {@link #CHUNK} rows a chunk, written out of its mapping. */
  private static RowChunks copyOf(MappedArray from, BeforeChunk before) {
    MappedArray.Snapshot view = from.snapshot();
    long rows = from.length();
    return new RowChunks() {
      private long row;
      private int chunk;

      @Override public ByteBuffer next() {
        throw new AssertionError("a copy of rows as they lie makes no chunk on the heap");
      }

      @Override public boolean pass(Sink sink) throws IOException {
        if (row >= rows) {
          view.close();
          return false;
        }
        before.run(chunk++);
        int n = view.writeBytes(row, (int) Math.min(CHUNK, rows - row), sink);
        assertTrue(n > 0);
        row += n;
        return true;
      }
    };
  }

  @Test void theTargetGetsTheSourcesBytes() throws Exception {
    try (MappedArray u = array("u.f8", range(0, 100)); MappedArray t = array("t.f8", -1, -2)) {
      assertEquals(2, t.append(copyOf(u, c -> { })).first());
      assertEquals(102, t.length());
      double[] want = new double[102];
      want[0] = -1;
      want[1] = -2;
      System.arraycopy(range(0, 100), 0, want, 2, 100);
      assertArrayEquals(want, values(t.file()));
    }
  }

  /** An UPDATE of u that begins after the copy's snapshot: its rows go to t as they were. */
  @Test void anUpdateAfterTheCopyStartedIsNotCopied() throws Exception {
    try (MappedArray u = array("u.f8", range(0, 100)); MappedArray t = array("t.f8")) {
      RowChunks copy = copyOf(u, c -> {
        if (c == 3) {
          u.write(new long[] {0, 20, 21, 99}, doubles(-7, -7, -7, -7)); // row 0 is copied already
        }
      });
      t.append(copy);
      assertArrayEquals(range(0, 100), values(t.file()));
      assertEquals(-7.0, values(u.file())[99], "u has the update");
      t.append(copyOf(u, c -> { }));
      assertEquals(-7.0, values(t.file())[199], "a copy started after it sees it");
    }
  }

  /**
   * Another program cuts u while it is copied, inside a page (the mapping shows
   * zeros past the cut) or a page back (the kernel's copy faults): the append
   * fails, says why, and t is cut back to what it was.
   */
  @Test void aSourceCutWhileCopiedFailsTheAppendAndTheTargetIsCutBack() throws Exception {
    for (long cut : new long[] {990 * 8 + 3, 990 * 8 - 4096}) {
      try (MappedArray u = array("u.f8", range(0, 1000)); MappedArray t = array("t.f8", -1)) {
        RowChunks copy = copyOf(u, c -> {
          if (c == 140) {
            try (FileChannel other = FileChannel.open(u.file(), StandardOpenOption.WRITE)) {
              other.truncate(cut);
            }
          }
        });
        MmapException e = assertThrows(MmapException.class, () -> t.append(copy));
        assertTrue(e.getMessage().contains("truncated by another program"), e.getMessage());
        assertArrayEquals(new double[] {-1}, values(t.file()), "cut back at " + cut);
        assertEquals(1, t.length());
      }
    }
  }

  /** Another program appends to t with O_APPEND between two chunks: every row of both stays, once. */
  @Test void anotherProgramsAppendsBetweenChunksStay() throws Exception {
    try (MappedArray u = array("u.f8", range(0, 20)); MappedArray t = array("t.f8", -1)) {
      RowChunks copy = copyOf(u, c -> {
        if (c == 1) {
          try (FileChannel other = FileChannel.open(t.file(), StandardOpenOption.APPEND)) {
            other.write(ByteBuffer.wrap(doubles(99, 98)));
          }
        }
      });
      assertEquals(1, t.append(copy).first());
      double[] all = values(t.file());
      assertEquals(23, t.length());
      assertArrayEquals(new double[] {-1, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 99, 98},
          Arrays.copyOf(all, 10), "the first chunk, then the other program's rows");
      assertArrayEquals(range(7, 20), Arrays.copyOfRange(all, 10, 23));
    }
  }
}
