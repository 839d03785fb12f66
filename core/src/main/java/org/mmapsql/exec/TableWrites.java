package org.mmapsql.exec;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.storage.Landing;
import org.mmapsql.storage.Layout;
import org.mmapsql.storage.MappedArray;

/**
 * INSERT, UPDATE, DELETE and VPOP on one array, for one statement. Each takes
 * the array's write lock, collects and checks all its rows (they may come from
 * a query on the same array), then writes them, so a statement is all or
 * nothing and never interleaves with another write on the same array: the
 * values an UPDATE computes from ({@code SET val = val + 1}) are the values it
 * replaces.
 *
 * <p>Caveat: a statement whose rows come from VPOP of another table takes that
 * table's lock too; two such statements crossing each other wait for each
 * other until one is canceled or times out.
 */
public final class TableWrites {
  /** Value of idx in an INSERT row that did not name it: append at the end. */
  public static final long NEXT_IDX = Long.MIN_VALUE;

  private final String table;
  private final MappedArray array;
  private final boolean sync;
  private final @Nullable AtomicBoolean cancel;
  /** The idx of position 0 (MMAP option base); rows carry idx, the file positions. */
  private final long base;

  /**
   * Writes of one statement on {@code array}, the table {@code table}:
   * forced to disk before returning if {@code sync}, given up if
   * {@code cancel} is set while waiting for the table.
   */
  public TableWrites(String table, MappedArray array, boolean sync, @Nullable AtomicBoolean cancel) {
    this(table, array, sync, cancel, 0);
  }

  /** The writes on a shard whose idx starts at {@code base}. */
  public TableWrites(String table, MappedArray array, boolean sync, @Nullable AtomicBoolean cancel, long base) {
    this.table = table;
    this.array = array;
    this.sync = sync;
    this.cancel = cancel;
    this.base = base;
  }

  /** The rows' idx as file positions (an idx below the base becomes negative: no position). */
  private Rows positions(Rows in) {
    if (base != 0) {
      for (int i = 0; i < in.size; i++) {
        if (in.idx[i] != NEXT_IDX) {
          in.idx[i] = in.idx[i] < base ? -1 : in.idx[i] - base;
        }
      }
    }
    return in;
  }

  /**
   * Appends rows {@code (idx, columns...)}; an explicit idx must continue the
   * sequence. Inside a JDBC batch ({@link AppendBatch#defer}) the rows are only
   * checked and kept, to be appended with the rest of the batch in one write.
   */
  public long insert(Enumerable<Object[]> rows) {
    AppendBatch batch = AppendBatch.current();
    if (batch != null && batch.defers()) {
      return batch.keep(this, readInserted(rows)); // parameters only: nothing to read under the lock
    }
    return locked(() -> append(readInserted(rows)));
  }

  MappedArray array() {
    return array;
  }

  String table() {
    return table;
  }

  /** Appends rows already read and checked (a batch's, concatenated). */
  long insert(Rows in) {
    return locked(() -> append(in));
  }

  /**
   * {@code INSERT INTO t SELECT ... FROM u} as a block copy ({@link BlockCopy}):
   * appends the rows of {@code source} at {@code positions} (u's idx are
   * {@code sourceBase} + position), t's column {@code c} taking u's column
   * {@code columns[c]}; if {@code idxGiven}, u's idx must continue t's
   * sequence. Reads only the rows u has when the write lock is taken: copying
   * t into itself copies the rows it had. Never inside a deferred batch (its
   * INSERTs read no table).
   */
  public long copy(MappedArray source, IdxRanges positions, long sourceBase, int[] columns, boolean idxGiven) {
    return locked(() -> {
      long length = array.length();
      BlockScan scan = new BlockScan(source, positions, cancel, Integer.MAX_VALUE, sourceBase);
      try {
        BlockCopy rows = new BlockCopy(table, array.layout(), scan, source.layout(), columns,
            idxGiven ? base + length : null);
        Landing landed = array.append(rows);
        if (idxGiven) {
          requireLanded(landed, length);
        }
        AppendBatch batch = AppendBatch.current();
        if (batch != null) {
          batch.appended(base, landed);
        }
        return rows.copied();
      } finally {
        scan.close();
      }
    });
  }

  private Rows readInserted(Enumerable<Object[]> rows) {
    Layout layout = array.layout();
    int[] all = IntStream.range(0, layout.columns().size()).toArray();
    return Rows.read(table, layout, rows, 1, all, "inserted");
  }

