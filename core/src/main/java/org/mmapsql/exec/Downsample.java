package org.mmapsql.exec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.calcite.sql.type.SqlTypeName;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.storage.MappedArray;
import org.mmapsql.storage.ValueRange;

/**
 * {@code GROUP BY idx / k}: the aggregates of each run of {@code k}
 * consecutive idx values, one row per bucket that holds a row, in bucket
 * order, each bucket computed as {@link Aggregates} computes a whole table
 * (so MIN, MAX, SUM and AVG of a bucket are those of {@code WHERE idx BETWEEN
 * b*k AND b*k+k-1}). Buckets are spread over every core when there are many
 * rows; each is still summed alone and in order, so results do not depend on
 * the number of threads.
 */
public final class Downsample {
  private Downsample() {
  }

  /**
   * Rows {@code (bucket, aggregates...)} over the positions {@code ranges} of
   * a file whose first row is idx {@code base}; {@code types[0]} is the type
   * of the bucket, {@code types[1 + i]} that of aggregate i.
   */
  public static List<Object[]> compute(MappedArray array, IdxRanges ranges, long base, long k,
      Aggregates.Kind[] kinds, int[] columns, SqlTypeName[] types, @Nullable AtomicBoolean cancel) {
    List<Long> buckets = new ArrayList<>();
    List<long[]> starts = new ArrayList<>();
    List<long[]> ends = new ArrayList<>();
    long rows = 0;
    for (int r = 0; r < ranges.size(); r++) {
      for (long p = ranges.start(r); p < ranges.end(r); ) {
        long bucket = (base + p) / k; // idx >= 0: truncation is floor
        long end = Math.min(ranges.end(r), (bucket + 1) * k - base);
        if (!buckets.isEmpty() && buckets.get(buckets.size() - 1) == bucket) {
          // idx IN (1, 5) with k = 10: one bucket, two pieces
          int last = buckets.size() - 1;
          starts.set(last, append(starts.get(last), p));
          ends.set(last, append(ends.get(last), end));
        } else {
          buckets.add(bucket);
          starts.add(new long[] {p});
          ends.add(new long[] {end});
        }
        rows += end - p;
        p = end;
      }
    }
    Object[][] out = new Object[buckets.size()][];
    SqlTypeName[] aggTypes = java.util.Arrays.copyOfRange(types, 1, types.length);
    ColumnPass.each(out.length, rows >= ColumnPass.PARALLEL, b -> {
      Cancellation.check(cancel);
      Object[] aggs = Aggregates.row(array, starts.get(b), ends.get(b), -1, ValueRange.ALL, kinds, columns,
          aggTypes, cancel, false);
      Object[] row = new Object[aggs.length + 1];
      row[0] = key(buckets.get(b), types[0]);
      System.arraycopy(aggs, 0, row, 1, aggs.length);
      out[b] = row;
    });
    List<Object[]> result = new ArrayList<>(out.length);
    for (int b = 0; b < out.length; b++) {
      if (rowsOf(out[b], kinds) != 0) { // a bucket cut away by a truncation has no row
        result.add(out[b]);
      }
    }
    return result;
  }

  private static long rowsOf(Object[] row, Aggregates.Kind[] kinds) {
    for (int i = 0; i < kinds.length; i++) {
      if (kinds[i] == Aggregates.Kind.COUNT_ROWS || kinds[i] == Aggregates.Kind.COUNT_VAL) {
        return (Long) row[i + 1];
      }
    }
    for (int i = 0; i < kinds.length; i++) {
      if (kinds[i] != Aggregates.Kind.SUM0) {
        return row[i + 1] == null ? 0 : 1;
      }
    }
    return 1;
  }

  private static long[] append(long[] a, long v) {
    long[] b = java.util.Arrays.copyOf(a, a.length + 1);
    b[a.length] = v;
    return b;
  }

  private static Object key(long bucket, SqlTypeName type) {
    return switch (type) {
      case INTEGER -> (int) bucket;
      case DECIMAL -> BigDecimal.valueOf(bucket);
      default -> bucket;
    };
  }
}
