package org.mmapsql.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API loops against the scalar ones on the same memory, run by run:
 * the same count, sum (doubles to the last bit: the same pairwise tree), extremes
 * and integer sum, for every bound form (open, closed, empty, NaN, zeros, the
 * infinities, all), runs of every length around a vector and a leaf, from
 * unaligned starts. Runs only where the JVM has the vector module; the scalar
 * loops themselves are checked against H2 by the SQL tests.
 */
class VectorRunTest {
  private static final int[] LENGTHS = {0, 1, 3, 4, 7, 8, 9, 15, 17, 127, 128, 129, 255, 1001, 4099, 65_536};

  @ParameterizedTest
  @ValueSource(strings = {"f8", "f4", "f2"})
  void floatRunsAreTheScalarOnesToTheLastBit(String dtype) {
    assumeTrue(RunStats.vectorised(), "no jdk.incubator.vector in this JVM");
    Dtype d = Dtype.parse(dtype);
    int w = d.width();
    double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
        Double.MIN_VALUE, -Double.MIN_VALUE, 1e300, -1e300};
    Random r = new Random(dtype.hashCode());
    List<ValueRange> ranges = new ArrayList<>(List.of(ValueRange.ALL));
    for (double[] b : new double[][] {{0, 0}, {-0.0, 0.0}, {-1, 1}, {0.5, Double.POSITIVE_INFINITY},
        {Double.NEGATIVE_INFINITY, -0.5}, {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}, {1, -1},
        {Double.NaN, 1}, {Double.MIN_VALUE, 1e300}}) {
      ranges.add(new ValueRange(false, b[0], b[1], 0, 0));
    }
    try (Arena arena = Arena.ofConfined()) {
      for (boolean withSpecials : new boolean[] {false, true}) {
        int n = 70_000;
        MemorySegment s = arena.allocate((long) n * w + 8);
        for (int i = 0; i < n; i++) {
          double v = withSpecials && r.nextInt(50) == 0 ? special[r.nextInt(special.length)]
              : r.nextGaussian() * Math.scalb(1.0, r.nextInt(40) - 20);
          switch (w) { // f2: past 65504 an infinity, below 2^-14 subnormal, below 2^-25 zero
            case 8 -> s.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, 8L * i, v);
            case 4 -> s.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i, (float) v);
            default -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, Float.floatToFloat16((float) v));
          }
        }
        for (ValueRange range : ranges) {
          for (int len : LENGTHS) {
            for (int start : new int[] {0, 3}) {
              RunStats vector = new RunStats();
              RunStats scalar = new RunStats();
              new FloatRun(s, w, d, range, true).run((long) start * w, len, vector);
              new FloatRun(s, w, d, range, false).run((long) start * w, len, scalar);
              String what = dtype + " " + range + " length " + len + " from " + start;
              assertEquals(scalar.count, vector.count, what);
              // NaN's bits are not compared: which operand's NaN an add keeps is the JIT's choice (it
              // may swap them), so a sum of NaN and inf - inf has come out with either sign
              assertEquals(Double.doubleToLongBits(scalar.sum), Double.doubleToLongBits(vector.sum),
                  what + ": sum " + vector.sum + ", scalar " + scalar.sum);
              assertEquals(Double.doubleToLongBits(scalar.min), Double.doubleToLongBits(vector.min), what);
              assertEquals(Double.doubleToLongBits(scalar.max), Double.doubleToLongBits(vector.max), what);
            }
          }
        }
      }
    }
  }

  /**
   * Every float16 bit pattern (zeros, subnormals, normals, infinities, NaNs), eight
   * of each side by side: a vector's worth read at once is the JDK's own conversion.
   */
  @Test void everyFloat16IsTheJdksFloat() {
    assumeTrue(RunStats.vectorised(), "no jdk.incubator.vector in this JVM");
    Dtype d = Dtype.parse("f2");
    ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment s = arena.allocate(65_536L * 8 * 2);
      for (int p = 0; p < 65_536; p++) {
        for (int k = 0; k < 8; k++) {
          s.set(le, 16L * p + 2L * k, (short) p);
        }
      }
      for (int p = 0; p < 65_536; p++) {
        RunStats out = new RunStats();
        new FloatRun(s, 2, d, ValueRange.ALL, true).run(16L * p, 8, out);
        double want = Float.float16ToFloat((short) p);
        double sum = 0; // as a sum starts: -0.0 eight times adds up to +0.0
        for (int k = 0; k < 8; k++) {
          sum += want;
        }
        String what = "float16 bits " + Integer.toHexString(p) + " = " + want;
        assertEquals(Double.doubleToLongBits(sum), Double.doubleToLongBits(out.sum), what);
        assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(out.min), what);
        assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(out.max), what);
        assertEquals(8, out.count, what);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"})
  void integerRunsAreTheScalarOnes(String dtype) {
    assumeTrue(RunStats.vectorised(), "no jdk.incubator.vector in this JVM");
    Dtype d = Dtype.parse(dtype);
    int w = d.width();
    boolean u64 = dtype.equals("u8");
    Random r = new Random(dtype.hashCode());
    try (Arena arena = Arena.ofConfined()) {
      int n = 70_000;
      MemorySegment s = arena.allocate((long) n * w + 8);
      for (int i = 0; i < n; i++) {
        long v = r.nextLong();
        switch (w) {
          case 1 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) v);
          case 2 -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i, (short) v);
          case 4 -> s.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i, (int) v);
          default -> s.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8L * i, v);
        }
      }
      List<ValueRange> ranges = new ArrayList<>(List.of(ValueRange.ALL));
      long[][] bounds = {{0, 0}, {-1, 1}, {10, Long.MAX_VALUE}, {Long.MIN_VALUE, -10}, {1, 0}, {-100, 100},
          {Long.MIN_VALUE, Long.MAX_VALUE}, {200, 60_000}, {-(1L << 40), 1L << 40}, {-(1L << 40), 5},
          {Integer.MIN_VALUE - 5L, Integer.MAX_VALUE + 5L}, {-70_000, 70_000}, {-65_535, 65_535},
          {-32_768, 32_767}, {70_000, 1L << 40}, {Integer.MAX_VALUE, Long.MAX_VALUE}};
      for (long[] b : bounds) {
        // uint64 bounds are its bits with the sign bit flipped (see ValueRange)
        ranges.add(u64 ? new ValueRange(false, 0, 0, b[0] ^ Long.MIN_VALUE, b[1] ^ Long.MIN_VALUE)
            : new ValueRange(false, 0, 0, b[0], b[1]));
      }
      for (ValueRange range : ranges) {
        for (int len : LENGTHS) {
          for (int start : new int[] {0, 3}) {
            RunStats vector = new RunStats();
            RunStats scalar = new RunStats();
            IntRun.run(s, (long) start * w, w, len, d, range, vector, true);
            IntRun.run(s, (long) start * w, w, len, d, range, scalar, false);
            String what = dtype + " " + range + " length " + len + " from " + start;
            assertEquals(scalar.count, vector.count, what);
            assertEquals(sum(scalar), sum(vector), what);
            if (scalar.count > 0) {
              assertEquals(scalar.lmin, vector.lmin, what);
              assertEquals(scalar.lmax, vector.lmax, what);
            }
          }
        }
      }
    }
  }

  /** A longest run of a narrow type's extreme values: its sum passes what an int lane holds many times over. */
  @ParameterizedTest
  @ValueSource(strings = {"i1", "u1", "i2", "u2"})
  void narrowRunsOfExtremesSumExactly(String dtype) {
    assumeTrue(RunStats.vectorised(), "no jdk.incubator.vector in this JVM");
    Dtype d = Dtype.parse(dtype);
    int w = d.width();
    boolean unsigned = dtype.startsWith("u");
    long most = unsigned ? (1L << (8 * w)) - 1 : (1L << (8 * w - 1)) - 1;
    long least = unsigned ? 0 : -(1L << (8 * w - 1));
    int n = RunStats.MAX_RUN;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment s = arena.allocate((long) n * w);
      for (long value : new long[] {most, least}) {
        for (int i = 0; i < n; i++) {
          if (w == 1) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) value);
          } else {
            s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i, (short) value);
          }
        }
        for (ValueRange range : List.of(ValueRange.ALL, new ValueRange(false, 0, 0, least, most))) {
          RunStats vector = new RunStats();
          IntRun.run(s, 0, w, n, d, range, vector, true);
          String what = dtype + " " + n + " times " + value + " in " + range;
          assertEquals(n, vector.count, what);
          assertEquals(BigInteger.valueOf(value).multiply(BigInteger.valueOf(n)), sum(vector), what);
          assertEquals(value, vector.lmin, what);
          assertEquals(value, vector.lmax, what);
        }
      }
    }
  }

  private static BigInteger sum(RunStats s) {
    return BigInteger.valueOf(s.high).shiftLeft(32).add(BigInteger.valueOf(s.low));
  }
}