  private long append(Rows in) {
    long length = array.length();
    boolean idxGiven = false;
    for (int i = 0; i < in.size; i++) {
      idxGiven |= in.idx[i] != NEXT_IDX;
      if (in.idx[i] != NEXT_IDX && in.idx[i] != base + length + i) {
        throw new MmapException(SqlState.INTEGRITY_CONSTRAINT_VIOLATION, "cannot insert idx " + in.idx[i]
            + " into " + table + ": rows are appended at the end, the next idx is " + (base + length + i)
            + "; nothing was inserted");
      }
    }
    if (in.size == 0) {
      return 0L;
    }
    Landing landed = array.append(Arrays.copyOf(in.images, in.size * in.stride), in.size);
    if (idxGiven) {
      requireLanded(landed, length);
    }
    AppendBatch batch = AppendBatch.current();
    if (batch != null) {
      batch.appended(base, landed);
    }
    return (long) in.size;
  }

  /**
   * The rows of an INSERT that named their idx must have landed where the
   * check saw the end of file; if another program appended in between (its
   * O_APPEND write got in after the look), they went after its rows. They are
   * not cut back: no system call cuts a file only if it is still as long as
   * seen, and a cut would take with it whatever the other program appends in
   * that moment (a lost write; a test saw hundreds of rows go). So the
   * statement fails, saying where its rows are.
   */
  private void requireLanded(Landing landed, long length) {
    if (!landed.startsAt(length)) {
      throw new MmapException(SqlState.INTEGRITY_CONSTRAINT_VIOLATION, "another program appended to "
          + array.file() + " meanwhile, so the rows of this INSERT into " + table + " did not land at the idx"
          + " given (" + (base + length) + "): they were appended at " + landed.describe(base)
          + " and stay there; do not run it again unchanged");
    }
  }

  /**
   * Writes rows {@code (idx, columns..., new values of the columns in {@code columns})};
   * positions past the end are skipped. The other columns of a row keep their bytes.
   * The statement's look at the file under the write lock bounds the write
   * ({@link MappedArray#write}): it comes before the input is read, or if
   * {@code readsTable}, after it (microseconds before the write, not a scan's time).
   */
  public long update(Enumerable<Object[]> rows, int[] columns, boolean readsTable) {
    return locked(!readsTable, () -> {
      Layout layout = array.layout();
      Rows in = positions(Rows.read(table, layout, rows, 1 + layout.columns().size(), columns, "updated"))
          .sortedByIdx();
      long length = readsTable ? array.refresh() : array.length();
      int n = 0;
      long[] idx = new long[in.size];
      int[] from = new int[in.size];
      for (int i = 0; i < in.size; i++) {
        if (in.idx[i] < 0 || in.idx[i] >= length) {
          continue;
        }
        if (n > 0 && idx[n - 1] == in.idx[i]) {
          n--; // the same position twice: the later row wins
        }
        idx[n] = in.idx[i];
        from[n] = i;
        n++;
      }
      idx = Arrays.copyOf(idx, n);
      int stride = layout.stride();
      if (setsWholeRows(layout, columns)) {
        // no byte of the old rows stays: no need to read them
        byte[] images = new byte[n * stride];
        for (int i = 0; i < n; i++) {
          System.arraycopy(in.images, from[i] * stride, images, i * stride, stride);
        }
        array.write(idx, images, true);
        return (long) n;
      }
      byte[] images = array.images(idx);
      for (int i = 0; i < n; i++) {
        for (int c : columns) {
          Layout.Column col = layout.columns().get(c);
          System.arraycopy(in.images, from[i] * stride + col.offset(), images, i * stride + col.offset(),
              col.dtype().width());
        }
      }
      array.write(idx, images, true);
      return (long) n;
    });
  }

  /** Whether {@code columns} set every byte of a row: all the columns, and no padding between them. */
  private static boolean setsWholeRows(Layout layout, int[] columns) {
    if (columns.length != layout.columns().size()) {
      return false;
    }
    int width = 0;
    for (Layout.Column c : layout.columns()) {
      width += c.dtype().width();
    }
    if (width != layout.stride()) {
      return false;
    }
    // each column once (a stream's distinct() was a seventh of a point update)
    boolean[] seen = new boolean[columns.length];
    for (int c : columns) {
      if (c < 0 || c >= seen.length || seen[c]) {
        return false;
      }
      seen[c] = true;
    }
    return true;
  }

  /**
   * Removes rows {@code (idx, val)}, which must be the last rows of the array. They were
   * named one by one: if another program appends or cuts rows before the cut, nothing is
   * removed (40001).
   */
  public long delete(Enumerable<Object[]> rows) {
    return locked(() -> {
      Rows read = Rows.read(table, array.layout(), rows, 0, new int[0], "removed");
      long[] given = Arrays.copyOf(read.idx, read.size);
      Rows in = positions(read).sortedByIdx();
      long length = array.length();
      long bytes = array.fileBytes();
      long from = length - in.size;
      for (int i = 0; i < in.size; i++) {
        if (in.idx[i] != from + i) {
          throw notTrailing(in.idx[i] < 0 ? Arrays.stream(given).min().orElse(0) : base + in.idx[i]);
        }
      }
      truncate(from, length, bytes);
      return (long) in.size;
    });
  }

