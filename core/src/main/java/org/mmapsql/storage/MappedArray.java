package org.mmapsql.storage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.mmapsql.MmapException;

/**
 * One plain file of fixed-width little-endian elements, mapped into memory.
 *
 * <p>Reads go through a read-only shared mapping that reaches past the end of
 * file (see {@link NativeMap}); writes go through the file channel, so a full
 * disk is an {@link IOException}, never a fault, and every write is in the page
 * cache, visible to the mapping and to other processes, when it returns.
 *
 * <p>Locking: {@link #writeLock} makes each write statement exclusive on this
 * array; the monitor of this object guards the size, so that a reader's
 * {@link #refresh()} cannot undo a concurrent append; {@link #mappingLock} is held for reading while a reader copies a block
 * and for writing while the file shrinks or the mapping is replaced, so no
 * reader ever touches bytes that are being cut off.
 */
public final class MappedArray implements AutoCloseable {
  /** Smallest mapping reserved; the mapping always reaches well past the end of file. */
  private static final long MIN_CAPACITY = 64L << 20;
  /** Appends are written in buffers of this many bytes. */
  private static final int WRITE_BUFFER = 1 << 20;

  private final Path file;
  private final ElementType type;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantReadWriteLock mappingLock = new ReentrantReadWriteLock();

  private FileChannel channel;
  private Object fileKey;
  private Arena arena;
  private MemorySegment segment;
  /** Size of the file in bytes as last seen; elements = fileBytes / width. */
  private volatile long fileBytes;
  private volatile boolean dirty;
  private volatile boolean closed;

  private MappedArray(Path file, ElementType type) {
    this.file = file;
    this.type = type;
  }

  /** Opens (and maps) an existing regular file. */
  public static MappedArray open(Path file, ElementType type) throws IOException {
    MappedArray a = new MappedArray(file, type);
    a.openFile();
    return a;
  }

