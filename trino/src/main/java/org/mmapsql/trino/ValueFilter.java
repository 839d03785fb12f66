package org.mmapsql.trino;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.trino.spi.predicate.Domain;
import io.trino.spi.predicate.Range;
import io.trino.spi.type.BigintType;
import io.trino.spi.type.DoubleType;
import io.trino.spi.type.IntegerType;
import io.trino.spi.type.RealType;
import io.trino.spi.type.SmallintType;
import io.trino.spi.type.TinyintType;
import io.trino.spi.type.Type;

/**
 * A Trino domain on a value column as the SQL condition each shard's server applies
 * (so that only matching rows, or aggregates over them, cross the network). Numbers
 * only, and only where the literal is exact: finite doubles written as approximate
 * literals, reals widened to doubles (exactly), integers as themselves.
 */
final class ValueFilter {
  private ValueFilter() {
  }

  /** The condition on {@code column} that admits exactly the domain's values, or empty if not expressible. */
  static Optional<String> sql(MmapColumnHandle column, Domain domain) {
    if (!pushable(column.type()) || domain.isAll()) {
      return Optional.empty();
    }
    String c = ShardSql.quote(column.name());
    List<String> any = new ArrayList<>();
    for (Range r : domain.getValues().getRanges().getOrderedRanges()) {
      Optional<String> low = r.isLowUnbounded() ? Optional.of("") : literal(column.type(), r.getLowBoundedValue());
      Optional<String> high = r.isHighUnbounded() ? Optional.of("") : literal(column.type(), r.getHighBoundedValue());
      if (low.isEmpty() || high.isEmpty()) {
        return Optional.empty();
      }
      if (r.isSingleValue()) {
        any.add(c + " = " + low.get());
      } else if (r.isLowUnbounded() && r.isHighUnbounded()) {
        any.add(c + " IS NOT NULL");
      } else {
        List<String> both = new ArrayList<>();
        if (!r.isLowUnbounded()) {
          both.add(c + (r.isLowInclusive() ? " >= " : " > ") + low.get());
        }
        if (!r.isHighUnbounded()) {
          both.add(c + (r.isHighInclusive() ? " <= " : " < ") + high.get());
        }
        any.add(String.join(" AND ", both));
      }
    }
    if (domain.isNullAllowed()) {
      any.add(c + " IS NULL");
    }
    return Optional.of(any.isEmpty() ? "FALSE" : "(" + String.join(" OR ", any.stream().map(s -> "(" + s + ")").toList()) + ")");
  }

  private static boolean pushable(Type t) {
    return t == DoubleType.DOUBLE || t == RealType.REAL || t == BigintType.BIGINT || t == IntegerType.INTEGER
        || t == SmallintType.SMALLINT || t == TinyintType.TINYINT;
  }

  private static Optional<String> literal(Type t, Object value) {
    if (t == DoubleType.DOUBLE || t == RealType.REAL) {
      double d = t == RealType.REAL ? Float.intBitsToFloat(Math.toIntExact((Long) value)) : (Double) value;
      if (!Double.isFinite(d)) {
        return Optional.empty();
      }
      String s = Double.toString(d);
      // an approximate literal: read back as the very same double, never as a rounded DECIMAL
      return Optional.of(s.contains("E") ? s : s + "E0");
    }
    long v = (Long) value;
    return v == Long.MIN_VALUE ? Optional.empty() : Optional.of(Long.toString(v));
  }
}
