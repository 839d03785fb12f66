package org.mmapsql.exec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.sql.type.SqlTypeName;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.storage.MappedArray;
import org.mmapsql.storage.ValueRange;

/**
 * {@code GROUP BY idx / k}: the aggregates of each run of {@code k}
 * consecutive idx values, one row per bucket that holds a row, in bucket
 * order, each bucket computed as {@link Aggregates} computes a whole table
 * (so MIN, MAX, SUM and AVG of a bucket are those of {@code WHERE idx BETWEEN
 * b*k AND b*k+k-1}). Buckets are computed a chunk of {@link #CHUNK} at a
 * time, as the rows are asked for, so memory is bounded by the chunk and not
 * by the table. A chunk's buckets are spread over every core when there are
 * many rows; each is still summed alone and in order, so results do not
 * depend on the number of threads nor on the chunk size.
 *
 * <p>Each chunk sees every UPDATE and truncation whole or not at all
 * ({@link MappedArray#consistent}); a long downsample may see one that lands
 * between two chunks in the later chunks only, as a scan that is not a
 * snapshot would.
 */
public final class Downsample implements Enumerator<Object[]> {
  /** Buckets computed at once: a few hundred bytes each while the chunk lasts. */
  static final int CHUNK = 4096;

  private final MappedArray array;
  private final Supplier<IdxRanges> positions;
  private final long base;
  private final long k;
  private final Aggregates.Kind[] kinds;
  private final int[] columns;
  private final SqlTypeName[] types;
  private final @Nullable AtomicBoolean cancel;
  private final int chunkSize;

  /** The positions, clipped when the first chunk is read; null before. */
  private @Nullable IdxRanges ranges;
  private boolean parallel;
  /** Where the next chunk starts: range {@code r}, position {@code p}. */
  private int r;
  private long p;
  private List<Object[]> chunk = List.of();
  private int next;
  private Object @Nullable [] current;

  /**
   * Rows {@code (bucket, aggregates...)} over the file positions
   * {@code positions} (clipped to the array's length when the first rows are
   * read) of a file whose first row is idx {@code base}; {@code types[0]} is
   * the type of the bucket, {@code types[1 + i]} that of aggregate i.
   */
  public Downsample(MappedArray array, Supplier<IdxRanges> positions, long base, long k, Aggregates.Kind[] kinds,
      int[] columns, SqlTypeName[] types, @Nullable AtomicBoolean cancel) {
    this(array, positions, base, k, kinds, columns, types, cancel, CHUNK);
  }

  Downsample(MappedArray array, Supplier<IdxRanges> positions, long base, long k, Aggregates.Kind[] kinds,
      int[] columns, SqlTypeName[] types, @Nullable AtomicBoolean cancel, int chunkSize) {
    this.array = array;
    this.positions = positions;
    this.base = base;
    this.k = k;
    this.kinds = kinds;
    this.columns = columns;
    this.types = types;
    this.cancel = cancel;
    this.chunkSize = chunkSize;
  }

  @Override public Object[] current() {
    if (current == null) {
      throw new NoSuchElementException();
    }
    return current;
  }

  @Override public boolean moveNext() {
    while (next == chunk.size()) {
      if (ranges != null && r == ranges.size()) {
        current = null;
        return false;
      }
      chunk = array.consistent(this::nextChunk);
      next = 0;
    }
    current = chunk.get(next++);
    return true;
  }

  @Override public void reset() {
    ranges = null;
    r = 0;
    p = 0;
    chunk = List.of();
    next = 0;
    current = null;
  }

  @Override public void close() {
    chunk = List.of();
  }

  /** The rows of the next {@code chunkSize} buckets (fewer at the end; none if all were cut away). */
  private List<Object[]> nextChunk() {
    long length = array.length();
    if (ranges == null) {
      ranges = positions.get().clip(length);
      parallel = ranges.count() >= ColumnPass.PARALLEL;
    }
    IdxRanges all = ranges;
    List<Long> buckets = new ArrayList<>();
    List<long[]> starts = new ArrayList<>();
    List<long[]> ends = new ArrayList<>();
    for (; r < all.size(); r++) {
      p = Math.max(p, all.start(r)); // ranges are sorted and disjoint
      while (p < all.end(r)) {
        long bucket = (base + p) / k; // idx >= 0: truncation is floor
        boolean sameBucket = !buckets.isEmpty() && buckets.get(buckets.size() - 1) == bucket;
        if (!sameBucket && buckets.size() == chunkSize) {
          return rows(buckets, starts, ends); // the chunk ends on a bucket boundary: resume at (r, p)
        }
        long end = Math.min(all.end(r), (bucket + 1) * k - base);
        // A truncation since the first chunk: the positions past the end are read as no rows.
        long readEnd = Math.max(p, Math.min(end, length));
        if (sameBucket) {
          // idx IN (1, 5) with k = 10: one bucket, two pieces
          int last = buckets.size() - 1;
          starts.set(last, append(starts.get(last), p));
          ends.set(last, append(ends.get(last), readEnd));
        } else {
          buckets.add(bucket);
          starts.add(new long[] {p});
          ends.add(new long[] {readEnd});
        }
        p = end;
      }
    }
    return rows(buckets, starts, ends);
  }

  private List<Object[]> rows(List<Long> buckets, List<long[]> starts, List<long[]> ends) {
    Object[][] out = new Object[buckets.size()][];
    SqlTypeName[] aggTypes = Arrays.copyOfRange(types, 1, types.length);
    ColumnPass.each(out.length, parallel, b -> {
      Cancellation.check(cancel);
      Object[] aggs = Aggregates.row(array, starts.get(b), ends.get(b), -1, ValueRange.ALL, kinds, columns,
          aggTypes, cancel, false);
      Object[] row = new Object[aggs.length + 1];
      row[0] = key(buckets.get(b), types[0]);
      System.arraycopy(aggs, 0, row, 1, aggs.length);
      out[b] = row;
    });
    List<Object[]> result = new ArrayList<>(out.length);
    for (Object[] row : out) {
      if (rowsOf(row, kinds) != 0) { // a bucket cut away by a truncation has no row
        result.add(row);
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
    long[] b = Arrays.copyOf(a, a.length + 1);
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
