package org.mmapsql.exec;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * A set of positions as sorted, disjoint, half-open intervals
 * {@code [start, end)}. Built at execution time from the idx predicate of a
 * statement (its bounds may be parameters), then clipped to the array length.
 */
public final class IdxRanges {
  public static final IdxRanges ALL = new IdxRanges(new long[] {0}, new long[] {Long.MAX_VALUE});
  public static final IdxRanges NONE = new IdxRanges(new long[0], new long[0]);

  /** Longest string taken as a number: far more digits than any position needs. */
  private static final int MAX_NUMBER_CHARS = 1000;
  private static final BigDecimal BEYOND_LONG = BigDecimal.TEN.pow(19);
  private static final BigDecimal HALF = new BigDecimal("0.5");

  private final long[] starts;
  private final long[] ends;

  private IdxRanges(long[] starts, long[] ends) {
    this.starts = starts;
    this.ends = ends;
  }

  /**
   * One interval; a null bound is unbounded. Bounds are numbers (or strings of
   * numbers) and may be fractional: {@code idx < 2.5} is {@code idx <= 2}.
   * A comparison with an SQL NULL (a NULL parameter) matches nothing.
   */
  public static IdxRanges range(Object lower, boolean lowerInclusive, boolean lowerUnbounded,
      Object upper, boolean upperInclusive, boolean upperUnbounded) {
    if ((!lowerUnbounded && lower == null) || (!upperUnbounded && upper == null)) {
      return NONE;
    }
    long lo = lowerUnbounded ? 0 : lowerBound(decimal(lower), lowerInclusive);
    long hi = upperUnbounded ? Long.MAX_VALUE : upperBound(decimal(upper), upperInclusive);
    lo = Math.max(lo, 0);
    return lo < hi ? new IdxRanges(new long[] {lo}, new long[] {hi}) : NONE;
  }

