package org.mmapsql.storage;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The loops of {@link FloatRun} and {@link IntRun} with the Vector API, for a
 * little-endian column whose values lie side by side (a 1-D array): loaded only
 * when the JVM has {@code jdk.incubator.vector} (see {@link RunStats#vectorised}).
 * Float leaves keep FloatRun's accumulators lane for lane (four lanes of doubles
 * are its accumulators r0..r3, two vectors its r0..r7) and add them in its order,
 * so a sum is the same to the last bit on either path; 32- and 64-bit integers
 * are widened to long lanes, where a run's sum cannot overflow, and 8- and
 * 16-bit ones to int lanes, twice as many a step, their sums carried into a
 * long before a lane could overflow.
 */
final class VectorRun {
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;
  private static final VectorSpecies<Long> DL = LongVector.SPECIES_256;
  private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
  private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
  /**
   * f2: as many halves as F8 and F4 hold floats, widened to int lanes of the same shape, then made
   * floats exactly as {@link Float#float16ToFloat} (JDK 25 has no Float16 vectors): exponent and
   * fraction moved into a float's place and scaled by 2^112, the difference of the biases (which
   * gets subnormals right too), infinities and NaNs given a float's all-ones exponent, the sign
   * put back. Written out in both loops: a method taking and returning vectors, once compiled on
   * its own, was no longer inlined and boxed every vector (200 ms instead of 12 for 10 M values).
   */
  private static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;
  private static final VectorSpecies<Short> S4 = ShortVector.SPECIES_64;
  private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
  private static final VectorSpecies<Integer> I4 = IntVector.SPECIES_128;
  private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
  private static final int LANES = L.length();
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.withShape(
      jdk.incubator.vector.VectorShape.forBitSize(LANES * 32));
  /** Int lanes for 8- and 16-bit values, and the species that load as many of them. */
  private static final VectorSpecies<Integer> N = IntVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Byte> NB = ByteVector.SPECIES_PREFERRED.withShape(
      jdk.incubator.vector.VectorShape.forBitSize(N.length() * 8));
  private static final VectorSpecies<Short> NS = ShortVector.SPECIES_PREFERRED.withShape(
      jdk.incubator.vector.VectorShape.forBitSize(N.length() * 16));
  /** Steps between carries of the int lanes' sums: 2^14 values of at most 2^16 in magnitude stay below 2^31. */
  private static final int CARRY = 1 << 14;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private static final long LOW_HALF = 0xFFFF_FFFFL;

  private VectorRun() {
  }

  /** Whether this processor has the vectors these loops need: four lanes of doubles. */
  static boolean usable() {
    return DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
  }

  /** {@link FloatRun}'s leaf over every value (f8, f4 or f2): its sum; count and extremes into {@code r}. */
  static double leaf(FloatRun r, long off, int n) {
    MemorySegment s = r.s;
    boolean f4 = r.type == ElementType.FLOAT32;
    boolean f2 = r.type == ElementType.FLOAT16;
    DoubleVector a = DoubleVector.zero(D); // r0..r3
    DoubleVector b = DoubleVector.zero(D); // r4..r7
    DoubleVector mn = DoubleVector.broadcast(D, r.min);
    DoubleVector mx = DoubleVector.broadcast(D, r.max);
    int m = n - n % 8;
    for (int i = 0; i < m; i += 8) {
      DoubleVector v0;
      DoubleVector v1;
      if (f2 || f4) {
        FloatVector f;
        if (f2) { // written out, as in leafKept: see S8
          IntVector x = (IntVector) ShortVector.fromMemorySegment(S8, s, off + 2L * i, LE)
              .convertShape(VectorOperators.S2I, I8, 0);
          IntVector em = x.lanewise(VectorOperators.AND, 0x7FFF);
          IntVector moved = em.lanewise(VectorOperators.LSHL, 13);
          f = moved.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
              .blend(moved.lanewise(VectorOperators.OR, 0x7F80_0000), em.compare(VectorOperators.GE, 0x7C00))
              .lanewise(VectorOperators.OR, x.lanewise(VectorOperators.AND, Integer.MIN_VALUE)).reinterpretAsFloats();
        } else {
          f = FloatVector.fromMemorySegment(F8, s, off + 4L * i, LE);
        }
        v0 = (DoubleVector) f.convertShape(VectorOperators.F2D, D, 0);
        v1 = (DoubleVector) f.convertShape(VectorOperators.F2D, D, 1);
      } else {
        v0 = DoubleVector.fromMemorySegment(D, s, off + 8L * i, LE);
        v1 = DoubleVector.fromMemorySegment(D, s, off + 8L * i + 32, LE);
      }
      a = a.add(v0);
      b = b.add(v1);
      mn = mn.min(v0).min(v1);
      mx = mx.max(v0).max(v1);
    }
    double sum = ((a.lane(0) + a.lane(1)) + (a.lane(2) + a.lane(3)))
        + ((b.lane(0) + b.lane(1)) + (b.lane(2) + b.lane(3)));
    double lo = mn.reduceLanes(VectorOperators.MIN);
    double hi = mx.reduceLanes(VectorOperators.MAX);
    for (int i = m; i < n; i++) {
      double v = value(s, off, i, f2, f4);
      sum += v;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    r.min = lo;
    r.max = hi;
    r.count += n;
    return sum;
  }

  /** Value {@code i} of a float leaf, one at a time (the few past the last whole vector). */
  private static double value(MemorySegment s, long off, int i, boolean f2, boolean f4) {
    return f2 ? Float.float16ToFloat(s.get(FloatRun.F2, off + 2L * i))
        : f4 ? s.get(FloatRun.F4, off + 4L * i) : s.get(FloatRun.F8, off + 8L * i);
  }

  /** {@link FloatRun}'s leaf over the values in its range (f8, f4 or f2): the same sum, count and distances. */
  static double leafKept(FloatRun r, long off, int n) {
    MemorySegment s = r.s;
    boolean f4 = r.type == ElementType.FLOAT32;
    boolean f2 = r.type == ElementType.FLOAT16;
    long base = r.loKey;
    long sp = r.span;
    DoubleVector acc = DoubleVector.zero(D); // r0..r3
    // Least unsigned distances from either end, kept with the sign bit flipped so that signed MIN orders them.
    LongVector low = LongVector.broadcast(DL, r.lowest ^ Long.MIN_VALUE);
    LongVector high = LongVector.broadcast(DL, r.highest ^ Long.MIN_VALUE);
    long c = 0;
    int m = n - n % 4;
    for (int i = 0; i < m; i += 4) {
      DoubleVector v;
      if (f2) { // written out, as in leaf: see S8
        IntVector x = (IntVector) ShortVector.fromMemorySegment(S4, s, off + 2L * i, LE)
            .convertShape(VectorOperators.S2I, I4, 0);
        IntVector em = x.lanewise(VectorOperators.AND, 0x7FFF);
        IntVector moved = em.lanewise(VectorOperators.LSHL, 13);
        v = (DoubleVector) moved.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
            .blend(moved.lanewise(VectorOperators.OR, 0x7F80_0000), em.compare(VectorOperators.GE, 0x7C00))
            .lanewise(VectorOperators.OR, x.lanewise(VectorOperators.AND, Integer.MIN_VALUE)).reinterpretAsFloats()
            .convertShape(VectorOperators.F2D, D, 0);
      } else {
        v = f4
            ? (DoubleVector) FloatVector.fromMemorySegment(F4, s, off + 4L * i, LE).convertShape(VectorOperators.F2D, D, 0)
            : DoubleVector.fromMemorySegment(D, s, off + 8L * i, LE);
      }
      LongVector bits = v.viewAsIntegralLanes();
      LongVector key = bits.lanewise(VectorOperators.XOR,
          bits.lanewise(VectorOperators.ASHR, 63).lanewise(VectorOperators.AND, Long.MAX_VALUE));
      LongVector d = key.sub(base);
      LongVector e = d.neg().add(sp);
      VectorMask<Long> keep = d.compare(VectorOperators.ULE, sp);
      acc = acc.add(v, keep.cast(D)); // a value left out adds nothing, as FloatRun's +0.0 (acc is never -0.0)
      c += keep.trueCount();
      low = low.min(d.lanewise(VectorOperators.XOR, Long.MIN_VALUE));
      high = high.min(e.lanewise(VectorOperators.XOR, Long.MIN_VALUE));
    }
    double sum = (acc.lane(0) + acc.lane(1)) + (acc.lane(2) + acc.lane(3));
    long lw = low.reduceLanes(VectorOperators.MIN) ^ Long.MIN_VALUE;
    long hg = high.reduceLanes(VectorOperators.MIN) ^ Long.MIN_VALUE;
    for (int i = m; i < n; i++) {
      long b = Double.doubleToRawLongBits(value(s, off, i, f2, f4));
      long d = FloatRun.key(b) - base;
      boolean k = Long.compareUnsigned(d, sp) <= 0;
      sum += Double.longBitsToDouble(k ? b : 0L);
      c += k ? 1 : 0;
      lw = Long.compareUnsigned(d, lw) < 0 ? d : lw;
      hg = Long.compareUnsigned(sp - d, hg) < 0 ? sp - d : hg;
    }
    r.lowest = lw;
    r.highest = hg;
    r.count += c;
    return sum;
  }

  /**
   * {@link IntRun}'s pass over a run of an integer column: count, exact sum as
   * {@code high * 2^32 + low}, and MIN and MAX as IntRun gives them (uint64 still
   * with the sign bit flipped). The range is not empty. The loops load from the
   * thread's window ({@link RunStats#window}), the run copied into it a window at a
   * time, never from the mapping; the few values past the last whole vector are
   * read one by one (scalar reads of a page cut off are errors, not crashes).
   */
  static void integers(MemorySegment s, long off, int n, ElementType t, int width, ValueRange r, RunStats out) {
    if (width <= 2) {
      narrow(s, off, n, t, width, r, out);
      return;
    }
    MemorySegment w = RunStats.window();
    int per = (int) (w.byteSize() / width); // a multiple of LANES, as m is
    long base = r.lowest();
    long span = r.highest() - base;
    boolean wide = t == ElementType.INT64 || t == ElementType.UINT64;
    boolean flip = t == ElementType.UINT64;
    LongVector sum = LongVector.zero(L); // narrow types: the sum; wide ones: the high halves
    LongVector lows = LongVector.zero(L); // wide types: the low halves
    LongVector fromLow = LongVector.broadcast(L, span ^ Long.MIN_VALUE);
    LongVector fromHigh = LongVector.broadcast(L, span ^ Long.MIN_VALUE);
    long c = 0;
    int m = n - n % LANES;
    if (span == -1L) { // every value: no mask, MIN and MAX as they are (uint64: flipped, signed order)
      LongVector mn = LongVector.broadcast(L, Long.MAX_VALUE);
      LongVector mx = LongVector.broadcast(L, Long.MIN_VALUE);
      for (int i = 0; i < m; ) {
        int copied = Math.min(m, i + per);
        MemorySegment.copy(s, off + (long) width * i, w, 0, (long) width * (copied - i));
        for (long o = 0; i < copied; i += LANES, o += (long) width * LANES) {
          LongVector x = load(w, o, t);
          if (wide) {
            LongVector v = flip ? x.lanewise(VectorOperators.XOR, Long.MIN_VALUE) : x;
            sum = sum.add(v.lanewise(flip ? VectorOperators.LSHR : VectorOperators.ASHR, 32));
            lows = lows.add(v.lanewise(VectorOperators.AND, LOW_HALF));
          } else {
            sum = sum.add(x);
          }
          mn = mn.min(x);
          mx = mx.max(x);
        }
      }
      c = m;
      // as distances from the ends, where the loop below goes on (none yet: the span itself)
      fromLow = LongVector.broadcast(L, (mn.reduceLanes(VectorOperators.MIN) - base) ^ Long.MIN_VALUE);
      fromHigh = LongVector.broadcast(L, (span - (mx.reduceLanes(VectorOperators.MAX) - base)) ^ Long.MIN_VALUE);
    }
    for (int i = span == -1L ? m : 0; i < m; ) {
      int copied = Math.min(m, i + per);
      MemorySegment.copy(s, off + (long) width * i, w, 0, (long) width * (copied - i));
      for (long o = 0; i < copied; i += LANES, o += (long) width * LANES) {
        LongVector x = load(w, o, t);
        LongVector d = x.sub(base);
        VectorMask<Long> keep = d.compare(VectorOperators.ULE, span);
        c += keep.trueCount();
        if (wide) {
          LongVector v = flip ? x.lanewise(VectorOperators.XOR, Long.MIN_VALUE) : x;
          sum = sum.add(v.lanewise(flip ? VectorOperators.LSHR : VectorOperators.ASHR, 32), keep);
          lows = lows.add(v.lanewise(VectorOperators.AND, LOW_HALF), keep);
        } else {
          sum = sum.add(x, keep);
        }
        fromLow = fromLow.min(d.lanewise(VectorOperators.XOR, Long.MIN_VALUE));
        fromHigh = fromHigh.min(d.neg().add(span).lanewise(VectorOperators.XOR, Long.MIN_VALUE));
      }
    }
    long high = sum.reduceLanes(VectorOperators.ADD);
    long low = lows.reduceLanes(VectorOperators.ADD);
    if (!wide) { // a narrow run's sum fits a long: split it as the wide ones are
      low = high & LOW_HALF;
      high >>= 32;
    }
    long lw = fromLow.reduceLanes(VectorOperators.MIN) ^ Long.MIN_VALUE;
    long hg = fromHigh.reduceLanes(VectorOperators.MIN) ^ Long.MIN_VALUE;
    for (int i = m; i < n; i++) {
      long x = IntRun.value(s, off + (long) width * i, t);
      long d = x - base;
      if (Long.compareUnsigned(d, span) <= 0) {
        long v = flip ? x ^ Long.MIN_VALUE : x;
        c++;
        high += flip ? v >>> 32 : v >> 32;
        low += v & LOW_HALF;
      }
      lw = Long.compareUnsigned(d, lw) < 0 ? d : lw;
      hg = Long.compareUnsigned(span - d, hg) < 0 ? span - d : hg;
    }
    out.count = c;
    out.high = high;
    out.low = low;
    out.lmin = base + lw;
    out.lmax = base + span - hg;
  }

  /**
   * {@link #integers} for 8- and 16-bit values, in int lanes: the values kept
   * are those within the range's bounds (clamped to ints, which no such value
   * reaches), MIN and MAX those of the kept values (only read when some are).
   */
  private static void narrow(MemorySegment s, long off, int n, ElementType t, int width, ValueRange r,
      RunStats out) {
    int lo = (int) Math.clamp(r.lowest(), Integer.MIN_VALUE, Integer.MAX_VALUE);
    int hi = (int) Math.clamp(r.highest(), Integer.MIN_VALUE, Integer.MAX_VALUE);
    boolean all = lo <= -(1 << 16) && hi >= 1 << 16; // every 8- or 16-bit value: no mask
    int lanes = N.length();
    int m = n - n % lanes;
    IntVector mn = IntVector.broadcast(N, Integer.MAX_VALUE);
    IntVector mx = IntVector.broadcast(N, Integer.MIN_VALUE);
    long total = 0;
    long c = 0;
    MemorySegment w = RunStats.window();
    int per = (int) (w.byteSize() / width); // a multiple of lanes, as i and end are
    for (int i = 0; i < m; ) {
      IntVector sum = IntVector.zero(N);
      for (int end = Math.min(m, i + CARRY * lanes); i < end; ) {
        int copied = Math.min(end, i + per);
        MemorySegment.copy(s, off + (long) width * i, w, 0, (long) width * (copied - i));
        for (long o = 0; i < copied; i += lanes, o += (long) width * lanes) {
          IntVector x = ints(w, o, t);
          if (all) {
            sum = sum.add(x);
            mn = mn.min(x);
            mx = mx.max(x);
          } else {
            VectorMask<Integer> keep = x.compare(VectorOperators.GE, lo).and(x.compare(VectorOperators.LE, hi));
            sum = sum.add(x, keep);
            c += keep.trueCount();
            mn = mn.min(x.blend(Integer.MAX_VALUE, keep.not()));
            mx = mx.max(x.blend(Integer.MIN_VALUE, keep.not()));
          }
        }
      }
      for (int k = 0; k < lanes; k++) { // in longs: the lanes together may pass 2^31
        total += sum.lane(k);
      }
    }
    if (all) {
      c = m;
    }
    long lmin = mn.reduceLanes(VectorOperators.MIN);
    long lmax = mx.reduceLanes(VectorOperators.MAX);
    for (int i = m; i < n; i++) {
      long x = IntRun.value(s, off + (long) width * i, t);
      if (x >= lo && x <= hi) {
        c++;
        total += x;
        lmin = Math.min(lmin, x);
        lmax = Math.max(lmax, x);
      }
    }
    out.count = c;
    out.high = total >> 32;
    out.low = total & LOW_HALF;
    out.lmin = lmin;
    out.lmax = lmax;
  }

  /** {@code N.length()} 8- or 16-bit values of {@code t} from {@code o} in int lanes. */
  private static IntVector ints(MemorySegment s, long o, ElementType t) {
    return switch (t) {
      case INT8 -> (IntVector) ByteVector.fromMemorySegment(NB, s, o, LE).convertShape(VectorOperators.B2I, N, 0);
      case UINT8 -> (IntVector) ByteVector.fromMemorySegment(NB, s, o, LE)
          .convertShape(VectorOperators.ZERO_EXTEND_B2I, N, 0);
      case INT16 -> (IntVector) ShortVector.fromMemorySegment(NS, s, o, LE).convertShape(VectorOperators.S2I, N, 0);
      default -> (IntVector) ShortVector.fromMemorySegment(NS, s, o, LE)
          .convertShape(VectorOperators.ZERO_EXTEND_S2I, N, 0);
    };
  }

  /** LANES 32- or 64-bit values of {@code t} from {@code o} in long lanes (uint64: the sign bit flipped). */
  private static LongVector load(MemorySegment s, long o, ElementType t) {
    return switch (t) {
      case INT32 -> (LongVector) IntVector.fromMemorySegment(I, s, o, LE).convertShape(VectorOperators.I2L, L, 0);
      case UINT32 -> (LongVector) IntVector.fromMemorySegment(I, s, o, LE)
          .convertShape(VectorOperators.ZERO_EXTEND_I2L, L, 0);
      case UINT64 -> LongVector.fromMemorySegment(L, s, o, LE).lanewise(VectorOperators.XOR, Long.MIN_VALUE);
      default -> LongVector.fromMemorySegment(L, s, o, LE);
    };
  }
}
