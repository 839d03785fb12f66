package org.mmapsql.plan;

import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;

/**
 * Pushes the idx part of a filter into the scan below it, which then reads
 * only those positions; the rest of the filter stays above.
 */
final class IdxFilterRule extends RelRule<RuleConfig> {
  static final IdxFilterRule INSTANCE = (IdxFilterRule) new RuleConfig(
      b -> b.operand(LogicalFilter.class).oneInput(
          s -> s.operand(MmapTableScan.class).predicate(scan -> scan.idxFilter == null).noInputs()),
      "MmapIdxFilterRule", IdxFilterRule::new).toRule();

  private IdxFilterRule(RuleConfig config) {
    super(config);
  }

  @Override public void onMatch(RelOptRuleCall call) {
    LogicalFilter filter = call.rel(0);
    MmapTableScan scan = call.rel(1);
    List<RexNode> pushed = new ArrayList<>();
    List<RexNode> rest = new ArrayList<>();
    for (RexNode c : RelOptUtil.conjunctions(filter.getCondition())) {
      (IdxCondition.accepts(c) ? pushed : rest).add(c);
    }
    if (pushed.isEmpty()) {
      return;
    }
    var rex = filter.getCluster().getRexBuilder();
    RelNode result = MmapTableScan.create(scan.getCluster(), scan.getTable(),
        RexUtil.composeConjunction(rex, pushed));
    if (!rest.isEmpty()) {
      result = filter.copy(filter.getTraitSet(), result, RexUtil.composeConjunction(rex, rest));
    }
    call.transformTo(result);
  }
}
