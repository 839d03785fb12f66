package org.mmapsql.exec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.calcite.sql.type.SqlTypeName;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.storage.ElementType;
import org.mmapsql.storage.MappedArray;

/**
 * Aggregates of columns over a set of positions, computed in one pass per
 * column over the mapped file, block by block, without making a row or boxing
 * a value: one loop per numeric family. Float columns sum in double, pairwise
 * ({@link PairwiseSum}: as accurate as numpy's sum, where adding row by row
 * loses digits to every large value); integer columns sum exactly (a long that
 * carries into a BigInteger on overflow; uint64 as unsigned), so a SUM never
 * wraps around.
 */
public final class Aggregates {
  /** What each output column computes. */
  public enum Kind { COUNT_ROWS, COUNT_VAL, SUM, SUM0, MIN, MAX, AVG }

  private static final int BLOCK = 8192;
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  private Aggregates() {
  }

  /** The result of one pass over a column: its count, exact or float sum, min and max. */
  private static final class Stats {
    long count;
    double dsum;
    double dmin;
    double dmax;
    long lsum;
    /** What the long sum has carried out of 64 bits, or for uint64 the count of carries. */
    BigInteger carried = BigInteger.ZERO;
    long lmin;
    long lmax;
    ElementType.Numeric numeric;

    /** The exact sum of an integer column. */
    BigInteger exactSum() {
      return numeric == ElementType.Numeric.ULONG
          ? carried.multiply(TWO_64).add(unsigned(lsum)) : carried.add(BigInteger.valueOf(lsum));
    }
  }

  /**
   * One row: for each kind, its value over layout column {@code columns[i]}
   * (ignored for COUNT_ROWS) as SQL type {@code types[i]}: null for SUM, MIN,
   * MAX, AVG of no rows; SUM0 gives 0.
   */
  public static Object[] compute(MappedArray array, IdxRanges ranges, Kind[] kinds, int[] columns,
      SqlTypeName[] types, @Nullable AtomicBoolean cancel) {
    Map<Integer, Stats> byColumn = new HashMap<>();
    Object[] row = new Object[kinds.length];
    for (int i = 0; i < kinds.length; i++) {
      Kind k = kinds[i];
      if (k != Kind.COUNT_ROWS && k != Kind.COUNT_VAL) {
        Stats s = byColumn.computeIfAbsent(columns[i], c -> pass(array, ranges, c, cancel));
        row[i] = result(k, s, types[i]);
      }
    }
    // Counts read only the length; with a pass, the rows it read (fewer if another
    // program cut the file meanwhile), so that the row agrees with itself.
    long count = byColumn.values().stream().mapToLong(s -> s.count).min().orElse(ranges.count());
    for (int i = 0; i < kinds.length; i++) {
      if (kinds[i] == Kind.COUNT_ROWS || kinds[i] == Kind.COUNT_VAL) {
        row[i] = count;
      }
    }
    return row;
  }

  private static Stats pass(MappedArray array, IdxRanges ranges, int column, @Nullable AtomicBoolean cancel) {
    Stats s = new Stats();
    s.numeric = array.layout().columns().get(column).dtype().type().numeric();
    switch (s.numeric) {
      case DOUBLE -> doubles(array, ranges, column, cancel, s);
      case LONG -> longs(array, ranges, column, cancel, s);
      case ULONG -> unsignedLongs(array, ranges, column, cancel, s);
      default -> throw new IllegalStateException("no aggregates over " + s.numeric);
    }
    return s;
  }

  private static void doubles(MappedArray array, IdxRanges ranges, int column, @Nullable AtomicBoolean cancel,
      Stats s) {
    PairwiseSum sum = new PairwiseSum();
    double min = 0;
    double max = 0;
    long count = 0;
    double[] block = new double[BLOCK];
    for (int r = 0; r < ranges.size(); r++) {
      for (long i = ranges.start(r); i < ranges.end(r); ) {
        Cancellation.check(cancel);
        int n = array.readDoubles(i, (int) Math.min(BLOCK, ranges.end(r) - i), column, block);
        if (n == 0) {
          break; // cut short by a truncation
        }
        if (count == 0) {
          min = block[0];
          max = block[0];
        }
        sum.add(block, n);
        for (int j = 0; j < n; j++) {
          double v = block[j];
          // As Calcite's own MIN and MAX compare, so that NaN gives the same
          // answer whichever plan runs: a NaN never replaces a value.
          min = min > v ? v : min;
          max = max < v ? v : max;
        }
        count += n;
        i += n;
      }
    }
    s.count = count;
    s.dsum = sum.total();
    s.dmin = min;
    s.dmax = max;
  }

