package org.mmapsql.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.mmapsql.MmapException;
import org.mmapsql.storage.MappedArray;

/**
 * INSERT, UPDATE and DELETE on one array. Each takes the array's write lock,
 * collects and checks all its rows (they may come from a query on the same
 * array), then writes them, so a statement is all or nothing and never
 * interleaves with another write on the same array: the values an UPDATE
 * computes from ({@code SET val = val + 1}) are the values it replaces.
 *
 * <p>Caveat: a statement whose rows come from VPOP of another table takes that
 * table's lock too; two such statements crossing each other can deadlock.
 */
public final class TableWrites {
  /** Value of idx in an INSERT row that did not name it: append at the end. */
  public static final long NEXT_IDX = Long.MIN_VALUE;

  private TableWrites() {
  }

  /** Appends rows {@code (idx, val)}; an explicit idx must continue the sequence. */
  public static long insert(String table, MappedArray array, Enumerable<Object[]> rows, boolean sync) {
    array.writeLock().lock();
    try {
      List<Object[]> list = collect(rows);
      long[] idx = new long[list.size()];
      double[] values = new double[list.size()];
      for (int i = 0; i < idx.length; i++) {
        Object[] row = list.get(i);
        idx[i] = row[0] == null ? NEXT_IDX : ((Number) row[0]).longValue();
        values[i] = value(row[1], table, "inserted");
      }
      long length = array.refresh();
      for (int i = 0; i < idx.length; i++) {
        if (idx[i] != NEXT_IDX && idx[i] != length + i) {
          throw new MmapException("cannot insert idx " + idx[i] + " into " + table
              + ": rows are appended at the end, the next idx is " + (length + i)
              + "; nothing was inserted");
        }
      }
      if (values.length > 0) {
        array.append(values);
      }
      finish(array, sync);
      return values.length;
    } finally {
      array.writeLock().unlock();
    }
  }

  /** Writes rows {@code (idx, old val, new val)}; positions past the end are skipped. */
  public static long update(String table, MappedArray array, Enumerable<Object[]> rows, boolean sync) {
    array.writeLock().lock();
    try {
      List<Object[]> list = collect(rows);
      long[][] pairs = new long[list.size()][];
      double[] byOrder = new double[list.size()];
      for (int i = 0; i < pairs.length; i++) {
        Object[] row = list.get(i);
        byOrder[i] = value(row[row.length - 1], table, "updated");
        pairs[i] = new long[] {((Number) row[0]).longValue(), i};
      }
      Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
      long length = array.refresh();
      int n = 0;
      long[] idx = new long[pairs.length];
      double[] values = new double[pairs.length];
      for (long[] p : pairs) {
        if (p[0] < 0 || p[0] >= length) {
          continue;
        }
        if (n > 0 && idx[n - 1] == p[0]) {
          n--; // the same position twice: the later row wins
        }
        idx[n] = p[0];
        values[n] = byOrder[(int) p[1]];
        n++;
      }
      array.write(Arrays.copyOf(idx, n), Arrays.copyOf(values, n));
      finish(array, sync);
      return n;
    } finally {
      array.writeLock().unlock();
    }
  }

  /** Removes rows {@code (idx, val)}, which must be the last rows of the array. */
  public static long delete(String table, MappedArray array, Enumerable<Object[]> rows, boolean sync) {
    array.writeLock().lock();
    try {
      List<Object[]> list = collect(rows);
      long[] idx = new long[list.size()];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = ((Number) list.get(i)[0]).longValue();
      }
      Arrays.sort(idx);
      long length = array.refresh();
      if (idx.length == 0) {
        if (array.tailBytes() != 0 && length == 0) {
          array.truncate(0);
          finish(array, sync);
        }
        return 0;
      }
      long from = length - idx.length;
      for (int i = 0; i < idx.length; i++) {
        if (idx[i] != from + i) {
          throw new MmapException("DELETE on " + table + " can only remove rows at the end"
              + " (idx >= k, or all rows); idx " + firstGap(idx, from)
              + " is not part of a trailing run; nothing was removed");
        }
      }
      array.truncate(from);
      finish(array, sync);
      return idx.length;
    } finally {
      array.writeLock().unlock();
    }
  }

  /** Removes and returns the last value, or null when the array is empty. */
  public static Double pop(MappedArray array, boolean sync) {
    array.writeLock().lock();
    try {
      array.refresh();
      Double v = array.pop();
      finish(array, sync);
      return v;
    } finally {
      array.writeLock().unlock();
    }
  }

  private static long firstGap(long[] idx, long from) {
    for (int i = 0; i < idx.length; i++) {
      if (idx[i] != from + i) {
        return idx[i];
      }
    }
    return idx[0];
  }

  private static void finish(MappedArray array, boolean sync) {
    if (sync) {
      array.force();
    }
  }

  private static double value(Object v, String table, String what) {
    if (v == null) {
      throw new MmapException("val of " + table + " cannot be NULL; nothing was " + what);
    }
    return ((Number) v).doubleValue();
  }

  private static List<Object[]> collect(Enumerable<Object[]> rows) {
    List<Object[]> list = new ArrayList<>();
    try (Enumerator<Object[]> e = rows.enumerator()) {
      while (e.moveNext()) {
        Object o = e.current();
        list.add(o instanceof Object[] a ? a : new Object[] {o});
      }
    }
    return list;
  }
}
