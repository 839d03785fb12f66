package org.mmapsql.types;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * One numpy element type as the tests understand it, written from numpy's
 * documentation and not from mmapsql's code: its dtype string, its bytes (both
 * byte orders), the SQL type and H2 column it corresponds to, how a value reads
 * through JDBC, how it is written as an SQL literal and how random values are
 * drawn. Values are held in one canonical Java form per kind so that the file,
 * mmapsql and H2 can be compared with {@code equals}: BigInteger for integers,
 * Float for float16/float32, Double for float64, BigDecimal (stripped) for
 * long double, Boolean, String padded with spaces to n (CHAR(n)), and
 * LocalDateTime (null for NaT).
 */
public record Dtype(Kind kind, int size, ByteOrder order, String unit) {

  public enum Kind { INT, UINT, FLOAT, LONGDOUBLE, BOOL, STRING, DATETIME }

  static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

  public static Dtype i(int size) {
    return new Dtype(Kind.INT, size, LE, null);
  }

  public static Dtype u(int size) {
    return new Dtype(Kind.UINT, size, LE, null);
  }

  public static Dtype f(int size) {
    return new Dtype(size == 16 ? Kind.LONGDOUBLE : Kind.FLOAT, size, LE, null);
  }

  public static Dtype bool() {
    return new Dtype(Kind.BOOL, 1, LE, null);
  }

  public static Dtype s(int n) {
    return new Dtype(Kind.STRING, n, LE, null);
  }

  public static Dtype m8(String unit) {
    return new Dtype(Kind.DATETIME, 8, LE, unit);
  }

  public Dtype big() {
    return new Dtype(kind, size, BE, unit);
  }

  /** Every element type of issue 6, little-endian. */
  public static List<Dtype> all() {
    return List.of(i(1), i(2), i(4), i(8), u(1), u(2), u(4), u(8), f(2), f(4), f(8), f(16), bool(), s(5),
        m8("s"), m8("ms"), m8("us"), m8("ns"));
  }

  /** Every type in both byte orders where the order matters (long double only little-endian, as on x86). */
  public static List<Dtype> allBothOrders() {
    List<Dtype> out = new ArrayList<>(all());
    for (Dtype d : all()) {
      if (d.hasOrder() && d.kind != Kind.LONGDOUBLE) {
        out.add(d.big());
      }
    }
    return out;
  }

  boolean hasOrder() {
    return size > 1 && kind != Kind.STRING;
  }

  // ------------------------------------------------------------ names

  /** The type code without byte order: {@code i4}, {@code b1}, {@code S5}, {@code M8[ms]}. */
  public String code() {
    return switch (kind) {
      case INT -> "i" + size;
      case UINT -> "u" + size;
      case FLOAT, LONGDOUBLE -> "f" + size;
      case BOOL -> "b1";
      case STRING -> "S" + size;
      case DATETIME -> "M8[" + unit + "]";
    };
  }

  /** numpy's {@code dtype.str}, as np.save writes it in a header: {@code <i4}, {@code >f8}, {@code |i1}, {@code |S5}. */
  public String descr() {
    return (hasOrder() ? (order == BE ? ">" : "<") : "|") + code();
  }

  /** The type argument given to MMAP: the descr where the order matters, otherwise the bare code. */
  public String mmapType() {
    return hasOrder() && order == BE ? descr() : code();
  }

  @Override public String toString() {
    return descr();
  }

  /** A name usable in a file name. */
  public String fileStem() {
    return (order == BE ? "be_" : "") + code().replace("[", "_").replace("]", "");
  }

  /** The java.sql.Types code of the val column. */
  public int sqlType() {
    return switch (kind) {
      case INT -> switch (size) {
        case 1 -> Types.TINYINT;
        case 2 -> Types.SMALLINT;
        case 4 -> Types.INTEGER;
        default -> Types.BIGINT;
      };
      case UINT -> switch (size) {
        case 1 -> Types.SMALLINT;
        case 2 -> Types.INTEGER;
        case 4 -> Types.BIGINT;
        default -> Types.DECIMAL;
      };
      case FLOAT -> size == 8 ? Types.DOUBLE : Types.REAL;
      case LONGDOUBLE -> Types.DECIMAL;
      case BOOL -> Types.BOOLEAN;
      case STRING -> Types.CHAR;
      case DATETIME -> Types.TIMESTAMP;
    };
  }

