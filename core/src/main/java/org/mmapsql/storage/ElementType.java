package org.mmapsql.storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.calcite.sql.type.SqlTypeName;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * The families of fixed-width elements a mapped file can hold, each with its
 * codec: its SQL type, a block read into SQL values (one loop per family, no
 * dispatch per value), the block reads aggregates use, and the checked
 * conversion of a written value. A new type is one more constant here.
 *
 * <p>Values are Calcite's internal representation of the SQL type: Byte for
 * TINYINT, Short, Integer, Long, BigDecimal for DECIMAL, Float for REAL,
 * Double, Boolean, String for CHAR, Long milliseconds for TIMESTAMP.
 */
public enum ElementType {
  BOOL(SqlTypeName.BOOLEAN, 1, "b1", Numeric.NONE, "bool", "boolean", "?", "b1") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      for (int i = 0; i < n; i++) {
        out[i] = s.get(ValueLayout.JAVA_BYTE, off + i * stride) != 0;
      }
    }

    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      boolean x;
      if (v instanceof Boolean z) {
        x = z;
      } else {
        String t = v.toString().trim();
        if (t.equalsIgnoreCase("true") || t.equals("1")) {
          x = true;
        } else if (t.equalsIgnoreCase("false") || t.equals("0")) {
          x = false;
        } else {
          throw outOfRange(v, d, "TRUE or FALSE");
        }
      }
      b.put(pos, (byte) (x ? 1 : 0));
    }
  },
  INT8(SqlTypeName.TINYINT, 1, "i1", Numeric.LONG, "tinyint", "int8", "i1") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      for (int i = 0; i < n; i++) {
        out[i] = s.get(ValueLayout.JAVA_BYTE, off + i * stride);
      }
    }


    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      b.put(pos, (byte) exactLong(v, d, Byte.MIN_VALUE, Byte.MAX_VALUE));
    }
  },
  INT16(SqlTypeName.SMALLINT, 2, "i2", Numeric.LONG, "smallint", "int16", "i2") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      ValueLayout.OfShort l = (ValueLayout.OfShort) d.layout;
      for (int i = 0; i < n; i++) {
        out[i] = s.get(l, off + i * stride);
      }
    }


    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      b.putShort(pos, (short) exactLong(v, d, Short.MIN_VALUE, Short.MAX_VALUE));
    }
  },
  INT32(SqlTypeName.INTEGER, 4, "i4", Numeric.LONG, "integer", "int", "int32", "i4") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      ValueLayout.OfInt l = (ValueLayout.OfInt) d.layout;
      for (int i = 0; i < n; i++) {
        out[i] = s.get(l, off + i * stride);
      }
    }


    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      b.putInt(pos, (int) exactLong(v, d, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }
  },
  INT64(SqlTypeName.BIGINT, 8, "i8", Numeric.LONG, "bigint", "int64", "i8") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      ValueLayout.OfLong l = (ValueLayout.OfLong) d.layout;
      for (int i = 0; i < n; i++) {
        out[i] = s.get(l, off + i * stride);
      }
    }


    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      b.putLong(pos, exactLong(v, d, Long.MIN_VALUE, Long.MAX_VALUE));
    }
  },
  UINT8(SqlTypeName.SMALLINT, 1, "u1", Numeric.LONG, "uint8", "u1") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      for (int i = 0; i < n; i++) {
        out[i] = (short) (s.get(ValueLayout.JAVA_BYTE, off + i * stride) & 0xFF);
      }
    }


    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      b.put(pos, (byte) exactLong(v, d, 0, 0xFF));
    }
  },
  UINT16(SqlTypeName.INTEGER, 2, "u2", Numeric.LONG, "uint16", "u2") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      ValueLayout.OfShort l = (ValueLayout.OfShort) d.layout;
      for (int i = 0; i < n; i++) {
        out[i] = s.get(l, off + i * stride) & 0xFFFF;
      }
    }


    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      b.putShort(pos, (short) exactLong(v, d, 0, 0xFFFF));
    }
  },
  UINT32(SqlTypeName.BIGINT, 4, "u4", Numeric.LONG, "uint32", "u4") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      ValueLayout.OfInt l = (ValueLayout.OfInt) d.layout;
      for (int i = 0; i < n; i++) {
        out[i] = s.get(l, off + i * stride) & 0xFFFF_FFFFL;
      }
    }


    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      b.putInt(pos, (int) exactLong(v, d, 0, 0xFFFF_FFFFL));
    }
  },
  /** The whole range 0 .. 2^64-1 as DECIMAL(20, 0). */
  UINT64(SqlTypeName.DECIMAL, 8, "u8", Numeric.ULONG, "uint64", "u8") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      ValueLayout.OfLong l = (ValueLayout.OfLong) d.layout;
      for (int i = 0; i < n; i++) {
        long x = s.get(l, off + i * stride);
        out[i] = x >= 0 ? BigDecimal.valueOf(x) : new BigDecimal(unsigned(x));
      }
    }


    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      BigInteger x = exactInteger(v, d);
      if (x.signum() < 0 || x.bitLength() > 64) {
        throw outOfRange(v, d, "0 to 18446744073709551615");
      }
      b.putLong(pos, x.longValue());
    }
  },
  FLOAT16(SqlTypeName.REAL, 2, "f2", Numeric.DOUBLE, "float16", "f2", "half") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      ValueLayout.OfShort l = (ValueLayout.OfShort) d.layout;
      for (int i = 0; i < n; i++) {
        out[i] = Float.float16ToFloat(s.get(l, off + i * stride));
      }
    }

    @Override void doubles(MemorySegment s, long off, long stride, int n, Dtype d, double[] out) {
      ValueLayout.OfShort l = (ValueLayout.OfShort) d.layout;
      for (int i = 0; i < n; i++) {
        out[i] = Float.float16ToFloat(s.get(l, off + i * stride));
      }
    }

    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      double x = toDouble(v, d);
      short h = Float.floatToFloat16((float) x);
      if (Float.isInfinite(Float.float16ToFloat(h)) && !Double.isInfinite(x)) {
        throw outOfRange(v, d, "-65504 to 65504");
      }
      b.putShort(pos, h);
    }
  },
  FLOAT32(SqlTypeName.REAL, 4, "f4", Numeric.DOUBLE, "real", "float", "float32", "f4") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      ValueLayout.OfFloat l = (ValueLayout.OfFloat) d.layout;
      for (int i = 0; i < n; i++) {
        out[i] = s.get(l, off + i * stride);
      }
    }

    @Override void doubles(MemorySegment s, long off, long stride, int n, Dtype d, double[] out) {
      ValueLayout.OfFloat l = (ValueLayout.OfFloat) d.layout;
      for (int i = 0; i < n; i++) {
        out[i] = s.get(l, off + i * stride);
      }
    }

    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      double x = toDouble(v, d);
      if (!Double.isInfinite(x) && Math.abs(x) > Float.MAX_VALUE) {
        throw outOfRange(v, d, "-3.4028235E38 to 3.4028235E38");
      }
      b.putFloat(pos, (float) x);
    }
  },
  FLOAT64(SqlTypeName.DOUBLE, 8, "f8", Numeric.DOUBLE, "double", "float64", "f8") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      ValueLayout.OfDouble l = (ValueLayout.OfDouble) d.layout;
      for (int i = 0; i < n; i++) {
        out[i] = s.get(l, off + i * stride);
      }
    }

    @Override void doubles(MemorySegment s, long off, long stride, int n, Dtype d, double[] out) {
      ValueLayout.OfDouble l = (ValueLayout.OfDouble) d.layout;
      if (stride == 8) {
        MemorySegment.copy(s, l, off, out, 0, n); // the common case: one bulk copy
      } else {
        for (int i = 0; i < n; i++) {
          out[i] = s.get(l, off + i * stride);
        }
      }
    }

    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      b.putDouble(pos, toDouble(v, d));
    }
  },
  /** x86 80-bit extended precision in 16 bytes, read as its exact DECIMAL value (see {@link LongDouble}). */
  LONG_DOUBLE(SqlTypeName.DECIMAL, 16, "f16", Numeric.NONE, "long_double", "longdouble", "f16", "float128") {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      for (int i = 0; i < n; i++) {
        out[i] = LongDouble.decode(s, off + i * stride, d.order());
      }
    }

    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      LongDouble.encode(v == null ? null : toDecimal(v, d), b, pos, v, d);
    }
  },
  /** numpy's {@code S<n>}: at most n bytes, NUL-padded; read as CHAR(n), padded with spaces. */
  STRING(SqlTypeName.CHAR, 0, "S", Numeric.NONE) {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      int w = d.width();
      byte[] bytes = new byte[w];
      for (int i = 0; i < n; i++) {
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off + i * stride, bytes, 0, w);
        int len = w;
        while (len > 0 && bytes[len - 1] == 0) {
          len--;
        }
        String t = new String(bytes, 0, len, StandardCharsets.UTF_8);
        out[i] = t.length() >= w ? t : t + " ".repeat(w - t.length());
      }
    }

    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      String t = v.toString().stripTrailing(); // CHAR semantics: trailing spaces are padding
      byte[] bytes = t.getBytes(StandardCharsets.UTF_8);
      if (bytes.length > d.width()) {
        throw new MmapException(SqlState.DATA_EXCEPTION, "value '" + t + "' is " + bytes.length
            + " bytes long, too long for " + d.code() + " (CHAR(" + d.width() + "), at most "
            + d.width() + " bytes)");
      }
      b.put(pos, bytes);
      for (int i = bytes.length; i < d.width(); i++) {
        b.put(pos + i, (byte) 0);
      }
    }
  },
  /** numpy's datetime64 in s, ms, us or ns; NaT is NULL. Read at millisecond precision. */
  DATETIME64(SqlTypeName.TIMESTAMP, 8, "M8", Numeric.NONE) {
    @Override void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out) {
      ValueLayout.OfLong l = (ValueLayout.OfLong) d.layout;
      long perMilli = perMilli(d);
      for (int i = 0; i < n; i++) {
        long x = s.get(l, off + i * stride);
        out[i] = x == NAT ? null : perMilli < 0 ? x * -perMilli : Math.floorDiv(x, perMilli);
      }
    }

    @Override void encode(Object v, Dtype d, ByteBuffer b, int pos) {
      b.putLong(pos, v == null ? NAT : Datetimes.toUnits(v, d));
    }
  };

  /** numpy's NaT (not a time), the datetime64 NULL. */
  static final long NAT = Long.MIN_VALUE;

  /** Which block read aggregates use. */
  public enum Numeric { LONG, ULONG, DOUBLE, NONE }

  private final SqlTypeName sqlType;
  private final int fixedWidth;
  private final String code;
  private final Numeric numeric;
  private final List<String> names;

  ElementType(SqlTypeName sqlType, int fixedWidth, String code, Numeric numeric, String... names) {
    this.sqlType = sqlType;
    this.fixedWidth = fixedWidth;
    this.code = code;
    this.numeric = numeric;
    this.names = List.of(names);
  }

  /** Copies {@code n} values, {@code stride} bytes apart from {@code off}, into {@code out} as SQL values. */
  abstract void read(MemorySegment s, long off, long stride, int n, Dtype d, Object[] out);

  /** Converts {@code v} (never null unless {@link #nullable()}) and puts it at {@code pos}; throws if it does not fit. */
  abstract void encode(Object v, Dtype d, ByteBuffer b, int pos);

  /** For {@link Numeric#DOUBLE}: the values as doubles. */
  void doubles(MemorySegment s, long off, long stride, int n, Dtype d, double[] out) {
    throw new UnsupportedOperationException(name());
  }

  public SqlTypeName sqlType() {
    return sqlType;
  }

  public Numeric numeric() {
    return numeric;
  }

  /** Whether an element can be NULL: NaT, and a long double NaN or infinity. */
  public boolean nullable() {
    return this == DATETIME64 || this == LONG_DOUBLE;
  }

  /** The SQL type as text: {@code DECIMAL(20, 0)}, {@code CHAR(16)}, {@code TIMESTAMP(3)}. */
  public String sqlTypeText(Dtype d) {
    return switch (this) {
      case UINT64 -> "DECIMAL(20, 0)";
      case LONG_DOUBLE -> "DECIMAL(38, 19)";
      case STRING -> "CHAR(" + d.width() + ")";
      case DATETIME64 -> "TIMESTAMP(3)";
      default -> sqlType.getName();
    };
  }

  List<String> names() {
    return names;
  }

  int fixedWidth() {
    return fixedWidth;
  }

  String code(Dtype d) {
    return switch (this) {
      case STRING -> "S" + d.width();
      case DATETIME64 -> "M8[" + d.unit() + "]";
      default -> code;
    };
  }

  ValueLayout layout(int width) {
    return switch (this) {
      case INT16, UINT16, FLOAT16 -> ValueLayout.JAVA_SHORT_UNALIGNED;
      case INT32, UINT32 -> ValueLayout.JAVA_INT_UNALIGNED;
      case INT64, UINT64, DATETIME64 -> ValueLayout.JAVA_LONG_UNALIGNED;
      case FLOAT32 -> ValueLayout.JAVA_FLOAT_UNALIGNED;
      case FLOAT64 -> ValueLayout.JAVA_DOUBLE_UNALIGNED;
      default -> null;
    };
  }

  static String supported() {
    return Arrays.stream(values()).map(t -> switch (t) {
      case STRING -> "string(n)/S<n>";
      case DATETIME64 -> "datetime64[s|ms|us|ns]/M8[..]";
      default -> String.join("/", t.names);
    }).collect(Collectors.joining(", ")) + "; prefix < (little-endian, default), > (big-endian), = or |";
  }

  // ------------------------------------------------ conversions of written values

  private static void copyLongs(MemorySegment s, long off, long stride, int n, Dtype d, long[] out) {
    ValueLayout.OfLong l = (ValueLayout.OfLong) d.layout;
    if (stride == 8) {
      MemorySegment.copy(s, l, off, out, 0, n);
    } else {
      for (int i = 0; i < n; i++) {
        out[i] = s.get(l, off + i * stride);
      }
    }
  }

  /** More decimal digits than any integer dtype holds (u8: 20). */
  private static final int MAX_INTEGER_DIGITS = 40;

  static BigInteger unsigned(long x) {
    return BigInteger.valueOf(x >>> 1).shiftLeft(1).or(BigInteger.valueOf(x & 1));
  }

  static MmapException outOfRange(Object v, Dtype d, String range) {
    return new MmapException(SqlState.NUMERIC_OUT_OF_RANGE, "value " + show(v) + " is out of range for "
        + d.code() + " (" + d.type().sqlTypeText(d) + ": " + range + ")");
  }

  static String show(Object v) {
    return v instanceof String s ? "'" + s + "'" : v instanceof Float f ? f.toString() : String.valueOf(v);
  }

  /** A written value as an exact whole number in [min, max]; fractions and other values are refused. */
  private static long exactLong(Object v, Dtype d, long min, long max) {
    long x;
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      x = ((Number) v).longValue();
    } else {
      BigInteger b = exactInteger(v, d);
      if (b.bitLength() > 63) {
        throw outOfRange(v, d, min + " to " + max);
      }
      x = b.longValue();
    }
    if (x < min || x > max) {
      throw outOfRange(v, d, min + " to " + max);
    }
    return x;
  }

  private static BigInteger exactInteger(Object v, Dtype d) {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return BigInteger.valueOf(((Number) v).longValue());
    }
    BigDecimal x = toDecimal(v, d);
    if (x == null) {
      throw outOfRange(v, d, "whole numbers only");
    }
    // Refused before converting: 1e50000000 as a BigInteger takes minutes to build.
    int integerDigits = x.precision() - x.scale();
    if (x.signum() != 0 && integerDigits > MAX_INTEGER_DIGITS) {
      throw outOfRange(v, d, "at most " + MAX_INTEGER_DIGITS + " digits");
    }
    try {
      if (x.signum() != 0 && integerDigits <= 0) {
        throw new ArithmeticException(); // 0 < |x| < 1
      }
      return x.toBigIntegerExact();
    } catch (ArithmeticException e) {
      throw new MmapException(SqlState.NUMERIC_OUT_OF_RANGE, "value " + show(v) + " is not a whole number;"
          + " " + d.code() + " (" + d.type().sqlTypeText(d) + ") holds whole numbers only");
    }
  }

  /** A written value as an exact decimal; null for NaN and infinities. */
  static BigDecimal toDecimal(Object v, Dtype d) {
    if (v instanceof BigDecimal b) {
      return b;
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return BigDecimal.valueOf(((Number) v).longValue());
    }
    if (v instanceof Double || v instanceof Float) {
      double x = ((Number) v).doubleValue();
      return Double.isFinite(x) ? new BigDecimal(x) : null;
    }
    if (v instanceof Boolean) {
      throw new MmapException(SqlState.INVALID_NUMBER, "value " + v + " is not a number; "
          + d.code() + " holds numbers");
    }
    String t = v.toString().trim();
    try {
      return new BigDecimal(t);
    } catch (NumberFormatException e) {
      try {
        double x = Double.parseDouble(t); // NaN, Infinity
        return Double.isFinite(x) ? new BigDecimal(x) : null;
      } catch (NumberFormatException again) {
        throw new MmapException(SqlState.INVALID_NUMBER, "value '" + v + "' is not a number; "
            + d.code() + " (" + d.type().sqlTypeText(d) + ") holds numbers");
      }
    }
  }

  private static double toDouble(Object v, Dtype d) {
    if (v instanceof Number n && !(v instanceof BigDecimal)) {
      return n.doubleValue();
    }
    if (v instanceof BigDecimal b) {
      return b.doubleValue();
    }
    BigDecimal x = toDecimal(v, d);
    return x == null ? Double.parseDouble(v.toString().trim()) : x.doubleValue();
  }

  /** Millis per unit as a negative multiplier, or units per milli as a positive divisor. */
  static long perMilli(Dtype d) {
    return switch (d.unit()) {
      case "s" -> -1000;
      case "ms" -> 1;
      case "us" -> 1000;
      default -> 1_000_000;
    };
  }

  /** Written TIMESTAMP values in a datetime64's units. */
  static final class Datetimes {
    private Datetimes() {
    }

    static long toUnits(Object v, Dtype d) {
      long millis;
      int subMilliNanos = 0;
      if (v instanceof Number n) {
        millis = n.longValue(); // Calcite's TIMESTAMP: wall-clock milliseconds, read as UTC
      } else {
        LocalDateTime t;
        try {
          t = v instanceof Timestamp ts ? ts.toLocalDateTime() : Timestamp.valueOf(v.toString().trim()).toLocalDateTime();
        } catch (IllegalArgumentException e) {
          throw new MmapException(SqlState.DATA_EXCEPTION, "value '" + v + "' is not a timestamp"
              + " (yyyy-mm-dd hh:mm:ss[.f...]) for " + d.code());
        }
        millis = Math.addExact(Math.multiplyExact(t.toEpochSecond(ZoneOffset.UTC), 1000), t.getNano() / 1_000_000);
        subMilliNanos = t.getNano() % 1_000_000;
      }
      try {
        return switch (d.unit()) {
          case "s" -> Math.floorDiv(millis, 1000);
          case "ms" -> millis;
          case "us" -> Math.addExact(Math.multiplyExact(millis, 1000), subMilliNanos / 1000);
          default -> Math.addExact(Math.multiplyExact(millis, 1_000_000), subMilliNanos);
        };
      } catch (ArithmeticException e) {
        throw outOfRange(v, d, "datetime64[" + d.unit() + "] range");
      }
    }
  }
}
