package org.mmapsql.plan;

import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.core.TableModify;
import org.apache.calcite.rel.logical.LogicalTableModify;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.schema.MmapTable;

/** Plans INSERT, UPDATE and DELETE on an array as an {@link MmapTableModify}. */
final class TableModifyRule extends ConverterRule {
  static final TableModifyRule INSTANCE = Config.INSTANCE
      .withConversion(LogicalTableModify.class,
          (LogicalTableModify m) -> m.getTable().unwrap(MmapTable.class) != null,
          Convention.NONE, EnumerableConvention.INSTANCE, "MmapTableModifyRule")
      .withRuleFactory(TableModifyRule::new)
      .toRule(TableModifyRule.class);

  private TableModifyRule(Config config) {
    super(config);
  }

  @Override public RelNode convert(RelNode rel) {
    LogicalTableModify modify = (LogicalTableModify) rel;
    if (modify.getOperation() == TableModify.Operation.MERGE) {
      throw new MmapException(SqlState.FEATURE_NOT_SUPPORTED, "MERGE is not supported; use INSERT, UPDATE or DELETE");
    }
    var traits = modify.getTraitSet().replace(EnumerableConvention.INSTANCE);
    RelNode input = convert(modify.getInput(),
        modify.getInput().getTraitSet().replace(EnumerableConvention.INSTANCE));
    return new MmapTableModify(modify.getCluster(), traits, modify.getTable(),
        modify.getCatalogReader(), input, modify.getOperation(), modify.getUpdateColumnList(),
        modify.getSourceExpressionList(), modify.isFlattened());
  }
}
