package org.mmapsql.storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One pass over a run of an integer column, read in place from the mapping:
 * the count of values in the range, their exact sum as {@code high * 2^32 +
 * low} (each value split in its halves, so nothing can overflow within a run
 * and no branch checks it), MIN and MAX. One loop per dtype, so that no value
 * pays for a type switch; uint64 values are compared with the sign bit flipped.
 * A value is kept when its distance from the range's low end is at most the
 * range's span, unsigned: one comparison, no branch; MIN and MAX are the least
 * distances from either end, which a branch moves only when a kept value goes
 * past them, rarely on most data (a select per value cost twice as much).
 */
final class IntRun {
  // Constant layouts: a layout read from a field would keep C2 from compiling each access to one load.
  private static final ValueLayout.OfShort I2 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I2_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfInt I4 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt I4_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfLong I8 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong I8_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  private IntRun() {
  }

  static void run(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r, RunStats out) {
    run(s, off, stride, n, d, r, out, RunStats.vectorised());
  }

  /** With {@code vectors} false, the scalar loops even where {@link VectorRun} could take the run. */
  static void run(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r, RunStats out,
      boolean vectors) {
    out.clear();
    if (r.lowest() > r.highest()) {
      return; // an empty range keeps nothing
    }
    if (vectors && stride == d.width() && (d.order() == ByteOrder.LITTLE_ENDIAN || d.width() == 1)) {
      VectorRun.integers(s, off, n, d.type(), d.width(), r, out);
    } else {
      scalar(s, off, stride, n, d, r, out);
    }
    if (d.type() == ElementType.UINT64) {
      out.lmin ^= Long.MIN_VALUE;
      out.lmax ^= Long.MIN_VALUE;
    }
  }

  /** One little-endian value at {@code o} as a long (uint64: its bits with the sign bit flipped). */
  static long value(MemorySegment s, long o, ElementType t) {
    return switch (t) {
      case INT8 -> s.get(ValueLayout.JAVA_BYTE, o);
      case UINT8 -> s.get(ValueLayout.JAVA_BYTE, o) & 0xFFL;
      case INT16 -> s.get(I2, o);
      case UINT16 -> s.get(I2, o) & 0xFFFFL;
      case INT32 -> s.get(I4, o);
      case UINT32 -> s.get(I4, o) & 0xFFFF_FFFFL;
      case INT64 -> s.get(I8, o);
      case UINT64 -> s.get(I8, o) ^ Long.MIN_VALUE;
      default -> throw new IllegalStateException("no integer aggregates over " + t);
    };
  }

  private static void scalar(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r, RunStats out) {
    switch (d.type()) {
      case INT8 -> int8(s, off, stride, n, d, r, out);
      case INT16 -> int16(s, off, stride, n, d, r, out);
      case INT32 -> int32(s, off, stride, n, d, r, out);
      case INT64 -> int64(s, off, stride, n, d, r, out);
      case UINT8 -> uint8(s, off, stride, n, d, r, out);
      case UINT16 -> uint16(s, off, stride, n, d, r, out);
      case UINT32 -> uint32(s, off, stride, n, d, r, out);
      case UINT64 -> uint64(s, off, stride, n, d, r, out);
      default -> throw new IllegalStateException("no integer aggregates over " + d.type());
    }
  }

  /** -1 (all bits) if {@code distance} is within {@code span}, unsigned, else 0. */
  private static long keep(long distance, long span) {
    return Long.compareUnsigned(distance, span) <= 0 ? -1L : 0L;
  }

  private static boolean below(long a, long b) {
    return Long.compareUnsigned(a, b) < 0;
  }

  /**
   * Sets the stats from the loop's count, sum halves and the least distances of
   * a kept value from the low end and from the high end.
   */
  private static void set(RunStats out, long base, long span, long c, long high, long low, long fromLow,
      long fromHigh) {
    out.count = c;
    out.high = high;
    out.low = low;
    out.lmin = base + fromLow;
    out.lmax = base + span - fromHigh;
  }

