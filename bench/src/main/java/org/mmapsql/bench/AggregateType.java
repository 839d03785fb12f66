package org.mmapsql.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * The dtype of the table the aggregate workloads read ({@code --dtype}, default
 * f8: the suite's table t itself). Another dtype gets a table of its own,
 * {@code a_<dtype>}, of values {@code (idx * 2654435761) mod m} with m the
 * largest prime below 10^6 (or the largest below the dtype's range, and
 * 2^32 for uint32), and the predicate workload keeps the values above
 * {@code (m - 3) / 2}: 500000, as on t, for the wide dtypes.
 */
enum AggregateType {
  F8("f8", 8, 1_000_003, "DOUBLE"),
  F4("f4", 4, 1_000_003, "REAL"),
  F2("f2", 2, 2_039, "REAL"),
  I8("i8", 8, 1_000_003, "BIGINT"),
  I4("i4", 4, 1_000_003, "INTEGER"),
  I2("i2", 2, 32_749, "SMALLINT"),
  I1("i1", 1, 127, "TINYINT"),
  U1("u1", 1, 251, "SMALLINT"),
  U2("u2", 2, 65_521, "INTEGER"),
  /** Half its values above 2^31, where a signed read of the element would go negative. */
  U4("u4", 4, 4_294_967_291L, "BIGINT"),
  /** Values below 2^63 (the sums of 10 M larger ones would not fit the bench's checks), read as uint64 all the same. */
  U8("u8", 8, 1_000_003, "DECIMAL(20, 0)");

  private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  final String suffix;
  final int bytes;
  final long modulus;
  /** The column type of the same table in H2 and DuckDB (f2: REAL, which holds its values exactly). */
  final String sqlType;

  AggregateType(String suffix, int bytes, long modulus, String sqlType) {
    this.suffix = suffix;
    this.bytes = bytes;
    this.modulus = modulus;
    this.sqlType = sqlType;
  }

  /** The one of {@code -Dmmapsql.bench.dtype} (the suite passes its {@code --dtype} on), f8 by default. */
  static AggregateType current() {
    return valueOf(System.getProperty("mmapsql.bench.dtype", "f8").toUpperCase(Locale.ROOT));
  }

  String table() {
    return this == F8 ? "t" : "a_" + suffix;
  }

  boolean floats() {
    return this == F8 || this == F4 || this == F2;
  }

  long value(long i) {
    return (i * 2654435761L) % modulus;
  }

  /** The predicate workload's bound: {@code WHERE val > above()}. */
  long above() {
    return (modulus - 3) / 2;
  }

  void put(ByteBuffer b, long v) {
    switch (this) {
      case F8 -> b.putDouble(v);
      case F4 -> b.putFloat(v);
      case F2 -> b.putShort(Float.floatToFloat16(v));
      case I8 -> b.putLong(v);
      case I4 -> b.putInt((int) v);
      case I2 -> b.putShort((short) v);
      case I1, U1 -> b.put((byte) v);
      case U2 -> b.putShort((short) v);
      case U4 -> b.putInt((int) v);
      case U8 -> b.putLong(v);
    }
  }

  double get(MemorySegment s, long i) {
    return switch (this) {
      case F8 -> s.getAtIndex(Data.LE_DOUBLE, i);
      case F4 -> s.getAtIndex(LE_FLOAT, i);
      case F2 -> Float.float16ToFloat(s.getAtIndex(LE_SHORT, i));
      case I8 -> s.getAtIndex(LE_LONG, i);
      case I4 -> s.getAtIndex(LE_INT, i);
      case I2 -> s.getAtIndex(LE_SHORT, i);
      case I1 -> s.get(ValueLayout.JAVA_BYTE, i);
      case U1 -> Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, i));
      case U2 -> Short.toUnsignedInt(s.getAtIndex(LE_SHORT, i));
      case U4 -> Integer.toUnsignedLong(s.getAtIndex(LE_INT, i));
      case U8 -> s.getAtIndex(LE_LONG, i);
    };
  }
}
