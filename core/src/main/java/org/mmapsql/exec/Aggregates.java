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
import org.mmapsql.storage.MappedArray;
import org.mmapsql.storage.ValueRange;

/**
 * Aggregates of columns over a set of positions, maybe only the rows whose
 * value lies in a range, computed in one pass per column over the mapped file
 * where it lies ({@link ColumnPass}), without making a row or boxing a value.
 * Float columns sum in double, pairwise ({@link PairwiseSum}: as accurate as
 * numpy's sum, where adding row by row loses digits to every large value), and
 * their MIN and MAX pass over NaN as Calcite's own do; integer columns sum
 * exactly (uint64 as unsigned), so a SUM never wraps around.
 */
public final class Aggregates {
  /** What each output column computes. */
  public enum Kind { COUNT_ROWS, COUNT_VAL, SUM, SUM0, MIN, MAX, AVG }

  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  private Aggregates() {
  }

  /**
   * One row: for each kind, its value over layout column {@code columns[i]}
   * (ignored for COUNT_ROWS) as SQL type {@code types[i]}: null for SUM, MIN,
   * MAX, AVG of no rows; SUM0 gives 0.
   */
  public static Object[] compute(MappedArray array, IdxRanges ranges, Kind[] kinds, int[] columns,
      SqlTypeName[] types, @Nullable AtomicBoolean cancel) {
    return compute(array, ranges, -1, ValueRange.ALL, kinds, columns, types, cancel);
  }

  /**
   * The same over the rows whose column {@code filterColumn} is in {@code filter}
   * (-1 and {@link ValueRange#ALL}: every row); then every aggregate reads that column or none.
   */
  public static Object[] compute(MappedArray array, IdxRanges ranges, int filterColumn, ValueRange filter,
      Kind[] kinds, int[] columns, SqlTypeName[] types, @Nullable AtomicBoolean cancel) {
    long[] starts = new long[ranges.size()];
    long[] ends = new long[ranges.size()];
    for (int i = 0; i < starts.length; i++) {
      starts[i] = ranges.start(i);
      ends[i] = ranges.end(i);
    }
    return row(array, starts, ends, filterColumn, filter, kinds, columns, types, cancel, true);
  }

  /** One row of aggregates over the positions {@code [starts[i], ends[i])}. */
  static Object[] row(MappedArray array, long[] starts, long[] ends, int filterColumn, ValueRange filter,
      Kind[] kinds, int[] columns, SqlTypeName[] types, @Nullable AtomicBoolean cancel, boolean mayParallel) {
    // Made only when a column is read: COUNT(*) reads none, and is a few µs in all.
    Map<Integer, ColumnPass> byColumn = filterColumn < 0 && onlyCounts(kinds) ? Map.of() : new HashMap<>();
    if (filterColumn >= 0) {
      byColumn.put(filterColumn, ColumnPass.over(array, starts, ends, filterColumn, filter, cancel, mayParallel));
    }
    Object[] row = new Object[kinds.length];
    for (int i = 0; i < kinds.length; i++) {
      Kind k = kinds[i];
      if (k != Kind.COUNT_ROWS && k != Kind.COUNT_VAL) {
        ColumnPass s = byColumn.computeIfAbsent(columns[i],
            c -> ColumnPass.over(array, starts, ends, c, ValueRange.ALL, cancel, mayParallel));
        row[i] = result(k, s, types[i]);
      }
    }
    // Counts read only the length; with a pass, the rows it read (fewer if another
    // program cut the file meanwhile), so that the row agrees with itself.
    long all = 0;
    for (int i = 0; i < starts.length; i++) {
      all += ends[i] - starts[i];
    }
    long count = all;
    for (ColumnPass s : byColumn.values()) { // a loop, not a stream: COUNT(*) is a few µs in all
      count = Math.min(count, s.count);
    }
    for (int i = 0; i < kinds.length; i++) {
      if (kinds[i] == Kind.COUNT_ROWS || kinds[i] == Kind.COUNT_VAL) {
        row[i] = count;
      }
    }
    return row;
  }

  /** Whether the aggregates are counts alone, which read the length and no value. */
  public static boolean onlyCounts(Kind[] kinds) {
    for (Kind k : kinds) {
      if (k != Kind.COUNT_ROWS && k != Kind.COUNT_VAL) {
        return false;
      }
    }
    return true;
  }

  private static Object result(Kind k, ColumnPass s, SqlTypeName type) {
    boolean floats = s.floats();
    if (s.count == 0 && k != Kind.SUM0) {
      return null;
    }
    if (s.count == 0) {
      return floats ? as(0.0, type) : as(BigInteger.ZERO, type);
    }
    return switch (k) {
      case SUM, SUM0 -> floats ? as(s.floatSum(), type) : as(s.exactSum(), type);
      case MIN -> floats ? as(s.floatMin(), type) : as(integer(s, s.intMin()), type);
      case MAX -> floats ? as(s.floatMax(), type) : as(integer(s, s.intMax()), type);
      case AVG -> floats ? as(s.floatSum() / s.count, type)
          : as(new BigDecimal(s.exactSum()).divide(BigDecimal.valueOf(s.count), java.math.MathContext.DECIMAL128),
              type);
      default -> throw new AssertionError(k);
    };
  }

  private static BigInteger integer(ColumnPass s, long v) {
    return s.unsigned() ? unsigned(v) : BigInteger.valueOf(v);
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
