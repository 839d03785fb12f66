package org.mmapsql.plan;

import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.linq4j.tree.Types;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.util.BuiltInMethod;
import org.apache.calcite.util.Sarg;
import org.mmapsql.exec.IdxRanges;

import com.google.common.collect.BoundType;
import com.google.common.collect.Range;

/**
 * Predicates on idx that positional access answers: comparisons of idx with
 * constants or parameters ({@code =, <, <=, >, >=}), Calcite's SEARCH (what
 * {@code IN} and {@code BETWEEN} become), and their AND and OR. The planner
 * keeps such a predicate as a {@link RexNode} (so EXPLAIN shows it); code
 * generation turns it into calls that build {@link IdxRanges} at execution,
 * when parameter values are known.
 */
final class IdxCondition {
  private static final int IDX = 0;
  private static final Method POINT = Types.lookupMethod(IdxRanges.class, "point", Object.class);
  private static final Method RANGE = Types.lookupMethod(IdxRanges.class, "range",
      Object.class, boolean.class, boolean.class, Object.class, boolean.class, boolean.class);

  private IdxCondition() {
  }

  /** Whether {@code node} is a predicate on idx alone that ranges can express. */
  static boolean accepts(RexNode node) {
    switch (node.getKind()) {
    case AND:
    case OR:
      return ((RexCall) node).getOperands().stream().allMatch(IdxCondition::accepts);
    case SEARCH: {
      RexCall call = (RexCall) node;
      return isIdx(call.getOperands().get(0)) && call.getOperands().get(1) instanceof RexLiteral;
    }
    case EQUALS:
    case LESS_THAN:
    case LESS_THAN_OR_EQUAL:
    case GREATER_THAN:
    case GREATER_THAN_OR_EQUAL: {
      RexCall call = (RexCall) node;
      RexNode a = call.getOperands().get(0);
      RexNode b = call.getOperands().get(1);
      return isIdx(a) && isValue(b) || isIdx(b) && isValue(a);
    }
    default:
      return false;
    }
  }

  private static boolean isIdx(RexNode node) {
    return node instanceof RexInputRef ref && ref.getIndex() == IDX;
  }

  private static boolean isValue(RexNode node) {
    return node instanceof RexDynamicParam
        || node instanceof RexLiteral lit && lit.getValueAs(BigDecimal.class) != null;
  }

  /** Code that evaluates {@code node} to {@link IdxRanges}. */
  static Expression toRanges(RexNode node, Expression root) {
    switch (node.getKind()) {
    case AND:
    case OR: {
      List<Expression> args = new ArrayList<>();
      for (RexNode op : ((RexCall) node).getOperands()) {
        args.add(toRanges(op, root));
      }
      return Expressions.call(IdxRanges.class, node.getKind() == SqlKind.AND ? "and" : "or",
          Expressions.newArrayInit(IdxRanges.class, args));
    }
    case SEARCH:
      return search((RexLiteral) ((RexCall) node).getOperands().get(1));
    default:
      return comparison((RexCall) node, root);
    }
  }

