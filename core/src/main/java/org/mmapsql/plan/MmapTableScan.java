package org.mmapsql.plan;

import java.util.List;

import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.tree.Blocks;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexNode;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.exec.IdxRanges;
import org.mmapsql.schema.MmapTable;
import org.mmapsql.schema.TableEntryPoints;

/**
 * Reads an array: all of it, or only the positions an idx predicate names
 * ({@code idx=} in EXPLAIN), by direct positional access. Generated code is one
 * call, {@link TableEntryPoints#scan}, that returns the rows.
 */
public final class MmapTableScan extends TableScan implements EnumerableRel {
  private static final double ASSUMED_MIN_ROWS = 1_000_000;

  final @Nullable RexNode idxFilter;

  private MmapTableScan(RelOptCluster cluster, RelTraitSet traits, RelOptTable table,
      @Nullable RexNode idxFilter) {
    super(cluster, traits, List.of(), table);
    this.idxFilter = idxFilter;
  }

  public static MmapTableScan create(RelOptCluster cluster, RelOptTable table, @Nullable RexNode idxFilter) {
    // Rows come out in idx order, but the scan does not claim it: Calcite 1.42
    // then drops an ORDER BY idx above a window ordered by another key
    // (CALCITE-7620). Sorting sorted rows is cheap; wrong order is not.
    return new MmapTableScan(cluster, cluster.traitSetOf(EnumerableConvention.INSTANCE), table, idxFilter);
  }

  @Override public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new MmapTableScan(getCluster(), traitSet, table, idxFilter);
  }

  @Override public RelWriter explainTerms(RelWriter pw) {
    long base = base();
    return super.explainTerms(pw).itemIf("idx", idxFilter, idxFilter != null).itemIf("base", base, base != 0);
  }

  /** The shard's first idx (MMAP option base): its idx predicate reads file positions idx - base. */
  long base() {
    MmapTable t = table.unwrap(MmapTable.class);
    return t == null ? 0 : t.base();
  }

  @Override public double estimateRowCount(RelMetadataQuery mq) {
    // Plans outlive the length they were made at (a statement prepared on an
    // empty table runs on a full one): cost as if the array were large.
    double rows = Math.max(table.getRowCount(), ASSUMED_MIN_ROWS);
    return idxFilter == null ? rows : rows * 0.01;
  }

  @Override public @Nullable RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    double rows = estimateRowCount(mq);
    // Positional access reads only the rows it returns; a full scan reads them all.
    return planner.getCostFactory().makeCost(rows, rows, idxFilter == null ? rows * 8 : 1);
  }

  @Override public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(), JavaRowFormat.ARRAY);
    Expression table = this.table.getExpression(MmapTable.class);
    return implementor.result(physType,
        Blocks.toBlock(Expressions.call(TableEntryPoints.class, "scan", table, implementor.getRootExpression(),
            ranges(implementor))));
  }

  /**
   * {@code physical}, or the scan under it when it is only a scan renamed ({@code SELECT * FROM t}
   * leaves an identity EnumerableCalc on top): then the statement's rows are the scan's own, which a
   * result set reads in place (see {@link org.mmapsql.exec.ScanRows}).
   */
  public static RelNode bare(RelNode physical) {
    if (physical instanceof EnumerableCalc calc && calc.getInput() instanceof MmapTableScan scan
        && calc.getProgram().isTrivial()) {
      return scan;
    }
    return physical;
  }

  Expression ranges(EnumerableRelImplementor implementor) {
    return idxFilter == null
        ? Expressions.constant(null, IdxRanges.class)
        : IdxCondition.toRanges(idxFilter, implementor.getRootExpression());
  }
}
