package org.mmapsql.schema;

import java.lang.reflect.Type;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.linq4j.Queryable;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.ColumnStrategy;
import org.apache.calcite.schema.QueryableTable;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.Schemas;
import org.apache.calcite.schema.Statistic;
import org.apache.calcite.schema.Statistics;
import org.apache.calcite.schema.TranslatableTable;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql2rel.InitializerContext;
import org.apache.calcite.sql2rel.InitializerExpressionFactory;
import org.apache.calcite.sql2rel.NullInitializerExpressionFactory;
import org.apache.calcite.util.ImmutableBitSet;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.storage.Layout;
import org.mmapsql.catalog.Binding;
import org.mmapsql.exec.Aggregates;
import org.mmapsql.exec.Downsample;
import org.mmapsql.exec.ValBounds;
import org.mmapsql.storage.ValueRange;
import org.mmapsql.exec.IdxRanges;
import org.mmapsql.exec.RowEnumerator;
import org.mmapsql.exec.TableWrites;
import org.mmapsql.plan.MmapTableScan;
import org.mmapsql.storage.MappedArray;

import java.math.BigDecimal;

/**
 * A binding seen as a table: {@code idx BIGINT NOT NULL}, the position and the
 * primary key, then the columns of its {@link Layout} ({@code val} for a 1-D
 * array, {@code c0 .. c{k-1}} for a 2-D one, the fields of a structured dtype),
 * each of the SQL type of its dtype ({@link SqlTypes}). Planning turns it into an
 * {@link MmapTableScan}; at execution, generated code calls the public methods
 * below, which find the binding again by name (it may have been re-bound).
 */
public final class MmapTable extends AbstractTable implements TranslatableTable, QueryableTable {
  private final MmapSchema schema;
  private final String name;

  MmapTable(MmapSchema schema, String name) {
    this.schema = schema;
    this.name = name;
  }

  public String name() {
    return name;
  }

  @Override public RelDataType getRowType(RelDataTypeFactory f) {
    var b = f.builder().add("idx", SqlTypeName.BIGINT);
    for (Layout.Column c : layout().columns()) {
      b.add(c.name(), f.createTypeWithNullability(SqlTypes.of(f, c.dtype()), true));
    }
    return b.build();
  }

  /** What the bound file holds (fixed for the life of the binding). */
  public Layout layout() {
    Binding b = schema.database().binding(name);
    if (b == null) {
      throw new MmapException(SqlState.UNDEFINED_TABLE, "table " + name + " is not mapped (any more)");
    }
    return b.layout();
  }

  @Override public Statistic getStatistic() {
    // Planning asks often; the length as last seen is enough, no need to stat the file.
    Binding b = schema.database().binding(name);
    double rows = 0;
    try {
      rows = b == null ? 0 : b.array().length();
    } catch (MmapException e) {
      // unavailable now; the statement will say why when it runs
    }
    // idx is the key. No collation is claimed (see MmapTableScan.create).
    return Statistics.of(rows, List.of(ImmutableBitSet.of(0)));
  }

  @Override public RelNode toRel(RelOptTable.ToRelContext context, RelOptTable relOptTable) {
    return MmapTableScan.create(context.getCluster(), relOptTable, null);
  }

  @Override public <C> @Nullable C unwrap(Class<C> aClass) {
    if (aClass.isInstance(IDX_DEFAULT)) {
      return aClass.cast(IDX_DEFAULT);
    }
    return super.unwrap(aClass);
  }

  // ------------------------------------------------ called from generated code

  /** The rows whose idx is in {@code ranges} (null: all rows), in idx order. */
  public Enumerable<Object[]> scan(DataContext root, @Nullable IdxRanges ranges) {
    AtomicBoolean cancel = DataContext.Variable.CANCEL_FLAG.get(root);
    // The length is read when the rows are, not when the plan is bound: the input of a write on
    // this table is read under its write lock (INSERT INTO t SELECT ... FROM t).
    return new AbstractEnumerable<>() {
      @Override public Enumerator<Object[]> enumerator() {
        MappedArray array = array();
        return new RowEnumerator(array, positions(ranges), cancel, base()); // it clips to the length
      }
    };
  }

