package org.mmapsql.plan;

import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.sql.SqlKind;

/** {@code COUNT(*)} over a scan (maybe through a projection) becomes an {@link MmapCount}. */
final class CountRule extends RelRule<RuleConfig> {
  static final CountRule DIRECT = (CountRule) new RuleConfig(
      b -> b.operand(Aggregate.class).predicate(CountRule::countsOnly).oneInput(
          s -> s.operand(MmapTableScan.class).noInputs()),
      "MmapCountRule", CountRule::new).toRule();
  static final CountRule THROUGH_PROJECT = (CountRule) new RuleConfig(
      b -> b.operand(Aggregate.class).predicate(CountRule::countsOnly).oneInput(
          p -> p.operand(Project.class).oneInput(s -> s.operand(MmapTableScan.class).noInputs())),
      "MmapCountRule:project", CountRule::new).toRule();

  private CountRule(RuleConfig config) {
    super(config);
  }

  private static boolean countsOnly(Aggregate agg) {
    if (!agg.getGroupSet().isEmpty() || agg.getAggCallList().isEmpty()) {
      return false;
    }
    for (AggregateCall c : agg.getAggCallList()) {
      if (c.getAggregation().getKind() != SqlKind.COUNT || !c.getArgList().isEmpty()
          || c.isDistinct() || c.filterArg >= 0) {
        return false;
      }
    }
    return true;
  }

  @Override public void onMatch(RelOptRuleCall call) {
    Aggregate agg = call.rel(0);
    MmapTableScan scan = call.rel(call.getRelList().size() - 1);
    call.transformTo(new MmapCount(scan, agg.getRowType()));
  }
}
