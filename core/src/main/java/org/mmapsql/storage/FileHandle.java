package org.mmapsql.storage;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * The open file under a {@link MappedArray}: a descriptor that names its inode
 * for good (the mapping, the channel and the descriptor for writes in place
 * are all made from it, never from the path again), the channel for positional
 * I/O, which is opened again when an interrupt closed it, and whether the
 * array is closed. It exists so that every other role reaches the file the same
 * way, through {@link #io}.
 */
final class FileHandle {
  /** An operation on the channel; positional, so running it twice is harmless. */
  interface ChannelOp {
    Object run(FileChannel channel) throws IOException;
  }

  private final Path file;
  private final boolean readOnly;
  private final int fd;
  /** The file opened read-write once, at bind (so a later chmod does not stop UPDATEs); -1 if read-only. */
  private final int writeFd;
  private final Path self;
  private final Object fileKey;
  private final Object channelLock = new Object();
  private FileChannel channel;
  private volatile boolean closed;
  /** Set before the close of an array whose file another program replaced: a reader left behind is told so. */
  private volatile boolean replaced;

  private FileHandle(Path file, boolean readOnly, int fd) throws IOException {
    this.file = file;
    this.readOnly = readOnly;
    this.fd = fd;
    this.self = Path.of("/proc/self/fd/" + fd);
    BasicFileAttributes attrs = Files.readAttributes(self, BasicFileAttributes.class);
    if (!attrs.isRegularFile()) {
      throw new MmapException(SqlState.IO_ERROR, file + " is not a regular file");
    }
    this.fileKey = attrs.fileKey();
    this.channel = openChannel();
    try {
      this.writeFd = readOnly ? -1 : NativeMap.openForWrite(self);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Opens an existing regular file; a symbolic link as last component is refused. */
  static FileHandle open(Path file, boolean readOnly) throws IOException {
    int fd = NativeMap.open(file);
    try {
      return new FileHandle(file, readOnly, fd);
    } catch (IOException | RuntimeException e) {
      NativeMap.close(fd);
      throw e;
    }
  }

  private FileChannel openChannel() throws IOException {
    return readOnly ? FileChannel.open(self, StandardOpenOption.READ)
        : FileChannel.open(self, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  Path file() {
    return file;
  }

  /** {@code /proc/self/fd/N}: the open file, whatever its path names now. */
  Path self() {
    return self;
  }

  int fd() {
    return fd;
  }

  int writeFd() {
    return writeFd;
  }

  Object fileKey() {
    return fileKey;
  }

  boolean readOnly() {
    return readOnly;
  }

  /** The file's size as the channel sees it; for opening, before anything else can change it. */
  long channelSize() throws IOException {
    return channel.size();
  }

  /** Cuts the file to {@code size} bytes and forces that: while opening, before anyone else uses the channel. */
  void cutAtOpen(long size) throws IOException {
    channel.truncate(size);
    channel.force(true);
  }

  /**
   * The size of the file as the kernel has it now, or -1 if that cannot be
   * asked (see {@link NativeMap#size}).
   */
  long sizeNow() {
    return NativeMap.size(fd);
  }

  void checkOpen() {
    if (closed) {
      if (replaced) {
        throw new MmapException(SqlState.SERIALIZATION_FAILURE, "the file " + file + " was replaced while the"
            + " statement read it; run it again");
      }
      throw new MmapException(SqlState.UNDEFINED_TABLE, "table on " + file + " was unmapped");
    }
  }

  /** The array closes because another program replaced its file (see {@link #checkOpen}). */
  void markReplaced() {
    replaced = true;
  }

  boolean isClosed() {
    return closed;
  }

  void requireWritable(String what) {
    checkOpen();
    if (readOnly) {
      throw new MmapException(SqlState.READ_ONLY, "cannot " + what + " " + file
          + ": the binding is read-only; nothing was changed");
    }
  }

  void readFully(byte[] into, long position) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(into);
    while (b.hasRemaining()) {
      if (channel.read(b, position + b.position()) < 0) {
        break;
      }
    }
  }

  void writeFully(ByteBuffer buf, long position) throws IOException {
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

  /**
   * Runs {@code op} on the channel. A FileChannel closes itself for good when
   * the thread using it is interrupted (a server stopping its workers, say);
   * that must not break the table for everyone: the channel is opened again on
   * the same inode and the operation repeated, and the interrupt is kept for
   * the caller to see.
   */
  void io(ChannelOp op) throws IOException {
    synchronized (channelLock) {
      ioLocked(op);
    }
  }

  private void ioLocked(ChannelOp op) throws IOException {
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
          channel = openChannel();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * A descriptor that writes at the end of file (O_APPEND), opened once for
   * all the chunks of one append ({@link #appendAtEnd}); the caller closes it
   * ({@link NativeMap#close}).
   */
  int openAppending() throws IOException {
    return NativeMap.openAppending(self);
  }

  /**
   * Writes {@code chunk} (whole rows, from its position to its limit; a direct buffer) at the
   * end of file through {@code appending} ({@link #openAppending}) and returns
   * where it landed, {@code {start, end}} ({@link NativeMap#appendAt}): the
   * kernel picks the end of file, so another program's appends are never
   * overwritten (they may fall between two chunks of a large append), and the
   * descriptor's offset after the write says exactly where it went.
   * {@code start} is -1 in the rare case of a short write that another
   * program's append split.
   */
  long[] appendAtEnd(int appending, ByteBuffer chunk) throws IOException {
    return NativeMap.appendAt(appending, MemorySegment.ofBuffer(chunk)); // native memory: a mapping's bytes, no copy
  }

  /** Marks the array closed and closes the channel and the descriptors; the caller excludes every reader. */
  void close() {
    closed = true;
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing to lose: writes went through the channel already
    }
    NativeMap.close(fd);
    if (writeFd >= 0) {
      NativeMap.close(writeFd);
    }
  }
}