  /**
   * The rows whose idx is in {@code ranges}, a few of them (a point read, an
   * IN list), read at once: what {@link #scan} yields for them, each UPDATE
   * seen whole or not at all, without a scan's snapshot.
   */
  public List<Object[]> rowsAt(IdxRanges ranges) {
    MappedArray array = array();
    long base = base();
    return array.consistent(() -> {
      IdxRanges p = positions(ranges).clip(array.length());
      int width = array.layout().columns().size();
      List<Object[]> rows = new ArrayList<>((int) p.count());
      for (int i = 0; i < p.size(); i++) {
        long start = p.start(i);
        int n = (int) (p.end(i) - start);
        Object[][] columns = new Object[width][n];
        int got = array.read(start, n, columns);
        for (int r = 0; r < got; r++) {
          Object[] row = new Object[width + 1];
          row[0] = base + start + r;
          for (int c = 0; c < width; c++) {
            row[c + 1] = columns[c][r];
          }
          rows.add(row);
        }
        if (got < n) {
          break; // cut by another program meanwhile: the rows end there, as a scan's do
        }
      }
      return rows;
    });
  }

  /**
   * One row of aggregates over the positions in {@code ranges} (null: all):
   * {@code kinds[i]} of column {@code columns[i]} (a layout column; -1 for COUNT(*)),
   * given as the SQL type {@code types[i]}.
   */
  public Enumerable<Object[]> aggregate(DataContext root, @Nullable IdxRanges ranges,
      Aggregates.Kind[] kinds, int[] columns, SqlTypeName[] types) {
    AtomicBoolean cancel = DataContext.Variable.CANCEL_FLAG.get(root);
    // Computed when read, like scan; and seeing each UPDATE whole or not at all.
    return new AbstractEnumerable<>() {
      @Override public Enumerator<Object[]> enumerator() {
        MappedArray array = array();
        // The length is read inside too: a DELETE or VPOP cannot cut the rows between the two.
        return Linq4j.singletonEnumerator(array.consistent(() -> Aggregates.compute(array,
            positions(ranges).clip(array.length()), kinds, columns, types, cancel)));
      }
    };
  }

  /**
   * The same over the rows whose layout column {@code filterColumn} lies in
   * {@code bounds} ({@code WHERE val > ?}); every aggregate reads that column or none.
   */
  public Enumerable<Object[]> aggregate(DataContext root, @Nullable IdxRanges ranges, int filterColumn,
      ValBounds bounds, Aggregates.Kind[] kinds, int[] columns, SqlTypeName[] types) {
    AtomicBoolean cancel = DataContext.Variable.CANCEL_FLAG.get(root);
    return new AbstractEnumerable<>() {
      @Override public Enumerator<Object[]> enumerator() {
        MappedArray array = array();
        ValueRange filter = bounds.forColumn(array.layout().columns().get(filterColumn).dtype().type());
        return Linq4j.singletonEnumerator(array.consistent(() -> Aggregates.compute(array,
            positions(ranges).clip(array.length()), filterColumn, filter, kinds, columns, types, cancel)));
      }
    };
  }

  /**
   * {@code GROUP BY idx / k}: a row {@code (bucket, aggregates...)} per bucket
   * of the positions in {@code ranges} (null: all), in bucket order;
   * {@code types[0]} is the bucket's SQL type.
   */
  public Enumerable<Object[]> downsample(DataContext root, @Nullable IdxRanges ranges, long k,
      Aggregates.Kind[] kinds, int[] columns, SqlTypeName[] types) {
    AtomicBoolean cancel = DataContext.Variable.CANCEL_FLAG.get(root);
    return new AbstractEnumerable<>() {
      @Override public Enumerator<Object[]> enumerator() {
        MappedArray array = array();
        return Linq4j.enumerator(array.consistent(() -> Downsample.compute(array,
            positions(ranges).clip(array.length()), base(), k, kinds, columns, types, cancel)));
      }
    };
  }

  public long insert(DataContext root, Enumerable<Object[]> rows) {
    return writes(root, "INSERT").insert(rows);
  }

  /** Rows {@code (idx, every column, new values of the columns in {@code columns})}. */
  public long update(DataContext root, Enumerable<Object[]> rows, int[] columns) {
    return writes(root, "UPDATE").update(rows, columns);
  }

