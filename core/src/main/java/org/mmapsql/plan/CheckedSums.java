package org.mmapsql.plan;

import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.adapter.enumerable.EnumerableAggregate;
import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.rel.InvalidRelException;
import org.apache.calcite.rel.RelHomogeneousShuttle;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexProgram;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexWindow;
import org.apache.calcite.rex.RexProgramBuilder;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeUtil;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Makes Calcite's own SUM of BIGINT (under GROUP BY, a filter on values, or
 * as half of an AVG) fail with NUMERIC_OUT_OF_RANGE instead of wrapping
 * around: Calcite adds longs with {@code +}. The sum is taken in DECIMAL and
 * cast back to BIGINT, a cast Calcite checks. The result type stays BIGINT
 * (the type system's SUM of BIGINT), so nothing above the aggregate changes.
 * Applied to the physical plan, after the planner, so that it also reaches
 * the SUMs that the planner's own rules make (AVG becomes SUM / COUNT).
 * mmapsql's one-pass aggregate ({@link MmapAggregate}) sums exactly already.
 * A sum that only becomes a DOUBLE (the half of an AVG) is not cast back.
 */
public final class CheckedSums extends RelHomogeneousShuttle {
  private static final int BIGINT_DIGITS = 19;

  private CheckedSums() {
  }

  public static RelNode apply(RelNode rel) {
    return rel.accept(new CheckedSums());
  }

  /**
   * The same for window sums, in the logical plan (Calcite's window operator
   * cannot be rebuilt after planning): {@code SUM(x) OVER w} of a BIGINT x
   * becomes {@code CAST(SUM(CAST(x AS DECIMAL(19, 0))) OVER w AS BIGINT)}.
   */
  public static RelNode inWindows(RelNode logical) {
    RexBuilder rex = logical.getCluster().getRexBuilder();
    RexShuttle overs = new RexShuttle() {
      @Override public RexNode visitOver(RexOver over) {
        RexOver visited = (RexOver) super.visitOver(over);
        if (!wraps(visited.getAggOperator().getKind(), visited.getType(), visited.getOperands())) {
          return visited;
        }
        RelDataTypeFactory types = rex.getTypeFactory();
        RexNode arg = visited.getOperands().get(0);
        RelDataType decimal = types.createTypeWithNullability(
            types.createSqlType(SqlTypeName.DECIMAL, BIGINT_DIGITS, 0), arg.getType().isNullable());
        RelDataType sum = types.createTypeWithNullability(types.getTypeSystem().deriveSumType(types, decimal),
            visited.getType().isNullable());
        RexWindow w = visited.getWindow();
        RexNode wide = rex.makeOver(sum, visited.getAggOperator(), List.of(rex.makeCast(decimal, arg)),
            w.partitionKeys, w.orderKeys, w.getLowerBound(), w.getUpperBound(), w.getExclude(), w.isRows(),
            true, false, visited.isDistinct(), visited.ignoreNulls());
        return rex.makeCast(visited.getType(), wide);
      }
    };
    return logical.accept(new RelHomogeneousShuttle() {
      @Override public RelNode visit(RelNode other) {
        return super.visit(other).accept(overs);
      }
    });
  }

  private static boolean wraps(SqlKind kind, RelDataType type, List<RexNode> operands) {
    return (kind == SqlKind.SUM || kind == SqlKind.SUM0) && operands.size() == 1
        && type.getSqlTypeName() == SqlTypeName.BIGINT && operands.get(0).getType().getSqlTypeName() == SqlTypeName.BIGINT;
  }

  @Override public RelNode visit(RelNode other) {
    boolean aboveSums = other instanceof EnumerableCalc c && c.getInput() instanceof EnumerableAggregate agg
        && agg.getAggCallList().stream().anyMatch(call -> wraps(agg, call));
    RelNode rel = super.visit(other);
    if (aboveSums && rel instanceof EnumerableCalc calc && calc.getInput() instanceof EnumerableCalc checked) {
      return toFloatsUnchecked(calc, checked);
    }
    return rel instanceof EnumerableAggregate agg && agg.getAggCallList().stream().anyMatch(c -> wraps(agg, c))
        ? checked(agg) : rel;
  }

  /**
   * {@code calc} over {@code checked} (the sums cast back to BIGINT) as one
   * calc, where a sum that only becomes a DOUBLE (the half of an AVG, which
   * is a DOUBLE) goes from DECIMAL to DOUBLE directly: such an AVG does not
   * fail where its sum passes BIGINT's range, as mmapsql's one-pass AVG does not.
   */
  private static RelNode toFloatsUnchecked(EnumerableCalc calc, EnumerableCalc checked) {
    RexBuilder rex = calc.getCluster().getRexBuilder();
    RexProgram merged = RexProgramBuilder.mergePrograms(calc.getProgram(), checked.getProgram(), rex);
    RexShuttle direct = new RexShuttle() {
      @Override public RexNode visitCall(RexCall call) {
        if (call.getKind() == SqlKind.CAST && SqlTypeUtil.isApproximateNumeric(call.getType())) {
          RexNode wide = fromDecimal(call.getOperands().get(0), call.getType(), rex);
          if (wide != null) {
            return wide;
          }
        }
        return super.visitCall(call);
      }
    };
    List<RexNode> projects = new ArrayList<>();
    merged.getProjectList().forEach(p -> projects.add(merged.expandLocalRef(p).accept(direct)));
    RexNode condition = merged.getCondition() == null ? null : merged.expandLocalRef(merged.getCondition()).accept(direct);
    RexProgram program = RexProgram.create(checked.getInput().getRowType(), projects, condition,
        calc.getRowType(), rex);
    return EnumerableCalc.create(checked.getInput(), program);
  }

  /** {@code e}, a BIGINT made of DECIMAL sums cast back (or CASE and NULL around them), as {@code type}; else null. */
  private static @Nullable RexNode fromDecimal(RexNode e, RelDataType type, RexBuilder rex) {
    if (e.getType().getSqlTypeName() != SqlTypeName.BIGINT) {
      return null;
    }
    if (e.getKind() == SqlKind.CAST && ((RexCall) e).getOperands().get(0).getType().getSqlTypeName() == SqlTypeName.DECIMAL
        && ((RexCall) e).getOperands().get(0) instanceof RexInputRef) {
      return rex.makeCast(type, ((RexCall) e).getOperands().get(0));
    }
    if (e instanceof RexLiteral lit && lit.isNull()) {
      return rex.makeNullLiteral(type);
    }
    if (e.getKind() == SqlKind.CASE) {
      List<RexNode> ops = new ArrayList<>(((RexCall) e).getOperands());
      for (int i = 0; i < ops.size(); i++) {
        if (i % 2 == 1 || i == ops.size() - 1) { // a value, not a condition
          RexNode v = fromDecimal(ops.get(i), type, rex);
          if (v == null) {
            return null;
          }
          ops.set(i, v);
        }
      }
      return rex.makeCall(type, SqlStdOperatorTable.CASE, ops);
    }
    return null;
  }

  /** A SUM or $SUM0 of a BIGINT as a BIGINT. */
  private static boolean wraps(EnumerableAggregate agg, AggregateCall c) {
    return (c.getAggregation().getKind() == SqlKind.SUM || c.getAggregation().getKind() == SqlKind.SUM0)
        && c.getArgList().size() == 1 && c.getType().getSqlTypeName() == SqlTypeName.BIGINT
        && agg.getInput().getRowType().getFieldList().get(c.getArgList().get(0)).getType().getSqlTypeName()
            == SqlTypeName.BIGINT;
  }

  /** Input + DECIMAL copies of the summed columns; the aggregate over them; its sums cast back to BIGINT. */
  private static RelNode checked(EnumerableAggregate agg) {
    RexBuilder rex = agg.getCluster().getRexBuilder();
    RelDataTypeFactory types = rex.getTypeFactory();
    RelNode input = agg.getInput();
    RexProgramBuilder below = new RexProgramBuilder(input.getRowType(), rex);
    input.getRowType().getFieldList().forEach(f -> below.addProject(rex.makeInputRef(input, f.getIndex()), f.getName()));
    List<AggregateCall> calls = new ArrayList<>();
    for (AggregateCall c : agg.getAggCallList()) {
      if (!wraps(agg, c)) {
        calls.add(c);
        continue;
      }
      int arg = c.getArgList().get(0);
      RelDataType argType = input.getRowType().getFieldList().get(arg).getType();
      RelDataType decimal = types.createTypeWithNullability(
          types.createSqlType(SqlTypeName.DECIMAL, BIGINT_DIGITS, 0), argType.isNullable());
      int column = below.addProject(rex.makeCast(decimal, rex.makeInputRef(input, arg)), null).getIndex();
      RelDataType sum = types.createTypeWithNullability(types.getTypeSystem().deriveSumType(types, decimal),
          c.getType().isNullable());
      calls.add(AggregateCall.create(c.getParserPosition(), c.getAggregation(), c.isDistinct(), c.isApproximate(),
          c.ignoreNulls(), c.rexList, List.of(column), c.filterArg, c.distinctKeys, c.collation, sum, c.getName()));
    }
    RelNode wide;
    try {
      wide = new EnumerableAggregate(agg.getCluster(), agg.getTraitSet(),
          EnumerableCalc.create(input, below.getProgram()), agg.getGroupSet(), agg.getGroupSets(), calls);
    } catch (InvalidRelException e) {
      return agg; // cannot happen for an aggregate that was valid; then it stays as Calcite planned it
    }
    RexProgramBuilder above = new RexProgramBuilder(wide.getRowType(), rex);
    for (int i = 0; i < agg.getRowType().getFieldCount(); i++) {
      var f = agg.getRowType().getFieldList().get(i);
      var ref = rex.makeInputRef(wide, i);
      above.addProject(ref.getType().equals(f.getType()) ? ref : rex.makeCast(f.getType(), ref), f.getName());
    }
    return EnumerableCalc.create(wide, above.getProgram());
  }
}