  /** The SQL type name of the val column, as issue 6 decides it. */
  public String sqlName() {
    return switch (kind) {
      case UINT -> size == 8 ? "DECIMAL(20,0)" : new String[] {"SMALLINT", "INTEGER", "BIGINT"}[Integer.numberOfTrailingZeros(size)];
      case STRING -> "CHAR(" + size + ")";
      case LONGDOUBLE -> "DECIMAL";
      default -> switch (sqlType()) {
        case Types.TINYINT -> "TINYINT";
        case Types.SMALLINT -> "SMALLINT";
        case Types.INTEGER -> "INTEGER";
        case Types.BIGINT -> "BIGINT";
        case Types.REAL -> "REAL";
        case Types.DOUBLE -> "DOUBLE";
        case Types.BOOLEAN -> "BOOLEAN";
        default -> "TIMESTAMP";
      };
    };
  }

  /** The matching H2 column type, with CHECK constraints for the unsigned ranges. */
  public String h2Column(String column) {
    String type = switch (kind) {
      case UINT -> size == 8 ? "NUMERIC(20,0)" : sqlName();
      case FLOAT -> size == 8 ? "DOUBLE PRECISION" : "REAL";
      case LONGDOUBLE -> "NUMERIC(40,20)";
      default -> sqlName();
    };
    String check = kind == Kind.UINT ? " CHECK (" + column + " BETWEEN 0 AND " + max() + ")" : "";
    String notNull = kind == Kind.DATETIME ? "" : " NOT NULL";
    return column + " " + type + notNull + check;
  }

  // ------------------------------------------------------------ ranges

  public BigInteger min() {
    return kind == Kind.UINT ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(size * 8 - 1).negate();
  }

  public BigInteger max() {
    return kind == Kind.UINT ? BigInteger.ONE.shiftLeft(size * 8).subtract(BigInteger.ONE)
        : BigInteger.ONE.shiftLeft(size * 8 - 1).subtract(BigInteger.ONE);
  }

  public boolean isInteger() {
    return kind == Kind.INT || kind == Kind.UINT;
  }

  /** datetime64 units per second. */
  long perSecond() {
    return switch (unit) {
      case "s" -> 1;
      case "ms" -> 1_000;
      case "us" -> 1_000_000;
      default -> 1_000_000_000;
    };
  }

  // ------------------------------------------------------------ bytes

  /** The bytes of {@code values} (canonical form) as numpy stores them. */
  public byte[] encode(List<?> values) {
    ByteBuffer b = ByteBuffer.allocate(values.size() * size).order(order);
    for (Object v : values) {
      put(b, v);
    }
    return b.array();
  }

  public void put(ByteBuffer b, Object v) {
    switch (kind) {
      case INT, UINT -> {
        long x = ((BigInteger) v).longValue(); // two's complement low bits: what numpy stores for u8 too
        switch (size) {
          case 1 -> b.put((byte) x);
          case 2 -> b.putShort((short) x);
          case 4 -> b.putInt((int) x);
          default -> b.putLong(x);
        }
      }
      case FLOAT -> {
        switch (size) {
          case 2 -> b.putShort(Float.floatToFloat16((Float) v));
          case 4 -> b.putFloat((Float) v);
          default -> b.putDouble((Double) v);
        }
      }
      case LONGDOUBLE -> {
        byte[] le = LongDouble.bytes((BigDecimal) v);
        if (b.order() == BE) {
          for (int i = 15; i >= 0; i--) {
            b.put(le[i]);
          }
        } else {
          b.put(le);
        }
      }
      case BOOL -> b.put((byte) (((Boolean) v) ? 1 : 0));
      case STRING -> {
        byte[] s = ((String) v).stripTrailing().getBytes(StandardCharsets.US_ASCII);
        if (s.length > size) {
          throw new IllegalArgumentException("too long for " + this + ": " + v);
        }
        b.put(s);
        b.put(new byte[size - s.length]);
      }
      case DATETIME -> b.putLong(v == null ? Long.MIN_VALUE : count((LocalDateTime) v));
    }
  }

