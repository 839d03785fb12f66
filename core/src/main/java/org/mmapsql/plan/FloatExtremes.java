package org.mmapsql.plan;

import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.adapter.enumerable.AggAddContext;
import org.apache.calcite.adapter.enumerable.AggContext;
import org.apache.calcite.adapter.enumerable.AggImplementor;
import org.apache.calcite.adapter.enumerable.AggResetContext;
import org.apache.calcite.adapter.enumerable.EnumerableConvention;
import org.apache.calcite.adapter.enumerable.StrictAggImplementor;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.rel.RelHomogeneousShuttle;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexWindow;
import org.apache.calcite.schema.FunctionParameter;
import org.apache.calcite.schema.ImplementableAggFunction;
import org.apache.calcite.sql.SqlAggFunction;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeUtil;
import org.apache.calcite.sql.validate.SqlUserDefinedAggFunction;
import org.apache.calcite.util.Optionality;

/**
 * MIN and MAX of a float wherever Calcite aggregates (a filter it keeps, a
 * GROUP BY other than downsampling, a window), with the semantics of mmapsql's
 * one-pass aggregate ({@link MmapAggregate}): NaN is passed over, and is the
 * answer only when every value is NaN. Calcite's own start from the largest
 * finite double (so MIN of only +Infinity was 1.79e308, MAX of only -Infinity
 * -1.79e308) and its MAX kept a NaN that its MIN passed over. Applied as
 * {@link CheckedSums} is: to the physical plan after the planner, and to
 * windows in the logical plan.
 */
public final class FloatExtremes {
  static final SqlAggFunction MIN = function("MIN", true);
  static final SqlAggFunction MAX = function("MAX", false);

  private FloatExtremes() {
  }

  /** The plan with Calcite's MIN and MAX of floats in its aggregates replaced. */
  public static RelNode apply(RelNode physical) {
    return physical.accept(new RelHomogeneousShuttle() {
      @Override public RelNode visit(RelNode other) {
        RelNode rel = super.visit(other);
        if (!(rel instanceof Aggregate agg) || rel.getConvention() != EnumerableConvention.INSTANCE
            || agg.getAggCallList().stream().noneMatch(FloatExtremes::replaced)) {
          return rel;
        }
        List<AggregateCall> calls = new ArrayList<>();
        for (AggregateCall c : agg.getAggCallList()) {
          calls.add(!replaced(c) ? c : AggregateCall.create(c.getParserPosition(), ours(c.getAggregation()),
              c.isDistinct(), c.isApproximate(), c.ignoreNulls(), c.rexList, c.getArgList(), c.filterArg,
              c.distinctKeys, c.collation, c.getType(), c.getName()));
        }
        return agg.copy(agg.getTraitSet(), agg.getInput(), agg.getGroupSet(), agg.getGroupSets(), calls);
      }
    });
  }

  /** The same for {@code MIN(x) OVER w} (Calcite's window operator cannot be rebuilt after planning). */
  public static RelNode inWindows(RelNode logical) {
    RexBuilder rex = logical.getCluster().getRexBuilder();
    RexShuttle overs = new RexShuttle() {
      @Override public RexNode visitOver(RexOver over) {
        RexOver visited = (RexOver) super.visitOver(over);
        if (visited.getOperands().size() != 1 || !replaced(visited.getAggOperator().getKind(), visited.getType())) {
          return visited;
        }
        RexWindow w = visited.getWindow();
        return rex.makeOver(visited.getType(), ours(visited.getAggOperator()), visited.getOperands(),
            w.partitionKeys, w.orderKeys, w.getLowerBound(), w.getUpperBound(), w.getExclude(), w.isRows(),
            true, false, visited.isDistinct(), visited.ignoreNulls());
      }
    };
    return logical.accept(new RelHomogeneousShuttle() {
      @Override public RelNode visit(RelNode other) {
        return super.visit(other).accept(overs);
      }
    });
  }

  /** {@code acc} and {@code v}'s least, NaN passed over (the generated code of MIN calls it). */
  public static double min(double acc, double v) {
    return Double.isNaN(v) ? acc : Double.isNaN(acc) ? v : Math.min(acc, v);
  }

  public static float min(float acc, float v) {
    return Float.isNaN(v) ? acc : Float.isNaN(acc) ? v : Math.min(acc, v);
  }

  public static double max(double acc, double v) {
    return Double.isNaN(v) ? acc : Double.isNaN(acc) ? v : Math.max(acc, v);
  }

  public static float max(float acc, float v) {
    return Float.isNaN(v) ? acc : Float.isNaN(acc) ? v : Math.max(acc, v);
  }

  private static boolean replaced(AggregateCall c) {
    return c.getArgList().size() == 1 && replaced(c.getAggregation().getKind(), c.getType());
  }

  private static boolean replaced(SqlKind kind, RelDataType type) {
    return (kind == SqlKind.MIN || kind == SqlKind.MAX) && SqlTypeUtil.isApproximateNumeric(type);
  }

  private static SqlAggFunction ours(SqlAggFunction calcites) {
    return calcites.getKind() == SqlKind.MIN ? MIN : MAX;
  }

  /**
   * A function only plans hold (never resolved from SQL): Calcite asks a user-defined
   * aggregate for its implementor, where it looks its own MIN and MAX up in a fixed table.
   */
  private static SqlAggFunction function(String name, boolean least) {
    ImplementableAggFunction f = new ImplementableAggFunction() {
      @Override public AggImplementor getImplementor(boolean windowContext) {
        return new Implementor(least);
      }

      @Override public RelDataType getReturnType(RelDataTypeFactory typeFactory) {
        throw new UnsupportedOperationException("typed by the call it replaces");
      }

      @Override public List<FunctionParameter> getParameters() {
        return List.of();
      }
    };
    return new SqlUserDefinedAggFunction(new SqlIdentifier(name, SqlParserPos.ZERO), SqlKind.OTHER_FUNCTION,
        ReturnTypes.ARG0_NULLABLE_IF_EMPTY, null, null, f, false, false, Optionality.FORBIDDEN);
  }

  /** {@code acc = NaN}, then {@code acc = FloatExtremes.min(acc, x)} (or max) for each value. */
  private static final class Implementor extends StrictAggImplementor {
    private final boolean least;

    Implementor(boolean least) {
      this.least = least;
    }

    @Override protected void implementNotNullReset(AggContext info, AggResetContext reset) {
      Expression acc = reset.accumulator().get(0);
      Object nan = acc.getType() == float.class ? (Object) Float.NaN : (Object) Double.NaN;
      reset.currentBlock().add(Expressions.statement(Expressions.assign(acc, Expressions.constant(nan, acc.getType()))));
    }

    @Override protected void implementNotNullAdd(AggContext info, AggAddContext add) {
      Expression acc = add.accumulator().get(0);
      Expression value = Expressions.convert_(Expressions.unbox(add.arguments().get(0)), acc.getType());
      add.currentBlock().add(Expressions.statement(Expressions.assign(acc,
          Expressions.call(FloatExtremes.class, least ? "min" : "max", acc, value))));
    }
  }
}
