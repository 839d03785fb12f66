package org.mmapsql.bench;

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
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The hardware floor: the suite's workloads as plain loops over the mapped
 * file, no SQL, on one thread. {@link Scalar} is one accumulator per result;
 * {@link Vector} the Vector API (one lane accumulator each, at the preferred
 * width): floats added as doubles, int32 and int64 widened to long lanes (an
 * exact sum of int32 needs them), int8 and int16 to int lanes with their sums
 * carried into a long every 2^14 steps, f2 by the scalar loop (no Float16
 * vectors in JDK 25).
 */
abstract class PlainLoops {
  final MemorySegment segment;
  final AggregateType type;
  final long rows;

  PlainLoops(MemorySegment segment, AggregateType type) {
    this.segment = segment;
    this.type = type;
    this.rows = segment.byteSize() / type.bytes;
  }

  static PlainLoops of(Engine engine, MemorySegment segment, AggregateType type) {
    return engine == Engine.JAVA_VECTOR ? new Vector(segment, type) : new Scalar(segment, type);
  }

  double get(long i) {
    return type.get(segment, i);
  }

  abstract double sum();

  /** SUM, MIN, MAX, AVG, COUNT of rows {@code from..to-1} whose value is above {@code above}. */
  abstract EngineRun.Expected aggregate(long from, long to, double above);

  /** MIN, MAX, AVG of each run of {@code width} rows, three doubles a bucket. */
  abstract double[] downsample(int width);

  /** Reads every idx and value, as a cursor would. */
  long scan() {
    long s = 0;
    double d = 0;
    for (long i = 0; i < rows; i++) {
      s += i;
      d += get(i);
    }
    return s + (long) d;
  }

  static final class Scalar extends PlainLoops {
    Scalar(MemorySegment s, AggregateType type) {
      super(s, type);
    }

    @Override double sum() {
      double sum = 0;
      for (long i = 0; i < rows; i++) {
        sum += get(i);
      }
      return sum;
    }

    @Override EngineRun.Expected aggregate(long from, long to, double above) {
      if (!type.floats()) {
        return integers(from, to, above);
      }
      double sum = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      long n = 0;
      for (long i = from; i < to; i++) {
        double v = get(i);
        if (v > above) {
          sum += v;
          min = Math.min(min, v);
          max = Math.max(max, v);
          n++;
        }
      }
      return new EngineRun.Expected(sum, min, max, sum / n, n);
    }

    /** The same of an integer column, summed exactly in a long, as the engines sum it. */
    private EngineRun.Expected integers(long from, long to, double above) {
      long sum = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      long n = 0;
      for (long i = from; i < to; i++) {
        double v = get(i);
        if (v > above) {
          sum += (long) v;
          min = Math.min(min, v);
          max = Math.max(max, v);
          n++;
        }
      }
      return new EngineRun.Expected(sum, min, max, (double) sum / n, n);
    }

    @Override double[] downsample(int width) {
      int buckets = (int) ((rows + width - 1) / width);
      double[] out = new double[buckets * 3];
      for (int b = 0; b < buckets; b++) {
        long from = (long) b * width;
        long to = Math.min(rows, from + width);
        EngineRun.Expected e = aggregate(from, to, Double.NEGATIVE_INFINITY);
        out[3 * b] = e.min();
        out[3 * b + 1] = e.max();
        out[3 * b + 2] = e.avg();
      }
      return out;
    }
  }

