package org.mmapsql.schema;

import java.lang.reflect.Type;
import java.util.List;

import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.linq4j.Queryable;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.QueryableTable;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.Schemas;
import org.apache.calcite.schema.Statistic;
import org.apache.calcite.schema.Statistics;
import org.apache.calcite.schema.TranslatableTable;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.ImmutableBitSet;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.catalog.Binding;
import org.mmapsql.plan.MmapTableScan;
import org.mmapsql.storage.Layout;
import org.mmapsql.storage.MappedArray;

/**
 * A binding seen as a table: {@code idx BIGINT NOT NULL}, the position and the
 * primary key, then the columns of its {@link Layout} ({@code val} for a 1-D
 * array, {@code c0 .. c{k-1}} for a 2-D one, the fields of a structured dtype),
 * each of the SQL type of its dtype ({@link SqlTypes}). Planning turns it into an
 * {@link MmapTableScan}; at execution, generated code calls
 * {@link TableEntryPoints} with it, which find the binding again by name (it
 * may have been re-bound). {@link IdxDefault} gives its columns' defaults.
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
    if (aClass.isInstance(IdxDefault.INSTANCE)) {
      return aClass.cast(IdxDefault.INSTANCE);
    }
    return super.unwrap(aClass);
  }

  /** The idx of the file's first row: 0, or the shard's base (MMAP option base). */
  public long base() {
    Binding b = schema.database().binding(name);
    return b == null ? 0 : b.options().base();
  }

  /** The connection's settings: whether it may write, and how writes are made durable. */
  ConnectionSettings settings() {
    return schema.settings();
  }

  /** The array, its length re-read: called once at the start of each statement. */
  MappedArray array() {
    return binding().refreshed();
  }

  /** The binding of this name now (it may have been re-bound); its array is not refreshed. */
  Binding binding() {
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
}
