package org.mmapsql.jdbc;

import java.math.BigDecimal;
import java.sql.Types;
import java.util.List;

import org.apache.calcite.DataContext;
import org.apache.calcite.avatica.AvaticaParameter;
import org.apache.calcite.jdbc.CalcitePrepare;
import org.apache.calcite.jdbc.CalcitePrepare.CalciteSignature;
import org.apache.calcite.linq4j.Enumerable;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One prepared statement in the {@link PlanCache}: Calcite's signature, and
 * for each number of the statement's {@link SqlShape} either the text it must
 * have (a fixed slot: LIMIT 10, a number outside WHERE) or the plan parameter
 * it becomes. A number fits a parameter only if the parameter's type holds
 * its value exactly, so the answer is the one the literal would give.
 */
final class CachedPlan {
  private final CalciteSignature<?> signature;
  /** Per slot: the text it must have, or null for a parameter. */
  private final @Nullable String[] fixed;
  private final List<AvaticaParameter> parameters;
  /** Made from the literal text because the numbers could not become parameters. */
  private final boolean literalOnly;

  private CachedPlan(CalciteSignature<?> signature, @Nullable String[] fixed, boolean literalOnly) {
    this.signature = signature;
    this.fixed = fixed;
    this.parameters = signature.parameters;
    this.literalOnly = literalOnly;
  }

  /** A plan of the statement as written: every number fixed. */
  static CachedPlan literal(CalciteSignature<?> signature, SqlShape shape, boolean literalOnly) {
    String[] fixed = new String[shape.slots.size()];
    for (int i = 0; i < fixed.length; i++) {
      fixed[i] = shape.text(i);
    }
    return new CachedPlan(signature, fixed, literalOnly);
  }

  /**
   * A plan of the statement with the slots marked in {@code parameter} written
   * as {@code ?}, or null if the signature does not have one parameter for each.
   */
  static @Nullable CachedPlan parameterized(CalciteSignature<?> signature, SqlShape shape, boolean[] parameter) {
    String[] fixed = new String[shape.slots.size()];
    int count = 0;
    for (int i = 0; i < fixed.length; i++) {
      if (parameter[i]) {
        count++;
      } else {
        fixed[i] = shape.text(i);
      }
    }
    return signature.parameters.size() == count ? new CachedPlan(signature, fixed, false) : null;
  }

  boolean literalOnly() {
    return literalOnly;
  }

  /** Whether some numbers of the statement are parameters of this plan. */
  boolean parameterized() {
    return !parameters.isEmpty();
  }

  /** This plan with {@code shape}'s numbers as its parameter values, or null if they do not fit. */
  @Nullable Bound bind(SqlShape shape) {
    if (shape.slots.size() != fixed.length) {
      return null;
    }
    Object[] values = new Object[parameters.size()];
    int p = 0;
    for (int i = 0; i < fixed.length; i++) {
      String text = shape.text(i);
      if (fixed[i] != null) {
        if (!fixed[i].equals(text)) {
          return null;
        }
      } else {
        Object v = exactly(text, shape.slots.get(i).kind(), parameters.get(p));
        if (v == null) {
          return null;
        }
        values[p++] = v;
      }
    }
    return new Bound(signature, values);
  }

  /**
   * The number {@code text} as a value of the parameter's type (the Java class
   * generated code expects for it), or null unless that type holds it exactly.
   * A number with an exponent is a DOUBLE to Calcite, compared as one: it binds
   * only to a floating-point parameter.
   */
  static @Nullable Object exactly(String text, SqlShape.Kind kind, AvaticaParameter parameter) {
    if (kind == SqlShape.Kind.EXPONENT && parameter.parameterType != Types.DOUBLE
        && parameter.parameterType != Types.FLOAT && parameter.parameterType != Types.REAL) {
      return null;
    }
    BigDecimal d;
    try {
      d = new BigDecimal(text);
    } catch (NumberFormatException e) {
      return null;
    }
    try {
      return switch (parameter.parameterType) {
        case Types.TINYINT -> d.byteValueExact();
        case Types.SMALLINT -> d.shortValueExact();
        case Types.INTEGER -> d.intValueExact();
        case Types.BIGINT -> d.longValueExact();
        case Types.DOUBLE, Types.FLOAT -> {
          double v = d.doubleValue();
          yield !Double.isInfinite(v) && new BigDecimal(v).compareTo(d) == 0 ? v : null;
        }
        case Types.REAL -> {
          float v = d.floatValue();
          yield !Float.isInfinite(v) && new BigDecimal(v).compareTo(d) == 0 ? v : null;
        }
        case Types.DECIMAL, Types.NUMERIC -> {
          BigDecimal v = d.setScale(parameter.scale); // throws unless exact
          yield v.precision() <= parameter.precision ? v : null;
        }
        default -> null;
      };
    } catch (ArithmeticException e) {
      return null;
    }
  }

  /** A cached plan and the values of its parameters for one statement. */
  record Bound(CalciteSignature<?> signature, Object[] values) {
    /**
     * The signature a statement executes: the cached plan, on this
     * connection's schema, with the values as its parameters; to JDBC it has none.
     */
    <T> CalciteSignature<T> on(CalcitePrepare.Context context, String sql) {
      // The live schema, not the snapshot Calcite took for planning: the plan is made already,
      // and a snapshot lists every table the first time it looks one up.
      return on(context.getMutableRootSchema(), sql);
    }

    <T> CalciteSignature<T> on(org.apache.calcite.jdbc.@Nullable CalciteSchema rootSchema, String sql) {
      @SuppressWarnings("unchecked")
      CalciteSignature<T> s = (CalciteSignature<T>) signature;
      Object[] v = values;
      // The values bound here are all its parameters, or there are none and the statement's own stay.
      return new CalciteSignature<>(sql, v.length == 0 ? s.parameters : List.of(), s.internalParameters, s.rowType, s.columns,
          s.cursorFactory, rootSchema, s.getCollationList(), -1, null, // s applies its own row limit
          s.statementType) {
        @Override public Enumerable<T> enumerable(DataContext dataContext) {
          return Errors.guard(s::enumerable).bind(v.length == 0 ? IntegerParameters.of(dataContext, s.parameters)
              : new Literals(dataContext, v));
        }
      };
    }
  }

  /** A statement's data context, with the numbers cut out of its text as parameters {@code ?0, ?1, ...}. */
  private record Literals(DataContext context, Object[] values) implements ForwardingContext {
    @Override public @Nullable Object get(String name) {
      if (name.length() > 1 && name.charAt(0) == '?') {
        try {
          int i = Integer.parseInt(name, 1, name.length(), 10);
          if (i < values.length) {
            return values[i];
          }
        } catch (NumberFormatException ignored) {
          // not a parameter name
        }
      }
      return context.get(name);
    }
  }
}
