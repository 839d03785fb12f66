package org.mmapsql.storage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * The read-only shared mapping of one file, and its growth: it always reaches
 * well past the end of file, so appends become visible without remapping per
 * statement. Readers copy under the read lock ({@link #read}); whoever cuts
 * the file, replaces the mapping or unmaps it holds the write lock
 * ({@link #exclusive}), so no reader touches bytes being cut off or unmapped.
 */
final class Mapping {
  /** Smallest mapping reserved. */
  private static final long MIN_CAPACITY = 64L << 20;

  /** Work done with the mapped segment. */
  interface Reader<T> {
    T read(MemorySegment segment);
  }

  /** Work that excludes every reader. */
  interface Exclusive {
    void run() throws IOException;
  }

  private final int fd;
  private final Path file;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private Arena arena;
  private MemorySegment segment;

  Mapping(int fd, Path file, long size) throws IOException {
    this.fd = fd;
    this.file = file;
    this.arena = Arena.ofShared();
    this.segment = NativeMap.map(fd, capacityFor(size), arena);
  }

  private static long capacityFor(long bytes) {
    long want = Math.max(MIN_CAPACITY, bytes + Math.max(bytes, MIN_CAPACITY));
    return (want + 0xFFFF) & ~0xFFFFL;
  }

  <T> T read(Reader<T> reader) {
    lock.readLock().lock();
    try {
      return reader.read(segment);
    } finally {
      lock.readLock().unlock();
    }
  }

  void exclusive(Exclusive work) throws IOException {
    lock.writeLock().lock();
    try {
      work.run();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Makes the mapping reach past {@code size} bytes, mapping the file anew if it does not. */
  void reach(long size) {
    if (size <= segment.byteSize()) {
      return;
    }
    lock.writeLock().lock();
    try {
      if (size > segment.byteSize()) {
        Arena newArena = Arena.ofShared();
        MemorySegment seg;
        try {
          seg = NativeMap.map(fd, capacityFor(size), newArena);
        } catch (IOException e) {
          newArena.close();
          throw new MmapException(SqlState.IO_ERROR, "cannot map " + file + ": " + e.getMessage(), e);
        }
        arena.close();
        arena = newArena;
        segment = seg;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Unmaps; the caller holds {@link #exclusive}. */
  void unmap() {
    arena.close();
  }
}
