package org.mmapsql.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.sql.type.SqlTypeName;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.catalog.Binding;
import org.mmapsql.exec.Aggregates;
import org.mmapsql.exec.Downsample;
import org.mmapsql.exec.IdxRanges;
import org.mmapsql.exec.ScanRows;
import org.mmapsql.exec.TableWrites;
import org.mmapsql.exec.ValBounds;
import org.mmapsql.storage.FileReplacedException;
import org.mmapsql.storage.Layout;
import org.mmapsql.storage.MappedArray;
import org.mmapsql.storage.ValueRange;

/**
 * The calls that code generated for a plan makes on an {@link MmapTable}: one
 * per plan node ({@code MmapTableScan}, {@code MmapAggregate},
 * {@code MmapDownsample}, {@code MmapTableModify}), each taking the table as
 * its first argument. They find the binding again by the table's name at
 * execution (it may have been re-bound since the plan was made) and hand the
 * work to exec/.
 */
public final class TableEntryPoints {
  private TableEntryPoints() {
  }

  /** The rows whose idx is in {@code ranges} (null: all rows), in idx order. */
  public static Enumerable<Object[]> scan(MmapTable table, DataContext root, @Nullable IdxRanges ranges) {
    // The length is read when the rows are, not when the plan is bound: the input of a write on
    // this table is read under its write lock (INSERT INTO t SELECT ... FROM t).
    return new ScanRows(() -> new ScanRows.Source(table.array(), positions(table, ranges), table.base()),
        DataContext.Variable.CANCEL_FLAG.get(root));
  }


  /**
   * The rows whose idx is in {@code ranges}, a few of them (a point read, an
   * IN list), read at once: what {@link #scan} yields for them, each UPDATE
   * seen whole or not at all, without a scan's snapshot.
   */
  public static List<Object[]> rowsAt(MmapTable table, IdxRanges ranges) {
    Binding binding = table.binding();
    long base = binding.options().base(); // of the same binding: one lookup by name, not three
    // One look at the file, after the read (it proves the rows as the look before and the size check
    // after would); only if the file is not as last seen, the look before and the read again.
    List<Object[]> rows = rowsAt(binding.array(), ranges, base, false);
    return rows != null ? rows : rowsAt(binding.refreshed(), ranges, base, true);
  }

  /** See {@link #rowsAt(MmapTable, IdxRanges)}: null if {@code refreshed} is not and the file changed. */
  private static @Nullable List<Object[]> rowsAt(MappedArray array, IdxRanges ranges, long base, boolean refreshed) {
    return array.consistent(() -> {
      long length = array.length();
      IdxRanges p = ranges.positionsFrom(base).clip(length);
      int width = array.layout().columns().size();
      long[] at = new long[Math.toIntExact(p.count())];
      int k = 0;
      for (int i = 0; i < p.size(); i++) {
        for (long pos = p.start(i); pos < p.end(i); pos++) {
          at[k++] = pos;
        }
      }
      Object[][] columns = new Object[width][at.length];
      // fewer if cut by another program meanwhile, as a scan's rows
      int got = refreshed ? array.readAt(at, columns) : array.readAtUnchanged(at, columns, length);
      if (got < 0) {
        return null;
      }
      List<Object[]> rows = new ArrayList<>(got);
      for (int r = 0; r < got; r++) {
        Object[] row = new Object[width + 1];
        row[0] = base + at[r];
        for (int c = 0; c < width; c++) {
          row[c + 1] = columns[c][r];
        }
        rows.add(row);
      }
      return rows;
    });
  }

  /**
   * One row of aggregates over the positions in {@code ranges} (null: all):
   * {@code kinds[i]} of column {@code columns[i]} (a layout column; -1 for COUNT(*)),
   * given as the SQL type {@code types[i]}.
   */
  public static Enumerable<Object[]> aggregate(MmapTable table, DataContext root, @Nullable IdxRanges ranges,
      Aggregates.Kind[] kinds, int[] columns, SqlTypeName[] types) {
    // Computed when read, like scan; and seeing each UPDATE whole or not at all.
    return new AbstractEnumerable<>() {
      @Override public Enumerator<Object[]> enumerator() {
        return Linq4j.singletonEnumerator(aggregateRow(table, root, ranges, kinds, columns, types));
      }
    };
  }