  /**
   * Removes the rows whose idx is in {@code ranges} without reading them: the
   * plan of {@code DELETE FROM t [WHERE <idx predicate>]}. A predicate that
   * names every row from some idx on ({@code idx >= k}, no predicate at all)
   * also removes the rows another program appends while it runs: they match
   * it when the cut is made. Any other predicate removes nothing if the file
   * changed meanwhile (40001).
   */
  public long delete(IdxRanges ranges) {
    return locked(() -> {
      long length = array.length();
      long bytes = array.fileBytes();
      IdxRanges doomed = ranges.clip(length);
      if (doomed.size() > 1 || doomed.size() == 1 && doomed.end(0) != length) {
        throw notTrailing(base + doomed.start(0));
      }
      long from = doomed.size() == 0 ? length : doomed.start(0);
      if (doomed.size() == 1 && namesAllFrom(ranges, from)) {
        return Math.max(0, array.truncateTail(from) - from);
      }
      truncate(from, length, bytes);
      return length - from;
    });
  }

  /** Whether {@code ranges} names every position from {@code from} on, however many rows there are. */
  private static boolean namesAllFrom(IdxRanges ranges, long from) {
    int last = ranges.size() - 1;
    return ranges.end(last) == Long.MAX_VALUE && Math.max(0, ranges.start(last)) <= from;
  }

  /** Tries of a VPOP on a file another program keeps changing before it gives up. */
  private static final int POP_TRIES = 100;

  /**
   * Removes and returns the last value of a 1-D array, or null when it is empty. The last
   * row is the file's real last row when the cut is made: if another program appended or
   * cut rows since this statement read it, it reads the new last row and tries again.
   */
  public @Nullable Object pop() {
    return locked(() -> {
      for (int attempt = 1; attempt <= POP_TRIES; attempt++) {
        if (attempt > 1) {
          array.refresh();
        }
        array.requireWholeRows("pop from");
        long n = array.length();
        long bytes = array.fileBytes();
        if (n == 0) {
          return null;
        }
        Object[][] last = new Object[1][1];
        if (array.read(n - 1, 1, last) == 1 && array.truncateIfUnchanged(n - 1, n, bytes)) {
          return last[0][0];
        }
      }
      throw new MmapException(SqlState.SERIALIZATION_FAILURE, "VPOP on " + table + ": another program kept"
          + " appending to (or cutting) " + array.file() + " between the look at its last row and the cut, "
          + POP_TRIES + " times; nothing was popped; run it again");
    });
  }

  /**
   * Runs {@code write} holding the table's write lock, then forces the file if
   * the connection asked for {@code durability=sync}. The length was re-read
   * when the statement started; under the lock only this process changes it.
   */
  private <T> T locked(Supplier<T> write) {
    return locked(true, write);
  }

  /** As {@link #locked(Supplier)}; unless {@code look}, {@code write} looks at the file itself. */
  private <T> T locked(boolean look, Supplier<T> write) {
    Cancellation.lock(array.writeLock(), cancel);
    try {
      if (look) {
        array.refresh(); // under the lock: the length another program left, not the one seen at the start
      }
      T result = write.get();
      if (sync) {
        array.force(); // nothing to do when nothing was written
      }
      return result;
    } finally {
      array.writeLock().unlock();
    }
  }

  /**
   * Cuts to {@code from} rows if the file is still {@code rows} rows and {@code bytes} bytes,
   * as the statement saw it; else removes nothing and says to run it again.
   */
  private void truncate(long from, long rows, long bytes) {
    // Cutting also drops a trailing partial element, if any: that is how one is repaired.
    if ((from < rows || array.tailBytes() != 0) && !array.truncateIfUnchanged(from, rows, bytes)) {
      throw new MmapException(SqlState.SERIALIZATION_FAILURE, "DELETE on " + table + ": another program"
          + " appended to (or cut) " + array.file() + " while it ran; nothing was removed; run it again");
    }
  }

  private MmapException notTrailing(long idx) {
    return new MmapException(SqlState.INTEGRITY_CONSTRAINT_VIOLATION, "DELETE on " + table + " can only remove rows at the end"
        + " (idx >= k, or all rows); idx " + idx + " is not part of a trailing run; nothing was removed");
  }

