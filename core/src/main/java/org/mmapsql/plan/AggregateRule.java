package org.mmapsql.plan;

import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.apache.calcite.sql.SqlKind;
import org.mmapsql.exec.Aggregates;
import org.mmapsql.schema.MmapTable;
import org.mmapsql.storage.ElementType;
import org.mmapsql.storage.Layout;

/**
 * COUNT, SUM, MIN, MAX and AVG of numeric columns without GROUP BY over a
 * scan (maybe through a projection of plain columns, maybe under a filter
 * on the value column that {@link ValCondition} takes) become an
 * {@link MmapAggregate}. Other columns (BOOLEAN, CHAR, TIMESTAMP, long
 * double) are left to Calcite's own aggregates.
 */
final class AggregateRule extends RelRule<RuleConfig> {
  static final AggregateRule DIRECT = (AggregateRule) new RuleConfig(
      b -> b.operand(Aggregate.class).predicate(a -> a.getGroupSet().isEmpty()).oneInput(
          s -> s.operand(MmapTableScan.class).noInputs()),
      "MmapAggregateRule", AggregateRule::new).toRule();
  static final AggregateRule THROUGH_PROJECT = (AggregateRule) new RuleConfig(
      b -> b.operand(Aggregate.class).predicate(a -> a.getGroupSet().isEmpty()).oneInput(
          p -> p.operand(Project.class).oneInput(s -> s.operand(MmapTableScan.class).noInputs())),
      "MmapAggregateRule:project", AggregateRule::new).toRule();
  static final AggregateRule FILTERED = (AggregateRule) new RuleConfig(
      b -> b.operand(Aggregate.class).predicate(a -> a.getGroupSet().isEmpty()).oneInput(
          f -> f.operand(Filter.class).oneInput(s -> s.operand(MmapTableScan.class).noInputs())),
      "MmapAggregateRule:filter", AggregateRule::new).toRule();
  static final AggregateRule FILTERED_THROUGH_PROJECT = (AggregateRule) new RuleConfig(
      b -> b.operand(Aggregate.class).predicate(a -> a.getGroupSet().isEmpty()).oneInput(
          p -> p.operand(Project.class).oneInput(f -> f.operand(Filter.class).oneInput(
              s -> s.operand(MmapTableScan.class).noInputs()))),
      "MmapAggregateRule:project:filter", AggregateRule::new).toRule();

  private AggregateRule(RuleConfig config) {
    super(config);
  }

  @Override public void onMatch(RelOptRuleCall call) {
    Aggregate agg = call.rel(0);
    Project project = null;
    Filter filter = null;
    for (int i = 1; i < call.getRelList().size() - 1; i++) {
      if (call.rel(i) instanceof Project p) {
        project = p;
      } else {
        filter = call.rel(i);
      }
    }
    MmapTableScan scan = call.rel(call.getRelList().size() - 1);
    if (agg.getGroupSets().size() != 1 || agg.getAggCallList().isEmpty()) {
      return;
    }
    Layout layout = scan.getTable().unwrap(MmapTable.class).layout();
    int filterColumn = filter == null ? -1 : ValCondition.column(filter.getCondition(), layout);
    if (filter != null && filterColumn < 0) {
      return;
    }
    List<Aggregates.Kind> kinds = new ArrayList<>();
    List<Integer> columns = new ArrayList<>();
    for (AggregateCall c : agg.getAggCallList()) {
      int column = column(c, project);
      Aggregates.Kind k = kind(c, column, layout);
      if (k == null) {
        return;
      }
      if (filter != null && k != Aggregates.Kind.COUNT_ROWS && column != filterColumn) {
        return; // the loop filters the column it aggregates
      }
      kinds.add(k);
      columns.add(column);
    }
    call.transformTo(new MmapAggregate(scan, agg.getRowType(), kinds, columns,
        filter == null ? null : filter.getCondition(), filterColumn));
  }

  /** The layout column an aggregate reads (-1 for none or idx, -2 for an expression). */
  static int column(AggregateCall c, @Nullable Project project) {
    if (c.getArgList().size() != 1) {
      return -1;
    }
    int arg = c.getArgList().get(0);
    if (project != null) {
      RexNode e = project.getProjects().get(arg);
      if (!(e instanceof RexInputRef ref)) {
        return -2;
      }
      arg = ref.getIndex();
    }
    return arg - 1; // field 0 is idx
  }

  static Aggregates.@Nullable Kind kind(AggregateCall c, int column, Layout layout) {
    if (c.isDistinct() || c.filterArg >= 0 || c.isApproximate() || c.getArgList().size() > 1) {
      return null;
    }
    if (c.getArgList().isEmpty()) {
      return c.getAggregation().getKind() == org.apache.calcite.sql.SqlKind.COUNT
          ? Aggregates.Kind.COUNT_ROWS : null;
    }
    if (column < 0) {
      return null;
    }
    ElementType type = layout.columns().get(column).dtype().type();
    if (type.nullable()) {
      return null; // NaT and NaN read as NULL: counting needs the values
    }
    if (c.getAggregation().getKind() == SqlKind.COUNT) {
      return Aggregates.Kind.COUNT_VAL;
    }
    if (type.numeric() == ElementType.Numeric.NONE) {
      return null;
    }
    return switch (c.getAggregation().getKind()) {
      case SUM -> Aggregates.Kind.SUM;
      case SUM0 -> Aggregates.Kind.SUM0;
      case MIN -> Aggregates.Kind.MIN;
      case MAX -> Aggregates.Kind.MAX;
      case AVG -> Aggregates.Kind.AVG;
      default -> null;
    };
  }
}
