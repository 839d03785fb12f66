package org.mmapsql.storage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * One plain file of fixed-width little-endian elements, mapped into memory.
 *
 * <p>The file is opened once, as a descriptor that names its inode for good;
 * the mapping and the channel for writes are both made from it, never from the
 * path again. Reads go through a read-only shared mapping that reaches past the
 * end of file (see {@link NativeMap}); writes go through the channel, so a full
 * disk is an {@link IOException}, never a fault, and every write is in the page
 * cache, visible to the mapping and to other processes, when it returns.
 *
 * <p>Locking: {@link #writeLock} makes each write statement exclusive on this
 * array; the monitor of this object guards the size, so that a reader's
 * {@link #refresh()} cannot undo a concurrent append; {@link #mappingLock} is
 * held for reading while a reader copies a block and for writing while the
 * file shrinks or the mapping is replaced, so no reader ever touches bytes
 * that are being cut off. Order: writeLock, then the monitor, then mappingLock.
 */
public final class MappedArray implements AutoCloseable {
  /** Smallest mapping reserved; the mapping always reaches well past the end of file. */
  private static final long MIN_CAPACITY = 64L << 20;
  /** Writes go out in buffers of at most this many bytes. */
  private static final int WRITE_BUFFER = 1 << 20;

  private final Path file;
  private final ElementType type;
  private final int fd;
  private final Path self;
  private final Object fileKey;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantReadWriteLock mappingLock = new ReentrantReadWriteLock();

  private FileChannel channel;
  private Arena arena;
  private MemorySegment segment;
  /** Size of the file in bytes as last seen; elements = fileBytes / width. */
  private volatile long fileBytes;
  private volatile boolean dirty;
  private volatile boolean closed;

  private MappedArray(Path file, ElementType type, int fd) throws IOException {
    this.file = file;
    this.type = type;
    this.fd = fd;
    this.self = Path.of("/proc/self/fd/" + fd);
    BasicFileAttributes attrs = Files.readAttributes(self, BasicFileAttributes.class);
    if (!attrs.isRegularFile()) {
      throw new MmapException(SqlState.IO_ERROR, file + " is not a regular file");
    }
    this.fileKey = attrs.fileKey();
    this.channel = FileChannel.open(self, StandardOpenOption.READ, StandardOpenOption.WRITE);
    long size = channel.size();
    this.arena = Arena.ofShared();
    this.segment = NativeMap.map(fd, capacityFor(size), arena);
    this.fileBytes = size;
  }

  /** Opens (and maps) an existing regular file; a symbolic link as last component is refused. */
  public static MappedArray open(Path file, ElementType type) throws IOException {
    int fd = NativeMap.open(file);
    try {
      return new MappedArray(file, type, fd);
    } catch (IOException | RuntimeException e) {
      NativeMap.close(fd);
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

  /** Where the open file really is, as the kernel resolved it: for checking it against a policy. */
  public Path openedPath() throws IOException {
    return Files.readSymbolicLink(self);
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
   * a longer or shorter file shows its new length. A deleted file is an error;
   * a path that now names another file is a {@link FileReplacedException}.
   * Called at the start of each statement.
   */
  public synchronized long refresh() {
    checkOpen();
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new MmapException(SqlState.IO_ERROR, "file " + file + " is gone (deleted by another program?)");
    } catch (IOException e) {
      throw new MmapException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (!Objects.equals(attrs.fileKey(), fileKey)) {
      throw new FileReplacedException("file " + file + " was replaced by another file");
    }
    if (attrs.size() != fileBytes) {
      adopt(attrs.size());
    }
    return length();
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
            seg = NativeMap.map(fd, capacityFor(size), newArena);
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
      size = Files.size(self);
    } catch (IOException io) {
      return new MmapException(SqlState.IO_ERROR, "file " + file + " is gone (deleted while being read)", e);
    }
    return new MmapException(SqlState.IO_ERROR, "file " + file + " was truncated by another program while being read"
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
   * Contiguous indexes are written with one positional write each run. If a
   * write fails (a full disk filling a hole of a sparse file), the values
   * already written are put back before the error is reported.
   */
  public void write(long[] indexes, double[] values) {
    checkOpen();
    double[] old = new double[indexes.length];
    for (int i = 0; i < indexes.length; i++) {
      old[i] = get(indexes[i]);
    }
    try {
      writeAt(indexes, values);
    } catch (IOException e) {
      try {
        writeAt(indexes, old);
      } catch (IOException again) {
        e.addSuppressed(again);
        throw new MmapException("write to " + file + " failed, and so did putting the old values back;"
            + " some values may be changed: " + e.getMessage(), e);
      }
      throw new MmapException("write to " + file + " failed, nothing changed: " + e.getMessage(), e);
    } finally {
      dirty = true;
    }
  }

  private void writeAt(long[] indexes, double[] values) throws IOException {
    int width = type.width();
    ByteBuffer buf = buffer((long) indexes.length * width);
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
        io(ch -> ch.truncate(start));
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
      io(ch -> ch.truncate(bytes));
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
      throw new MmapException(SqlState.IO_ERROR, "cannot " + what + " " + file + ": it ends with a partial element ("
          + tail + " trailing bytes, file size " + fileBytes + " is not a multiple of "
          + type.width() + "); repair it by truncating, e.g. DELETE FROM the table");
    }
  }

  /** A buffer for {@code bytes} bytes of writes, at most {@link #WRITE_BUFFER}: a one-row write stays small. */
  private static ByteBuffer buffer(long bytes) {
    return ByteBuffer.allocate((int) Math.max(64, Math.min(WRITE_BUFFER, bytes))).order(ByteOrder.LITTLE_ENDIAN);
  }

  private void writeFully(ByteBuffer buf, long position) throws IOException {
    int start = buf.position();
    io(ch -> {
      buf.position(start); // a retry writes the whole buffer again, at the same place
      long pos = position;
      while (buf.hasRemaining()) {
        pos += ch.write(buf, pos);
      }
      return null;
    });
  }

  /** An operation on the channel; positional, so running it twice is harmless. */
  private interface ChannelOp {
    Object run(FileChannel channel) throws IOException;
  }

  /**
   * Runs {@code op} on the channel. A FileChannel closes itself for good when
   * the thread using it is interrupted (a server stopping its workers, say);
   * that must not break the table for everyone: the channel is opened again on
   * the same inode and the operation repeated, and the interrupt is kept for
   * the caller to see.
   */
  private synchronized void io(ChannelOp op) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          op.run(channel);
          return;
        } catch (ClosedByInterruptException e) {
          interrupted |= Thread.interrupted();
          if (attempt == 3) {
            throw e;
          }
          channel = FileChannel.open(self, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Forces written data to disk if anything was written since the last force. */
  public void force() {
    if (!dirty || closed) {
      return;
    }
    dirty = false;
    try {
      io(ch -> {
        ch.force(false);
        return null;
      });
    } catch (IOException e) {
      dirty = true;
      throw new MmapException("cannot force " + file + " to disk: " + e.getMessage(), e);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new MmapException(SqlState.UNDEFINED_TABLE, "table on " + file + " was unmapped");
    }
  }

  public boolean isClosed() {
    return closed;
  }

  /** Forces, unmaps and closes. Waits for a running write statement and block readers. */
  @Override public void close() {
    writeLock.lock();
    try {
      synchronized (this) {
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
          arena.close();
          try {
            channel.close();
          } catch (IOException ignored) {
            // nothing to lose: writes went through the channel already
          }
          NativeMap.close(fd);
        } finally {
          mappingLock.writeLock().unlock();
        }
      }
    } finally {
      writeLock.unlock();
    }
  }
}
