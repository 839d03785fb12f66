package org.mmapsql.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * Cuts a {@link MappedArray}'s file to fewer rows (DELETE of the last rows,
 * VPOP). The one write that shrinks the file, so the one that must exclude
 * every reader of the mapping while it does: bytes being cut off are never
 * read. Used under the statement's write lock and the array's apply lock.
 */
final class Truncation {
  private final FileHandle handle;
  private final Layout layout;
  private final FileWatch watch;
  private final Mapping mapping;
  private final UndoLog undo;
  private final Durability durability;

  Truncation(FileHandle handle, Layout layout, FileWatch watch, Mapping mapping, UndoLog undo,
      Durability durability) {
    this.handle = handle;
    this.layout = layout;
    this.watch = watch;
    this.mapping = mapping;
    this.undo = undo;
    this.durability = durability;
  }

  /**
   * Cuts the array to {@code newLength} rows if the file is still {@code bytes} long with
   * {@code rows} rows, as the statement saw it when it decided, and returns true; returns false,
   * having cut nothing, if another program changed its size since (or a reader of this process
   * saw that change). The size is looked at right before the {@code ftruncate}, inside the locks
   * that keep this process's writers and readers out: only another program's append in the
   * moment between that look and the cut can still be cut off (there is no "truncate if the size
   * is still X"; on a loaded machine, or on ext4 where a write sets the size only as it ends,
   * that moment is not always short: README, "Files, safety and durability").
   */
  boolean cutIfUnchanged(long newLength, long rows, long bytes) {
    return cut(newLength, rows, bytes) >= 0;
  }

  /**
   * Cuts the array to {@code newLength} rows whatever another program appended since the
   * statement's look (those rows are cut too: a DELETE of every row from {@code newLength} on),
   * never making it longer; returns the rows it had right before the cut.
   */
  long cutTail(long newLength) {
    return cut(newLength, -1, -1);
  }

  /**
   * The cut: with {@code bytes < 0} whatever the size, else only if the file is {@code bytes}
   * long and the watch says {@code rows} rows. Returns the rows the file had right before,
   * or -1 if nothing was cut because the size was not the one expected.
   */
  private long cut(long newLength, long rows, long bytes) {
    synchronized (watch) {
      handle.requireWritable("truncate");
      long target = layout.dataOffset() + newLength * layout.stride();
      NpyHeader header = watch.header();
      byte[] newHeader = header == null ? null : header.withRows(newLength);
      long[] before = {-1};
      try {
        mapping.exclusive(() -> {
          long size = sizeNow();
          if (bytes >= 0 ? size != bytes || watch.fileBytes() != bytes || watch.length() != rows
              : size < target) {
            if (bytes < 0) {
              before[0] = rowsOf(size, header); // another program cut it shorter: nothing to remove
            }
            return;
          }
          before[0] = rowsOf(size, header);
          handle.io(ch -> ch.truncate(target));
          // registered once the cut is made, while no reader copies: a failed cut ends no scan early
          undo.cut(newLength);
          if (newHeader != null) {
            handle.writeFully(ByteBuffer.wrap(newHeader), 0);
            watch.header(NpyHeader.parse(newHeader, handle.file().toString()));
          }
          watch.setSize(target);
        });
      } catch (IOException e) {
        throw new MmapException(SqlState.IO_ERROR, "truncate of " + handle.file() + " failed: "
            + e.getMessage(), e);
      } finally {
        durability.written();
      }
      return before[0];
    }
  }

  /** The file's size now: one lseek (fstat through the channel where that cannot be called). */
  private long sizeNow() throws IOException {
    long size = handle.sizeNow();
    if (size >= 0) {
      return size;
    }
    long[] channel = new long[1];
    handle.io(ch -> channel[0] = ch.size());
    return channel[0];
  }

  /** Rows in a file of {@code size} bytes: whole rows, no more than a .npy header's shape. */
  private long rowsOf(long size, NpyHeader header) {
    long whole = Math.max(0, size - layout.dataOffset()) / layout.stride();
    return header == null ? whole : Math.min(whole, header.shape()[0]);
  }
}