  /** The value at byte {@code pos} of {@code b}. */
  public Object get(ByteBuffer b, int pos) {
    ByteBuffer x = b.duplicate().order(order);
    return switch (kind) {
      case INT -> BigInteger.valueOf(switch (size) {
        case 1 -> x.get(pos);
        case 2 -> x.getShort(pos);
        case 4 -> x.getInt(pos);
        default -> x.getLong(pos);
      });
      case UINT -> switch (size) {
        case 1 -> BigInteger.valueOf(x.get(pos) & 0xFF);
        case 2 -> BigInteger.valueOf(x.getShort(pos) & 0xFFFF);
        case 4 -> BigInteger.valueOf(x.getInt(pos) & 0xFFFFFFFFL);
        default -> new BigInteger(Long.toUnsignedString(x.getLong(pos)));
      };
      case FLOAT -> switch (size) {
        case 2 -> (Object) Float.float16ToFloat(x.getShort(pos));
        case 4 -> (Object) x.getFloat(pos);
        default -> (Object) x.getDouble(pos);
      };
      case LONGDOUBLE -> {
        byte[] le = new byte[16];
        for (int i = 0; i < 16; i++) {
          le[i] = b.get(pos + (order == BE ? 15 - i : i));
        }
        yield LongDouble.value(le);
      }
      case BOOL -> x.get(pos) != 0;
      case STRING -> {
        int n = 0;
        while (n < size && x.get(pos + n) != 0) {
          n++;
        }
        byte[] s = new byte[n];
        x.get(pos, s);
        yield pad(new String(s, StandardCharsets.US_ASCII));
      }
      case DATETIME -> {
        long c = x.getLong(pos);
        yield c == Long.MIN_VALUE ? null : time(c);
      }
    };
  }