  /**
   * The input rows of a write: idx, and for INSERT and UPDATE the values to
   * write, checked and encoded into row images as they are read (a value
   * that does not fit fails here, before anything is written). Primitive
   * arrays: a statement over millions of rows holds its bytes, not row objects.
   */
  static final class Rows {
    long[] idx = new long[16];
    byte[] images;
    int size;
    int stride;

    /** The rows of {@code parts} (all of one table), one after the other. */
    static Rows concat(List<Rows> parts) {
      if (parts.size() == 1) {
        return parts.get(0);
      }
      Rows r = new Rows();
      r.stride = parts.get(0).stride;
      int n = parts.stream().mapToInt(p -> p.size).sum();
      r.idx = new long[n];
      r.images = new byte[n * r.stride];
      for (Rows p : parts) {
        System.arraycopy(p.idx, 0, r.idx, r.size, p.size);
        System.arraycopy(p.images, 0, r.images, r.size * r.stride, p.size * p.stride);
        r.size += p.size;
      }
      return r;
    }

    /**
     * Reads all rows; the values of layout columns {@code columns} are at
     * {@code first}, {@code first + 1}, ... of each row. Calcite may report a
     * value it cannot compute as an {@link ExceptionInInitializerError}, an
     * Error that JDBC layers do not catch, so it is turned into an ordinary error.
     */
    static Rows read(String table, Layout layout, Enumerable<Object[]> rows, int first, int[] columns,
        String what) {
      Rows r = new Rows();
      r.stride = columns.length == 0 ? 0 : layout.stride();
      r.images = new byte[16 * r.stride];
      ByteBuffer buf = ByteBuffer.wrap(r.images);
      try (Enumerator<Object[]> e = rows.enumerator()) {
        while (e.moveNext()) {
          Object o = e.current();
          Object[] row = o instanceof Object[] a ? a : new Object[] {o};
          if (r.size == r.idx.length) {
            r.idx = Arrays.copyOf(r.idx, r.size * 2);
            r.images = Arrays.copyOf(r.images, r.size * 2 * r.stride);
            buf = ByteBuffer.wrap(r.images);
          }
          r.idx[r.size] = row[0] == null ? NEXT_IDX : ((Number) row[0]).longValue();
          for (int k = 0; k < columns.length; k++) {
            encode(table, layout, columns[k], row[first + k], buf, r.size * r.stride, what);
          }
          r.size++;
        }
      } catch (MmapException e) {
        throw e;
      } catch (RuntimeException | ExceptionInInitializerError e) {
        throw notComputed(table, layout, e, what);
      }
      return r;
    }

    /** The error of a row whose values could not be computed or converted. */
    static MmapException notComputed(String table, Layout layout, Throwable e, String what) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      String message = String.valueOf(root.getMessage());
      SqlState state = root instanceof NumberFormatException ? SqlState.INVALID_NUMBER
          : root instanceof ArithmeticException || message.contains("out of range")
              ? SqlState.NUMERIC_OUT_OF_RANGE : SqlState.DATA_EXCEPTION;
      return new MmapException(state, "cannot compute the rows for " + table + " (" + layout.sqlTypeText()
          + "), nothing was " + what + ": " + (root instanceof NumberFormatException ? "not a number: " : "")
          + message, e);
    }

    static void encode(String table, Layout layout, int column, Object v, ByteBuffer buf, int pos,
        String what) {
      Layout.Column col = layout.columns().get(column);
      if (v == null && !col.dtype().type().nullable()) {
        throw new MmapException(SqlState.NOT_NULL_VIOLATION, col.name() + " of " + table
            + " cannot be NULL; nothing was " + what);
      }
      try {
        layout.encode(column, v, buf, pos);
      } catch (MmapException e) {
        throw new MmapException(e.state(), "cannot write " + col.name() + " of " + table + ": " + e.getMessage()
            + "; nothing was " + what, e);
      }
    }

    /** The same rows in idx order (stable: of two rows on one idx, the later stays later). */
    Rows sortedByIdx() {
      for (int i = 1; i < size; i++) {
        if (idx[i - 1] > idx[i]) {
          Integer[] order = new Integer[size];
          Arrays.setAll(order, k -> k);
          Arrays.sort(order, (a, b) -> Long.compare(idx[a], idx[b]));
          Rows s = new Rows();
          s.size = size;
          s.stride = stride;
          s.idx = new long[size];
          s.images = new byte[size * stride];
          for (int k = 0; k < size; k++) {
            s.idx[k] = idx[order[k]];
            System.arraycopy(images, order[k] * stride, s.images, k * stride, stride);
          }
          return s;
        }
      }
      return this;
    }
  }
}
