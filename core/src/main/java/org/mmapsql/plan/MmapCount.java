package org.mmapsql.plan;

import java.util.List;

import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.tree.Blocks;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.rel.AbstractRelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.util.BuiltInMethod;
import org.mmapsql.schema.MmapTable;

/**
 * {@code COUNT(*)} of an array, or of the positions an idx predicate names:
 * computed from the length, without reading any value.
 */
public final class MmapCount extends AbstractRelNode implements EnumerableRel {
  private final MmapTableScan scan;

  MmapCount(MmapTableScan scan, RelDataType rowType) {
    super(scan.getCluster(), scan.getCluster().traitSetOf(EnumerableConvention.INSTANCE));
    this.scan = scan;
    this.rowType = rowType;
  }

  @Override protected RelDataType deriveRowType() {
    return rowType;
  }

  @Override public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw)
        .item("table", scan.getTable().getQualifiedName())
        .itemIf("idx", scan.idxFilter, scan.idxFilter != null)
        .item("counts", rowType.getFieldCount());
  }

  @Override public double estimateRowCount(RelMetadataQuery mq) {
    return 1;
  }

  @Override public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    return planner.getCostFactory().makeTinyCost();
  }

  @Override public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), rowType, JavaRowFormat.SCALAR);
    var count = Expressions.call(scan.getTable().getExpression(MmapTable.class), "count",
        scan.ranges(implementor));
    if (rowType.getFieldCount() == 1) {
      return implementor.result(physType, Blocks.toBlock(
          Expressions.call(BuiltInMethod.SINGLETON_ENUMERABLE.method, count)));
    }
    physType = PhysTypeImpl.of(implementor.getTypeFactory(), rowType, JavaRowFormat.ARRAY);
    return implementor.result(physType, Blocks.toBlock(
        Expressions.call(MmapTable.class, "countRow", count, Expressions.constant(rowType.getFieldCount()))));
  }

  @Override public List<org.apache.calcite.rel.RelNode> getInputs() {
    return List.of();
  }
}