  /**
   * {@code node} as a function that builds its {@link IdxRanges} at execution,
   * with the very calls the code of {@link #toRanges} makes, but no code generated.
   */
  static Function<DataContext, IdxRanges> evaluator(RexNode node) {
    switch (node.getKind()) {
    case AND:
    case OR: {
      List<Function<DataContext, IdxRanges>> parts = new ArrayList<>();
      for (RexNode op : ((RexCall) node).getOperands()) {
        parts.add(evaluator(op));
      }
      boolean and = node.getKind() == SqlKind.AND;
      return root -> {
        IdxRanges[] sets = new IdxRanges[parts.size()];
        for (int i = 0; i < sets.length; i++) {
          sets[i] = parts.get(i).apply(root);
        }
        return and ? IdxRanges.and(sets) : IdxRanges.or(sets);
      };
    }
    case SEARCH: {
      List<Object[]> ranges = new ArrayList<>();
      Sarg<?> sarg = ((RexLiteral) ((RexCall) node).getOperands().get(1)).getValueAs(Sarg.class);
      for (Range<?> r : sarg.rangeSet.asRanges()) {
        ranges.add(new Object[] {r.hasLowerBound() ? r.lowerEndpoint().toString() : null,
            r.hasLowerBound() && r.lowerBoundType() == BoundType.CLOSED,
            r.hasUpperBound() ? r.upperEndpoint().toString() : null,
            r.hasUpperBound() && r.upperBoundType() == BoundType.CLOSED});
      }
      return root -> {
        IdxRanges[] sets = new IdxRanges[ranges.size()];
        for (int i = 0; i < sets.length; i++) {
          Object[] r = ranges.get(i);
          sets[i] = IdxRanges.range(r[0], (Boolean) r[1], r[0] == null, r[2], (Boolean) r[3], r[2] == null);
        }
        return IdxRanges.or(sets);
      };
    }
    default: {
      RexCall call = (RexCall) node;
      boolean idxFirst = isIdx(call.getOperands().get(0));
      RexNode other = call.getOperands().get(idxFirst ? 1 : 0);
      String name = other instanceof RexDynamicParam p ? "?" + p.getIndex() : null;
      Object literal = name != null ? null : ((RexLiteral) other).getValueAs(BigDecimal.class).toString();
      SqlKind kind = idxFirst ? call.getKind() : call.getKind().reverse();
      return root -> {
        Object v = name != null ? root.get(name) : literal;
        return switch (kind) {
          case EQUALS -> IdxRanges.point(v);
          case LESS_THAN -> IdxRanges.range(null, false, true, v, false, false);
          case LESS_THAN_OR_EQUAL -> IdxRanges.range(null, false, true, v, true, false);
          case GREATER_THAN -> IdxRanges.range(v, false, false, null, false, true);
          case GREATER_THAN_OR_EQUAL -> IdxRanges.range(v, true, false, null, false, true);
          default -> throw new AssertionError(kind);
        };
      };
    }
    }
  }

  private static Expression comparison(RexCall call, Expression root) {
    boolean idxFirst = isIdx(call.getOperands().get(0));
    RexNode other = call.getOperands().get(idxFirst ? 1 : 0);
    Expression v = other instanceof RexDynamicParam p
        ? Expressions.call(root, BuiltInMethod.DATA_CONTEXT_GET.method,
            Expressions.constant("?" + p.getIndex()))
        : Expressions.constant(((RexLiteral) other).getValueAs(BigDecimal.class).toString());
    SqlKind kind = idxFirst ? call.getKind() : call.getKind().reverse();
    return switch (kind) {
      case EQUALS -> Expressions.call(POINT, v);
      case LESS_THAN -> range(null, false, v, false);
      case LESS_THAN_OR_EQUAL -> range(null, false, v, true);
      case GREATER_THAN -> range(v, false, null, false);
      case GREATER_THAN_OR_EQUAL -> range(v, true, null, false);
      default -> throw new AssertionError(kind);
    };
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static Expression search(RexLiteral literal) {
    Sarg<?> sarg = literal.getValueAs(Sarg.class);
    List<Expression> ranges = new ArrayList<>();
    for (Range r : sarg.rangeSet.asRanges()) {
      Expression lo = r.hasLowerBound() ? constant(r.lowerEndpoint()) : null;
      Expression hi = r.hasUpperBound() ? constant(r.upperEndpoint()) : null;
      ranges.add(range(lo, r.hasLowerBound() && r.lowerBoundType() == BoundType.CLOSED,
          hi, r.hasUpperBound() && r.upperBoundType() == BoundType.CLOSED));
    }
    return Expressions.call(IdxRanges.class, "or", Expressions.newArrayInit(IdxRanges.class, ranges));
  }

  private static Expression constant(Object endpoint) {
    return Expressions.constant(endpoint.toString());
  }

  private static Expression range(Expression lo, boolean loInclusive, Expression hi, boolean hiInclusive) {
    return Expressions.call(RANGE,
        lo == null ? Expressions.constant(null, Object.class) : lo,
        Expressions.constant(loInclusive), Expressions.constant(lo == null),
        hi == null ? Expressions.constant(null, Object.class) : hi,
        Expressions.constant(hiInclusive), Expressions.constant(hi == null));
  }
}
