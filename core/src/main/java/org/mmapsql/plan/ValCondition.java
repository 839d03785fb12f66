package org.mmapsql.plan;

import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.linq4j.tree.Types;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.BuiltInMethod;
import org.apache.calcite.util.Sarg;
import org.mmapsql.exec.ValBounds;
import org.mmapsql.storage.ElementType;
import org.mmapsql.storage.Layout;

import com.google.common.collect.BoundType;
import com.google.common.collect.Range;

/**
 * Predicates on one value column that an aggregate's loop answers: that
 * column (or a cast that keeps every value exact) compared with constants or
 * parameters ({@code =, <, <=, >, >=}), a SEARCH of one interval (what
 * {@code BETWEEN} becomes), and their AND. A float column compares in floating
 * point, with a REAL bound rounded to a float as Calcite does; an integer
 * column compares exactly. Anything else stays with Calcite.
 */
final class ValCondition {
  private static final Method RANGE = Types.lookupMethod(ValBounds.class, "range",
      Object.class, boolean.class, boolean.class, Object.class, boolean.class, boolean.class);
  private static final Method REAL = Types.lookupMethod(ValBounds.class, "real", Object.class);

  private ValCondition() {
  }

  /** The layout column every conjunct of {@code node} bounds, or -1 if it is not such a predicate. */
  static int column(RexNode node, Layout layout) {
    int column = -1;
    for (RexNode c : RelOptUtil.conjunctions(node)) {
      int col = conjunctColumn(c, layout);
      if (col < 0 || column >= 0 && col != column) {
        return -1;
      }
      column = col;
    }
    return column;
  }

  private static int conjunctColumn(RexNode node, Layout layout) {
    switch (node.getKind()) {
    case SEARCH: {
      RexCall call = (RexCall) node;
      if (!(call.getOperands().get(1) instanceof RexLiteral lit) || lit.getValueAs(Sarg.class) == null
          || lit.getValueAs(Sarg.class).rangeSet.asRanges().size() != 1) {
        return -1;
      }
      return valueColumn(call.getOperands().get(0), lit, layout);
    }
    case EQUALS:
    case LESS_THAN:
    case LESS_THAN_OR_EQUAL:
    case GREATER_THAN:
    case GREATER_THAN_OR_EQUAL: {
      RexCall call = (RexCall) node;
      RexNode a = call.getOperands().get(0);
      RexNode b = call.getOperands().get(1);
      int col = isBound(b) ? valueColumn(a, b, layout) : -1;
      return col >= 0 ? col : isBound(a) ? valueColumn(b, a, layout) : -1;
    }
    default:
      return -1;
    }
  }

  private static boolean isBound(RexNode node) {
    return node instanceof RexDynamicParam
        || node instanceof RexLiteral lit && !lit.isNull() && lit.getValueAs(BigDecimal.class) != null;
  }

  /** The layout column {@code side} reads exactly, compared with {@code bound}; -1 if none. */
  private static int valueColumn(RexNode side, RexNode bound, Layout layout) {
    RexNode ref = side.getKind() == SqlKind.CAST ? ((RexCall) side).getOperands().get(0) : side;
    if (!(ref instanceof RexInputRef r) || r.getIndex() < 1 || r.getIndex() > layout.columns().size()
        || ref != side && !widens(ref.getType(), side.getType())) {
      return -1;
    }
    int column = r.getIndex() - 1;
    ElementType type = layout.columns().get(column).dtype().type();
    if (type.nullable() || type.numeric() == ElementType.Numeric.NONE) {
      return -1;
    }
    SqlTypeName compared = side.getType().getSqlTypeName();
    boolean approx = SqlTypeFamily.APPROXIMATE_NUMERIC.getTypeNames().contains(compared);
    boolean exact = SqlTypeFamily.EXACT_NUMERIC.getTypeNames().contains(compared);
    boolean boundApprox = bound instanceof RexDynamicParam
        || SqlTypeFamily.APPROXIMATE_NUMERIC.getTypeNames().contains(bound.getType().getSqlTypeName());
    if (type.numeric() == ElementType.Numeric.DOUBLE) {
      return approx && boundApprox ? column : -1;
    }
    int width = layout.columns().get(column).dtype().width();
    boolean exactInDouble = compared == SqlTypeName.REAL ? width <= 2 : width <= 4;
    return exact || approx && exactInDouble ? column : -1;
  }

