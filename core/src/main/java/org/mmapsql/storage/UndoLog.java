package org.mmapsql.storage;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * The rows that the UPDATEs and truncations of one array replaced or cut,
 * kept while a scan that started before them is open, so that the scan sees
 * each of them whole or not at all without holding a lock a writer waits for.
 *
 * <p>A seqlock: {@link #state} is twice the number of changes begun, plus one
 * while a change is being written. A change is registered (with the old
 * images of its rows) before its first byte is written; a scan notes the
 * state when it opens ({@link Snapshot}) and after each block it copied: if
 * the state is the same the block is as of the scan's start (one volatile
 * read a block), otherwise the changes since are undone in the block, newest
 * first. A truncation keeps no rows: a scan it overlaps ends at the new end.
 * The changes of all arrays share one heap budget, {@link #BUDGET}; a log
 * that goes over it drops its own oldest changes, and a scan that would need
 * one of them fails with SQLSTATE 40001 and may be run again.
 */
final class UndoLog {
  /** Heap kept for open scans by the logs of all arrays together, at most. */
  static final long BUDGET = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8);
  /** Heap the changes of all logs take now. */
  private static final AtomicLong KEPT = new AtomicLong();
  /** What a change costs beyond its arrays: the record, its deque slot and two array headers. */
  private static final long OVERHEAD = 48 + 8 + 2 * 16;

  /** One UPDATE (the old images of its sorted rows) or one truncation (rows == null). */
  private record Change(long n, long[] rows, byte[] old, long newLength) {
    /** The heap it takes, headers included, each array rounded up to 8 bytes as HotSpot lays it out. */
    long bytes() {
      return rows == null ? OVERHEAD : OVERHEAD + 8L * rows.length + ((old.length + 7L) & ~7L);
    }
  }

  private final Layout layout;
  private final String file;
  private volatile long state;
  /** Changes some open snapshot may need, oldest first. Guarded by this, like the fields below. */
  private final ArrayDeque<Change> changes = new ArrayDeque<>();
  /** Open snapshots by the number of changes they see. */
  private final TreeMap<Long, Integer> open = new TreeMap<>();
  /** The open snapshots themselves: a drop beyond the budget clears the changes they cached. */
  private final Set<Snapshot> snapshots = new HashSet<>();
  private long bytes;
  /** The newest change dropped while an open snapshot still needed it. */
  private long lost;

  UndoLog(Layout layout, String file) {
    this.layout = layout;
    this.file = file;
  }

  /** Registers an UPDATE of {@code rows} (sorted) whose images are {@code old}, before it writes. */
  synchronized void beginUpdate(long[] rows, byte[] old) {
    begin(new Change(state / 2 + 1, rows, old, -1));
  }

  /** Registers a truncation to {@code newLength} rows, before it cuts. */
  synchronized void beginCut(long newLength) {
    begin(new Change(state / 2 + 1, null, null, newLength));
  }

  /** Registers a truncation to {@code newLength} rows that is done (readers were excluded while it cut). */
  synchronized void cut(long newLength) {
    beginCut(newLength);
    end();
  }

  private void begin(Change c) {
    changes.addLast(c);
    keep(c.bytes());
    state++; // odd: a change is being written
    VarHandle.fullFence(); // the writes (stores through a mapping, or pwrite) come after it
    prune();
  }

  private void keep(long delta) {
    bytes += delta;
    KEPT.addAndGet(delta);
  }

  /** The change begun last is written (or failed and was undone). */
  synchronized void end() {
    state++;
    prune();
  }

  /**
   * Drops what no open snapshot needs, then, while all logs together keep
   * more than {@link #BUDGET}, this log's oldest changes but the one being
   * written (the snapshots that need them fail when they next look).
   */
  private void prune() {
    long seenByAll = open.isEmpty() ? state / 2 : open.firstKey();
    while (!changes.isEmpty() && changes.peekFirst().n() <= seenByAll) {
      keep(-changes.removeFirst().bytes());
    }
    long lostBefore = lost;
    while (KEPT.get() > BUDGET && changes.size() > 1) {
      Change c = changes.removeFirst();
      keep(-c.bytes());
      lost = c.n();
    }
    if (lost == lostBefore) {
      return; // the common case, after every UPDATE: nothing dropped, no snapshot to look at
    }
    for (Snapshot s : snapshots) {
      if (s.k < lost) {
        s.later = null; // it fails when it next looks; meanwhile it pins no dropped change
      }
    }
  }

  /** Snapshots open now (for tests: a scan that ended, failed or was closed holds none). */
  synchronized int openSnapshots() {
    return open.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Bytes the logs of all arrays keep now (for tests). */
  static long keptBytes() {
    return KEPT.get();
  }

  /** Changes kept now (for tests: none once no snapshot needs them). */
  synchronized int keptChanges() {
    return changes.size();
  }

  /** A scan's view: the changes complete when it opened, none begun after. Close it when done. */
  synchronized Snapshot open() {
    long k = state / 2;
    open.merge(k, 1, Integer::sum);
    Snapshot s = new Snapshot(k);
    snapshots.add(s);
    return s;
  }


  /** The changes begun after the first {@code k}, for a snapshot that is open. */
  private List<Change> since(long k, boolean closed) {
    if (closed) {
      throw new ClosedScanException("the scan of " + file + " was closed");
    }
    if (k < lost) {
      throw new MmapException(SqlState.SERIALIZATION_FAILURE, "this scan of " + file + " ran while more rows"
          + " were updated than the " + (BUDGET >> 20) + " MB kept to show scans the rows as they were when they"
          + " started; run it again");
    }
    List<Change> later = new ArrayList<>();
    for (Change c : changes) {
      if (c.n() > k) {
        later.add(c);
      }
    }
    return later;
  }

  /** A scan's snapshot was closed (from another thread, say) while it read: the scan ends. */
  static final class ClosedScanException extends MmapException {
    ClosedScanException(String message) {
      super(message);
    }
  }

  /** The changes a snapshot needs as of the state {@code at}. */
  private record Later(long at, List<Change> changes) {
  }

  /** What a scan sees: the array after the first {@link #k} changes. */
  final class Snapshot implements AutoCloseable {
    private final long k;
    /** Set under the log's lock; read without it by a scanner that another thread closed. */
    private volatile boolean closed;
    /**
     * The changes since {@link #k} as of a state: looked up again only when the
     * state moves. Set under the log's lock (cleared when they are dropped).
     */
    private volatile @Nullable Later later;

    private Snapshot(long k) {
      this.k = k;
    }

    /**
     * The block of rows {@code [row, row + n)} was just copied into {@code out}
     * (as {@link Layout#read}): puts back the rows changes begun since this
     * snapshot replaced, and returns how many of the block's rows it has
     * (fewer when a truncation since cut them).
     */
    int settle(long row, int n, Object[][] out) {
      return settle(row, n, (c, i, at) -> undo(c, i, at, out));
    }

    /**
     * Whether no change began since this snapshot opened: then rows just read
     * from the file (by a write out of its mapping, say) are as the snapshot
     * sees them, and need no {@link #settle}.
     */
    boolean unchanged() {
      VarHandle.acquireFence(); // the read of the rows comes before the read of the state
      return state == 2 * k;
    }

    /** The same for a block copied raw ({@link MappedArray#readBytes}): the old images go back as they are. */
    int settle(long row, int n, byte[] out) {
      int stride = layout.stride();
      return settle(row, n, (c, i, at) -> System.arraycopy(c.old(), i * stride, out, at * stride, stride));
    }

    /** Puts back row {@code i} of a change's old images at position {@code at} of a block. */
    private interface Restore {
      void row(Change c, int i, int at);
    }

    private int settle(long row, int n, Restore restore) {
      VarHandle.acquireFence(); // the copy's reads come before the read of the state
      long now = state;
      if (now == 2 * k) {
        return n;
      }
      Later seen = later;
      List<Change> since = seen != null && seen.at() == now ? seen.changes() : lookUp(now);
      int have = n;
      for (Change c : since) {
        if (c.rows() == null) {
          have = (int) Math.max(0, Math.min(have, c.newLength() - row));
        }
      }
      for (int i = since.size() - 1; i >= 0; i--) {
        Change c = since.get(i);
        if (c.rows() != null) {
          int j = Arrays.binarySearch(c.rows(), row);
          for (j = j < 0 ? -j - 1 : j; j < c.rows().length && c.rows()[j] < row + have; j++) {
            restore.row(c, j, (int) (c.rows()[j] - row));
          }
        }
      }
      return have;
    }

    /** Every change begun by state {@code now}, perhaps some after; cached for the next blocks. */
    private List<Change> lookUp(long now) {
      synchronized (UndoLog.this) {
        List<Change> since = since(k, closed);
        later = new Later(now, since);
        return since;
      }
    }

    private void undo(Change c, int i, int at, Object[][] out) {
      MemorySegment old = MemorySegment.ofArray(c.old());
      Object[] one = new Object[1];
      for (int col = 0; col < layout.columns().size(); col++) {
        Layout.Column column = layout.columns().get(col);
        column.dtype().type().read(old, (long) i * layout.stride() + column.offset(), layout.stride(), 1,
            column.dtype(), one);
        out[col][at] = one[0];
      }
    }

    /** Lets the log drop what only this snapshot needed; idempotent, from any thread. */
    @Override public void close() {
      synchronized (UndoLog.this) {
        if (!closed) {
          closed = true;
          open.computeIfPresent(k, (key, count) -> count == 1 ? null : count - 1);
          snapshots.remove(this);
          later = null;
          prune();
        }
      }
    }
  }
}
