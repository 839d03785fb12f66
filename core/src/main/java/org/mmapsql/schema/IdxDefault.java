package org.mmapsql.schema;

import java.math.BigDecimal;

import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.ColumnStrategy;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql2rel.InitializerContext;
import org.apache.calcite.sql2rel.NullInitializerExpressionFactory;
import org.mmapsql.exec.TableWrites;

/**
 * The default values of an {@link MmapTable}'s columns: INSERT may omit idx,
 * and the row then goes at the end ({@link TableWrites#NEXT_IDX} tells the
 * write so); every other column defaults to NULL. Calcite finds it by
 * unwrapping the table.
 */
final class IdxDefault extends NullInitializerExpressionFactory {
  static final IdxDefault INSTANCE = new IdxDefault();

  private IdxDefault() {
  }

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
}