  /**
   * Whether a cast from {@code from} to {@code to} keeps every value: a wider
   * integer or decimal, a wider float. An integer to a float is checked by the
   * caller, by the width of the column's dtype.
   */
  private static boolean widens(RelDataType from, RelDataType to) {
    SqlTypeName f = from.getSqlTypeName();
    SqlTypeName t = to.getSqlTypeName();
    if (SqlTypeFamily.APPROXIMATE_NUMERIC.getTypeNames().contains(f)) {
      return t == SqlTypeName.DOUBLE || t == SqlTypeName.FLOAT || t == f;
    }
    if (SqlTypeFamily.APPROXIMATE_NUMERIC.getTypeNames().contains(t)) {
      return SqlTypeFamily.EXACT_NUMERIC.getTypeNames().contains(f);
    }
    int fromDigits = integerDigits(from);
    int toDigits = integerDigits(to);
    return fromDigits > 0 && toDigits > 0 && from.getScale() <= 0 && toDigits >= fromDigits
        && (t == SqlTypeName.DECIMAL || f != SqlTypeName.DECIMAL);
  }

  /** The decimal digits before the point an exact type holds (BIGINT 19: its range within ±10^19); 0 if not exact. */
  private static int integerDigits(RelDataType type) {
    return switch (type.getSqlTypeName()) {
      case TINYINT -> 3;
      case SMALLINT -> 5;
      case INTEGER -> 10;
      case BIGINT -> 19;
      case DECIMAL -> type.getPrecision() - Math.max(0, type.getScale());
      default -> 0;
    };
  }

  /** Code that evaluates {@code node} to {@link ValBounds}. */
  static Expression toBounds(RexNode node, Expression root) {
    List<Expression> parts = new ArrayList<>();
    for (RexNode c : RelOptUtil.conjunctions(node)) {
      parts.add(c.getKind() == SqlKind.SEARCH ? search((RexCall) c) : comparison((RexCall) c, root));
    }
    return Expressions.call(ValBounds.class, "and", Expressions.newArrayInit(ValBounds.class, parts));
  }

  private static Expression comparison(RexCall call, Expression root) {
    RexNode a = call.getOperands().get(0);
    boolean valueFirst = !isBound(a);
    RexNode side = call.getOperands().get(valueFirst ? 0 : 1);
    RexNode other = call.getOperands().get(valueFirst ? 1 : 0);
    boolean real = side.getType().getSqlTypeName() == SqlTypeName.REAL;
    Expression v;
    if (other instanceof RexDynamicParam p) {
      v = Expressions.call(root, BuiltInMethod.DATA_CONTEXT_GET.method, Expressions.constant("?" + p.getIndex()));
      v = real ? Expressions.call(REAL, v) : v;
    } else {
      v = constant(((RexLiteral) other).getValueAs(BigDecimal.class), side);
    }
    SqlKind kind = valueFirst ? call.getKind() : call.getKind().reverse();
    return switch (kind) {
      case EQUALS -> range(v, true, v, true);
      case LESS_THAN -> range(null, false, v, false);
      case LESS_THAN_OR_EQUAL -> range(null, false, v, true);
      case GREATER_THAN -> range(v, false, null, false);
      case GREATER_THAN_OR_EQUAL -> range(v, true, null, false);
      default -> throw new AssertionError(kind);
    };
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static Expression search(RexCall call) {
    RexNode side = call.getOperands().get(0);
    Sarg<?> sarg = ((RexLiteral) call.getOperands().get(1)).getValueAs(Sarg.class);
    Range r = sarg.rangeSet.asRanges().iterator().next();
    Expression lo = r.hasLowerBound() ? constant(new BigDecimal(r.lowerEndpoint().toString()), side) : null;
    Expression hi = r.hasUpperBound() ? constant(new BigDecimal(r.upperEndpoint().toString()), side) : null;
    return range(lo, r.hasLowerBound() && r.lowerBoundType() == BoundType.CLOSED,
        hi, r.hasUpperBound() && r.upperBoundType() == BoundType.CLOSED);
  }

  /** A constant bound as text: exact for an exact comparison, the float or double Calcite compares with otherwise. */
  private static Expression constant(BigDecimal value, RexNode side) {
    return Expressions.constant(switch (side.getType().getSqlTypeName()) {
      case REAL -> Double.toString(value.floatValue());
      case DOUBLE, FLOAT -> Double.toString(value.doubleValue());
      default -> value.toPlainString();
    });
  }

  private static Expression range(Expression lo, boolean loInclusive, Expression hi, boolean hiInclusive) {
    return Expressions.call(RANGE,
        lo == null ? Expressions.constant(null, Object.class) : lo,
        Expressions.constant(loInclusive), Expressions.constant(lo == null),
        hi == null ? Expressions.constant(null, Object.class) : hi,
        Expressions.constant(hiInclusive), Expressions.constant(hi == null));
  }
}
