package org.mmapsql.jdbc;

import java.math.BigDecimal;
import java.sql.Types;
import java.util.List;

import org.apache.calcite.DataContext;
import org.apache.calcite.avatica.AvaticaParameter;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * A statement's data context in which each parameter Calcite typed as an
 * integer (a {@code ?} compared with an integer column or idx) holds a whole
 * number of its Java class: generated code would truncate 2.5 to 2 (and fail
 * on a String) while an aggregate's own loop compares it exactly, so a
 * fraction is refused (22003) and a number written as text or a whole
 * BigDecimal becomes that number. Values beyond the type, NaN and the
 * infinities pass unchanged, to the checks that already know them.
 */
record IntegerParameters(DataContext context, List<AvaticaParameter> parameters) implements ForwardingContext {

  /** {@code context}, checked if a parameter is typed as an integer. */
  static DataContext of(DataContext context, List<AvaticaParameter> parameters) {
    for (AvaticaParameter p : parameters) {
      if (integer(p)) {
        return new IntegerParameters(context, parameters);
      }
    }
    return context;
  }

  private static boolean integer(AvaticaParameter p) {
    return switch (p.parameterType) {
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> true;
      default -> false;
    };
  }

  @Override public @Nullable Object get(String name) {
    Object v = context.get(name);
    if (v == null || v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
        || name.length() < 2 || name.charAt(0) != '?') {
      return v;
    }
    int i;
    try {
      i = Integer.parseInt(name, 1, name.length(), 10);
    } catch (NumberFormatException e) {
      return v;
    }
    return i < parameters.size() && integer(parameters.get(i)) ? whole(v, i, parameters.get(i)) : v;
  }

  private static Object whole(Object v, int i, AvaticaParameter p) {
    BigDecimal d;
    if (v instanceof BigDecimal b) {
      d = b;
    } else if ((v instanceof Double || v instanceof Float) && Double.isFinite(((Number) v).doubleValue())) {
      d = new BigDecimal(((Number) v).doubleValue());
    } else if (v instanceof String s && s.length() <= 1000) {
      try {
        d = new BigDecimal(s.trim());
      } catch (NumberFormatException e) {
        return v;
      }
    } else {
      return v;
    }
    if (d.signum() == 0) {
      return convert(BigDecimal.ZERO, p, v);
    }
    int integerDigits = d.precision() - d.scale();
    if (integerDigits > 19) {
      return v; // beyond every integer type; checked before anything builds 10^scale
    }
    if (integerDigits <= 0 || d.stripTrailingZeros().scale() > 0) {
      throw new MmapException(SqlState.NUMERIC_OUT_OF_RANGE, "parameter " + (i + 1) + " is " + v
          + ", not a whole number; it is compared with a " + p.typeName + ", which holds whole numbers only");
    }
    return convert(d, p, v);
  }

  /** A whole {@code d} as the parameter's Java class, or the value given when it does not fit. */
  private static Object convert(BigDecimal d, AvaticaParameter p, Object given) {
    try {
      return switch (p.parameterType) {
        case Types.TINYINT -> d.byteValueExact();
        case Types.SMALLINT -> d.shortValueExact();
        case Types.INTEGER -> d.intValueExact();
        default -> d.longValueExact();
      };
    } catch (ArithmeticException e) {
      return given;
    }
  }
}
