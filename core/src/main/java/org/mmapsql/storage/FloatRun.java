package org.mmapsql.storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One pass over a run of a float column (f2, f4, f8), read in place from the
 * mapping: a pairwise sum as numpy's (halves down to leaves of 128 that
 * several independent accumulators add, so the error grows with the logarithm
 * of the count and the processor adds several values at once), the count kept and
 * the extremes. Over every value, extremes use {@link Math#min} and {@link
 * Math#max} (no branch per value); a run whose extremes came out NaN is read
 * once more to pass over its NaNs. With a range ({@code WHERE val > x}) the
 * values are compared as sortable keys (see {@link #key}): one unsigned
 * comparison keeps a value, without a branch, and the extremes of the kept ones
 * move by a branch that is rarely taken (selects and {@code Math.min} per value
 * took about twice as long).
 */
final class FloatRun {
  private static final int LEAF = 128;
  // Constant layouts: a layout read from a field would keep C2 from compiling each access to one load.
  static final ValueLayout.OfDouble F8 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble F8_BE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  static final ValueLayout.OfFloat F4 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat F4_BE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  static final ValueLayout.OfShort F2 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort F2_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  /** What the loops read: the mapping, or the window a part of it was copied to (see {@link #sumOfCopy}). */
  MemorySegment s;
  /** The vector loops' window ({@link RunStats#window}), null for the scalar loops. */
  private final @Nullable MemorySegment window;
  private final long stride;
  final ElementType type;
  private final boolean big;
  private final ValueRange range;
  private final double lo;
  private final double hi;
  /** The range as keys: a value is kept when {@code key - loKey <= span}, unsigned. */
  final long loKey;
  final long span;
  /** Least unsigned distances of a kept value from the low and from the high end (span: no nearer one yet). */
  long lowest;
  long highest;
  double min = Double.POSITIVE_INFINITY;
  double max = Double.NEGATIVE_INFINITY;
  long count;
  /** Leaves by {@link VectorRun}: f8, f4 or f2, little-endian, values side by side. */
  private final boolean lanes;

  FloatRun(MemorySegment s, long stride, Dtype d, ValueRange range) {
    this(s, stride, d, range, RunStats.vectorised());
  }

  /** With {@code vectors} false, the scalar leaves even where {@link VectorRun} could take them. */
  FloatRun(MemorySegment s, long stride, Dtype d, ValueRange range, boolean vectors) {
    this.s = s;
    this.stride = stride;
    this.type = d.type();
    this.big = d.order() == ByteOrder.BIG_ENDIAN;
    this.range = range;
    this.lo = range.lo();
    this.hi = range.hi();
    // A zero bound takes both zeros in (-0.0 == 0.0), whose keys are -1 and 0.
    this.loKey = lo == 0 ? key(Double.doubleToRawLongBits(-0.0)) : key(Double.doubleToRawLongBits(lo));
    long hiKey = hi == 0 ? key(Double.doubleToRawLongBits(0.0)) : key(Double.doubleToRawLongBits(hi));
    this.span = hiKey - loKey;
    this.lowest = span;
    this.highest = span;
    this.lanes = vectors && !big && stride == d.width()
        && (type == ElementType.FLOAT64 || type == ElementType.FLOAT32 || type == ElementType.FLOAT16);
    this.window = lanes ? RunStats.window() : null;
  }

  void run(long off, int n, RunStats out) {
    if (range.all()) {
      out.sum = n == 0 ? 0 : sum(off, n);
      if (Double.isNaN(min) || Double.isNaN(max)) {
        extremesPassingOverNaN(off, n);
      }
    } else if (lo <= hi) {
      out.sum = n == 0 ? 0 : sum(off, n);
      min = unkey(loKey + lowest);
      max = unkey(loKey + span - highest);
    } else {
      out.sum = 0; // an empty range or a NaN bound keeps nothing
    }
    out.count = count;
    out.min = count == 0 ? Double.NaN : min;
    out.max = count == 0 ? Double.NaN : max;
  }

  private double sum(long off, int n) {
    if (window != null && s != window && n * stride <= window.byteSize()) {
      return sumOfCopy(off, n);
    }
    if (n <= LEAF && lanes) {
      return range.all() ? VectorRun.leaf(this, off, n) : VectorRun.leafKept(this, off, n);
    }
    if (n <= LEAF) {
      boolean f8 = type == ElementType.FLOAT64 && !big;
      if (range.all()) {
        return f8 ? leafF8(off, n) : leaf(off, n);
      }
      return f8 ? leafF8Kept(off, n) : leafKept(off, n);
    }
    int half = n / 2;
    half -= half % 8;
    return sum(off, half) + sum(off + half * stride, n - half);
  }

  /** The same subtree of the pairwise sum over a copy of its values in the window, the same sum to the bit. */
  private double sumOfCopy(long off, int n) {
    MemorySegment mapping = s;
    MemorySegment.copy(mapping, off, window, 0, n * stride);
    s = window;
    try {
      return sum(0, n);
    } finally {
      s = mapping;
    }
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

  /** The values of a little-endian f8 column in the range: {@link #leafKept} with the loads inlined. */
  private double leafF8Kept(long off, int n) {
    ValueLayout.OfDouble l = F8;
    long st = stride;
    long base = loKey;
    long sp = span;
    long low = lowest;
    long high = highest;
    double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    long c = 0;
    int m = n - n % 4;
    for (int i = 0; i < m; i += 4) {
      long o = off + i * st;
      long b0 = Double.doubleToRawLongBits(s.get(l, o));
      long b1 = Double.doubleToRawLongBits(s.get(l, o + st));
      long b2 = Double.doubleToRawLongBits(s.get(l, o + 2 * st));
      long b3 = Double.doubleToRawLongBits(s.get(l, o + 3 * st));
      long d0 = key(b0) - base;
      long d1 = key(b1) - base;
      long d2 = key(b2) - base;
      long d3 = key(b3) - base;
      long k0 = keep(d0, sp);
      long k1 = keep(d1, sp);
      long k2 = keep(d2, sp);
      long k3 = keep(d3, sp);
      r0 += Double.longBitsToDouble(b0 & k0);
      r1 += Double.longBitsToDouble(b1 & k1);
      r2 += Double.longBitsToDouble(b2 & k2);
      r3 += Double.longBitsToDouble(b3 & k3);
      c -= (k0 + k1) + (k2 + k3);
      if (below(d0, low) | below(d1, low) | below(d2, low) | below(d3, low)) {
        low = least(least(low, d0), least(d1, least(d2, d3)));
      }
      long e0 = sp - d0;
      long e1 = sp - d1;
      long e2 = sp - d2;
      long e3 = sp - d3;
      if (below(e0, high) | below(e1, high) | below(e2, high) | below(e3, high)) {
        high = least(least(high, e0), least(e1, least(e2, e3)));
      }
    }
    double sum = (r0 + r1) + (r2 + r3);
    for (int i = m; i < n; i++) {
      long b = Double.doubleToRawLongBits(s.get(l, off + i * st));
      long d = key(b) - base;
      long k = keep(d, sp);
      sum += Double.longBitsToDouble(b & k);
      c -= k;
      low = least(low, d);
      high = least(high, sp - d);
    }
    lowest = low;
    highest = high;
    count += c;
    return sum;
  }

  /**
   * The values of any float column in the range, without a branch per value
   * (a predicate that keeps half the rows would mispredict every other one):
   * a value left out adds +0.0, and only a kept value below the lowest or
   * above the highest kept so far takes a branch.
   */
  private double leafKept(long off, int n) {
    long base = loKey;
    long sp = span;
    long low = lowest;
    long high = highest;
    double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    long c = 0;
    int m = n - n % 4;
    for (int i = 0; i < m; i += 4) {
      long o = off + i * stride;
      long b0 = Double.doubleToRawLongBits(get(o));
      long b1 = Double.doubleToRawLongBits(get(o + stride));
      long b2 = Double.doubleToRawLongBits(get(o + 2 * stride));
      long b3 = Double.doubleToRawLongBits(get(o + 3 * stride));
      long d0 = key(b0) - base;
      long d1 = key(b1) - base;
      long d2 = key(b2) - base;
      long d3 = key(b3) - base;
      long k0 = keep(d0, sp);
      long k1 = keep(d1, sp);
      long k2 = keep(d2, sp);
      long k3 = keep(d3, sp);
      r0 += Double.longBitsToDouble(b0 & k0);
      r1 += Double.longBitsToDouble(b1 & k1);
      r2 += Double.longBitsToDouble(b2 & k2);
      r3 += Double.longBitsToDouble(b3 & k3);
      c -= (k0 + k1) + (k2 + k3);
      if (below(d0, low) | below(d1, low) | below(d2, low) | below(d3, low)) {
        low = least(least(low, d0), least(d1, least(d2, d3)));
      }
      long e0 = sp - d0;
      long e1 = sp - d1;
      long e2 = sp - d2;
      long e3 = sp - d3;
      if (below(e0, high) | below(e1, high) | below(e2, high) | below(e3, high)) {
        high = least(least(high, e0), least(e1, least(e2, e3)));
      }
    }
    double sum = (r0 + r1) + (r2 + r3);
    for (int i = m; i < n; i++) {
      long b = Double.doubleToRawLongBits(get(off + i * stride));
      long d = key(b) - base;
      long k = keep(d, sp);
      sum += Double.longBitsToDouble(b & k);
      c -= k;
      low = least(low, d);
      high = least(high, sp - d);
    }
    lowest = low;
    highest = high;
    count += c;
    return sum;
  }

  /**
   * The bits of a double as a long that orders as the double does: -0.0 just
   * below +0.0, the infinities at the ends, NaNs beyond them (on the side of
   * their sign bit), so that no range of numbers holds a NaN.
   */
  static long key(long bits) {
    return bits ^ ((bits >> 63) & Long.MAX_VALUE);
  }

  /** The double whose {@link #key} is {@code key} (the same flip undoes itself). */
  static double unkey(long key) {
    return Double.longBitsToDouble(key(key));
  }

  /** -1 (all bits) if the distance {@code d} from the low end is within the range, else 0. */
  private static long keep(long d, long span) {
    return Long.compareUnsigned(d, span) <= 0 ? -1L : 0L;
  }

  private static boolean below(long a, long b) {
    return Long.compareUnsigned(a, b) < 0;
  }

  private static long least(long a, long b) {
    return Long.compareUnsigned(a, b) <= 0 ? a : b;
  }

  /** Every value of any float column (f2, f4, big-endian f8). */
  private double leaf(long off, int n) {
    double r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
    double mn = min, mx = max;
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
      r0 += v0;
      r1 += v1;
      r2 += v2;
      r3 += v3;
      r4 += v4;
      r5 += v5;
      r6 += v6;
      r7 += v7;
      mn = Math.min(mn, Math.min(Math.min(Math.min(v0, v1), Math.min(v2, v3)), Math.min(Math.min(v4, v5), Math.min(v6, v7))));
      mx = Math.max(mx, Math.max(Math.max(Math.max(v0, v1), Math.max(v2, v3)), Math.max(Math.max(v4, v5), Math.max(v6, v7))));
    }
    double sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (int i = m; i < n; i++) {
      double v = get(off + i * stride);
      sum += v;
      mn = Math.min(mn, v);
      mx = Math.max(mx, v);
    }
    min = mn;
    max = mx;
    count += n;
    return sum;
  }

  /** MIN and MAX of the values that are not NaN; NaN when all of them are. */
  private void extremesPassingOverNaN(long off, int n) {
    double mn = Double.POSITIVE_INFINITY;
    double mx = Double.NEGATIVE_INFINITY;
    boolean any = false;
    for (int i = 0; i < n; i++) {
      double v = get(off + i * stride);
      if (!Double.isNaN(v)) {
        any = true;
        mn = Math.min(mn, v);
        mx = Math.max(mx, v);
      }
    }
    min = any ? mn : Double.NaN;
    max = any ? mx : Double.NaN;
  }
}