  /** The one row of {@link #aggregate}, computed now. */
  public static Object[] aggregateRow(MmapTable table, DataContext root, @Nullable IdxRanges ranges,
      Aggregates.Kind[] kinds, int[] columns, SqlTypeName[] types) {
    AtomicBoolean cancel = DataContext.Variable.CANCEL_FLAG.get(root);
    Binding binding = table.binding();
    MappedArray array = binding.refreshed(Aggregates.onlyCounts(kinds)); // a count reads no row: see counted()
    IdxRanges positions = (ranges == null ? IdxRanges.ALL : ranges).positionsFrom(binding.options().base());
    // The length is read inside too: a DELETE or VPOP cannot cut the rows between the two.
    return array.consistent(() -> Aggregates.compute(array, positions.clip(array.length()), kinds, columns, types,
        cancel));
  }

  /**
   * The same over the rows whose layout column {@code filterColumn} lies in
   * {@code bounds} ({@code WHERE val > ?}); every aggregate reads that column or none.
   */
  public static Enumerable<Object[]> aggregate(MmapTable table, DataContext root, @Nullable IdxRanges ranges,
      int filterColumn, ValBounds bounds, Aggregates.Kind[] kinds, int[] columns, SqlTypeName[] types) {
    AtomicBoolean cancel = DataContext.Variable.CANCEL_FLAG.get(root);
    return new AbstractEnumerable<>() {
      @Override public Enumerator<Object[]> enumerator() {
        MappedArray array = table.array();
        ValueRange filter = bounds.forColumn(array.layout().columns().get(filterColumn).dtype().type());
        return Linq4j.singletonEnumerator(array.consistent(() -> Aggregates.compute(array,
            positions(table, ranges).clip(array.length()), filterColumn, filter, kinds, columns, types, cancel)));
      }
    };
  }

  /**
   * {@code GROUP BY idx / k}: a row {@code (bucket, aggregates...)} per bucket
   * of the positions in {@code ranges} (null: all), in bucket order;
   * {@code types[0]} is the bucket's SQL type.
   */
  public static Enumerable<Object[]> downsample(MmapTable table, DataContext root, @Nullable IdxRanges ranges,
      long k, Aggregates.Kind[] kinds, int[] columns, SqlTypeName[] types) {
    AtomicBoolean cancel = DataContext.Variable.CANCEL_FLAG.get(root);
    return new AbstractEnumerable<>() {
      @Override public Enumerator<Object[]> enumerator() {
        return new Downsample(table.array(), () -> positions(table, ranges), table.base(), k, kinds, columns,
            types, cancel);
      }
    };
  }

  public static long insert(MmapTable table, DataContext root, Enumerable<Object[]> rows) {
    return writes(table, root, "INSERT").insert(rows);
  }

  /**
   * {@code INSERT INTO table SELECT ... FROM source [WHERE <idx in ranges>]}
   * copied block by block: {@code table}'s layout column {@code c} takes
   * {@code source}'s column {@code columns[c]}; {@code idxGiven}: the SELECT
   * gives u's idx, which must continue the table's (see {@link TableWrites#copy}).
   */
  public static long copy(MmapTable table, DataContext root, MmapTable source, @Nullable IdxRanges ranges,
      int[] columns, boolean idxGiven) {
    TableWrites writes = writes(table, root, "INSERT");
    return writes.copy(source.array(), positions(source, ranges), source.base(), columns, idxGiven);
  }

  /** Rows {@code (idx, every column, new values of the columns in {@code columns})}. */
  public static long update(MmapTable table, DataContext root, Enumerable<Object[]> rows, int[] columns) {
    return writes(table, root, "UPDATE").update(rows, columns, true);
  }

