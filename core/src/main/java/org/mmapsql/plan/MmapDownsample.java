package org.mmapsql.plan;

import java.util.List;

import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.tree.Blocks;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.rel.AbstractRelNode;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.type.SqlTypeName;
import org.mmapsql.exec.Aggregates;
import org.mmapsql.exec.Downsample;
import org.mmapsql.schema.MmapTable;
import org.mmapsql.schema.TableEntryPoints;

/**
 * {@code GROUP BY idx / k} over an array or the positions an idx predicate
 * names: one row per bucket of k consecutive idx values, its aggregates
 * computed by one call into {@link Downsample} over the mapped file, in the
 * same loops as {@link MmapAggregate}'s.
 */
public final class MmapDownsample extends AbstractRelNode implements EnumerableRel {
  private final MmapTableScan scan;
  private final long k;
  private final List<Aggregates.Kind> kinds;
  /** The layout column each aggregate reads (-1 for COUNT(*)). */
  private final List<Integer> columns;

  MmapDownsample(MmapTableScan scan, RelDataType rowType, long k, List<Aggregates.Kind> kinds,
      List<Integer> columns) {
    super(scan.getCluster(), scan.getCluster().traitSetOf(EnumerableConvention.INSTANCE));
    this.scan = scan;
    this.rowType = rowType;
    this.k = k;
    this.kinds = kinds;
    this.columns = columns;
  }

  @Override protected RelDataType deriveRowType() {
    return rowType;
  }

  @Override public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw)
        .item("table", scan.getTable().getQualifiedName())
        .itemIf("idx", scan.idxFilter, scan.idxFilter != null)
        .itemIf("base", scan.base(), scan.base() != 0)
        .item("bucket", "idx / " + k)
        .item("aggs", kinds)
        .itemIf("columns", columns, columns.stream().anyMatch(c -> c > 0));
  }

  @Override public double estimateRowCount(RelMetadataQuery mq) {
    return Math.max(1, scan.estimateRowCount(mq) / k);
  }

  @Override public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    double rows = scan.estimateRowCount(mq);
    return planner.getCostFactory().makeCost(estimateRowCount(mq), rows * 0.01, rows * 0.01);
  }

  @Override public List<RelNode> getInputs() {
    return List.of();
  }

  @Override public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), rowType, JavaRowFormat.ARRAY, false);
    Expression kindArray = Expressions.newArrayInit(Aggregates.Kind.class,
        kinds.stream().map(x -> (Expression) Expressions.constant(x)).toList());
    Expression columnArray = Expressions.newArrayInit(int.class,
        columns.stream().map(c -> (Expression) Expressions.constant(c)).toList());
    Expression typeArray = Expressions.newArrayInit(SqlTypeName.class, rowType.getFieldList().stream()
        .map(f -> (Expression) Expressions.constant(f.getType().getSqlTypeName())).toList());
    return implementor.result(physType, Blocks.toBlock(Expressions.call(TableEntryPoints.class, "downsample",
        scan.getTable().getExpression(MmapTable.class), implementor.getRootExpression(),
        scan.ranges(implementor), Expressions.constant(k), kindArray, columnArray, typeArray)));
  }
}
