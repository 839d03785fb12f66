package org.mmapsql.exec;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
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

  /**
   * Writes of one statement on {@code array}, the table {@code table}:
   * forced to disk before returning if {@code sync}, given up if
   * {@code cancel} is set while waiting for the table.
   */
  public TableWrites(String table, MappedArray array, boolean sync, @Nullable AtomicBoolean cancel) {
    this.table = table;
    this.array = array;
    this.sync = sync;
    this.cancel = cancel;
  }

  /** Appends rows {@code (idx, val)}; an explicit idx must continue the sequence. */
  public long insert(Enumerable<Object[]> rows) {
    AppendBatch batch = AppendBatch.current();
    if (batch != null && batch.defers()) {
      return batch.keep(this, Columns.read(table, rows, true, "inserted"));
    }
    return insert(Columns.read(table, rows, true, "inserted"));
  }

  MappedArray array() {
    return array;
  }

  /** Appends rows already read. */
  long insert(Columns in) {
    return locked(() -> {
      long length = array.length();
      for (int i = 0; i < in.size; i++) {
        if (in.idx[i] != NEXT_IDX && in.idx[i] != length + i) {
          throw new MmapException(SqlState.INTEGRITY_CONSTRAINT_VIOLATION, "cannot insert idx " + in.idx[i] + " into " + table
              + ": rows are appended at the end, the next idx is " + (length + i)
              + "; nothing was inserted");
        }
      }
      if (in.size > 0) {
        array.append(Arrays.copyOf(in.val, in.size));
      }
      AppendBatch batch = AppendBatch.current();
      if (batch != null) {
        batch.appended(length, in.size);
      }
      return (long) in.size;
    });
  }

  /** Writes rows {@code (idx, old val, new val)}; positions past the end are skipped. */
  public long update(Enumerable<Object[]> rows) {
    return locked(() -> {
      Columns in = Columns.read(table, rows, true, "updated").sortedByIdx();
      long length = array.length();
      int n = 0;
      long[] idx = new long[in.size];
      double[] values = new double[in.size];
      for (int i = 0; i < in.size; i++) {
        if (in.idx[i] < 0 || in.idx[i] >= length) {
          continue;
        }
        if (n > 0 && idx[n - 1] == in.idx[i]) {
          n--; // the same position twice: the later row wins
        }
        idx[n] = in.idx[i];
        values[n] = in.val[i];
        n++;
      }
      array.write(Arrays.copyOf(idx, n), Arrays.copyOf(values, n));
      return (long) n;
    });
  }

  /** Removes rows {@code (idx, val)}, which must be the last rows of the array. */
  public long delete(Enumerable<Object[]> rows) {
    return locked(() -> {
      Columns in = Columns.read(table, rows, false, "removed").sortedByIdx();
      long from = array.length() - in.size;
      for (int i = 0; i < in.size; i++) {
        if (in.idx[i] != from + i) {
          throw notTrailing(in.idx[i]);
        }
      }
      truncate(from);
      return (long) in.size;
    });
  }

  /**
   * Removes the rows whose idx is in {@code ranges} without reading them: the
   * plan of {@code DELETE FROM t [WHERE <idx predicate>]}.
   */
  public long delete(IdxRanges ranges) {
    return locked(() -> {
      long length = array.length();
      IdxRanges doomed = ranges.clip(length);
      if (doomed.size() > 1 || doomed.size() == 1 && doomed.end(0) != length) {
        throw notTrailing(doomed.start(0));
      }
      long from = doomed.size() == 0 ? length : doomed.start(0);
      truncate(from);
      return length - from;
    });
  }

  /** Removes and returns the last value, or null when the array is empty. */
  public @Nullable Double pop() {
    return locked(array::pop);
  }

  /**
   * Runs {@code write} holding the table's write lock, then forces the file if
   * the connection asked for {@code durability=sync}. The length was re-read
   * when the statement started; under the lock only this process changes it.
   */
  private <T> T locked(Supplier<T> write) {
    Cancellation.lock(array.writeLock(), cancel);
    try {
      T result = write.get();
      if (sync) {
        array.force(); // nothing to do when nothing was written
      }
      return result;
    } finally {
      array.writeLock().unlock();
    }
  }

  private void truncate(long from) {
    // Cutting also drops a trailing partial element, if any: that is how one is repaired.
    if (from < array.length() || array.tailBytes() != 0) {
      array.truncate(from);
    }
  }

  private MmapException notTrailing(long idx) {
    return new MmapException(SqlState.INTEGRITY_CONSTRAINT_VIOLATION, "DELETE on " + table + " can only remove rows at the end"
        + " (idx >= k, or all rows); idx " + idx + " is not part of a trailing run; nothing was removed");
  }

  /**
   * The input rows of a write, as columns: idx and, for INSERT and UPDATE, the
   * value to write (the last column). Primitive arrays, so a statement over
   * millions of rows holds 16 bytes a row, not a row object.
   */
  static final class Columns {
    long[] idx = new long[16];
    double[] val;
    int size;

    /** The rows of {@code parts}, one after the other. */
    static Columns concat(java.util.List<Columns> parts) {
      if (parts.size() == 1) {
        return parts.get(0);
      }
      Columns c = new Columns();
      int n = parts.stream().mapToInt(p -> p.size).sum();
      c.idx = new long[n];
      c.val = new double[n];
      for (Columns p : parts) {
        System.arraycopy(p.idx, 0, c.idx, c.size, p.size);
        System.arraycopy(p.val, 0, c.val, c.size, p.size);
        c.size += p.size;
      }
      return c;
    }

    /**
     * Reads all rows. A value that cannot be computed (a string that is not a
     * number, say) fails here, before anything is written; Calcite may report
     * it as an {@link ExceptionInInitializerError}, an Error that JDBC layers
     * do not catch, so it is turned into an ordinary error.
     */
    static Columns read(String table, Enumerable<Object[]> rows, boolean values, String what) {
      Columns c = new Columns();
      c.val = values ? new double[16] : null;
      try (Enumerator<Object[]> e = rows.enumerator()) {
        while (e.moveNext()) {
          Object o = e.current();
          Object[] row = o instanceof Object[] a ? a : new Object[] {o};
          if (c.size == c.idx.length) {
            c.idx = Arrays.copyOf(c.idx, c.size * 2);
            c.val = values ? Arrays.copyOf(c.val, c.size * 2) : null;
          }
          c.idx[c.size] = row[0] == null ? NEXT_IDX : ((Number) row[0]).longValue();
          if (values) {
            c.val[c.size] = value(row[row.length - 1], table, what);
          }
          c.size++;
        }
      } catch (MmapException e) {
        throw e;
      } catch (RuntimeException | ExceptionInInitializerError e) {
        Throwable root = e;
        while (root.getCause() != null) {
          root = root.getCause();
        }
        throw new MmapException(root instanceof NumberFormatException ? SqlState.INVALID_NUMBER
            : root instanceof ArithmeticException ? SqlState.NUMERIC_OUT_OF_RANGE : SqlState.DATA_EXCEPTION,
            "cannot compute the rows for " + table + ", nothing was " + what + ": "
            + (root instanceof NumberFormatException ? "not a number: " : "") + root.getMessage(), e);
      }
      return c;
    }

    /** The same rows in idx order (stable: of two rows on one idx, the later stays later). */
    Columns sortedByIdx() {
      for (int i = 1; i < size; i++) {
        if (idx[i - 1] > idx[i]) {
          Integer[] order = new Integer[size];
          Arrays.setAll(order, k -> k);
          Arrays.sort(order, (a, b) -> Long.compare(idx[a], idx[b]));
          Columns s = new Columns();
          s.size = size;
          s.idx = new long[size];
          s.val = val == null ? null : new double[size];
          for (int k = 0; k < size; k++) {
            s.idx[k] = idx[order[k]];
            if (val != null) {
              s.val[k] = val[order[k]];
            }
          }
          return s;
        }
      }
      return this;
    }
  }

  private static double value(Object v, String table, String what) {
    if (v == null) {
      throw new MmapException(SqlState.NOT_NULL_VIOLATION, "val of " + table + " cannot be NULL; nothing was " + what);
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    // A parameter set with setString arrives as it was given.
    try {
      return Double.parseDouble(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new MmapException(SqlState.INVALID_NUMBER, "val of " + table + " must be a number, not '" + v + "'; nothing was " + what);
    }
  }
}