  /**
   * UPDATE of the rows whose idx is in {@code ranges} (a few), the layout
   * columns {@code columns} set to {@code values}: {@link #update} with the
   * rows {@code (idx, every column, new values)}, {@code width} wide, made
   * from the positions the array has when the write lock is held, as a
   * scan under the lock would yield them (the old values are not read: an
   * UPDATE does not use them).
   */
  public static long updateAt(MmapTable table, DataContext root, IdxRanges ranges, int width, int[] columns,
      Object[] values) {
    Enumerable<Object[]> rows = new AbstractEnumerable<>() {
      @Override public Enumerator<Object[]> enumerator() {
        IdxRanges p = positions(table, ranges).clip(table.binding().array().length());
        long base = table.base();
        List<Object[]> rows = new ArrayList<>((int) p.count());
        for (int i = 0; i < p.size(); i++) {
          for (long pos = p.start(i); pos < p.end(i); pos++) {
            Object[] row = new Object[width];
            row[0] = base + pos;
            System.arraycopy(values, 0, row, width - values.length, values.length);
            rows.add(row);
          }
        }
        return Linq4j.enumerator(rows);
      }
    };
    // One look at the file an execution: the write's own, under its lock, not also one at the start
    // (a stat of the path each). If the path now names another file, the usual way opens that one.
    table.settings().requireWritable("UPDATE on " + table.name());
    try {
      return writesOf(table, table.binding().array(), DataContext.Variable.CANCEL_FLAG.get(root), "UPDATE")
          .update(rows, columns, false);
    } catch (FileReplacedException e) {
      return update(table, root, rows, columns); // nothing was written
    }
  }

  public static long delete(MmapTable table, DataContext root, Enumerable<Object[]> rows) {
    return writes(table, root, "DELETE").delete(rows);
  }

  /** Removes the rows whose idx is in {@code ranges} (null: all), which must be the last ones. */
  public static long delete(MmapTable table, DataContext root, @Nullable IdxRanges ranges) {
    return writes(table, root, "DELETE").delete(positions(table, ranges));
  }

  /** VPOP: removes and returns the last value of a 1-D table, or null when empty. */
  public static @Nullable Object pop(MmapTable table, DataContext root) {
    if (table.layout().shape() != Layout.Shape.ONE_D) {
      throw new MmapException(SqlState.SYNTAX_ERROR, "VPOP works on 1-D tables; " + table.name()
          + " has the columns " + table.layout().columns().stream().map(Layout.Column::name).toList()
          + "; use SELECT and DELETE FROM " + table.name() + " WHERE idx = ...");
    }
    return writes(table, root, "VPOP").pop();
  }

  /** The writes of an INSERT that runs without generated code (a JDBC batch, see ParameterInsert). */
  public static TableWrites inserts(MmapTable table, @Nullable AtomicBoolean cancel) {
    return writesOf(table, cancel, "INSERT");
  }

  private static TableWrites writes(MmapTable table, DataContext root, String statement) {
    return writesOf(table, DataContext.Variable.CANCEL_FLAG.get(root), statement);
  }

  /** The writes of one statement, if this connection may write and the binding is not read-only. */
  private static TableWrites writesOf(MmapTable table, @Nullable AtomicBoolean cancel, String statement) {
    table.settings().requireWritable(statement + " on " + table.name());
    return writesOf(table, table.array(), cancel, statement);
  }

  /** The same on {@code array}, the table's (the caller checked the connection may write). */
  private static TableWrites writesOf(MmapTable table, MappedArray array, @Nullable AtomicBoolean cancel,
      String statement) {
    if (array.readOnly()) {
      throw new MmapException(SqlState.READ_ONLY, statement + " on " + table.name()
          + " refused: the binding is read-only (MMAP option readonly); nothing was changed");
    }
    return new TableWrites(table.name(), array, table.settings().syncWrites(), cancel, table.base());
  }


  /** The file positions of the idx values in {@code ranges} (null: all). */
  private static IdxRanges positions(MmapTable table, @Nullable IdxRanges ranges) {
    return (ranges == null ? IdxRanges.ALL : ranges).positionsFrom(table.base());
  }
}