  /**
   * UPDATE of the rows whose idx is in {@code ranges} (a few), the layout
   * columns {@code columns} set to {@code values}: {@link #update} with the
   * rows {@code (idx, every column, new values)}, {@code width} wide, made
   * from the positions the array has when the write lock is held, as a
   * scan under the lock would yield them (the old values are not read: an
   * UPDATE does not use them).
   */
  public long updateAt(DataContext root, IdxRanges ranges, int width, int[] columns, Object[] values) {
    return update(root, new AbstractEnumerable<>() {
      @Override public Enumerator<Object[]> enumerator() {
        IdxRanges p = positions(ranges).clip(binding().array().length());
        long base = base();
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
    }, columns);
  }

  public long delete(DataContext root, Enumerable<Object[]> rows) {
    return writes(root, "DELETE").delete(rows);
  }

  /** Removes the rows whose idx is in {@code ranges} (null: all), which must be the last ones. */
  public long delete(DataContext root, @Nullable IdxRanges ranges) {
    return writes(root, "DELETE").delete(positions(ranges));
  }

  /** VPOP: removes and returns the last value of a 1-D table, or null when empty. */
  public @Nullable Object pop(DataContext root) {
    if (layout().shape() != Layout.Shape.ONE_D) {
      throw new MmapException(SqlState.SYNTAX_ERROR, "VPOP works on 1-D tables; " + name + " has the columns "
          + layout().columns().stream().map(Layout.Column::name).toList()
          + "; use SELECT and DELETE FROM " + name + " WHERE idx = ...");
    }
    return writes(root, "VPOP").pop();
  }

  /** The writes of one statement, if this connection may write and the binding is not read-only. */
  private TableWrites writes(DataContext root, String statement) {
    schema.settings().requireWritable(statement + " on " + name);
    MappedArray array = array();
    if (array.readOnly()) {
      throw new MmapException(SqlState.READ_ONLY, statement + " on " + name
          + " refused: the binding is read-only (MMAP option readonly); nothing was changed");
    }
    return new TableWrites(name, array, schema.settings().syncWrites(),
        DataContext.Variable.CANCEL_FLAG.get(root), base());
  }

  /** The idx of the file's first row: 0, or the shard's base (MMAP option base). */
  public long base() {
    Binding b = schema.database().binding(name);
    return b == null ? 0 : b.options().base();
  }

  /** The file positions of the idx values in {@code ranges} (null: all). */
  private IdxRanges positions(@Nullable IdxRanges ranges) {
    return (ranges == null ? IdxRanges.ALL : ranges).positionsFrom(base());
  }

  /** The array, its length re-read: called once at the start of each statement. */
  private MappedArray array() {
    return binding().refreshed();
  }

  private Binding binding() {
    Binding b = schema.database().binding(name);
    if (b == null) {
      throw new MmapException(SqlState.UNDEFINED_TABLE, "table " + name + " is not mapped (any more)");
    }
    return b;
  }

  // ------------------------------------------------ QueryableTable, for getExpression

  @Override public Type getElementType() {
    return Object[].class;
  }

  @Override public Expression getExpression(SchemaPlus parentSchema, String tableName, Class clazz) {
    return Schemas.tableExpression(parentSchema, getElementType(), tableName, clazz);
  }

  @Override public <T> Queryable<T> asQueryable(QueryProvider queryProvider, SchemaPlus s, String tableName) {
    throw new UnsupportedOperationException("mmapsql tables are planned by their own rules");
  }

  /** Lets INSERT omit idx: the row then goes at the end. */
  private static final InitializerExpressionFactory IDX_DEFAULT = new NullInitializerExpressionFactory() {
    @Override public ColumnStrategy generationStrategy(RelOptTable table, int iColumn) {
      return iColumn == 0 ? ColumnStrategy.DEFAULT : ColumnStrategy.NULLABLE;
    }

    @Override public RexNode newColumnDefaultValue(RelOptTable table, int iColumn, InitializerContext context) {
      if (iColumn == 0) {
        var rex = context.getRexBuilder();
        return rex.makeExactLiteral(BigDecimal.valueOf(TableWrites.NEXT_IDX),
            rex.getTypeFactory().createSqlType(SqlTypeName.BIGINT));
      }
      return super.newColumnDefaultValue(table, iColumn, context);
    }
  };
}
