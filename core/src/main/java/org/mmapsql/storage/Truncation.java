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

  /** Cuts the array to {@code newLength} rows, a .npy header's shape too. */
  void cut(long newLength) {
    synchronized (watch) {
      handle.requireWritable("truncate");
      long bytes = layout.dataOffset() + newLength * layout.stride();
      NpyHeader header = watch.header();
      byte[] newHeader = header == null ? null : header.withRows(newLength);
      try {
        mapping.exclusive(() -> {
          handle.io(ch -> ch.truncate(bytes));
          // registered once the cut is made, while no reader copies: a failed cut ends no scan early
          undo.cut(newLength);
          if (newHeader != null) {
            handle.writeFully(ByteBuffer.wrap(newHeader), 0);
            watch.header(NpyHeader.parse(newHeader, handle.file().toString()));
          }
          watch.setSize(bytes);
        });
      } catch (IOException e) {
        throw new MmapException(SqlState.IO_ERROR, "truncate of " + handle.file() + " failed: "
            + e.getMessage(), e);
      } finally {
        durability.written();
      }
    }
  }
}
