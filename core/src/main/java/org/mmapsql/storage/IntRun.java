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
    out.clear();
    out.lmin = Long.MAX_VALUE;
    out.lmax = Long.MIN_VALUE;
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
    if (d.type() == ElementType.UINT64) {
      out.lmin ^= Long.MIN_VALUE;
      out.lmax ^= Long.MIN_VALUE;
    }
  }

  private static void int8(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = s.get(ValueLayout.JAVA_BYTE, o);
      boolean k = x >= lowest & x <= highest;
      long v = k ? x : 0;
      c += k ? 1 : 0;
      high += (v >> 32);
      low += v & 0xFFFF_FFFFL;
      mn = Math.min(mn, k ? x : mn);
      mx = Math.max(mx, k ? x : mx);
    }
    out.count = c;
    out.high = high;
    out.low = low;
    out.lmin = mn;
    out.lmax = mx;
  }

  private static void int16(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    boolean big = d.order() == ByteOrder.BIG_ENDIAN;
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = (big ? s.get(I2_BE, o) : s.get(I2, o));
      boolean k = x >= lowest & x <= highest;
      long v = k ? x : 0;
      c += k ? 1 : 0;
      high += (v >> 32);
      low += v & 0xFFFF_FFFFL;
      mn = Math.min(mn, k ? x : mn);
      mx = Math.max(mx, k ? x : mx);
    }
    out.count = c;
    out.high = high;
    out.low = low;
    out.lmin = mn;
    out.lmax = mx;
  }

  private static void int32(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    boolean big = d.order() == ByteOrder.BIG_ENDIAN;
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = (big ? s.get(I4_BE, o) : s.get(I4, o));
      boolean k = x >= lowest & x <= highest;
      long v = k ? x : 0;
      c += k ? 1 : 0;
      high += (v >> 32);
      low += v & 0xFFFF_FFFFL;
      mn = Math.min(mn, k ? x : mn);
      mx = Math.max(mx, k ? x : mx);
    }
    out.count = c;
    out.high = high;
    out.low = low;
    out.lmin = mn;
    out.lmax = mx;
  }

  private static void int64(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    boolean big = d.order() == ByteOrder.BIG_ENDIAN;
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = (big ? s.get(I8_BE, o) : s.get(I8, o));
      boolean k = x >= lowest & x <= highest;
      long v = k ? x : 0;
      c += k ? 1 : 0;
      high += (v >> 32);
      low += v & 0xFFFF_FFFFL;
      mn = Math.min(mn, k ? x : mn);
      mx = Math.max(mx, k ? x : mx);
    }
    out.count = c;
    out.high = high;
    out.low = low;
    out.lmin = mn;
    out.lmax = mx;
  }

  private static void uint8(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = s.get(ValueLayout.JAVA_BYTE, o) & 0xFFL;
      boolean k = x >= lowest & x <= highest;
      long v = k ? x : 0;
      c += k ? 1 : 0;
      high += (v >> 32);
      low += v & 0xFFFF_FFFFL;
      mn = Math.min(mn, k ? x : mn);
      mx = Math.max(mx, k ? x : mx);
    }
    out.count = c;
    out.high = high;
    out.low = low;
    out.lmin = mn;
    out.lmax = mx;
  }

  private static void uint16(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    boolean big = d.order() == ByteOrder.BIG_ENDIAN;
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = (big ? s.get(I2_BE, o) : s.get(I2, o)) & 0xFFFFL;
      boolean k = x >= lowest & x <= highest;
      long v = k ? x : 0;
      c += k ? 1 : 0;
      high += (v >> 32);
      low += v & 0xFFFF_FFFFL;
      mn = Math.min(mn, k ? x : mn);
      mx = Math.max(mx, k ? x : mx);
    }
    out.count = c;
    out.high = high;
    out.low = low;
    out.lmin = mn;
    out.lmax = mx;
  }

  private static void uint32(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    boolean big = d.order() == ByteOrder.BIG_ENDIAN;
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = (big ? s.get(I4_BE, o) : s.get(I4, o)) & 0xFFFF_FFFFL;
      boolean k = x >= lowest & x <= highest;
      long v = k ? x : 0;
      c += k ? 1 : 0;
      high += (v >> 32);
      low += v & 0xFFFF_FFFFL;
      mn = Math.min(mn, k ? x : mn);
      mx = Math.max(mx, k ? x : mx);
    }
    out.count = c;
    out.high = high;
    out.low = low;
    out.lmin = mn;
    out.lmax = mx;
  }

  private static void uint64(MemorySegment s, long off, long stride, int n, Dtype d, ValueRange r,
      RunStats out) {
    boolean big = d.order() == ByteOrder.BIG_ENDIAN;
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = (big ? s.get(I8_BE, o) : s.get(I8, o)) ^ Long.MIN_VALUE;
      boolean k = x >= lowest & x <= highest;
      long v = k ? x ^ Long.MIN_VALUE : 0;
      c += k ? 1 : 0;
      high += (v >>> 32);
      low += v & 0xFFFF_FFFFL;
      mn = Math.min(mn, k ? x : mn);
      mx = Math.max(mx, k ? x : mx);
    }
    out.count = c;
    out.high = high;
    out.low = low;
    out.lmin = mn;
    out.lmax = mx;
  }

}
