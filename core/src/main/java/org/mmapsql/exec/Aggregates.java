package org.mmapsql.exec;

import java.util.concurrent.atomic.AtomicBoolean;

import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.storage.MappedArray;

/**
 * Aggregates of val over a set of positions, computed in one pass over the
 * mapped file, block by block, without making a row per value. Values are
 * added in idx order, as a row-by-row SUM would, so results are the same.
 */
public final class Aggregates {
  /** What each output column computes. */
  public enum Kind { COUNT_ROWS, COUNT_VAL, SUM, SUM0, MIN, MAX, AVG }

  private static final int BLOCK = 8192;

  private Aggregates() {
  }


  /** One row: for each kind, its value (null for SUM, MIN, MAX, AVG of no rows; SUM0 gives 0). */
  public static Object[] compute(MappedArray array, IdxRanges ranges, Kind[] kinds,
      @Nullable AtomicBoolean cancel) {
    long count = ranges.count();
    Object[] row = new Object[kinds.length];
    boolean needsValues = false;
    for (Kind k : kinds) {
      needsValues |= k != Kind.COUNT_ROWS && k != Kind.COUNT_VAL;
    }
    double sum = 0;
    double min = 0;
    double max = 0;
    if (needsValues) {
      count = 0;
      double[] block = new double[BLOCK];
      for (int r = 0; r < ranges.size(); r++) {
        for (long i = ranges.start(r); i < ranges.end(r); ) {
          Cancellation.check(cancel);
          int n = array.read(i, block, 0, (int) Math.min(BLOCK, ranges.end(r) - i));
          if (n == 0) {
            break; // cut short by a truncation
          }
          if (count == 0) {
            min = block[0];
            max = block[0];
          }
          for (int j = 0; j < n; j++) {
            double v = block[j];
            sum += v;
            // As Calcite's own MIN and MAX compare, so that NaN gives the same
            // answer whichever plan runs: a NaN never replaces a value.
            min = min > v ? v : min;
            max = max < v ? v : max;
          }
          count += n;
          i += n;
        }
      }
    }
    for (int c = 0; c < kinds.length; c++) {
      row[c] = switch (kinds[c]) {
        case COUNT_ROWS, COUNT_VAL -> count;
        case SUM -> count == 0 ? null : sum;
        case SUM0 -> sum;
        case MIN -> count == 0 ? null : min;
        case MAX -> count == 0 ? null : max;
        case AVG -> count == 0 ? null : sum / count;
      };
    }
    return row;
  }
}
