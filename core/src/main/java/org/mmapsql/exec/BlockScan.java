package org.mmapsql.exec;

import java.util.concurrent.atomic.AtomicBoolean;

import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.storage.MappedArray;

/**
 * The walk of a scan over the positions in a set of ranges, a block at a time,
 * through a {@link MappedArray.Snapshot} opened before the ranges are clipped
 * to the length: rows appended after the scan started are not seen, nor is an
 * UPDATE of this process that runs meanwhile, in any block; a truncation ends
 * the scan at the new end. The snapshot is closed as soon as the last block is
 * read, a read fails or the scan is closed (perhaps by another thread), so a
 * client that keeps its result set open pins no old rows.
 */
public final class BlockScan {
  /** Copies up to {@code want} rows from position {@code row} into the caller's block; returns how many. */
  public interface Reader {
    int read(MappedArray.Snapshot view, long row, int want);
  }

  private final MappedArray array;
  private volatile MappedArray.@Nullable Snapshot snapshot;
  /** Closed for good: the scan ends, even mid-block on another thread. */
  private volatile boolean closed;
  private final IdxRanges ranges;
  /** Set when the statement is canceled or times out; looked at once a block. */
  private final @Nullable AtomicBoolean cancel;
  private final int blockRows;
  private final long base;
  private int range = -1;
  private long next;       // next position to load
  private long blockStart; // position of the block's first row
  private int blockSize;

  /**
   * A scan of {@code ranges} (positions) in blocks of at most {@code maxBlock} rows;
   * position {@code p} is idx {@code base + p} (a shard's first idx, else 0).
   */
  public BlockScan(MappedArray array, IdxRanges ranges, @Nullable AtomicBoolean cancel, int maxBlock, long base) {
    this.array = array;
    this.base = base;
    this.snapshot = array.snapshot();
    this.ranges = ranges.clip(array.length()); // after the snapshot: a cut and append before it are not seen
    this.cancel = cancel;
    // A point read needs one slot, not a whole block.
    this.blockRows = (int) Math.max(1, Math.min(maxBlock, this.ranges.count()));
  }

  public MappedArray array() {
    return array;
  }

  /** The most rows a block holds: what the caller's block must have room for. */
  public int blockRows() {
    return blockRows;
  }

  /** The idx of the first row of the block loaded last. */
  public long blockIdx() {
    return base + blockStart;
  }

  /** The idx of position {@code row}. */
  public long idxAt(long row) {
    return base + row;
  }

  /** Whether the scan was closed for good (perhaps by another thread) rather than read to its end. */
  public boolean closed() {
    return closed;
  }

  /** Rows in the block loaded last. */
  public int blockSize() {
    return blockSize;
  }

  /** Loads the next block with {@code reader}; false at the end (or once closed). */
  public boolean next(Reader reader) {
    try {
      return load(reader);
    } catch (RuntimeException e) {
      // canceled, 40001, a read error, or closed by another thread: unpin the old rows at once
      finish();
      if (closed) {
        return false;
      }
      throw e;
    }
  }

  private boolean load(Reader reader) {
    while (range < ranges.size()) {
      if (range >= 0 && next < ranges.end(range)) {
        Cancellation.check(cancel);
        int want = (int) Math.min(blockRows, ranges.end(range) - next);
        MappedArray.Snapshot view = snapshot;
        if (view == null) {
          return false; // closed, or the scan ended (reset() opens a new one)
        }
        int got = reader.read(view, next, want);
        if (got == 0) {
          range = ranges.size(); // cut short by a truncation
          finish();
          return false;
        }
        blockStart = next;
        blockSize = got;
        next += got;
        return true;
      }
      if (++range < ranges.size()) {
        next = ranges.start(range);
      }
    }
    finish();
    return false;
  }

  /** Closes the snapshot, not the scan: {@link #reset()} may read again. */
  private synchronized void finish() {
    MappedArray.Snapshot view = snapshot;
    snapshot = null;
    if (view != null) {
      view.close();
    }
  }

  /** Back to before the first block, as of now. */
  public synchronized void reset() {
    range = -1;
    blockSize = 0;
    if (!closed && snapshot == null) {
      snapshot = array.snapshot();
    }
  }

  /** Ends the scan for good, from any thread. */
  public synchronized void close() {
    closed = true;
    finish();
  }
}