  private void openFile() throws IOException {
    BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class,
        LinkOption.NOFOLLOW_LINKS);
    if (!attrs.isRegularFile()) {
      throw new MmapException(file + " is not a regular file");
    }
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS);
    try {
      long size = ch.size();
      long capacity = capacityFor(size);
      Arena newArena = Arena.ofShared();
      MemorySegment seg;
      try {
        seg = NativeMap.map(file, capacity, newArena);
      } catch (IOException | RuntimeException e) {
        newArena.close();
        throw e;
      }
      channel = ch;
      fileKey = attrs.fileKey();
      arena = newArena;
      segment = seg;
      fileBytes = size;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static long capacityFor(long bytes) {
    long want = Math.max(MIN_CAPACITY, bytes + Math.max(bytes, MIN_CAPACITY));
    return (want + 0xFFFF) & ~0xFFFFL;
  }

  public Path file() {
    return file;
  }

  public ElementType type() {
    return type;
  }

  /** Number of whole elements. */
  public long length() {
    return fileBytes / type.width();
  }

  /** Bytes of a trailing partial element, 0 for a sound file. */
  public long tailBytes() {
    return fileBytes % type.width();
  }

  public long fileBytes() {
    return fileBytes;
  }

  /**
   * Re-reads the file's size so that a statement sees what other processes did:
   * a longer file shows its new rows; a file replaced by another (new inode) is
   * reopened; a deleted file is an error. Called at the start of each statement.
   */
  public synchronized long refresh() {
    checkOpen();
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new MmapException("file " + file + " is gone (deleted by another program?)");
    } catch (IOException e) {
      throw new MmapException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (!Objects.equals(attrs.fileKey(), fileKey)) {
      reopen();
    } else if (attrs.size() != fileBytes) {
      adopt(attrs.size());
    }
    return length();
  }

  private void reopen() {
    mappingLock.writeLock().lock();
    try {
      closeMapping();
      openFile();
    } catch (IOException e) {
      closed = true;
      throw new MmapException("cannot reopen " + file + ": " + e.getMessage(), e);
    } finally {
      mappingLock.writeLock().unlock();
    }
  }

  /** Takes a new file size, growing the mapping if it no longer reaches the end. */
  private void adopt(long size) {
    if (size > segment.byteSize()) {
      mappingLock.writeLock().lock();
      try {
        if (size > segment.byteSize()) {
          Arena newArena = Arena.ofShared();
          MemorySegment seg;
          try {
            seg = NativeMap.map(file, capacityFor(size), newArena);
          } catch (IOException e) {
            newArena.close();
            throw new MmapException("cannot map " + file + ": " + e.getMessage(), e);
          }
          arena.close();
          arena = newArena;
          segment = seg;
        }
      } finally {
        mappingLock.writeLock().unlock();
      }
    }
    fileBytes = size;
  }

  // ---------------------------------------------------------------- reads

  /**
   * Copies up to {@code count} elements starting at {@code index} into
   * {@code target}; returns how many were copied, fewer when the array is now
   * shorter than {@code index + count}.
   */
  public int read(long index, double[] target, int offset, int count) {
    mappingLock.readLock().lock();
    try {
      checkOpen();
      long n = Math.min(count, length() - index);
      if (n <= 0) {
        return 0;
      }
      type.copy(segment, index, target, offset, (int) n);
      return (int) n;
    } catch (InternalError e) {
      throw fault(e);
    } finally {
      mappingLock.readLock().unlock();
    }
  }

  /** Value at {@code index}, which must be below {@link #length()}. */
  public double get(long index) {
    mappingLock.readLock().lock();
    try {
      checkOpen();
      if (index < 0 || index >= length()) {
        throw new MmapException("index " + index + " out of range [0, " + length() + ")");
      }
      return type.get(segment, index);
    } catch (InternalError e) {
      throw fault(e);
    } finally {
      mappingLock.readLock().unlock();
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
      size = Files.size(file);
    } catch (IOException io) {
      return new MmapException("file " + file + " is gone (deleted while being read)", e);
    }
    return new MmapException("file " + file + " was truncated by another program while being read"
        + " (now " + size + " bytes)", e);
  }

  // ---------------------------------------------------------------- writes

  /** The lock that makes a write statement exclusive on this array. */
  public ReentrantLock writeLock() {
    return writeLock;
  }

  /**
   * Writes {@code values[i]} at {@code indexes[i]}. Indexes must be sorted,
   * distinct and below {@link #length()}; the caller holds {@link #writeLock()}.
   * Contiguous indexes are written with one positional write each run.
   */
  public void write(long[] indexes, double[] values) {
    checkOpen();
    int width = type.width();
    ByteBuffer buf = buffer((long) indexes.length * width);
    try {
      int i = 0;
      while (i < indexes.length) {
        long start = indexes[i];
        buf.clear();
        int j = i;
        while (j < indexes.length && indexes[j] == start + (j - i) && buf.remaining() >= width) {
          type.put(buf, values[j]);
          j++;
        }
        buf.flip();
        writeFully(buf, start * width);
        i = j;
      }
    } catch (IOException e) {
      throw new MmapException("write to " + file + " failed: " + e.getMessage(), e);
    }
    dirty = true;
  }

  /**
   * Appends {@code values}; returns the index of the first one. All or nothing:
   * if the disk fills up half way the file is cut back to its old length.
   */
  public synchronized long append(double[] values) {
    checkOpen();
    requireWholeElements("append to");
    long first = length();
    long start = first * type.width();
    ByteBuffer buf = buffer((long) values.length * type.width());
    long pos = start;
    try {
      int i = 0;
      while (i < values.length) {
        buf.clear();
        while (i < values.length && buf.remaining() >= type.width()) {
          type.put(buf, values[i++]);
        }
        buf.flip();
        int n = buf.remaining();
        writeFully(buf, pos);
        pos += n;
      }
    } catch (IOException e) {
      try {
        channel.truncate(start);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new MmapException("append to " + file + " failed, nothing appended: " + e.getMessage(), e);
    }
    dirty = true;
    adopt(pos);
    return first;
  }

  /** Cuts the array to {@code newLength} elements; the caller holds {@link #writeLock()}. */
  public synchronized void truncate(long newLength) {
    checkOpen();
    long bytes = newLength * type.width();
    mappingLock.writeLock().lock();
    try {
      channel.truncate(bytes);
      fileBytes = bytes;
    } catch (IOException e) {
      throw new MmapException("truncate of " + file + " failed: " + e.getMessage(), e);
    } finally {
      mappingLock.writeLock().unlock();
    }
    dirty = true;
  }

  /** Removes and returns the last element, or null when empty; the caller holds {@link #writeLock()}. */
  public Double pop() {
    requireWholeElements("pop from");
    long n = length();
    if (n == 0) {
      return null;
    }
    double last = get(n - 1);
    truncate(n - 1);
    return last;
  }

  private void requireWholeElements(String what) {
    long tail = tailBytes();
    if (tail != 0) {
      throw new MmapException("cannot " + what + " " + file + ": it ends with a partial element ("
          + tail + " trailing bytes, file size " + fileBytes + " is not a multiple of "
          + type.width() + "); repair it by truncating, e.g. DELETE FROM the table");
    }
  }

  /** A buffer for {@code bytes} bytes of writes, at most {@link #WRITE_BUFFER}: a one-row write stays small. */
  private static ByteBuffer buffer(long bytes) {
    return ByteBuffer.allocate((int) Math.max(64, Math.min(WRITE_BUFFER, bytes))).order(ByteOrder.LITTLE_ENDIAN);
  }

  private void writeFully(ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      pos += channel.write(buf, pos);
    }
  }

  /** Forces written data to disk if anything was written since the last force. */
  public void force() {
    if (!dirty || closed) {
      return;
    }
    dirty = false;
    try {
      channel.force(false);
    } catch (IOException e) {
      dirty = true;
      throw new MmapException("cannot force " + file + " to disk: " + e.getMessage(), e);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new MmapException("table on " + file + " was unmapped");
    }
  }

  public boolean isClosed() {
    return closed;
  }

  /** Forces, unmaps and closes. Waits for running writers and block readers. */
  @Override public void close() {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      try {
        force();
      } catch (MmapException ignored) {
        // closing anyway; the data is in the page cache
      }
      mappingLock.writeLock().lock();
      try {
        closed = true;
        closeMapping();
      } finally {
        mappingLock.writeLock().unlock();
      }
    } finally {
      writeLock.unlock();
    }
  }

  private void closeMapping() {
    if (arena != null) {
      arena.close();
      arena = null;
    }
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing to lose: writes went through the channel already
      }
      channel = null;
    }
  }
}