  /** {@code idx = value}. */
  public static IdxRanges point(Object value) {
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      // What range() makes of an integer, without BigDecimal: a point read's parameter is a long.
      long v = ((Number) value).longValue();
      return v >= 0 && v < Long.MAX_VALUE ? new IdxRanges(new long[] {v}, new long[] {v + 1}) : NONE;
    }
    return range(value, true, false, value, true, false);
  }

  private static BigDecimal decimal(Object o) {
    return tame(parse(o));
  }

  private static BigDecimal parse(Object o) {
    if (o instanceof BigDecimal d) {
      return d;
    }
    if (o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte) {
      return BigDecimal.valueOf(((Number) o).longValue());
    }
    if (o instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isNaN(d)) {
        throw new MmapException(SqlState.DATA_EXCEPTION, "idx cannot be compared with NaN");
      }
      return Double.isInfinite(d) ? BigDecimal.valueOf(d > 0 ? Long.MAX_VALUE : Long.MIN_VALUE)
          : new BigDecimal(d);
    }
    String s = o.toString().trim();
    if (s.length() > MAX_NUMBER_CHARS) {
      throw new MmapException(SqlState.INVALID_NUMBER, "idx compared with a string of " + s.length()
          + " characters; a number has at most " + MAX_NUMBER_CHARS);
    }
    try {
      return new BigDecimal(s);
    } catch (NumberFormatException e) {
      throw new MmapException(SqlState.INVALID_NUMBER, "idx compared with a value that is not a number: '"
          + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'");
    }
  }

  /**
   * {@code d}, or a number with the same floor and ceiling as far as a long
   * position can tell: rounding {@code 1e500000000} or {@code 1e-500000000} to
   * an integer as it is would build a number of 500 million digits. With more
   * than 19 integer digits a value is past the long range; below one in
   * magnitude, only its sign matters.
   */
  private static BigDecimal tame(BigDecimal d) {
    int integerDigits = d.precision() - d.scale();
    if (d.signum() == 0 || integerDigits > 0 && integerDigits <= 19) {
      return d;
    }
    return integerDigits > 19 ? (d.signum() > 0 ? BEYOND_LONG : BEYOND_LONG.negate())
        : (d.signum() > 0 ? HALF : HALF.negate());
  }

  /** First position in the set for a lower bound, saturating at the long range. */
  private static long lowerBound(BigDecimal d, boolean inclusive) {
    BigDecimal first = inclusive ? d.setScale(0, RoundingMode.CEILING)
        : d.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE);
    return clamp(first);
  }

  /** Exclusive end for an upper bound. */
  private static long upperBound(BigDecimal d, boolean inclusive) {
    BigDecimal last = inclusive ? d.setScale(0, RoundingMode.FLOOR)
        : d.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE);
    long l = clamp(last);
    return l == Long.MAX_VALUE ? Long.MAX_VALUE : l + 1;
  }

  private static long clamp(BigDecimal d) {
    if (d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0) {
      return Long.MAX_VALUE;
    }
    if (d.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) <= 0) {
      return Long.MIN_VALUE;
    }
    return d.longValueExact();
  }

  public static IdxRanges or(IdxRanges... sets) {
    List<long[]> all = new ArrayList<>();
    for (IdxRanges s : sets) {
      for (int i = 0; i < s.starts.length; i++) {
        all.add(new long[] {s.starts[i], s.ends[i]});
      }
    }
    all.sort((a, b) -> Long.compare(a[0], b[0]));
    List<long[]> merged = new ArrayList<>();
    for (long[] r : all) {
      long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && r[0] <= last[1]) {
        last[1] = Math.max(last[1], r[1]);
      } else {
        merged.add(r.clone());
      }
    }
    return of(merged);
  }

  public static IdxRanges and(IdxRanges... sets) {
    IdxRanges result = ALL;
    for (IdxRanges s : sets) {
      result = result.intersect(s);
    }
    return result;
  }

  private IdxRanges intersect(IdxRanges o) {
    List<long[]> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < starts.length && j < o.starts.length) {
      long lo = Math.max(starts[i], o.starts[j]);
      long hi = Math.min(ends[i], o.ends[j]);
      if (lo < hi) {
        out.add(new long[] {lo, hi});
      }
      if (ends[i] < o.ends[j]) {
        i++;
      } else {
        j++;
      }
    }
    return of(out);
  }

  private static IdxRanges of(List<long[]> list) {
    long[] s = new long[list.size()];
    long[] e = new long[list.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = list.get(i)[0];
      e[i] = list.get(i)[1];
    }
    return new IdxRanges(s, e);
  }

  /** The part below {@code length}. */
  public IdxRanges clip(long length) {
    if (starts.length == 1) {
      if (starts[0] >= 0 && ends[0] <= length) {
        return this; // one range inside already (a point read)
      }
      // one range reaching past the end (ALL, a COUNT(*)): no merge of lists
      long s = Math.max(starts[0], 0);
      long e = Math.min(ends[0], length);
      return s < e ? new IdxRanges(new long[] {s}, new long[] {e}) : NONE;
    }
    return intersect(new IdxRanges(new long[] {0}, new long[] {length}));
  }

  /**
   * The file positions of these idx values in a shard whose idx starts at
   * {@code base} (MMAP option base): each value less {@code base}, those below it gone.
   */
  public IdxRanges positionsFrom(long base) {
    if (base == 0) {
      return this;
    }
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < starts.length; i++) {
      long s = Math.max(starts[i], base) - base;
      long e = ends[i] == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(ends[i], base) - base;
      if (s < e) {
        out.add(new long[] {s, e});
      }
    }
    return of(out);
  }

  public int size() {
    return starts.length;
  }

  public long start(int i) {
    return starts[i];
  }

  public long end(int i) {
    return ends[i];
  }

  /** Number of positions in the set. */
  public long count() {
    long n = 0;
    for (int i = 0; i < starts.length; i++) {
      n += ends[i] - starts[i];
    }
    return n;
  }

  @Override public String toString() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < starts.length; i++) {
      b.append(i == 0 ? "" : ", ").append('[').append(starts[i]).append("..").append(ends[i]).append(')');
    }
    return b.append(']').toString();
  }

  @Override public boolean equals(Object o) {
    return o instanceof IdxRanges r && Arrays.equals(starts, r.starts) && Arrays.equals(ends, r.ends);
  }

  @Override public int hashCode() {
    return Arrays.hashCode(starts) * 31 + Arrays.hashCode(ends);
  }
}
