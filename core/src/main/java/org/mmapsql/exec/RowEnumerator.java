package org.mmapsql.exec;

import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.calcite.linq4j.Enumerator;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.storage.MappedArray;

/**
 * Rows {@code (idx, columns...)} of the positions in a set of ranges, read in
 * blocks: one locked copy out of the mapping per block (one loop per column,
 * specialised by its dtype), then plain array reads.
 * The blocks are read through a {@link MappedArray.Snapshot}, opened before
 * the ranges are clipped to the length: rows appended after the scan started
 * are not seen, nor is an UPDATE of this process that runs meanwhile, in any
 * block; a truncation ends the scan at the new end. A read that fails (the file was
 * truncated or deleted by another program) throws an MmapException, which
 * the JDBC layer reports as an SQLException.
 */
public final class RowEnumerator implements Enumerator<Object[]> {
  private static final int BLOCK = 4096;

  private final MappedArray array;
  /**
   * Open from the constructor (and from {@link #reset()}) until the last block
   * is read, a read fails or the enumerator is closed, perhaps by another thread.
   */
  private volatile MappedArray.@Nullable Snapshot snapshot;
  /** Closed for good: the scan ends, even mid-block on another thread. */
  private volatile boolean closed;
  private final IdxRanges ranges;
  private final Object[][] block;
  private final int width;
  /** Set when the statement is canceled or times out; looked at once a block. */
  private final @Nullable AtomicBoolean cancel;
  private final long base;
  private int range = -1;
  private long next;       // next position to load into the block
  private long blockStart; // position of block[0]
  private int blockSize;
  private int pos = -1;    // index into block of the current row
  private Object[] current;

  public RowEnumerator(MappedArray array, IdxRanges ranges, @Nullable AtomicBoolean cancel) {
    this(array, ranges, cancel, 0);
  }

  /** Rows of a shard whose idx starts at {@code base}: position {@code p} is idx {@code base + p}. */
  public RowEnumerator(MappedArray array, IdxRanges ranges, @Nullable AtomicBoolean cancel, long base) {
    this.array = array;
    this.snapshot = array.snapshot();
    this.ranges = ranges.clip(array.length()); // after the snapshot: a cut and append before it are not seen
    this.cancel = cancel;
    this.base = base;
    // A point read needs one slot, not a whole block.
    this.width = array.layout().columns().size();
    this.block = new Object[width][(int) Math.max(1, Math.min(BLOCK, this.ranges.count()))];
  }

  @Override public Object[] current() {
    return current;
  }

  @Override public boolean moveNext() {
    if (++pos >= blockSize && !load()) {
      current = null;
      return false;
    }
    Object[] row = new Object[width + 1];
    row[0] = base + blockStart + pos;
    for (int c = 0; c < width; c++) {
      row[c + 1] = block[c][pos];
    }
    current = row;
    return true;
  }

  private boolean load() {
    try {
      return loadBlock();
    } catch (RuntimeException e) {
      // canceled, 40001, a read error, or closed by another thread: unpin the old rows at once
      finish();
      if (closed) {
        return false;
      }
      throw e;
    }
  }

  private boolean loadBlock() {
    while (range < ranges.size()) {
      if (range >= 0 && next < ranges.end(range)) {
        Cancellation.check(cancel);
        int want = (int) Math.min(block[0].length, ranges.end(range) - next);
        MappedArray.Snapshot view = snapshot;
        if (view == null) {
          return false; // closed, or the scan ended (reset() opens a new one)
        }
        int got = view.read(next, want, block);
        if (got == 0) {
          range = ranges.size(); // cut short by a truncation
          finish();
          return false;
        }
        blockStart = next;
        blockSize = got;
        next += got;
        pos = 0;
        return true;
      }
      if (++range < ranges.size()) {
        next = ranges.start(range);
      }
    }
    finish(); // a client that keeps the result set open does not hold on to old rows
    return false;
  }

  /** Closes the snapshot, not the enumerator: {@link #reset()} may read again. */
  private synchronized void finish() {
    MappedArray.Snapshot view = snapshot;
    snapshot = null;
    if (view != null) {
      view.close();
    }
  }

  @Override public synchronized void reset() {
    range = -1;
    blockSize = 0;
    pos = -1;
    current = null;
    if (!closed && snapshot == null) {
      snapshot = array.snapshot();
    }
  }

  @Override public synchronized void close() {
    closed = true;
    finish();
  }
}
