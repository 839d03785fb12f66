package org.mmapsql.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Row images to append, made a chunk at a time while the append runs (a block
 * copy reads its source as it writes), so that a large append never holds
 * all its rows at once. See {@link MappedArray#append(RowChunks)}.
 */
public interface RowChunks {
  /**
   * The next chunk, whole rows from its position to its limit, or null after
   * the last; valid until the next call. May throw (a value that does not fit,
   * a cancel): the append is then cut back and the error passed on.
   */
  @Nullable ByteBuffer next();

  /**
   * Writes the next chunk to {@code sink}; false after the last. By default
   * the chunk {@link #next()} makes; a copy of rows as they lie overrides it
   * to hand the sink its source's mapped bytes, with no copy on the heap.
   */
  default boolean pass(Sink sink) throws IOException {
    ByteBuffer b = next();
    if (b == null) {
      return false;
    }
    sink.write(b);
    return true;
  }

  /** Where an append puts its chunks: the end of the file being appended to. */
  interface Sink {
    /** Writes whole rows, from the buffer's position to its limit, after the chunks before. */
    void write(ByteBuffer chunk) throws IOException;
  }

  /** The rows of {@code images}, in chunks of at most {@code chunkBytes} bytes (whole rows). */
  static RowChunks of(byte[] images, int chunkBytes) {
    return new RowChunks() {
      private int off;

      @Override public @Nullable ByteBuffer next() {
        if (off >= images.length) {
          return null;
        }
        int n = Math.min(chunkBytes, images.length - off);
        ByteBuffer b = ByteBuffer.wrap(images, off, n);
        off += n;
        return b;
      }
    };
  }
}
