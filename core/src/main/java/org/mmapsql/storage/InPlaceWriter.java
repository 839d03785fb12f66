package org.mmapsql.storage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * Writes rows of a {@link MappedArray} in place (UPDATE), and puts the old
 * values back when a write fails. Every UPDATE, of one row or millions, stores
 * through a writable mapping of the file: a store, unlike pwrite, can never
 * make the file longer, so a file another program cuts at this very moment
 * stays cut; and a store into a page this process already stored to since the
 * last force costs nothing, where a pwrite costs a system call each time (on
 * the large folios the page cache keeps for a file written in big pieces, a
 * walk over all the folio's buffers too). The first store into a page after a
 * force takes a write-protect fault, about what one pwrite costs; a point
 * update pays it once a page a force interval (measured in bench/RESULTS.md,
 * "Point update through the mapping"). The stores land in the page cache,
 * which every mapping of the file (ours, numpy's) reads. Used under the
 * statement's write lock and the array's apply lock.
 */
final class InPlaceWriter {
  /** A multiple of every page size (4, 16 and 64 KiB): where a writable window may start. */
  private static final long MAP_ALIGN = 64 << 10;

  private final FileHandle handle;
  private final Layout layout;
  private final FileWatch watch;
  private final RowReader reader;
  private final UndoLog undo;
  private final Durability durability;
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
  void write(long[] indexes, byte[] images) {
    long last = indexes[indexes.length - 1];
    long end = layout.dataOffset() + (last + 1) * layout.stride();
    long real = watch.realSize();
    if (real < end) {
      throw new MmapException(SqlState.IO_ERROR, "cannot write to " + handle.file() + ": another program cut it to "
          + real + " bytes, shorter than row " + last + " needs; nothing was written");
    }
    byte[] old = reader.images(indexes);
    undo.beginUpdate(indexes, old); // before any byte is written: scans that started earlier put these back
    try {
      writeAt(indexes, images);
    } catch (IOException | InternalError e) {
      // InternalError: a store faulted, past the end of a file another program cut just now (or into
      // a hole of a sparse file on a full disk); the rows still in the file get their old values back
      long now = watch.realSize();
      String why = now < end ? "another program cut it to " + now + " bytes while it was written"
          : String.valueOf(e.getMessage());
      int still = rowsBelow(indexes, now); // the rows past the cut are gone: nothing to put back there
      try {
        if (still > 0) {
          writeAt(Arrays.copyOf(indexes, still), Arrays.copyOf(old, still * layout.stride()));
        }
      } catch (IOException | InternalError again) {
        e.addSuppressed(again);
        throw new MmapException(SqlState.IO_ERROR, "write to " + handle.file() + " failed, and so did putting"
            + " the old values back; some values may be changed: " + why, e);
      }
      throw new MmapException(SqlState.IO_ERROR, "write to " + handle.file() + " failed, nothing changed"
          + (now < end ? " in the rows it still has" : "") + ": " + why, e);
    } finally {
      undo.end();
      durability.written();
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
