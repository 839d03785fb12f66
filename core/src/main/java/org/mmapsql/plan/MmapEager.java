package org.mmapsql.plan;

import java.util.List;

import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.linq4j.tree.BlockBuilder;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.linq4j.tree.Types;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.util.BuiltInMethod;

/**
 * Computes its input when the statement executes, not when rows are fetched.
 * Put on top of statements that call MMAP, UNMAP or VPOP: their effect must
 * happen at {@code execute}, even if the caller never reads a row.
 */
public final class MmapEager extends SingleRel implements EnumerableRel {
  private MmapEager(RelNode input) {
    super(input.getCluster(), input.getTraitSet(), input);
  }

  public static RelNode wrap(RelNode physical) {
    return new MmapEager(physical);
  }

  @Override public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new MmapEager(sole(inputs));
  }

  @Override public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    Result input = implementor.visitChild(this, 0, (EnumerableRel) getInput(), pref);
    BlockBuilder builder = new BlockBuilder();
    Expression rows = builder.append("rows", input.block);
    Expression list = Expressions.call(rows, BuiltInMethod.ENUMERABLE_TO_LIST.method);
    builder.add(Expressions.return_(null,
        Expressions.call(Types.lookupMethod(Linq4j.class, "asEnumerable", List.class), list)));
    return implementor.result(input.physType, builder.toBlock());
  }
}