  /** All values of a file body (row-major; one list per element). */
  public List<Object> decode(byte[] data, int offset, int count) {
    ByteBuffer b = ByteBuffer.wrap(data);
    List<Object> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(get(b, offset + i * size));
    }
    return out;
  }

  String pad(String s) {
    return s + " ".repeat(Math.max(0, size - s.length()));
  }

  long count(LocalDateTime t) {
    long sec = t.toEpochSecond(ZoneOffset.UTC);
    return Math.addExact(Math.multiplyExact(sec, perSecond()), t.getNano() / (1_000_000_000L / perSecond()));
  }

  LocalDateTime time(long count) {
    long sec = Math.floorDiv(count, perSecond());
    long frac = Math.floorMod(count, perSecond());
    return LocalDateTime.ofEpochSecond(sec, (int) (frac * (1_000_000_000L / perSecond())), ZoneOffset.UTC);
  }

  // ------------------------------------------------------------ JDBC

  /** The value of column {@code col} in canonical form (works for mmapsql and H2 alike). */
  public Object read(ResultSet rs, int col) throws SQLException {
    switch (kind) {
      case INT, UINT -> {
        Object o = rs.getObject(col);
        return o == null ? null : new BigDecimal(o.toString()).toBigIntegerExact();
      }
      case FLOAT -> {
        if (size == 8) {
          double d = rs.getDouble(col);
          return rs.wasNull() ? null : d;
        }
        float f = rs.getFloat(col);
        return rs.wasNull() ? null : f;
      }
      case LONGDOUBLE -> {
        BigDecimal d = rs.getBigDecimal(col);
        return d == null ? null : canonical(d);
      }
      case BOOL -> {
        boolean v = rs.getBoolean(col);
        return rs.wasNull() ? null : v;
      }
      case STRING -> {
        return rs.getString(col);
      }
      case DATETIME -> {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toLocalDateTime();
      }
      default -> throw new AssertionError();
    }
  }

  static BigDecimal canonical(BigDecimal d) {
    return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
  }

  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT);

  /** {@code v} as an SQL literal that both Calcite and H2 read as exactly this value. */
  public String literal(Object v) {
    if (v == null) {
      return "NULL";
    }
    return switch (kind) {
      case INT, UINT -> v.toString();
      case FLOAT -> size == 8 ? approximate(Double.toString((Double) v)) : exactApproximate((Float) v);
      case LONGDOUBLE -> ((BigDecimal) v).toPlainString();
      case BOOL -> ((Boolean) v) ? "TRUE" : "FALSE";
      case STRING -> "'" + ((String) v).stripTrailing().replace("'", "''") + "'";
      case DATETIME -> "TIMESTAMP '" + TS.format((LocalDateTime) v) + "'";
    };
  }

  /** A double literal in E notation (Calcite 1.42 fails on VALUES that mix exact and approximate literals). */
  static String approximate(String s) {
    s = s.toUpperCase(Locale.ROOT);
    return s.contains("E") ? s : s + "E0";
  }

  /**
   * A float as the exact decimal value of its binary value, in E notation: read
   * as a double it is exactly the float, so no rounding (double or single) can
   * make the two sides differ.
   */
  static String exactApproximate(float f) {
    BigDecimal d = new BigDecimal((double) f);
    return d.unscaledValue() + "E" + (-d.scale());
  }

  // ------------------------------------------------------------ random values

  /** A random value that fits, often at the edges of the range. */
  public Object random(Random r) {
    return switch (kind) {
      case INT, UINT -> {
        BigInteger lo = min();
        BigInteger hi = max();
        yield switch (r.nextInt(8)) {
          case 0 -> lo;
          case 1 -> hi;
          case 2 -> lo.add(BigInteger.ONE);
          case 3 -> hi.subtract(BigInteger.ONE);
          case 4 -> BigInteger.valueOf(r.nextInt(200) - (kind == Kind.UINT ? 0 : 100)).max(lo).min(hi);
          default -> new BigInteger(size * 8, r).add(lo);
        };
      }
      case FLOAT -> switch (size) {
        case 2 -> (Object) Float.float16ToFloat((short) ((r.nextInt(0x6800 - 0x0400) + 0x0400)
            | (r.nextBoolean() ? 0x8000 : 0))); // normal halves of magnitude below 2^11
        case 4 -> (Object) Float.intBitsToFloat((r.nextInt(2 * 100) + 127 - 100 << 23 | r.nextInt(1 << 23))
            | (r.nextBoolean() ? 0x80000000 : 0));
        default -> (Object) (r.nextInt(6) == 0 ? (double) r.nextInt(-50, 50)
            : (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-30, 30)));
      };
      // at most 58 significant bits: exact in the 64-bit mantissa of x86 extended precision
      case LONGDOUBLE -> canonical(BigDecimal.valueOf(r.nextLong() >> 8).add(BigDecimal.valueOf(r.nextInt(4) * 25L, 2)));
      case BOOL -> r.nextBoolean();
      case STRING -> pad(randomWord(r, r.nextInt(size + 1)));
      case DATETIME -> {
        if (r.nextInt(10) == 0) {
          yield null;
        }
        long sec = r.nextLong(LocalDateTime.of(1900, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC),
            LocalDateTime.of(2200, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC));
        int nanos = perSecond() == 1 ? 0 : r.nextInt(1000) * 1_000_000; // milliseconds: what TIMESTAMP carries
        yield LocalDateTime.ofEpochSecond(sec, nanos, ZoneOffset.UTC);
      }
    };
  }

  /** The edge values of this type (all storable; for floats including NaN, infinities and -0). */
  public List<Object> specials() {
    return switch (kind) {
      case INT, UINT -> List.of(min(), max(), BigInteger.ZERO, BigInteger.ONE, min().add(BigInteger.ONE),
          max().subtract(BigInteger.ONE));
      case FLOAT -> switch (size) {
        case 2 -> List.of(0f, -0f, 1f, -2.5f, 65504f, -65504f, Float.float16ToFloat((short) 1), 0.099975586f,
            Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
        case 4 -> List.of(0f, -0f, 0.1f, -2.5f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, Float.MIN_NORMAL,
            Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
        default -> List.of(0d, -0d, 0.1, -2.5, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, 1e300,
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
      };
      case LONGDOUBLE -> List.of(BigDecimal.ZERO, new BigDecimal("-0.5"), new BigDecimal("9223372036854775809"),
          new BigDecimal("1E+20").stripTrailingZeros(), new BigDecimal("12345678901234567.25"),
          canonical(new BigDecimal("0.00000095367431640625")), ONE_THIRD);
      case BOOL -> List.of(true, false, true);
      case STRING -> List.of(pad(""), pad("a"), pad("abcdefghijklmnop".substring(0, size)), pad("Zz-9"));
      case DATETIME -> {
        List<Object> v = new ArrayList<>();
        v.add(LocalDateTime.of(1970, 1, 1, 0, 0));
        v.add(null);
        v.add(LocalDateTime.of(1969, 12, 31, 23, 59, 59));
        v.add(LocalDateTime.of(2021, 3, 4, 5, 6, 7, perSecond() == 1 ? 0 : 123_000_000));
        v.add(LocalDateTime.of(1901, 1, 1, 0, 0));
        yield v;
      }
    };
  }

  /** The long double nearest 1/3 (mantissa 0xAAAAAAAAAAAAAAAB, exponent -65), what np.longdouble(1)/3 gives. */
  static final BigDecimal ONE_THIRD = canonical(new BigDecimal(new BigInteger("AAAAAAAAAAAAAAAB", 16))
      .divide(new BigDecimal(BigInteger.ONE.shiftLeft(65))));

  /** {@code n} values: the specials first, then seeded random ones. */
  public List<Object> sample(long seed, int n) {
    Random r = new Random(seed);
    List<Object> out = new ArrayList<>(specials());
    while (out.size() < n) {
      out.add(random(r));
    }
    return out.subList(0, n);
  }

  /**
   * Can {@code v} be written as an SQL literal? Not NaN, the infinities or -0
   * (a literal has no sign of zero), nor a long double beyond 19 digits
   * before or after the point (mmapsql's DECIMAL(38,19) for long double:
   * {@code NumpyBytesTest#longDoubleTakesWritesBeyond1e19} is about those).
   */
  public static boolean literalAble(Object v) {
    return !(v instanceof Float f && (f.isNaN() || f.isInfinite() || f == 0 && 1 / f < 0)
        || v instanceof Double d && (d.isNaN() || d.isInfinite() || d == 0 && 1 / d < 0)
        || v instanceof BigDecimal x && (x.precision() - x.scale() > 19 || x.scale() > 19));
  }

  static String randomWord(Random r, int n) {
    String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(letters.charAt(r.nextInt(letters.length())));
    }
    return b.toString();
  }

  /**
   * An SQL literal beyond the range of this integer type, or null for other
   * types. (Fractions into integers, values beyond REAL's range and strings
   * too long have focused tests of their own in TypedDifferentialTest, so that
   * the random sequences go on past them.)
   */
  public String badLiteral(Random r) {
    return switch (kind) {
      case INT, UINT -> switch (r.nextInt(3)) {
        case 0 -> max().add(BigInteger.ONE).toString();
        case 1 -> min().subtract(BigInteger.ONE).toString();
        default -> max().add(BigInteger.valueOf(1 + r.nextInt(1000))).toString();
      };
      default -> null;
    };
  }

  /** Does {@code d} fit this integer type exactly? */
  public boolean fits(BigDecimal d) {
    try {
      BigInteger x = d.toBigIntegerExact();
      return x.compareTo(min()) >= 0 && x.compareTo(max()) <= 0;
    } catch (ArithmeticException e) {
      return false;
    }
  }
}
