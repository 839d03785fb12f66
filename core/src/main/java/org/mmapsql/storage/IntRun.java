package org.mmapsql.storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One pass over a run of an integer column, read in place from the mapping:
 * the count of values in the range, their exact sum as {@code high * 2^32 +
 * low} (each value split in its halves, so nothing can overflow within a run
 * and no branch checks it), MIN and MAX. One loop per dtype, so that no value
 * pays for a type switch; uint64 values are compared with the sign bit flipped.
 */
final class IntRun {
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
    ValueLayout.OfShort l = (ValueLayout.OfShort) d.layout;
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = s.get(l, o);
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
    ValueLayout.OfInt l = (ValueLayout.OfInt) d.layout;
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = s.get(l, o);
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
    ValueLayout.OfLong l = (ValueLayout.OfLong) d.layout;
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = s.get(l, o);
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
    ValueLayout.OfShort l = (ValueLayout.OfShort) d.layout;
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = s.get(l, o) & 0xFFFFL;
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
    ValueLayout.OfInt l = (ValueLayout.OfInt) d.layout;
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = s.get(l, o) & 0xFFFF_FFFFL;
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
    ValueLayout.OfLong l = (ValueLayout.OfLong) d.layout;
    long lowest = r.lowest();
    long highest = r.highest();
    long c = 0;
    long high = 0;
    long low = 0;
    long mn = Long.MAX_VALUE;
    long mx = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long o = off + i * stride;
      long x = s.get(l, o) ^ Long.MIN_VALUE;
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