  static final class Vector extends PlainLoops {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    private static final int LL = LS.length();
    /** Element species of as many lanes as a long vector (i1 needs 512-bit vectors: 8 lanes of 8 bits). */
    private static final VectorSpecies<Float> F4S = FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(L * 32));
    private static final VectorSpecies<Integer> I4S = IntVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(LL * 32));
    private static final VectorSpecies<Short> I2S = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(LL * 16));
    private static final VectorSpecies<Byte> I1S = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(LL * 8));

    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final int IL = IS.length();
    private static final VectorSpecies<Short> I2N = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(IL * 16));
    private static final VectorSpecies<Byte> I1N = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(IL * 8));

    private final Scalar scalar;

    Vector(MemorySegment s, AggregateType type) {
      super(s, type);
      this.scalar = new Scalar(s, type);
    }

    private DoubleVector load(long i) {
      if (type == AggregateType.F4) {
        return (DoubleVector) FloatVector.fromMemorySegment(F4S, segment, i * 4, ByteOrder.LITTLE_ENDIAN)
            .convertShape(VectorOperators.F2D, S, 0);
      }
      return DoubleVector.fromMemorySegment(S, segment, i * 8, ByteOrder.LITTLE_ENDIAN);
    }

    private LongVector loadLong(long i) {
      return switch (type) {
        case I8, U8 -> LongVector.fromMemorySegment(LS, segment, i * 8, ByteOrder.LITTLE_ENDIAN);
        case U4 -> (LongVector) IntVector.fromMemorySegment(I4S, segment, i * 4, ByteOrder.LITTLE_ENDIAN)
            .convertShape(VectorOperators.ZERO_EXTEND_I2L, LS, 0);
        case I4 -> (LongVector) IntVector.fromMemorySegment(I4S, segment, i * 4, ByteOrder.LITTLE_ENDIAN)
            .convertShape(VectorOperators.I2L, LS, 0);
        case I2 -> (LongVector) ShortVector.fromMemorySegment(I2S, segment, i * 2, ByteOrder.LITTLE_ENDIAN)
            .convertShape(VectorOperators.S2L, LS, 0);
        default -> (LongVector) ByteVector.fromMemorySegment(I1S, segment, i, ByteOrder.LITTLE_ENDIAN)
            .convertShape(VectorOperators.B2L, LS, 0);
      };
    }

    private IntVector loadInt(long i) {
      return switch (type) {
        case I2 -> (IntVector) ShortVector.fromMemorySegment(I2N, segment, i * 2, ByteOrder.LITTLE_ENDIAN)
            .convertShape(VectorOperators.S2I, IS, 0);
        case U2 -> (IntVector) ShortVector.fromMemorySegment(I2N, segment, i * 2, ByteOrder.LITTLE_ENDIAN)
            .convertShape(VectorOperators.ZERO_EXTEND_S2I, IS, 0);
        case U1 -> (IntVector) ByteVector.fromMemorySegment(I1N, segment, i, ByteOrder.LITTLE_ENDIAN)
            .convertShape(VectorOperators.ZERO_EXTEND_B2I, IS, 0);
        default -> (IntVector) ByteVector.fromMemorySegment(I1N, segment, i, ByteOrder.LITTLE_ENDIAN)
            .convertShape(VectorOperators.B2I, IS, 0);
      };
    }

    /** SUM, MIN, MAX, COUNT of an 8- or 16-bit integer column in int lanes, the sums carried into a long. */
    private EngineRun.Expected smallIntegers(long from, long to, long above) {
      IntVector min = IntVector.broadcast(IS, Integer.MAX_VALUE);
      IntVector max = IntVector.broadcast(IS, Integer.MIN_VALUE);
      int a = (int) Math.clamp(above, Integer.MIN_VALUE, Integer.MAX_VALUE);
      boolean all = above == Long.MIN_VALUE;
      long s = 0;
      long n = 0;
      long i = from;
      long end = to - (to - from) % IL;
      while (i < end) {
        IntVector sum = IntVector.zero(IS);
        for (long stop = Math.min(end, i + ((long) IL << 14)); i < stop; i += IL) {
          IntVector v = loadInt(i);
          if (all) {
            sum = sum.add(v);
            min = min.min(v);
            max = max.max(v);
          } else {
            VectorMask<Integer> m = v.compare(VectorOperators.GT, a);
            sum = sum.add(v, m);
            min = min.blend(min.min(v), m);
            max = max.blend(max.max(v), m);
            n += m.trueCount();
          }
        }
        for (int k = 0; k < IL; k++) {
          s += sum.lane(k);
        }
      }
      if (all) {
        n = i - from;
      }
      long lo = min.reduceLanes(VectorOperators.MIN);
      long hi = max.reduceLanes(VectorOperators.MAX);
      for (; i < to; i++) {
        long v = (long) get(i);
        if (v > above) {
          s += v;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
          n++;
        }
      }
      return new EngineRun.Expected(s, lo, hi, (double) s / n, n);
    }

    /**
     * SUM, MIN, MAX, COUNT of an integer column in long lanes: exact (no value of a run this long can wrap;
     * the bench's uint64 values stay below 2^63, so signed lanes give the same answers).
     */
    private EngineRun.Expected integers(long from, long to, long above) {
      if (type.bytes <= 2) {
        return smallIntegers(from, to, above);
      }
      LongVector sum = LongVector.zero(LS);
      LongVector min = LongVector.broadcast(LS, Long.MAX_VALUE);
      LongVector max = LongVector.broadcast(LS, Long.MIN_VALUE);
      long n = 0;
      long i = from;
      boolean all = above == Long.MIN_VALUE;
      for (long end = to - (to - from) % LL; i < end; i += LL) {
        LongVector v = loadLong(i);
        if (all) {
          sum = sum.add(v);
          min = min.min(v);
          max = max.max(v);
        } else {
          VectorMask<Long> m = v.compare(VectorOperators.GT, above);
          sum = sum.add(v, m);
          min = min.blend(min.min(v), m);
          max = max.blend(max.max(v), m);
          n += m.trueCount();
        }
      }
      if (all) {
        n = i - from;
      }
      long s = sum.reduceLanes(VectorOperators.ADD);
      long lo = min.reduceLanes(VectorOperators.MIN);
      long hi = max.reduceLanes(VectorOperators.MAX);
      for (; i < to; i++) {
        long v = (long) get(i);
        if (v > above) {
          s += v;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
          n++;
        }
      }
      return new EngineRun.Expected(s, lo, hi, (double) s / n, n);
    }

    @Override double sum() {
      DoubleVector acc = DoubleVector.zero(S);
      long i = 0;
      for (long end = rows - rows % L; i < end; i += L) {
        acc = acc.add(load(i));
      }
      double sum = acc.reduceLanes(VectorOperators.ADD);
      for (; i < rows; i++) {
        sum += get(i);
      }
      return sum;
    }

    @Override EngineRun.Expected aggregate(long from, long to, double above) {
      if (type == AggregateType.F2) {
        return scalar.aggregate(from, to, above);
      }
      if (!type.floats()) {
        return integers(from, to, above == Double.NEGATIVE_INFINITY ? Long.MIN_VALUE : (long) above);
      }
      DoubleVector sum = DoubleVector.zero(S);
      DoubleVector min = DoubleVector.broadcast(S, Double.POSITIVE_INFINITY);
      DoubleVector max = DoubleVector.broadcast(S, Double.NEGATIVE_INFINITY);
      long n = 0;
      long i = from;
      boolean all = above == Double.NEGATIVE_INFINITY;
      for (long end = to - (to - from) % L; i < end; i += L) {
        DoubleVector v = load(i);
        if (all) {
          sum = sum.add(v);
          min = min.min(v);
          max = max.max(v);
        } else {
          VectorMask<Double> m = v.compare(VectorOperators.GT, above);
          sum = sum.add(v, m);
          min = min.blend(min.min(v), m);
          max = max.blend(max.max(v), m);
          n += m.trueCount();
        }
      }
      if (all) {
        n = i - from;
      }
      double s = sum.reduceLanes(VectorOperators.ADD);
      double lo = min.reduceLanes(VectorOperators.MIN);
      double hi = max.reduceLanes(VectorOperators.MAX);
      for (; i < to; i++) {
        double v = get(i);
        if (v > above) {
          s += v;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
          n++;
        }
      }
      return new EngineRun.Expected(s, lo, hi, s / n, n);
    }

    @Override double[] downsample(int width) {
      int buckets = (int) ((rows + width - 1) / width);
      double[] out = new double[buckets * 3];
      for (int b = 0; b < buckets; b++) {
        long from = (long) b * width;
        EngineRun.Expected e = aggregate(from, Math.min(rows, from + width), Double.NEGATIVE_INFINITY);
        out[3 * b] = e.min();
        out[3 * b + 1] = e.max();
        out[3 * b + 2] = e.avg();
      }
      return out;
    }
  }
}
