package org.mmapsql.bench;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The hardware floor: the suite's workloads as plain loops over the mapped
 * file, no SQL. {@link Scalar} is one accumulator per result; {@link Vector}
 * the Vector API (one lane accumulator each).
 */
abstract class PlainLoops {
  final MemorySegment segment;
  final long rows;

  PlainLoops(MemorySegment segment) {
    this.segment = segment;
    this.rows = segment.byteSize() / 8;
  }

  static PlainLoops of(Engine engine, MemorySegment segment) {
    return engine == Engine.JAVA_VECTOR ? new Vector(segment) : new Scalar(segment);
  }

  double get(long i) {
    return segment.getAtIndex(Data.LE_DOUBLE, i);
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
    Scalar(MemorySegment s) {
      super(s);
    }

    @Override double sum() {
      double sum = 0;
      for (long i = 0; i < rows; i++) {
        sum += get(i);
      }
      return sum;
    }

    @Override EngineRun.Expected aggregate(long from, long to, double above) {
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

    Vector(MemorySegment s) {
      super(s);
    }

    private DoubleVector load(long i) {
      return DoubleVector.fromMemorySegment(S, segment, i * 8, ByteOrder.LITTLE_ENDIAN);
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