  private static void longs(MappedArray array, IdxRanges ranges, int column, @Nullable AtomicBoolean cancel,
      Stats s) {
    long sum = 0;
    BigInteger carried = BigInteger.ZERO;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    long count = 0;
    long[] block = new long[BLOCK];
    for (int r = 0; r < ranges.size(); r++) {
      for (long i = ranges.start(r); i < ranges.end(r); ) {
        Cancellation.check(cancel);
        int n = array.readLongs(i, (int) Math.min(BLOCK, ranges.end(r) - i), column, block);
        if (n == 0) {
          break;
        }
        for (int j = 0; j < n; j++) {
          long v = block[j];
          long t = sum + v;
          if (((sum ^ t) & (v ^ t)) < 0) { // overflowed: carry the partial sum out
            carried = carried.add(BigInteger.valueOf(sum));
            t = v;
          }
          sum = t;
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        count += n;
        i += n;
      }
    }
    s.count = count;
    s.lsum = sum;
    s.carried = carried;
    s.lmin = min;
    s.lmax = max;
  }

  private static void unsignedLongs(MappedArray array, IdxRanges ranges, int column,
      @Nullable AtomicBoolean cancel, Stats s) {
    long sum = 0;
    long carries = 0;
    long min = -1; // the largest unsigned value
    long max = 0;
    long count = 0;
    long[] block = new long[BLOCK];
    for (int r = 0; r < ranges.size(); r++) {
      for (long i = ranges.start(r); i < ranges.end(r); ) {
        Cancellation.check(cancel);
        int n = array.readLongs(i, (int) Math.min(BLOCK, ranges.end(r) - i), column, block);
        if (n == 0) {
          break;
        }
        for (int j = 0; j < n; j++) {
          long v = block[j];
          long t = sum + v;
          if (Long.compareUnsigned(t, sum) < 0) {
            carries++;
          }
          sum = t;
          min = Long.compareUnsigned(v, min) < 0 ? v : min;
          max = Long.compareUnsigned(v, max) > 0 ? v : max;
        }
        count += n;
        i += n;
      }
    }
    s.count = count;
    s.lsum = sum;
    s.carried = BigInteger.valueOf(carries);
    s.lmin = min;
    s.lmax = max;
  }

  private static Object result(Kind k, Stats s, SqlTypeName type) {
    boolean floats = s.numeric == ElementType.Numeric.DOUBLE;
    if (s.count == 0 && k != Kind.SUM0) {
      return null;
    }
    return switch (k) {
      case SUM, SUM0 -> floats ? as(s.dsum, type) : as(s.exactSum(), type);
      case MIN -> floats ? as(s.dmin, type) : as(integer(s, s.lmin), type);
      case MAX -> floats ? as(s.dmax, type) : as(integer(s, s.lmax), type);
      case AVG -> floats ? as(s.dsum / s.count, type)
          : as(new BigDecimal(s.exactSum()).divide(BigDecimal.valueOf(s.count), java.math.MathContext.DECIMAL128),
              type);
      default -> throw new AssertionError(k);
    };
  }

  private static BigInteger integer(Stats s, long v) {
    return s.numeric == ElementType.Numeric.ULONG ? unsigned(v) : BigInteger.valueOf(v);
  }

  private static BigInteger unsigned(long x) {
    return x >= 0 ? BigInteger.valueOf(x) : BigInteger.valueOf(x).add(TWO_64);
  }

  /** A float result as the SQL type of its column. */
  private static Object as(double v, SqlTypeName type) {
    return switch (type) {
      case REAL, FLOAT -> (float) v;
      case DECIMAL -> BigDecimal.valueOf(v);
      default -> v;
    };
  }

  /** An exact result as the SQL type of its column; a sum that does not fit is an error, never wrapped. */
  private static Object as(Number v, SqlTypeName type) {
    BigDecimal d = v instanceof BigDecimal b ? b : new BigDecimal((BigInteger) v);
    try {
      return switch (type) {
        case TINYINT -> d.byteValueExact();
        case SMALLINT -> d.shortValueExact();
        case INTEGER -> d.intValueExact();
        case BIGINT -> d.longValueExact();
        case REAL, FLOAT -> d.floatValue();
        case DOUBLE -> d.doubleValue();
        default -> d;
      };
    } catch (ArithmeticException e) {
      throw new MmapException(SqlState.NUMERIC_OUT_OF_RANGE, "aggregate value " + d + " does not fit its type "
          + type + "; nothing was wrapped around");
    }
  }
}
