package org.mmapsql.storage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.util.Arrays;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * Writes rows of a {@link MappedArray} in place (UPDATE), and puts the old
 * values back when a write fails. Many rows go through a writable mapping of
 * the file: a store, unlike pwrite, can never make the file longer, so a file
 * another program cuts at this very moment stays cut. A few rows (a point
 * update) go the same way while the point updates come back to the pages
 * they wrote between two forces, and with pwrite otherwise: the first store
 * into a page after a force takes a write-protect fault, which costs more than
 * a pwrite ({@link PointWritePath} chooses). Both land in the page cache,
 * which every mapping of the file (ours, numpy's) reads. Used under the
 * statement's write lock and the array's apply lock.
 */
final class InPlaceWriter {
  /** A multiple of every page size (4, 16 and 64 KiB): where a writable window may start. */
  private static final long MAP_ALIGN = 64 << 10;
  /** Most runs of consecutive rows, and bytes, written with pwrite: one system call a run. */
  private static final int POSITIONAL_RUNS = 8;
  private static final int POSITIONAL_BYTES = 64 << 10;
  /** Usable bytes below which a store's fault is taken for a full disk (ext4 keeps a little it will not give). */
  private static final long FULL_BELOW = 1 << 20;

  private final FileHandle handle;
  private final Layout layout;
  private final FileWatch watch;
  private final RowReader reader;
  private final UndoLog undo;
  private final Durability durability;
  private final PointWritePath path = new PointWritePath();
  /** Point writes stored through the mapping: a seam for tests. */
  private long pointStores;
  /** See {@link #writable}; guarded by the statement's write lock. */
  private Arena writeArena;
  private MemorySegment writeWindow;

  InPlaceWriter(FileHandle handle, Layout layout, FileWatch watch, RowReader reader, UndoLog undo,
      Durability durability) {
    this.handle = handle;
    this.layout = layout;
    this.watch = watch;
    this.reader = reader;
    this.undo = undo;
    this.durability = durability;
  }

  /** See {@link MappedArray#write}; the caller holds the apply lock for writing. */
  void write(long[] indexes, byte[] images, boolean looked) {
    long last = indexes[indexes.length - 1];
    long end = layout.dataOffset() + (last + 1) * layout.stride();
    // Looked: the size the statement's look just saw under the write lock (no append of ours runs then);
    // a cut since is caught after the write, as one after this check is (requireNotGrown, a store's fault)
    long real = looked ? watch.fileBytes() : watch.realSize();
    if (real < end) {
      throw new MmapException(SqlState.IO_ERROR, "cannot write to " + handle.file() + ": another program cut it to "
          + real + " bytes, shorter than row " + last + " needs; nothing was written");
    }
    // Not when the last row ends the file: a cut just before the pwrite would be undone by it unseen
    // (the length after would equal the length before); a store into the mapping cannot grow the file.
    boolean positional = positional(indexes)
        && !path.stores(indexes, layout.dataOffset(), layout.stride(), durability.forces()) && real > end;
    if (!positional && indexes.length == 1) {
      pointStores++;
    }
    byte[] old = reader.images(indexes);
    undo.beginUpdate(indexes, old); // before any byte is written: scans that started earlier put these back
    try {
      if (positional) {
        writePositional(indexes, images);
        requireNotGrown(real, end);
      } else {
        writeAt(indexes, images);
      }
    } catch (IOException | InternalError e) {
      // InternalError: a store faulted, past the end of a file another program cut just now (or into
      // a hole of a sparse file on a full disk); the rows still in the file get their old values back
      long now = watch.realSize();
      String why = now < end ? "another program cut it to " + now + " bytes while it was written"
          : e instanceof InternalError && noRoom() ? NativeMap.NO_SPACE : String.valueOf(e.getMessage());
      int still = rowsBelow(indexes, now); // the rows past the cut are gone: nothing to put back there
      long[] kept = Arrays.copyOf(indexes, still);
      byte[] keptOld = Arrays.copyOf(old, still * layout.stride());
      try {
        if (still > 0) {
          writeAt(kept, keptOld);
        }
      } catch (IOException | InternalError again) {
        // A full disk faults the put-back too, at the first row the write itself could not store: the rows
        // before it are back, and it and those after it were never written. Said only when the file shows it.
        if (!holds(kept, keptOld)) {
          e.addSuppressed(again);
          throw new MmapException(SqlState.IO_ERROR, "write to " + handle.file() + " failed, and so did putting"
              + " the old values back; some values may be changed: " + why, e);
        }
      }
      throw new MmapException(SqlState.IO_ERROR, "write to " + handle.file() + " failed, nothing changed"
          + (now < end ? " in the rows it still has" : "") + ": " + why, e);
    } finally {
      undo.end();
      durability.written();
    }
  }

  /**
   * Whether the file system has no room left: a store into a hole of a sparse
   * file then faults (SIGBUS, an {@link InternalError} in Java) where pwrite
   * fails with ENOSPC, and is reported in the same words ({@link NativeMap#NO_SPACE}).
   */
  private boolean noRoom() {
    try {
      return Files.getFileStore(handle.file()).getUsableSpace() < FULL_BELOW;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Whether the rows {@code indexes} hold {@code images} now; false if they cannot be read. */
  private boolean holds(long[] indexes, byte[] images) {
    try {
      return indexes.length == 0 || Arrays.equals(reader.images(indexes), images);
    } catch (RuntimeException | InternalError e) {
      return false;
    }
  }

  /** Writes of one row that went through the mapping, not with pwrite; under the write lock. */
  long pointStores() {
    return pointStores;
  }

  /** Whether the rows are few enough to go with pwrite: a few runs, a few pages. */
  private boolean positional(long[] indexes) {
    if ((long) indexes.length * layout.stride() > POSITIONAL_BYTES) {
      return false;
    }
    int runs = 1;
    for (int i = 1; i < indexes.length && runs <= POSITIONAL_RUNS; i++) {
      if (indexes[i] != indexes[i - 1] + 1) {
        runs++;
      }
    }
    return runs <= POSITIONAL_RUNS;
  }

  /** Writes each run of consecutive rows with one pwrite; the file was at least as long as the last row needs. */
  private void writePositional(long[] indexes, byte[] images) throws IOException {
    int stride = layout.stride();
    int i = 0;
    while (i < indexes.length) {
      int j = runEnd(indexes, i);
      NativeMap.pwrite(handle.writeFd(), images, i * stride, (j - i) * stride,
          layout.dataOffset() + indexes[i] * stride);
      i = j;
    }
  }

  /**
   * A pwrite past the end of file makes it longer, exactly to the end of the
   * last row written: if another program cut the file in the moment between
   * the check of its length ({@code before}, at least {@code end}) and the
   * writes, the file is now {@code end} bytes long. That is reported as an
   * error (the old values are put back), rather than taken for a cut that came
   * just after the writes, to exactly their end.
   */
  private void requireNotGrown(long before, long end) throws IOException {
    long after = watch.realSize();
    if (after != before && after == end) {
      throw new IOException("another program changed its length from " + before + " to " + after
          + " bytes while it was written (a cut just before the write would have been undone by it)");
    }
  }

  /** The end (exclusive) of the run of consecutive rows that starts at {@code indexes[i]}. */
  private static int runEnd(long[] indexes, int i) {
    int j = i + 1;
    while (j < indexes.length && indexes[j] == indexes[i] + (j - i)) {
      j++;
    }
    return j;
  }

  /** How many of the sorted {@code indexes} lie wholly within a file of {@code size} bytes. */
  private int rowsBelow(long[] indexes, long size) {
    long whole = Math.max(0, size - layout.dataOffset()) / layout.stride();
    int i = Arrays.binarySearch(indexes, whole);
    return i < 0 ? -i - 1 : i;
  }

  /**
   * Writes the row images at their rows through a writable mapping of just
   * those rows rather than with pwrite: a store cannot make the file longer,
   * so a file another program cuts at this very moment stays cut (a store
   * past its new end faults, see {@link #write}).
   */
  private void writeAt(long[] indexes, byte[] images) throws IOException {
    int stride = layout.stride();
    long to = layout.dataOffset() + (indexes[indexes.length - 1] + 1) * stride;
    MemorySegment window = writable(to);
    int i = 0;
    while (i < indexes.length) {
      long start = indexes[i];
      int j = runEnd(indexes, i);
      MemorySegment.copy(images, i * stride, window, ValueLayout.JAVA_BYTE,
          layout.dataOffset() + start * stride, (j - i) * stride);
      i = j;
    }
  }

  /**
   * The writable mapping of the file from its first byte, at least {@code to}
   * bytes long, kept from one UPDATE to the next (a mapping a statement would
   * cost a point update more than the rest of it): it reaches past the end of
   * the file, and grows geometrically. Under the statement's write lock, which
   * {@link MappedArray#close} takes too.
   */
  private MemorySegment writable(long to) throws IOException {
    if (writeWindow == null || writeWindow.byteSize() < to) {
      long size = Math.max(to + to / 2, MAP_ALIGN * 16);
      size = (size + MAP_ALIGN - 1) & ~(MAP_ALIGN - 1);
      Arena arena = Arena.ofShared();
      MemorySegment window;
      try {
        window = NativeMap.mapForWrite(handle.writeFd(), 0, size, arena);
      } catch (IOException | RuntimeException e) {
        arena.close();
        throw e;
      }
      closeWindow();
      writeArena = arena;
      writeWindow = window;
    }
    return writeWindow;
  }

  /** Unmaps the writable mapping, if any; under the statement's write lock. */
  void closeWindow() {
    if (writeArena != null) {
      writeArena.close();
      writeArena = null;
      writeWindow = null;
    }
  }
}
