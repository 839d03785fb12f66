package org.mmapsql.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * Copies rows of a {@link MappedArray} out of its mapping, under the mapping's
 * read lock and never past what the file really holds: another program may cut
 * the file while it is read, and a read must then yield only the rows left
 * (or an ordinary error), never zeros or a crash. The read path of every scan,
 * aggregate and UPDATE; kept free of locks a writer waits for.
 */
final class RowReader {
  /** A block reader: copies {@code n} rows from {@code row} out of the mapping. */
  private interface Copy {
    void run(MemorySegment segment, long row, int n);
  }

  private final FileHandle handle;
  private final Layout layout;
  private final Mapping mapping;
  private final FileWatch watch;

  RowReader(FileHandle handle, Layout layout, Mapping mapping, FileWatch watch) {
    this.handle = handle;
    this.layout = layout;
    this.mapping = mapping;
    this.watch = watch;
  }

  /**
   * Copies up to {@code count} rows starting at {@code row}; returns how many
   * were copied, fewer when the array is now shorter. Never more than the file
   * really holds after the copy: a file another program cut (even inside the
   * last page, where the mapping would show zeros) yields only its real rows.
   */
  private int read(long row, int count, Copy copy) {
    try {
      return mapping.read(segment -> {
        handle.checkOpen();
        long n = Math.min(count, watch.length() - row);
        if (n <= 0) {
          return 0;
        }
        copy.run(segment, row, (int) n);
        long realRows = Math.max(0, watch.realSize() - layout.dataOffset()) / layout.stride();
        return (int) Math.max(0, Math.min(n, realRows - row));
      });
    } catch (InternalError e) {
      throw fault(e);
    }
  }

  /**
   * Reads the rows at {@code positions} (ascending) into {@code out[column][i]},
   * under one hold of the mapping and, if {@code checked}, one check of the real
   * size (a point or IN read: a few rows, each a read of its own would pay both
   * each time); returns how many, a prefix of {@code positions}, as {@link #read}
   * does. Unchecked, the caller must look at the file after the read
   * ({@link MappedArray#readAtUnchanged}), and a read that faults returns -1.
   */
  int readAt(long[] positions, Object[][] out, boolean checked) {
    try {
      return mapping.read(segment -> {
        handle.checkOpen();
        long length = watch.length();
        Object[][] one = new Object[out.length][1];
        int n = 0;
        while (n < positions.length && positions[n] < length) {
          layout.read(segment, positions[n], 1, one);
          for (int c = 0; c < out.length; c++) {
            out[c][n] = one[c][0];
          }
          n++;
        }
        long realRows = checked ? Math.max(0, watch.realSize() - layout.dataOffset()) / layout.stride() : length;
        while (n > 0 && positions[n - 1] >= realRows) {
          n--;
        }
        return n;
      });
    } catch (InternalError e) {
      if (!checked) {
        return -1; // cut before the read, perhaps before the statement: the caller looks at the file
      }
      throw fault(e);
    }
  }

  /** Reads rows into {@code out[column][i]} as SQL values; returns how many. */
  int read(long row, int count, Object[][] out) {
    return read(row, count, (s, r, n) -> layout.read(s, r, n, out));
  }

  /** Copies rows as they lie in the file, {@code stride} bytes each, into {@code out} from 0; returns how many. */
  int readBytes(long row, int count, byte[] out) {
    return read(row, count, (s, r, n) -> MemorySegment.copy(s, ValueLayout.JAVA_BYTE,
        layout.dataOffset() + r * layout.stride(), out, 0, n * layout.stride()));
  }

  /**
   * Writes up to {@code count} rows from {@code row}, as they lie, straight
   * out of the mapping to {@code out}: the kernel copies them from the page
   * cache to the page cache, nothing passes through the heap. Returns how many.
   * If another program cut the file meanwhile, the write may have taken zeros
   * or stopped short: that is an error (the caller cuts its append back), not
   * fewer rows, since the rows written cannot be taken back here.
   */
  int writeBytes(long row, int count, RowChunks.Sink out) throws IOException {
    try {
      return mapping.read(segment -> {
        handle.checkOpen();
        long n = Math.min(count, watch.length() - row);
        if (n <= 0) {
          return 0;
        }
        long stride = layout.stride();
        IOException failed = null;
        try {
          out.write(segment.asSlice(layout.dataOffset() + row * stride, n * stride).asByteBuffer());
        } catch (IOException e) {
          failed = e; // EFAULT, if a page of the source went: the file's size says why
        }
        long real = watch.realSize();
        if (Math.max(0, real - layout.dataOffset()) / stride < row + n) {
          throw new MmapException(SqlState.IO_ERROR, "file " + handle.file()
              + " was truncated by another program while its rows were copied (now " + real + " bytes)", failed);
        }
        if (failed != null) {
          throw new UncheckedIOException(failed);
        }
        return (int) n;
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Reads one column of rows as doubles (float dtypes); returns how many. */
  int readDoubles(long row, int count, int column, double[] out) {
    return read(row, count, (s, r, n) -> layout.doubles(s, r, n, column, out));
  }

  /** See {@link MappedArray#stats}. */
  int stats(long row, int count, int column, ValueRange range, RunStats out) {
    int want = count;
    while (true) {
      int[] seen = new int[1];
      int wanted = want;
      int real = read(row, wanted, (s, r, n) -> {
        seen[0] = n;
        out.compute(s, layout, r, n, column, range);
      });
      if (real >= seen[0]) {
        if (seen[0] == 0) {
          out.clear();
        }
        return seen[0];
      }
      want = real;
    }
  }

  /** The bytes of the rows at {@code indexes}, which must be below the array's length. */
  byte[] images(long[] indexes) {
    int stride = layout.stride();
    byte[] out = new byte[indexes.length * stride];
    try {
      return mapping.read(segment -> {
        handle.checkOpen();
        for (int i = 0; i < indexes.length; i++) {
          if (indexes[i] < 0 || indexes[i] >= watch.length()) {
            throw new MmapException("index " + indexes[i] + " out of range [0, " + watch.length() + ")");
          }
          MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, layout.dataOffset() + indexes[i] * stride,
              out, i * stride, stride);
        }
        return out;
      });
    } catch (InternalError e) {
      throw fault(e);
    }
  }

  /**
   * A read faulted: on JDK 25 touching a mapped page past the end of a file
   * that another process truncated raises {@link InternalError}. Re-check the
   * file and report it as an ordinary error.
   */
  private MmapException fault(InternalError e) {
    long size;
    try {
      size = Files.size(handle.self());
    } catch (IOException io) {
      return new MmapException(SqlState.IO_ERROR, "file " + handle.file()
          + " is gone (deleted while being read)", e);
    }
    return new MmapException(SqlState.IO_ERROR, "file " + handle.file()
        + " was truncated by another program while being read (now " + size + " bytes)", e);
  }
}
