package org.mmapsql.exec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.storage.ElementType;
import org.mmapsql.storage.ValueRange;

/**
 * The bounds an aggregate's {@code WHERE} puts on the value column ({@code val
 * > ?}, {@code val BETWEEN a AND b}), built at execution from constants and
 * parameters: an interval of doubles for a float column (compared as Calcite
 * compares a float value with a float constant) or of whole numbers for an
 * integer column (compared exactly: {@code val > 2.5} is {@code val >= 3}). A
 * comparison with NULL keeps nothing.
 */
public final class ValBounds {
  private static final int MAX_NUMBER_CHARS = 1000;
  private static final BigDecimal BEYOND_U64 = new BigDecimal(BigInteger.ONE.shiftLeft(64));

  /** Lower and upper bounds, null for none, and whether each is inclusive. */
  private final Object lower;
  private final boolean lowerInclusive;
  private final Object upper;
  private final boolean upperInclusive;
  private final boolean none;
  private final ValBounds[] and;

  private ValBounds(Object lower, boolean lowerInclusive, Object upper, boolean upperInclusive, boolean none,
      ValBounds[] and) {
    this.lower = lower;
    this.lowerInclusive = lowerInclusive;
    this.upper = upper;
    this.upperInclusive = upperInclusive;
    this.none = none;
    this.and = and;
  }

  /** One interval, as {@link IdxRanges#range}: a null bound that is not unbounded is SQL NULL. */
  public static ValBounds range(Object lower, boolean lowerInclusive, boolean lowerUnbounded,
      Object upper, boolean upperInclusive, boolean upperUnbounded) {
    boolean none = !lowerUnbounded && lower == null || !upperUnbounded && upper == null;
    return new ValBounds(lower, lowerInclusive, upper, upperInclusive, none, null);
  }

  public static ValBounds and(ValBounds... all) {
    return new ValBounds(null, false, null, false, false, all);
  }

  /** A parameter compared as a REAL: rounded to a float, as Calcite compares it. */
  public static Object real(Object v) {
    return v instanceof Number n ? (Object) n.floatValue() : v == null ? null : (Object) (float) asDouble(v);
  }

  /** The values kept, for a column of {@code type}. */
  public ValueRange forColumn(ElementType type) {
    if (and != null) {
      ValueRange r = ValueRange.ALL;
      for (ValBounds b : and) {
        r = intersect(r, b.forColumn(type));
      }
      return r;
    }
    boolean floats = type.numeric() == ElementType.Numeric.DOUBLE;
    if (none) {
      return floats ? new ValueRange(false, 1, 0, 0, 0) : new ValueRange(false, 0, 0, 1, 0);
    }
    if (floats) {
      double lo = lower == null ? Double.NEGATIVE_INFINITY : asDouble(lower);
      double hi = upper == null ? Double.POSITIVE_INFINITY : asDouble(upper);
      if (lower != null && !lowerInclusive && lo == Double.POSITIVE_INFINITY
          || upper != null && !upperInclusive && hi == Double.NEGATIVE_INFINITY) {
        return new ValueRange(false, 1, 0, 0, 0); // beyond an infinity: nextUp(+inf) is +inf itself
      }
      lo = lower != null && !lowerInclusive ? Math.nextUp(lo) : lo;
      hi = upper != null && !upperInclusive ? Math.nextDown(hi) : hi;
      return new ValueRange(false, lo, hi, 0, 0); // a NaN bound keeps nothing: no value compares with it
    }
    boolean u64 = type.numeric() == ElementType.Numeric.ULONG;
    BigDecimal min = u64 ? BigDecimal.ZERO : BigDecimal.valueOf(Long.MIN_VALUE);
    BigDecimal max = u64 ? BEYOND_U64.subtract(BigDecimal.ONE) : BigDecimal.valueOf(Long.MAX_VALUE);
    BigDecimal lo = lower == null ? min : whole(decimal(lower), lowerInclusive ? RoundingMode.CEILING
        : RoundingMode.FLOOR, lowerInclusive ? 0 : 1);
    BigDecimal hi = upper == null ? max : whole(decimal(upper), upperInclusive ? RoundingMode.FLOOR
        : RoundingMode.CEILING, upperInclusive ? 0 : -1);
    if (lo == null || hi == null || lo.compareTo(hi) > 0 || lo.compareTo(max) > 0 || hi.compareTo(min) < 0) {
      return new ValueRange(false, 0, 0, 1, 0);
    }
    long l = lo.max(min).toBigInteger().longValue();
    long h = hi.min(max).toBigInteger().longValue();
    return u64 ? new ValueRange(false, 0, 0, l ^ Long.MIN_VALUE, h ^ Long.MIN_VALUE)
        : new ValueRange(false, 0, 0, l, h);
  }

  private static ValueRange intersect(ValueRange a, ValueRange b) {
    if (a.all()) {
      return b;
    }
    if (b.all()) {
      return a;
    }
    return new ValueRange(false, Math.max(a.lo(), b.lo()), Math.min(a.hi(), b.hi()),
        Math.max(a.lowest(), b.lowest()), Math.min(a.highest(), b.highest()));
  }

  /** {@code d} rounded to a whole number and moved by {@code step}; null for NaN. Infinities: far past any long. */
  private static BigDecimal whole(BigDecimal d, RoundingMode mode, int step) {
    if (d == null) {
      return null;
    }
    return d.setScale(0, mode).add(BigDecimal.valueOf(step));
  }

  private static double asDouble(Object o) {
    if (o instanceof Number n) {
      return n.doubleValue();
    }
    String s = text(o);
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw notANumber(s);
    }
  }

  /** An exact number; null for NaN, a value beyond every integer column for the infinities. */
  private static BigDecimal decimal(Object o) {
    if (o instanceof BigDecimal d) {
      return tame(d);
    }
    if (o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte) {
      return BigDecimal.valueOf(((Number) o).longValue());
    }
    if (o instanceof Number n) {
      double d = n.doubleValue();
      return Double.isNaN(d) ? null : Double.isInfinite(d) ? (d > 0 ? BEYOND_U64 : BEYOND_U64.negate())
          : new BigDecimal(d);
    }
    String s = text(o);
    try {
      return tame(new BigDecimal(s));
    } catch (NumberFormatException e) {
      throw notANumber(s);
    }
  }

  /** A number with the same rounding to integers as {@code d} within ±2^64, without building huge ones. */
  private static BigDecimal tame(BigDecimal d) {
    if (d.signum() == 0) {
      return BigDecimal.ZERO; // 0.0000 has a precision of 1 and a scale of 4: not a tiny fraction
    }
    int integerDigits = d.precision() - d.scale();
    if (integerDigits > 21) {
      return d.signum() > 0 ? BEYOND_U64 : BEYOND_U64.negate();
    }
    if (integerDigits < -2) {
      return d.signum() > 0 ? new BigDecimal("0.5") : new BigDecimal("-0.5");
    }
    return d;
  }

  private static String text(Object o) {
    String s = o.toString().trim();
    if (s.length() > MAX_NUMBER_CHARS) {
      throw new MmapException(SqlState.INVALID_NUMBER, "a value compared with a string of " + s.length()
          + " characters; a number has at most " + MAX_NUMBER_CHARS);
    }
    return s;
  }

  private static MmapException notANumber(String s) {
    return new MmapException(SqlState.INVALID_NUMBER, "a value compared with something that is not a number: '"
        + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'");
  }
}
