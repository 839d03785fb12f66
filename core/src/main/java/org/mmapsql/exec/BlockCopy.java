package org.mmapsql.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.storage.Layout;
import org.mmapsql.storage.RowBlock;
import org.mmapsql.storage.RowChunks;

/**
 * The rows of {@code INSERT INTO t SELECT <columns of u> FROM u [WHERE <idx
 * predicate>]}, made a chunk at a time from a scan of u while they are
 * appended to t ({@link org.mmapsql.storage.MappedArray#append(RowChunks)}):
 * the bytes as they lie when both have the same rows, written straight out of
 * u's mapping (the kernel's one copy, nothing on the heap: the copy runs at
 * the speed of the page cache), else each value decoded and encoded with t's
 * checked encoders, as the INSERT of the rows one by one would (the same
 * errors). The heap holds one chunk, never the rows.
 */
final class BlockCopy implements RowChunks {
  /** Bytes of rows per chunk: 1 MB, or the system property, read at each copy (tests copy many small chunks). */
  static int chunkBytes() {
    return Integer.getInteger("mmapsql.copyChunkBytes", 1 << 20);
  }

  private final String table;
  private final Layout target;
  private final BlockScan scan;
  /** Per column of t, the column of u it takes. */
  private final int[] columns;
  /** The idx the first row must have when the SELECT gives idx, else null: rows go at the end. */
  private final @Nullable Long nextIdx;
  /** Whether u's rows are t's as they lie: they go from u's mapping to t's file ({@link #pass}). */
  private final boolean asTheyLie;
  /** The rows of a chunk. */
  private final int chunkRows;
  /** The chunk of u's rows as they lie, made only if {@link #next()} is asked for them on the heap. */
  private byte @Nullable [] raw;
  /** The chunk of u's rows decoded, and the same rows encoded for t, when values are converted. */
  private final @Nullable RowBlock block;
  private final @Nullable ByteBuffer encoded;
  private final BlockScan.Reader reader;
  private long copied;

  /**
   * A copy of the rows {@code scan} reads from a table of {@code source} rows
   * into {@code table}, of {@code target} rows; {@code nextIdx}: see the field.
   */
  BlockCopy(String table, Layout target, BlockScan scan, Layout source, int[] columns, @Nullable Long nextIdx) {
    this.table = table;
    this.target = target;
    this.scan = scan;
    this.columns = columns.clone();
    this.nextIdx = nextIdx;
    int rows = Math.min(scan.blockRows(), Math.max(1, chunkBytes() / Math.max(source.stride(), target.stride())));
    this.chunkRows = rows;
    this.asTheyLie = verbatim(source, target, columns);
    if (asTheyLie) {
      block = null;
      encoded = null;
      reader = (view, row, want) -> {
        byte[] bytes = raw != null ? raw : (raw = new byte[rows * source.stride()]);
        return view.readBytes(row, Math.min(want, rows), bytes);
      };
    } else {
      RowBlock b = new RowBlock(source, rows);
      block = b;
      encoded = ByteBuffer.wrap(new byte[rows * target.stride()]);
      reader = (view, row, want) -> b.read(view, row, Math.min(want, rows));
    }
  }

  /** Whether rows of {@code source} are rows of {@code target} byte for byte, each column in its place. */
  static boolean verbatim(Layout source, Layout target, int[] columns) {
    for (int c = 0; c < columns.length; c++) {
      if (columns[c] != c) {
        return false;
      }
    }
    return columns.length == source.columns().size() && source.sameRows(target)
        && source.stride() == target.stride();
  }

  /** Rows made so far. */
  long copied() {
    return copied;
  }

  /** Rows as they lie go from u's mapping to the sink; converted rows are made on the heap by {@link #next()}. */
  @Override public boolean pass(Sink sink) throws IOException {
    if (!asTheyLie) {
      return RowChunks.super.pass(sink);
    }
    try {
      if (!scan.next((view, row, want) -> {
        checkIdx(scan.idxAt(row)); // before the write: a break in the sequence appends nothing
        try {
          return view.writeBytes(row, Math.min(want, chunkRows), sink);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      })) {
        return ended();
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    copied += scan.blockSize();
    return true;
  }

  @Override public @Nullable ByteBuffer next() {
    if (!scan.next(reader)) {
      ended();
      return null;
    }
    int n = scan.blockSize();
    checkIdx(scan.blockIdx());
    ByteBuffer chunk;
    if (asTheyLie) {
      chunk = ByteBuffer.wrap(raw, 0, n * target.stride());
    } else {
      chunk = encode(n);
    }
    copied += n;
    return chunk;
  }

  /**
   * False at the end of u's rows; a scan closed under the copy (the statement
   * closed or canceled from another thread) fails it, so that it is cut back
   * rather than committed half done.
   */
  private boolean ended() {
    if (scan.closed()) {
      throw new MmapException(SqlState.CANCELED, "statement canceled");
    }
    return false;
  }

  private void checkIdx(long idx) {
    if (nextIdx != null && idx != nextIdx + copied) {
      // u's idx run on by one a row within a block: only a block's first row can break the sequence
      throw new MmapException(SqlState.INTEGRITY_CONSTRAINT_VIOLATION, "cannot insert idx " + idx
          + " into " + table + ": rows are appended at the end, the next idx is " + (nextIdx + copied)
          + "; nothing was inserted");
    }
  }

  private ByteBuffer encode(int n) {
    RowBlock b = block;
    ByteBuffer out = encoded;
    int stride = target.stride();
    try {
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < columns.length; c++) {
          TableWrites.Rows.encode(table, target, c, b.value(columns[c], i), out, i * stride, "inserted");
        }
      }
    } catch (MmapException e) {
      throw e;
    } catch (RuntimeException e) {
      throw TableWrites.Rows.notComputed(table, target, e, "inserted");
    }
    return ByteBuffer.wrap(out.array(), 0, n * stride);
  }
}
