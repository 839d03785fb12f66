package org.mmapsql.plan;

import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.exec.Aggregates;

/**
 * COUNT, SUM, MIN, MAX and AVG of val without GROUP BY over a scan (maybe
 * through a projection of plain columns) become an {@link MmapAggregate}.
 */
final class AggregateRule extends RelRule<RuleConfig> {
  private static final int VAL = 1;

  static final AggregateRule DIRECT = (AggregateRule) new RuleConfig(
      b -> b.operand(Aggregate.class).predicate(a -> a.getGroupSet().isEmpty()).oneInput(
          s -> s.operand(MmapTableScan.class).noInputs()),
      "MmapAggregateRule", AggregateRule::new).toRule();
  static final AggregateRule THROUGH_PROJECT = (AggregateRule) new RuleConfig(
      b -> b.operand(Aggregate.class).predicate(a -> a.getGroupSet().isEmpty()).oneInput(
          p -> p.operand(Project.class).oneInput(s -> s.operand(MmapTableScan.class).noInputs())),
      "MmapAggregateRule:project", AggregateRule::new).toRule();

  private AggregateRule(RuleConfig config) {
    super(config);
  }

  @Override public void onMatch(RelOptRuleCall call) {
    Aggregate agg = call.rel(0);
    Project project = call.getRelList().size() == 3 ? call.rel(1) : null;
    MmapTableScan scan = call.rel(call.getRelList().size() - 1);
    if (agg.getGroupSets().size() != 1 || agg.getAggCallList().isEmpty()) {
      return;
    }
    List<Aggregates.Kind> kinds = new ArrayList<>();
    for (AggregateCall c : agg.getAggCallList()) {
      Aggregates.Kind k = kind(c, project);
      if (k == null) {
        return;
      }
      kinds.add(k);
    }
    call.transformTo(new MmapAggregate(scan, agg.getRowType(), kinds));
  }

  private static Aggregates.@Nullable Kind kind(AggregateCall c, @Nullable Project project) {
    if (c.isDistinct() || c.filterArg >= 0 || c.isApproximate() || c.getArgList().size() > 1) {
      return null;
    }
    if (c.getArgList().isEmpty()) {
      return c.getAggregation().getKind() == org.apache.calcite.sql.SqlKind.COUNT
          ? Aggregates.Kind.COUNT_ROWS : null;
    }
    int arg = c.getArgList().get(0);
    if (project != null) {
      RexNode e = project.getProjects().get(arg);
      if (!(e instanceof RexInputRef ref)) {
        return null;
      }
      arg = ref.getIndex();
    }
    if (arg != VAL) {
      return null;
    }
    return switch (c.getAggregation().getKind()) {
      case COUNT -> Aggregates.Kind.COUNT_VAL;
      case SUM -> Aggregates.Kind.SUM;
      case SUM0 -> Aggregates.Kind.SUM0;
      case MIN -> Aggregates.Kind.MIN;
      case MAX -> Aggregates.Kind.MAX;
      case AVG -> Aggregates.Kind.AVG;
      default -> null;
    };
  }
}
