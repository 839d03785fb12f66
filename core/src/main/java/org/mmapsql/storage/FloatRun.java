package org.mmapsql.storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One pass over a run of a float column (f2, f4, f8), read in place from the
 * mapping: a pairwise sum as numpy's (halves down to leaves of 128 that
 * several independent accumulators add, so the error grows with the logarithm
 * of the count and the processor adds several values at once), the count kept and
 * the extremes. Extremes use {@link Math#min} and {@link Math#max} (no branch
 * per value); a run whose extremes came out NaN is read once more to pass
 * over its NaNs.
 */
final class FloatRun {
  private static final int LEAF = 128;
  private static final long POS_INF = Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
  private static final long NEG_INF = Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);
  // Constant layouts: a layout read from a field would keep C2 from compiling each access to one load.
  private static final ValueLayout.OfDouble F8 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble F8_BE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfFloat F4 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat F4_BE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfShort F2 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort F2_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  private final MemorySegment s;
  private final long stride;
  private final ElementType type;
  private final boolean big;
  private final ValueRange range;
  private final double lo;
  private final double hi;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private long count;

  FloatRun(MemorySegment s, long stride, Dtype d, ValueRange range) {
    this.s = s;
    this.stride = stride;
    this.type = d.type();
    this.big = d.order() == ByteOrder.BIG_ENDIAN;
    this.range = range;
    this.lo = range.lo();
    this.hi = range.hi();
  }

  void run(long off, int n, RunStats out) {
    out.sum = n == 0 ? 0 : sum(off, n);
    if (Double.isNaN(min) || Double.isNaN(max)) {
      extremesPassingOverNaN(off, n);
    }
    out.count = count;
    out.min = count == 0 ? Double.NaN : min;
    out.max = count == 0 ? Double.NaN : max;
  }

  private double sum(long off, int n) {
    if (n <= LEAF) {
      if (type == ElementType.FLOAT64 && !big) {
        return range.all() ? leafF8(off, n) : leafF8Kept(off, n);
      }
      return leaf(off, n);
    }
    int half = n / 2;
    half -= half % 8;
    return sum(off, half) + sum(off + half * stride, n - half);
  }

  private double get(long o) {
    return switch (type) {
      case FLOAT64 -> big ? s.get(F8_BE, o) : s.get(F8, o);
      case FLOAT32 -> big ? s.get(F4_BE, o) : s.get(F4, o);
      default -> Float.float16ToFloat(big ? s.get(F2_BE, o) : s.get(F2, o));
    };
  }

  /** Every value of a little-endian f8 column: the hot loop, nothing but loads, adds, min and max. */
  private double leafF8(long off, int n) {
    ValueLayout.OfDouble l = F8;
    long st = stride;
    double r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
    double mn0 = min, mn1 = min, mx0 = max, mx1 = max;
    int m = n - n % 8;
    for (int i = 0; i < m; i += 8) {
      long o = off + i * st;
      double v0 = s.get(l, o);
      double v1 = s.get(l, o + st);
      double v2 = s.get(l, o + 2 * st);
      double v3 = s.get(l, o + 3 * st);
      double v4 = s.get(l, o + 4 * st);
      double v5 = s.get(l, o + 5 * st);
      double v6 = s.get(l, o + 6 * st);
      double v7 = s.get(l, o + 7 * st);
      r0 += v0;
      r1 += v1;
      r2 += v2;
      r3 += v3;
      r4 += v4;
      r5 += v5;
      r6 += v6;
      r7 += v7;
      mn0 = Math.min(mn0, Math.min(Math.min(v0, v1), Math.min(v2, v3)));
      mn1 = Math.min(mn1, Math.min(Math.min(v4, v5), Math.min(v6, v7)));
      mx0 = Math.max(mx0, Math.max(Math.max(v0, v1), Math.max(v2, v3)));
      mx1 = Math.max(mx1, Math.max(Math.max(v4, v5), Math.max(v6, v7)));
    }
    double sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (int i = m; i < n; i++) {
      double v = s.get(l, off + i * st);
      sum += v;
      mn0 = Math.min(mn0, v);
      mx0 = Math.max(mx0, v);
    }
    min = Math.min(mn0, mn1);
    max = Math.max(mx0, mx1);
    count += n;
    return sum;
  }

  /**
   * The values of a little-endian f8 column in the range, without a branch per
   * value (a predicate that keeps half the rows would mispredict every other
   * one): a value left out becomes +0.0 for the sum and an infinity for the extremes.
   */
  private double leafF8Kept(long off, int n) {
    ValueLayout.OfDouble l = F8;
    long st = stride;
    double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    double mn = min, mx = max;
    long c = 0;
    int m = n - n % 4;
    for (int i = 0; i < m; i += 4) {
      long o = off + i * st;
      double v0 = s.get(l, o);
      double v1 = s.get(l, o + st);
      double v2 = s.get(l, o + 2 * st);
      double v3 = s.get(l, o + 3 * st);
      long k0 = keep(v0);
      long k1 = keep(v1);
      long k2 = keep(v2);
      long k3 = keep(v3);
      r0 += only(v0, k0);
      r1 += only(v1, k1);
      r2 += only(v2, k2);
      r3 += only(v3, k3);
      c -= k0 + k1 + k2 + k3;
      mn = Math.min(mn, Math.min(Math.min(orElse(v0, k0, POS_INF), orElse(v1, k1, POS_INF)),
          Math.min(orElse(v2, k2, POS_INF), orElse(v3, k3, POS_INF))));
      mx = Math.max(mx, Math.max(Math.max(orElse(v0, k0, NEG_INF), orElse(v1, k1, NEG_INF)),
          Math.max(orElse(v2, k2, NEG_INF), orElse(v3, k3, NEG_INF))));
    }
    double sum = (r0 + r1) + (r2 + r3);
    for (int i = m; i < n; i++) {
      double v = s.get(l, off + i * st);
      long k = keep(v);
      sum += only(v, k);
      c -= k;
      mn = Math.min(mn, orElse(v, k, POS_INF));
      mx = Math.max(mx, orElse(v, k, NEG_INF));
    }
    min = mn;
    max = mx;
    count += c;
    return sum;
  }

  /** -1 (all bits) if {@code v} is in the range, else 0; NaN never is. */
  private long keep(double v) {
    long above = v >= lo ? -1L : 0L; // selects of longs, which C2 compiles to conditional moves
    long below = v <= hi ? -1L : 0L;
    return above & below;
  }

  private static double only(double v, long keep) {
    return Double.longBitsToDouble(Double.doubleToRawLongBits(v) & keep);
  }

  private static double orElse(double v, long keep, long otherBits) {
    return Double.longBitsToDouble(Double.doubleToRawLongBits(v) & keep | otherBits & ~keep);
  }

  /** Any float column, keeping the values in the range: one left out adds -0.0, which changes no sum. */
  private double leaf(long off, int n) {
    boolean all = range.all();
    double r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
    double mn = min, mx = max;
    long c = 0;
    int m = n - n % 8;
    for (int i = 0; i < m; i += 8) {
      long o = off + i * stride;
      double v0 = get(o);
      double v1 = get(o + stride);
      double v2 = get(o + 2 * stride);
      double v3 = get(o + 3 * stride);
      double v4 = get(o + 4 * stride);
      double v5 = get(o + 5 * stride);
      double v6 = get(o + 6 * stride);
      double v7 = get(o + 7 * stride);
      boolean k0 = all | v0 >= lo & v0 <= hi;
      boolean k1 = all | v1 >= lo & v1 <= hi;
      boolean k2 = all | v2 >= lo & v2 <= hi;
      boolean k3 = all | v3 >= lo & v3 <= hi;
      boolean k4 = all | v4 >= lo & v4 <= hi;
      boolean k5 = all | v5 >= lo & v5 <= hi;
      boolean k6 = all | v6 >= lo & v6 <= hi;
      boolean k7 = all | v7 >= lo & v7 <= hi;
      r0 += k0 ? v0 : -0.0;
      r1 += k1 ? v1 : -0.0;
      r2 += k2 ? v2 : -0.0;
      r3 += k3 ? v3 : -0.0;
      r4 += k4 ? v4 : -0.0;
      r5 += k5 ? v5 : -0.0;
      r6 += k6 ? v6 : -0.0;
      r7 += k7 ? v7 : -0.0;
      c += (k0 ? 1 : 0) + (k1 ? 1 : 0) + (k2 ? 1 : 0) + (k3 ? 1 : 0)
          + (k4 ? 1 : 0) + (k5 ? 1 : 0) + (k6 ? 1 : 0) + (k7 ? 1 : 0);
      mn = Math.min(mn, Math.min(Math.min(Math.min(k0 ? v0 : mn, k1 ? v1 : mn), Math.min(k2 ? v2 : mn, k3 ? v3 : mn)),
          Math.min(Math.min(k4 ? v4 : mn, k5 ? v5 : mn), Math.min(k6 ? v6 : mn, k7 ? v7 : mn))));
      mx = Math.max(mx, Math.max(Math.max(Math.max(k0 ? v0 : mx, k1 ? v1 : mx), Math.max(k2 ? v2 : mx, k3 ? v3 : mx)),
          Math.max(Math.max(k4 ? v4 : mx, k5 ? v5 : mx), Math.max(k6 ? v6 : mx, k7 ? v7 : mx))));
    }
    double sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (int i = m; i < n; i++) {
      double v = get(off + i * stride);
      if (all | v >= lo & v <= hi) {
        sum += v;
        c++;
        mn = Math.min(mn, v);
        mx = Math.max(mx, v);
      }
    }
    min = mn;
    max = mx;
    count += c;
    return sum;
  }

  /** MIN and MAX of the kept values that are not NaN; NaN when all of them are. */
  private void extremesPassingOverNaN(long off, int n) {
    double mn = Double.POSITIVE_INFINITY;
    double mx = Double.NEGATIVE_INFINITY;
    boolean any = false;
    for (int i = 0; i < n; i++) {
      double v = get(off + i * stride);
      if (!Double.isNaN(v) && (range.all() || v >= lo && v <= hi)) {
        any = true;
        mn = Math.min(mn, v);
        mx = Math.max(mx, v);
      }
    }
    min = any ? mn : Double.NaN;
    max = any ? mx : Double.NaN;
  }
}
