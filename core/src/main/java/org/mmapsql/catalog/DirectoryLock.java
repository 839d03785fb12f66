package org.mmapsql.catalog;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import org.mmapsql.MmapException;

/**
 * An exclusive lock on a data directory, held by one process at a time. The lock
 * file names its holder so that the next one to try can say who has it.
 */
final class DirectoryLock implements AutoCloseable {
  static final String FILE_NAME = ".mmapsql.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static DirectoryLock acquire(Path dataDir) {
    Path path = dataDir.resolve(FILE_NAME);
    FileChannel ch = null;
    try {
      ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        ch.close();
        throw new MmapException("data directory " + dataDir + " is already open in this process"
            + " (under another path?)");
      }
      if (lock == null) {
        ByteBuffer buf = ByteBuffer.allocate(512);
        ch.read(buf, 0);
        String holder = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim();
        ch.close();
        throw new MmapException("data directory " + dataDir + " is in use by another process ("
            + (holder.isEmpty() ? "unknown holder" : holder) + ")");
      }
      String me = "pid " + ProcessHandle.current().pid() + " ("
          + ManagementFactory.getRuntimeMXBean().getName() + "), since " + Instant.now() + "\n";
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
      return new DirectoryLock(ch, lock);
    } catch (IOException e) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new MmapException("cannot lock data directory " + dataDir + ": " + e.getMessage(), e);
    }
  }

  @Override public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException ignored) {
      // the lock goes with the process anyway
    }
  }
}
