package org.mmapsql.plan;

import java.util.List;

import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.EnumerableSort;
import org.apache.calcite.adapter.enumerable.EnumerableWindow;
import org.apache.calcite.linq4j.tree.BlockBuilder;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.linq4j.tree.Types;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelHomogeneousShuttle;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.DataContext;
import org.mmapsql.exec.RowLimit;

/**
 * Passes its input through, failing the statement once more rows than the
 * connection's {@code maxSortRows} have come: put under every operator that
 * holds all its input in memory (a sort, a window), so that one statement
 * cannot fill the heap that every connection of a server shares.
 */
public final class MmapRowLimit extends SingleRel implements EnumerableRel {
  private final String operator;

  private MmapRowLimit(RelNode input, String operator) {
    super(input.getCluster(), input.getTraitSet(), input);
    this.operator = operator;
  }

  /** {@code physical} with a limit under each sort and window. */
  public static RelNode guard(RelNode physical) {
    return physical.accept(new RelHomogeneousShuttle() {
      @Override public RelNode visit(RelNode other) {
        RelNode n = super.visit(other);
        String what = n instanceof EnumerableSort ? "ORDER BY" : n instanceof EnumerableWindow ? "a window (OVER)" : null;
        return what == null ? n : n.copy(n.getTraitSet(), List.of(new MmapRowLimit(n.getInput(0), what)));
      }
    });
  }

  @Override public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new MmapRowLimit(sole(inputs), operator);
  }

  @Override public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw).item("for", operator);
  }

  @Override public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    Result input = implementor.visitChild(this, 0, (EnumerableRel) getInput(), pref);
    BlockBuilder builder = new BlockBuilder();
    Expression rows = builder.append("rows", input.block);
    builder.add(Expressions.return_(null, Expressions.call(
        Types.lookupMethod(RowLimit.class, "apply", DataContext.class, Enumerable.class, String.class),
        implementor.getRootExpression(), rows, Expressions.constant(operator))));
    return implementor.result(input.physType, builder.toBlock());
  }
}
