package org.mmapsql.plan;

import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.mmapsql.exec.Aggregates;
import org.mmapsql.schema.MmapTable;
import org.mmapsql.storage.Layout;

/**
 * {@code GROUP BY idx / k} (or {@code FLOOR(idx / k)}) with a whole literal k
 * of at least {@link #MIN_K}, of the aggregates {@link AggregateRule} takes,
 * over a scan: becomes an {@link MmapDownsample}. idx is never negative, so
 * Calcite's integer division, which truncates, is the floor. Smaller buckets
 * stay with Calcite's hash aggregate, which is as fast when a bucket's fixed
 * cost (about a microsecond) outweighs its rows.
 */
final class DownsampleRule extends RelRule<RuleConfig> {
  static final long MIN_K = 32;

  static final DownsampleRule INSTANCE = (DownsampleRule) new RuleConfig(
      b -> b.operand(Aggregate.class).predicate(a -> a.getGroupSet().cardinality() == 1).oneInput(
          p -> p.operand(Project.class).oneInput(s -> s.operand(MmapTableScan.class).noInputs())),
      "MmapDownsampleRule", DownsampleRule::new).toRule();

  private DownsampleRule(RuleConfig config) {
    super(config);
  }

  @Override public void onMatch(RelOptRuleCall call) {
    Aggregate agg = call.rel(0);
    Project project = call.rel(1);
    MmapTableScan scan = call.rel(2);
    if (agg.getGroupSets().size() != 1 || scan.base() < 0) {
      return;
    }
    long k = divisor(project.getProjects().get(agg.getGroupSet().nth(0)));
    if (k < MIN_K) {
      return;
    }
    Layout layout = scan.getTable().unwrap(MmapTable.class).layout();
    List<Aggregates.Kind> kinds = new ArrayList<>();
    List<Integer> columns = new ArrayList<>();
    for (AggregateCall c : agg.getAggCallList()) {
      int column = AggregateRule.column(c, project);
      Aggregates.Kind kind = AggregateRule.kind(c, column, layout);
      if (kind == null) {
        return;
      }
      kinds.add(kind);
      columns.add(column);
    }
    call.transformTo(new MmapDownsample(scan, agg.getRowType(), k, kinds, columns));
  }

  /** k of {@code idx / k} or {@code FLOOR(idx / k)} of integer type; 0 for anything else. */
  private static long divisor(RexNode e) {
    if (e.getKind() == SqlKind.FLOOR && ((RexCall) e).getOperands().size() == 1) {
      e = ((RexCall) e).getOperands().get(0);
    }
    // checked or not (exact arithmetic is checked): idx >= 0 over a positive k cannot overflow
    if (e.getKind() != SqlKind.DIVIDE && e.getKind() != SqlKind.CHECKED_DIVIDE
        || !SqlTypeFamily.INTEGER.contains(e.getType())) {
      return 0;
    }
    List<RexNode> ops = ((RexCall) e).getOperands();
    if (!(ops.get(0) instanceof RexInputRef ref) || ref.getIndex() != 0
        || !(ops.get(1) instanceof RexLiteral lit) || !SqlTypeFamily.INTEGER.contains(lit.getType())) {
      return 0;
    }
    Long k = lit.getValueAs(Long.class);
    return k == null ? 0 : k;
  }
}
