package org.mmapsql.exec;

import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.storage.ElementType;
import org.mmapsql.storage.MappedArray;
import org.mmapsql.storage.RunStats;
import org.mmapsql.storage.ValueRange;

/**
 * One pass over a column at a set of positions: runs of {@link #RUN} rows (more of a narrow integer column),
 * each aggregated where it lies in the mapping ({@link RunStats}), folded in
 * order. Above {@link #PARALLEL} rows the runs are spread over every core; the
 * runs and the order of the fold are the same either way, so a result never
 * depends on the number of threads. Float sums fold as a binary counter of run
 * sums ({@link PairwiseSum}), which with the pairwise sum inside each run
 * makes one pairwise tree over the whole column.
 */
final class ColumnPass {
  /** Rows per run: half a megabyte of doubles, so that checks and folds cost nothing per row. */
  static final int RUN = 1 << 16;
  /**
   * Rows per run of an integer column: half a megabyte too (an int16 run of
   * 64 Ki rows takes a few µs, no more than the run's check of the file's
   * size), at most {@link RunStats#MAX_RUN}. Exact sums do not depend on it;
   * float columns keep {@link #RUN}, the leaves of their pairwise tree.
   */
  private static final int RUN_BYTES = RUN * 8;
  /** Fewer rows than this are not worth waking other cores for. */
  static final long PARALLEL = 1L << 21;
  private static final BigInteger TWO_32 = BigInteger.ONE.shiftLeft(32);

  long count;
  private final ElementType.Numeric numeric;
  private final PairwiseSum sum = new PairwiseSum();
  private double min = Double.NaN;
  private double max = Double.NaN;
  /** Integer sum: (carried + high) * 2^32 + low, low kept below 2^32 after each fold. */
  private BigInteger carried = BigInteger.ZERO;
  private long high;
  private long low;
  private long lmin;
  private long lmax;

  private ColumnPass(ElementType.Numeric numeric) {
    this.numeric = numeric;
  }

  /** The pass over {@code [starts[i], ends[i])} for every i, in order. */
  static ColumnPass over(MappedArray array, long[] starts, long[] ends, int column, ValueRange range,
      @Nullable AtomicBoolean cancel, boolean mayParallel) {
    ElementType.Numeric numeric = array.layout().columns().get(column).dtype().type().numeric();
    ColumnPass pass = new ColumnPass(numeric);
    int run = numeric == ElementType.Numeric.DOUBLE ? RUN
        : Math.min(RunStats.MAX_RUN, Math.max(RUN, RUN_BYTES / array.layout().stride()));
    long rows = 0;
    int runs = 0;
    for (int i = 0; i < starts.length; i++) {
      rows += ends[i] - starts[i];
      runs += (int) ((ends[i] - starts[i] + run - 1) / run);
    }
    long[] from = new long[runs];
    int[] length = new int[runs];
    int r = 0;
    for (int i = 0; i < starts.length; i++) {
      for (long p = starts[i]; p < ends[i]; p += run) {
        from[r] = p;
        length[r++] = (int) Math.min(run, ends[i] - p);
      }
    }
    RunStats[] stats = new RunStats[runs];
    each(runs, mayParallel && rows >= PARALLEL, k -> {
      Cancellation.check(cancel);
      RunStats s = new RunStats();
      array.stats(from[k], length[k], column, range, s);
      stats[k] = s;
    });
    for (RunStats s : stats) {
      pass.fold(s);
    }
    return pass;
  }

  /**
   * Runs {@code body} for 0 .. n-1, over every core if {@code parallel} and
   * there is more than one; the first error is thrown as it was (a parallel
   * stream may wrap it anew, losing its SQLSTATE).
   */
  static void each(int n, boolean parallel, IntConsumer body) {
    if (!parallel || n < 2 || Runtime.getRuntime().availableProcessors() < 2) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    AtomicReference<Throwable> failed = new AtomicReference<>();
    IntStream.range(0, n).parallel().forEach(i -> {
      if (failed.get() == null) {
        try {
          body.accept(i);
        } catch (RuntimeException | Error e) {
          failed.compareAndSet(null, e);
        }
      }
    });
    Throwable t = failed.get();
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
  }

  private void fold(RunStats s) {
    if (s.count == 0) {
      return;
    }
    if (numeric == ElementType.Numeric.DOUBLE) {
      sum.add(s.sum);
      min = Double.isNaN(min) ? s.min : Double.isNaN(s.min) ? min : Math.min(min, s.min);
      max = Double.isNaN(max) ? s.max : Double.isNaN(s.max) ? max : Math.max(max, s.max);
    } else {
      boolean unsigned = numeric == ElementType.Numeric.ULONG;
      if (count == 0) {
        lmin = s.lmin;
        lmax = s.lmax;
      } else if (unsigned) {
        lmin = Long.compareUnsigned(s.lmin, lmin) < 0 ? s.lmin : lmin;
        lmax = Long.compareUnsigned(s.lmax, lmax) > 0 ? s.lmax : lmax;
      } else {
        lmin = Math.min(lmin, s.lmin);
        lmax = Math.max(lmax, s.lmax);
      }
      low += s.low;
      long add = s.high + (low >>> 32);
      low &= 0xFFFF_FFFFL;
      long h = high + add;
      if (((high ^ h) & (add ^ h)) < 0) { // overflowed: carry the partial sum out
        carried = carried.add(BigInteger.valueOf(high));
        h = add;
      }
      high = h;
    }
    count += s.count;
  }

  double floatSum() {
    return sum.total();
  }

  /** MIN of the float values, passing over NaN (NaN only when all are NaN). */
  double floatMin() {
    return min;
  }

  double floatMax() {
    return max;
  }

  BigInteger exactSum() {
    return carried.add(BigInteger.valueOf(high)).multiply(TWO_32).add(BigInteger.valueOf(low));
  }

  /** MIN of an integer column (for uint64 its bits). */
  long intMin() {
    return lmin;
  }

  long intMax() {
    return lmax;
  }

  boolean floats() {
    return numeric == ElementType.Numeric.DOUBLE;
  }

  boolean unsigned() {
    return numeric == ElementType.Numeric.ULONG;
  }
}
