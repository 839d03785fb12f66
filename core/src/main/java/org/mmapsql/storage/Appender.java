package org.mmapsql.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * Appends rows to a {@link MappedArray}'s file at its real end, all or
 * nothing: the append position is taken from the file itself, never from a
 * cached size, a failed append is cut back, and a .npy file's header gets the
 * new shape once the data is written. Used under the statement's write lock;
 * takes the size lock (the {@link FileWatch}'s monitor) only around the file
 * I/O, never through it.
 */
final class Appender {
  /** Appends go out in buffers of at most this many bytes. */
  private static final int WRITE_BUFFER = 1 << 20;
  private static final String NOTHING_APPENDED = "nothing appended";

  private final FileHandle handle;
  private final Layout layout;
  private final FileWatch watch;
  private final Durability durability;

  Appender(FileHandle handle, Layout layout, FileWatch watch, Durability durability) {
    this.handle = handle;
    this.layout = layout;
    this.watch = watch;
    this.durability = durability;
  }

  /**
   * A .npy file with data past its header's shape is what an append leaves
   * when the process dies between its data and its header (numpy never
   * writes one): the rows were never acknowledged, so a writable binding cuts
   * them off as it opens the file, and the header agrees with the length
   * again. Returns the file's size after.
   */
  static long cutUncounted(FileHandle handle, Layout layout, NpyHeader header, long size) throws IOException {
    long counted = layout.dataOffset() + header.shape()[0] * layout.stride();
    if (handle.readOnly() || size <= counted) {
      return size;
    }
    handle.cutAtOpen(counted);
    return counted;
  }

  /** See {@link MappedArray#append(byte[], int)}. */
  Landing append(byte[] images, int count) {
    int chunk = Math.max(1, WRITE_BUFFER / layout.stride()) * layout.stride();
    return append(RowChunks.of(images, chunk));
  }

  /**
   * See {@link MappedArray#append(RowChunks)}. Readers keep seeing the old
   * length until the last chunk (and a .npy header's new shape) is written;
   * if making or writing a chunk fails, the file is cut back to where it was.
   */
  Landing append(RowChunks chunks) {
    Chunks at;
    synchronized (watch) {
      handle.requireWritable("append to");
      watch.adopt(watch.realSize());
      watch.requireWholeRows("append to");
      at = new Chunks(watch.length(), watch.header());
      watch.appendStarts();
    }
    byte[] newHeader = null;
    try {
      while (chunks.pass(at)) {
        // each chunk is written as it is made
      }
      if (at.header != null) {
        long rows = at.first + at.written / layout.stride();
        newHeader = at.header.withRows(rows);
        if (newHeader == null) {
          throw new MmapException(SqlState.DATA_EXCEPTION, "cannot append to " + handle.file() + ": its .npy"
              + " header has no room for the shape " + layout.shapeText(rows)
              + " (numpy < 1.24 wrote it without room to grow; save it again with a current numpy); nothing"
              + " was appended");
        }
        if (at.written > 0) {
          handle.writeFully(ByteBuffer.wrap(newHeader), 0);
        }
      }
    } catch (IOException e) {
      throw new MmapException(SqlState.IO_ERROR, "append to " + handle.file() + " failed, "
          + rollBack(at, e)
          + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      String after = rollBack(at, e); // a bad value or a cancel: its own error stands
      if (!after.equals(NOTHING_APPENDED)) {
        // ... unless rows stay: then the error must not say that nothing was inserted
        throw new MmapException(SqlState.IO_ERROR, "append to " + handle.file() + " stopped ("
            + String.valueOf(e.getMessage()).replace("; nothing was inserted", "") + ") " + after, e);
      }
      throw e;
    } finally {
      at.close();
      durability.written();
      synchronized (watch) {
        watch.appendEnded();
      }
    }
    synchronized (watch) {
      if (newHeader != null && at.written > 0) {
        watch.header(NpyHeader.parse(newHeader, handle.file().toString()));
      }
      watch.adopt(Math.max(at.end, watch.realSize()));
    }
    return at.landing;
  }

  /**
   * The chunks of one append as they are written, and where they went: a
   * headerless file with O_APPEND (the kernel puts each chunk at the end,
   * after whatever another program appended), a .npy file at its end.
   */
  private final class Chunks implements RowChunks.Sink {
    private final NpyHeader header;
    /**
     * The first row appended, and the byte it starts at; with O_APPEND, where
     * the first chunk landed (exact, {@link FileHandle#appendAtEnd}), else
     * unknown (see {@link #startKnown}).
     */
    private long first;
    private long start;
    /** False if the first O_APPEND chunk was split by another program's append (a short write). */
    private boolean startKnown = true;
    private long end;
    private long written;
    /** What may be in the file: the chunks written and the one being written. */
    private long attempted;
    /** The O_APPEND descriptor of a headerless file, opened at the first chunk; -1 before. */
    private int appending = -1;
    /** Where the chunks written landed. */
    private final Landing landing = new Landing();
    /** The native copy of a chunk made on the heap, for the O_APPEND write. */
    private ByteBuffer scratch;

    Chunks(long first, NpyHeader header) {
      this.first = first;
      this.header = header;
      this.start = layout.dataOffset() + first * layout.stride();
      this.end = start;
    }

    @Override public void write(ByteBuffer b) throws IOException {
      int n = b.remaining();
      attempted = written + n;
      if (header == null) {
        if (appending < 0) {
          appending = handle.openAppending();
        }
        long[] landed = handle.appendAtEnd(appending, direct(b));
        if (landed[0] < 0) {
          startKnown = written > 0 && startKnown;
          end = landed[1];
          throw new IOException("another program's append fell inside a chunk of rows (a short write)");
        }
        if (written == 0) {
          start = landed[0];
          first = (start - layout.dataOffset()) / layout.stride();
        }
        end = landed[1];
        if ((landed[0] - layout.dataOffset()) % layout.stride() != 0) {
          throw new IOException("another program left part of a row at the end of the file");
        }
        landing.add((landed[0] - layout.dataOffset()) / layout.stride(), n / layout.stride());
      } else {
        handle.writeFully(b, start + written);
        end = start + written + n;
        landing.add(first + written / layout.stride(), n / layout.stride());
      }
      written += n;
    }

    /** {@code b}, or its bytes in a native buffer kept for the chunks after it (zeroed once, not per chunk). */
    private ByteBuffer direct(ByteBuffer b) {
      if (b.isDirect()) {
        return b;
      }
      if (scratch == null || scratch.capacity() < b.remaining()) {
        scratch = ByteBuffer.allocateDirect(b.remaining());
      }
      scratch.clear().put(b.duplicate()).flip();
      return scratch;
    }

    void close() {
      if (appending >= 0) {
        NativeMap.close(appending); // its writes are in the page cache already
      }
    }
  }

  /**
   * After a failed append: cuts the file back to where it started if nobody
   * else appended since (a headerless file: it is no longer than the chunks
   * tried, and the first landed where the file ended before it).
   */
  private String rollBack(Chunks at, Exception e) {
    long start = at.start;
    long first = at.first;
    long length = at.attempted;
    if (length == 0) {
      return NOTHING_APPENDED;
    }
    NpyHeader header = watch.header();
    try {
      if (header == null && (!at.startKnown || watch.realSize() > start + length)) {
        return "and another program appended meanwhile, so the file was not cut back: rows from idx "
            + first + " may be partly written";
      }
      handle.io(ch -> ch.truncate(start));
      if (header != null) {
        handle.writeFully(ByteBuffer.wrap(header.withRows(first)), 0);
      }
      return NOTHING_APPENDED;
    } catch (IOException suppressed) {
      e.addSuppressed(suppressed);
      return "and cutting it back failed too";
    }
  }
}