  private static void int8(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    long base = r.lowest();
    long span = r.highest() - base;
    long c = 0;
    long high = 0;
    long low = 0;
    long fromLow = span;
    long fromHigh = span;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = s.get(ValueLayout.JAVA_BYTE, o);
      long dist = x - base;
      long k = keep(dist, span);
      long v = x & k;
      c -= k;
      high += v >> 32;
      low += v & 0xFFFF_FFFFL;
      if (below(dist, fromLow)) {
        fromLow = dist;
      }
      if (below(span - dist, fromHigh)) {
        fromHigh = span - dist;
      }
    }
    set(out, base, span, c, high, low, fromLow, fromHigh);
  }

  private static void int16(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    boolean big = d.order() == ByteOrder.BIG_ENDIAN;
    long base = r.lowest();
    long span = r.highest() - base;
    long c = 0;
    long high = 0;
    long low = 0;
    long fromLow = span;
    long fromHigh = span;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = (big ? s.get(I2_BE, o) : s.get(I2, o));
      long dist = x - base;
      long k = keep(dist, span);
      long v = x & k;
      c -= k;
      high += v >> 32;
      low += v & 0xFFFF_FFFFL;
      if (below(dist, fromLow)) {
        fromLow = dist;
      }
      if (below(span - dist, fromHigh)) {
        fromHigh = span - dist;
      }
    }
    set(out, base, span, c, high, low, fromLow, fromHigh);
  }

  private static void int32(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    boolean big = d.order() == ByteOrder.BIG_ENDIAN;
    long base = r.lowest();
    long span = r.highest() - base;
    long c = 0;
    long high = 0;
    long low = 0;
    long fromLow = span;
    long fromHigh = span;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = (big ? s.get(I4_BE, o) : s.get(I4, o));
      long dist = x - base;
      long k = keep(dist, span);
      long v = x & k;
      c -= k;
      high += v >> 32;
      low += v & 0xFFFF_FFFFL;
      if (below(dist, fromLow)) {
        fromLow = dist;
      }
      if (below(span - dist, fromHigh)) {
        fromHigh = span - dist;
      }
    }
    set(out, base, span, c, high, low, fromLow, fromHigh);
  }

  private static void int64(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    boolean big = d.order() == ByteOrder.BIG_ENDIAN;
    long base = r.lowest();
    long span = r.highest() - base;
    long c = 0;
    long high = 0;
    long low = 0;
    long fromLow = span;
    long fromHigh = span;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = (big ? s.get(I8_BE, o) : s.get(I8, o));
      long dist = x - base;
      long k = keep(dist, span);
      long v = x & k;
      c -= k;
      high += v >> 32;
      low += v & 0xFFFF_FFFFL;
      if (below(dist, fromLow)) {
        fromLow = dist;
      }
      if (below(span - dist, fromHigh)) {
        fromHigh = span - dist;
      }
    }
    set(out, base, span, c, high, low, fromLow, fromHigh);
  }

  private static void uint8(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    long base = r.lowest();
    long span = r.highest() - base;
    long c = 0;
    long high = 0;
    long low = 0;
    long fromLow = span;
    long fromHigh = span;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = s.get(ValueLayout.JAVA_BYTE, o) & 0xFFL;
      long dist = x - base;
      long k = keep(dist, span);
      long v = x & k;
      c -= k;
      high += v >> 32;
      low += v & 0xFFFF_FFFFL;
      if (below(dist, fromLow)) {
        fromLow = dist;
      }
      if (below(span - dist, fromHigh)) {
        fromHigh = span - dist;
      }
    }
    set(out, base, span, c, high, low, fromLow, fromHigh);
  }

  private static void uint16(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    boolean big = d.order() == ByteOrder.BIG_ENDIAN;
    long base = r.lowest();
    long span = r.highest() - base;
    long c = 0;
    long high = 0;
    long low = 0;
    long fromLow = span;
    long fromHigh = span;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = (big ? s.get(I2_BE, o) : s.get(I2, o)) & 0xFFFFL;
      long dist = x - base;
      long k = keep(dist, span);
      long v = x & k;
      c -= k;
      high += v >> 32;
      low += v & 0xFFFF_FFFFL;
      if (below(dist, fromLow)) {
        fromLow = dist;
      }
      if (below(span - dist, fromHigh)) {
        fromHigh = span - dist;
      }
    }
    set(out, base, span, c, high, low, fromLow, fromHigh);
  }

  private static void uint32(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    boolean big = d.order() == ByteOrder.BIG_ENDIAN;
    long base = r.lowest();
    long span = r.highest() - base;
    long c = 0;
    long high = 0;
    long low = 0;
    long fromLow = span;
    long fromHigh = span;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = (big ? s.get(I4_BE, o) : s.get(I4, o)) & 0xFFFF_FFFFL;
      long dist = x - base;
      long k = keep(dist, span);
      long v = x & k;
      c -= k;
      high += v >> 32;
      low += v & 0xFFFF_FFFFL;
      if (below(dist, fromLow)) {
        fromLow = dist;
      }
      if (below(span - dist, fromHigh)) {
        fromHigh = span - dist;
      }
    }
    set(out, base, span, c, high, low, fromLow, fromHigh);
  }

  private static void uint64(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    boolean big = d.order() == ByteOrder.BIG_ENDIAN;
    long base = r.lowest();
    long span = r.highest() - base;
    long c = 0;
    long high = 0;
    long low = 0;
    long fromLow = span;
    long fromHigh = span;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = (big ? s.get(I8_BE, o) : s.get(I8, o)) ^ Long.MIN_VALUE;
      long dist = x - base;
      long k = keep(dist, span);
      long v = (x ^ Long.MIN_VALUE) & k;
      c -= k;
      high += v >>> 32;
      low += v & 0xFFFF_FFFFL;
      if (below(dist, fromLow)) {
        fromLow = dist;
      }
      if (below(span - dist, fromHigh)) {
        fromHigh = span - dist;
      }
    }
    set(out, base, span, c, high, low, fromLow, fromHigh);
  }
}
