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
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.type.SqlTypeName;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.exec.Aggregates;
import org.mmapsql.schema.MmapTable;
import org.mmapsql.schema.TableEntryPoints;

/**
 * Aggregates without GROUP BY (COUNT, SUM, MIN, MAX, AVG of numeric columns) over an
 * array or the positions an idx predicate names, maybe only of the rows whose
 * value a predicate keeps ({@code val=[...]} in EXPLAIN), computed by one call
 * into {@link Aggregates} over the mapped file. Counts alone read no data at all.
 */
public final class MmapAggregate extends AbstractRelNode implements EnumerableRel {
  final MmapTableScan scan;
  final List<Aggregates.Kind> kinds;
  /** The layout column each aggregate reads (-1 for COUNT(*)). */
  final List<Integer> columns;
  /** The predicate on column {@link #filterColumn} the loop applies ({@link ValCondition}), or null. */
  final @Nullable RexNode valFilter;
  private final int filterColumn;

  MmapAggregate(MmapTableScan scan, RelDataType rowType, List<Aggregates.Kind> kinds, List<Integer> columns,
      @Nullable RexNode valFilter, int filterColumn) {
    super(scan.getCluster(), scan.getCluster().traitSetOf(EnumerableConvention.INSTANCE));
    this.scan = scan;
    this.rowType = rowType;
    this.kinds = kinds;
    this.columns = columns;
    this.valFilter = valFilter;
    this.filterColumn = filterColumn;
  }

  @Override protected RelDataType deriveRowType() {
    return rowType;
  }

  @Override public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw)
        .item("table", scan.getTable().getQualifiedName())
        .itemIf("idx", scan.idxFilter, scan.idxFilter != null)
        .itemIf("val", valFilter, valFilter != null)
        .itemIf("base", scan.base(), scan.base() != 0)
        .item("aggs", kinds)
        .itemIf("columns", columns, columns.stream().anyMatch(c -> c > 0));
  }

  @Override public double estimateRowCount(RelMetadataQuery mq) {
    return 1;
  }

  @Override public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    boolean countsOnly = kinds.stream().allMatch(
        k -> k == Aggregates.Kind.COUNT_ROWS || k == Aggregates.Kind.COUNT_VAL);
    if (countsOnly && valFilter == null) {
      return planner.getCostFactory().makeTinyCost();
    }
    // One tight pass: far cheaper per row than rows through an aggregate operator.
    double rows = scan.estimateRowCount(mq);
    return planner.getCostFactory().makeCost(1, rows * 0.01, rows * 0.01);
  }

  @Override public List<RelNode> getInputs() {
    return List.of();
  }

  @Override public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), rowType, JavaRowFormat.ARRAY, false);
    Expression kindArray = Expressions.newArrayInit(Aggregates.Kind.class,
        kinds.stream().map(k -> (Expression) Expressions.constant(k)).toList());
    Expression columnArray = Expressions.newArrayInit(int.class,
        columns.stream().map(c -> (Expression) Expressions.constant(c)).toList());
    Expression typeArray = Expressions.newArrayInit(SqlTypeName.class, rowType.getFieldList().stream()
        .map(f -> (Expression) Expressions.constant(f.getType().getSqlTypeName())).toList());
    Expression table = scan.getTable().getExpression(MmapTable.class);
    Expression root = implementor.getRootExpression();
    Expression call = valFilter == null
        ? Expressions.call(TableEntryPoints.class, "aggregate", table, root, scan.ranges(implementor), kindArray,
            columnArray, typeArray)
        : Expressions.call(TableEntryPoints.class, "aggregate", table, root, scan.ranges(implementor),
            Expressions.constant(filterColumn), ValCondition.toBounds(valFilter, root), kindArray, columnArray,
            typeArray);
    return implementor.result(physType, Blocks.toBlock(call));
  }
}
