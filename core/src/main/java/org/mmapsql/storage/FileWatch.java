package org.mmapsql.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * What a {@link MappedArray}'s file looked like when last seen (its size, its
 * whole rows, a .npy file's header), and looking again: another program may
 * grow, cut or replace the file at any moment, and each statement must see it
 * as it is when the statement starts ({@link #refresh}).
 *
 * <p>Its monitor is the size lock of the array's locking protocol (see
 * {@link MappedArray}): whoever changes the size, the rows or the header holds it.
 */
final class FileWatch {
  private final FileHandle handle;
  private final Layout layout;
  private final Mapping mapping;
  /** The path's stat without Java's per-call objects; null where statx cannot be called. */
  private final @Nullable PathStat stat;
  /** The .npy header as last read or written, null for a headerless file. */
  private NpyHeader header;
  /** While an append writes: the file size before it, which readers keep seeing until it is done. */
  private volatile long appendingFrom = -1;
  /** Size of the file in bytes as last seen. */
  private volatile long fileBytes;
  /** Rows as last seen: whole rows of data, and for a .npy file at most what its header says. */
  private volatile long rows;
  /** Set for an {@code exclusive} binding: only this process changes the length, so statements need not look. */
  private volatile boolean trustOwn;

  FileWatch(FileHandle handle, Layout layout, NpyHeader header, Mapping mapping, long size) {
    this.handle = handle;
    this.layout = layout;
    this.header = header;
    this.mapping = mapping;
    this.stat = PathStat.of(handle.file(), handle.self());
    setSize(size);
  }

  /** Reads the .npy header of the file of {@code size} bytes open as {@code handle}. */
  static NpyHeader readHeader(FileHandle handle, long size) throws IOException {
    byte[] first = new byte[(int) Math.min(size, 4096)];
    handle.readFully(first, 0);
    int offset = NpyHeader.dataOffset(first);
    if (offset > first.length && offset <= size && offset < (16 << 20)) {
      first = new byte[offset];
      handle.readFully(first, 0);
    }
    return NpyHeader.parse(first, handle.file().toString());
  }

  /** Takes a file size as the current one: the rows follow from it (and from the header). */
  void setSize(long size) {
    fileBytes = size;
    long whole = Math.max(0, size - layout.dataOffset()) / layout.stride();
    rows = header == null ? whole : Math.min(whole, header.shape()[0]);
  }

  /** Number of whole rows. */
  long length() {
    return rows;
  }

  long fileBytes() {
    return fileBytes;
  }

  /** Bytes past the last whole row (data beyond a .npy header's shape included), 0 for a sound file. */
  long tailBytes() {
    return Math.max(0, fileBytes - layout.dataOffset()) - rows * layout.stride();
  }

  /** The .npy header as last read or written, null for a headerless file. */
  NpyHeader header() {
    return header;
  }

  /** Takes {@code h} as the header now in the file; under this object's monitor. */
  void header(NpyHeader h) {
    header = h;
  }

  /** An append starts: readers keep seeing the size as it is until {@link #appendEnded}. */
  void appendStarts() {
    appendingFrom = fileBytes;
  }

  void appendEnded() {
    appendingFrom = -1;
  }

  /** The file's size as the kernel has it now (the size as last seen if that cannot be asked). */
  long realSize() {
    long size = handle.sizeNow();
    return size < 0 ? fileBytes : size;
  }

  /**
   * Counts and point reads no longer look at the path ({@link #refresh} when {@code trusting},
   * {@link #unchanged}): the size is what a statement of this process last saw or made. A point read
   * past a cut another program made anyway faults as before (then reads again the usual way) or gives
   * the zeros of the file's last page; every other statement still looks.
   */
  void trustOwnChanges() {
    trustOwn = true;
  }

  /**
   * Re-reads the file's size so that a statement sees what other processes did:
   * a longer or shorter file shows its new length. A deleted file is an error;
   * a path that now names another file is a {@link FileReplacedException}.
   * {@code trusting}: a statement that reads no row, which does not look on an exclusive binding.
   */
  synchronized long refresh(boolean trusting) {
    handle.checkOpen();
    if (trustOwn && trusting) {
      return length();
    }
    long now = stat == null ? PathStat.FAILED : stat.size();
    if (now == PathStat.OTHER_FILE) {
      throw new FileReplacedException("file " + handle.file() + " was replaced by another file");
    }
    if (now == PathStat.FAILED) {
      now = sizeAtPath(); // Java's own call, which also says why it failed
    }
    long size = appendingFrom < 0 ? now : Math.min(now, appendingFrom);
    if (size != fileBytes) {
      adopt(size);
    }
    return length();
  }

  /**
   * Whether the path names the open file still, {@code seen} bytes and
   * {@code rows} rows long as last seen, with no append of this process under
   * way: one statx, as {@link #refresh}; false also where statx cannot be called.
   */
  synchronized boolean unchanged(long seen, long rows) {
    return canLook() && appendingFrom < 0 && fileBytes == seen && this.rows == rows && !handle.isClosed()
        && (trustOwn || stat.size() == seen);
  }

  /** Whether {@link #unchanged} can look at all (statx can be called here, or need not be). */
  boolean canLook() {
    return trustOwn || stat != null;
  }

  /** The size of the file the path names, which must be the file open. */
  private long sizeAtPath() {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(handle.file(), BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new MmapException(SqlState.IO_ERROR, "file " + handle.file()
          + " is gone (deleted by another program?)");
    } catch (IOException e) {
      throw new MmapException(SqlState.IO_ERROR, "cannot read " + handle.file() + ": " + e.getMessage(), e);
    }
    if (!Objects.equals(attrs.fileKey(), handle.fileKey())) {
      throw new FileReplacedException("file " + handle.file() + " was replaced by another file");
    }
    return attrs.size();
  }

  /**
   * Takes a new file size, growing the mapping if it no longer reaches the end;
   * re-reads a .npy header. Under this object's monitor.
   */
  void adopt(long size) {
    if (header != null) {
      try {
        NpyHeader h = readHeader(handle, size);
        if (!Layout.of(h, handle.file().toString()).sameRows(layout)) {
          throw new MmapException(SqlState.DATA_EXCEPTION, "the header of " + handle.file()
              + " now describes other rows (" + h.descr() + ", shape " + NpyHeader.shapeText(h.shape())
              + "); UNMAP and MMAP it again");
        }
        header = h;
      } catch (IOException e) {
        throw new MmapException(SqlState.IO_ERROR, "cannot read the header of " + handle.file() + ": "
            + e.getMessage(), e);
      }
    }
    mapping.reach(size);
    setSize(size);
  }

  /** Throws unless the file ends with a whole row: appends and pops would misalign it. */
  void requireWholeRows(String what) {
    long tail = tailBytes();
    if (tail != 0) {
      throw new MmapException(SqlState.DATA_EXCEPTION, "cannot " + what + " " + handle.file()
          + ": it ends with a partial element (" + tail + " trailing bytes after " + rows + " rows of "
          + layout.stride() + " bytes); repair it by truncating, e.g. DELETE FROM the table");
    }
  }
}
