package org.mmapsql.plan;

import java.util.List;

import org.apache.calcite.plan.RelOptRule;

/** The planner rules of mmapsql, registered by the driver's prepare step. */
public final class MmapRules {
  public static final List<RelOptRule> ALL = List.of(
      IdxFilterRule.INSTANCE, AggregateRule.DIRECT, AggregateRule.THROUGH_PROJECT,
      AggregateRule.FILTERED, AggregateRule.FILTERED_THROUGH_PROJECT, DownsampleRule.INSTANCE,
      TableModifyRule.INSTANCE);

  private MmapRules() {
  }
}
