package org.mmapsql.jdbc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.sql.Types;
import java.util.List;

import org.apache.calcite.avatica.ColumnMetaData;

/**
 * The packed frame encoding that the mmapsql server sends a client which asked
 * for it ({@link #PROPERTY}{@code =}{@link #PACKED}) when every column of a
 * result is a fixed-width number: a frame holds one row with one {@code BYTES}
 * value, a block of the frame's rows laid out column by column, little-endian:
 * <pre>
 *   int magic, int rows, int columns,
 *   per column: byte kind, byte hasNulls, [a null bitmap of (rows + 7) / 8 bytes, bit r of byte r / 8 set for NULL],
 *               rows values of the kind's width (0 where NULL)
 * </pre>
 * The one place that knows the layout: the server writes it with
 * {@link Writer}, the driver reads it in place ({@link PackedCursor}).
 */
public final class PackedBlock {
  /** The connection property a client sets to say it reads packed frames. */
  public static final String PROPERTY = "mmapsql.frames";
  /** Its value for packed frames; {@link #ROWS} asks for Avatica's own frames. */
  public static final String PACKED = "packed";
  public static final String ROWS = "rows";

  /** "MMP1", little-endian. */
  static final int MAGIC = 0x31504D4D;
  private static final int HEADER = 12;

  static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

  /** How a column's values are stored, by SQL type; the value objects are those of Avatica's frames. */
  public enum Kind {
    BIGINT(8), INTEGER(4), SMALLINT(2), TINYINT(1), DOUBLE(8), REAL(4), BOOLEAN(1);

    final int width;

    Kind(int width) {
      this.width = width;
    }

    /** The kind of a column of JDBC type {@code type}, or null if it is not a fixed-width number. */
    public static Kind of(int type) {
      switch (type) {
        case Types.BIGINT: return BIGINT;
        case Types.INTEGER: return INTEGER;
        case Types.SMALLINT: return SMALLINT;
        case Types.TINYINT: return TINYINT;
        case Types.DOUBLE:
        case Types.FLOAT: return DOUBLE;
        case Types.REAL: return REAL;
        case Types.BOOLEAN: return BOOLEAN;
        default: return null;
      }
    }

    /** Whether values of this kind read as a long (the others as a double, or a boolean). */
    boolean exact() {
      return this == BIGINT || this == INTEGER || this == SMALLINT || this == TINYINT;
    }
  }

  /** The kinds of {@code columns}, or null if one of them cannot be packed. */
  public static Kind[] kinds(List<ColumnMetaData> columns) {
    if (columns == null || columns.isEmpty()) {
      return null;
    }
    Kind[] kinds = new Kind[columns.size()];
    for (int c = 0; c < kinds.length; c++) {
      kinds[c] = Kind.of(columns.get(c).type.id);
      if (kinds[c] == null) {
        return null;
      }
    }
    return kinds;
  }

  /** The block a frame row holds, or null if the row is not a packed block. */
  static byte[] blockOf(Object row) {
    Object value;
    if (row instanceof List && ((List<?>) row).size() == 1) {
      value = ((List<?>) row).get(0);
    } else if (row instanceof Object[] && ((Object[]) row).length == 1) {
      value = ((Object[]) row)[0];
    } else {
      return null;
    }
    if (value instanceof byte[] && ((byte[]) value).length >= HEADER && (int) INT.get((byte[]) value, 0) == MAGIC) {
      return (byte[]) value;
    }
    return null;
  }

  // ------------------------------------------------ reading

  final byte[] bytes;
  final int rows;
  /** Per column: where its null bitmap starts, or -1 if it has no NULL. */
  private final int[] nulls;
  /** Per column: where its values start. */
  final int[] values;

  /** Reads the layout of {@code bytes}, checking it against the columns' kinds. */
  PackedBlock(byte[] bytes, Kind[] kinds) {
    this.bytes = bytes;
    this.rows = (int) INT.get(bytes, 4);
    int columns = (int) INT.get(bytes, 8);
    if ((int) INT.get(bytes, 0) != MAGIC || columns != kinds.length || rows < 0) {
      throw new IllegalStateException("not a packed block of " + kinds.length + " columns");
    }
    this.nulls = new int[columns];
    this.values = new int[columns];
    int at = HEADER;
    for (int c = 0; c < columns; c++) {
      if (bytes[at] != kinds[c].ordinal()) {
        throw new IllegalStateException("packed block: column " + (c + 1) + " is not " + kinds[c]);
      }
      boolean hasNulls = bytes[at + 1] != 0;
      at += 2;
      nulls[c] = hasNulls ? at : -1;
      at += hasNulls ? (rows + 7) / 8 : 0;
      values[c] = at;
      at += rows * kinds[c].width;
    }
    if (at != bytes.length) {
      throw new IllegalStateException("packed block: " + bytes.length + " bytes, its layout says " + at);
    }
  }

  boolean isNull(int column, int row) {
    int n = nulls[column];
    return n >= 0 && (bytes[n + (row >>> 3)] & (1 << (row & 7))) != 0;
  }

  // ------------------------------------------------ writing

  /**
   * Collects up to {@code capacity} rows, a column at a time, and lays them
   * out as a block. One per frame: the server's only allocations are its
   * buffers and the block.
   */
  public static final class Writer {
    private final Kind[] kinds;
    private final byte[][] columns;
    private final byte[][] nullBits;
    private final boolean[] anyNull;
    private int rows;

    public Writer(Kind[] kinds, int capacity) {
      this.kinds = kinds;
      this.columns = new byte[kinds.length][];
      this.nullBits = new byte[kinds.length][];
      this.anyNull = new boolean[kinds.length];
      for (int c = 0; c < kinds.length; c++) {
        columns[c] = new byte[Math.multiplyExact(capacity, kinds[c].width)];
        nullBits[c] = new byte[(capacity + 7) / 8];
      }
    }

    public int rows() {
      return rows;
    }

    /** Ends the current row: the next values go to the next one. */
    public void endRow() {
      rows++;
    }

    /** Marks column {@code c} of the current row NULL (its value stays 0). */
    public void setNull(int c) {
      nullBits[c][rows >>> 3] |= (byte) (1 << (rows & 7));
      anyNull[c] = true;
    }

    /** Column {@code c} of the current row, a value of an exact kind or a BOOLEAN (0 or 1). */
    public void setLong(int c, long v) {
      switch (kinds[c]) {
        case BIGINT: LONG.set(columns[c], rows * 8, v); break;
        case INTEGER: INT.set(columns[c], rows * 4, (int) v); break;
        case SMALLINT: SHORT.set(columns[c], rows * 2, (short) v); break;
        case TINYINT:
        case BOOLEAN: columns[c][rows] = (byte) v; break;
        default: throw new IllegalArgumentException(kinds[c] + " is not exact");
      }
    }

    /** Column {@code c} of the current row, a DOUBLE or REAL value. */
    public void setDouble(int c, double v) {
      switch (kinds[c]) {
        case DOUBLE: DOUBLE.set(columns[c], rows * 8, v); break;
        case REAL: FLOAT.set(columns[c], rows * 4, (float) v); break;
        default: throw new IllegalArgumentException(kinds[c] + " is not approximate");
      }
    }

    /** Sets column {@code c} of the current row from a value as Avatica's frames hold it (a Number, a Boolean or null). */
    public void setObject(int c, Object v) {
      if (v == null) {
        setNull(c);
      } else if (v instanceof Boolean) {
        setLong(c, (Boolean) v ? 1 : 0);
      } else if (kinds[c].exact() || kinds[c] == Kind.BOOLEAN) {
        setLong(c, ((Number) v).longValue());
      } else {
        setDouble(c, ((Number) v).doubleValue());
      }
    }

    /** The block of the rows so far. */
    public byte[] toBytes() {
      int size = HEADER;
      for (int c = 0; c < kinds.length; c++) {
        size += 2 + (anyNull[c] ? (rows + 7) / 8 : 0) + rows * kinds[c].width;
      }
      byte[] out = new byte[size];
      INT.set(out, 0, MAGIC);
      INT.set(out, 4, rows);
      INT.set(out, 8, kinds.length);
      int at = HEADER;
      for (int c = 0; c < kinds.length; c++) {
        out[at] = (byte) kinds[c].ordinal();
        out[at + 1] = (byte) (anyNull[c] ? 1 : 0);
        at += 2;
        if (anyNull[c]) {
          System.arraycopy(nullBits[c], 0, out, at, (rows + 7) / 8);
          at += (rows + 7) / 8;
        }
        System.arraycopy(columns[c], 0, out, at, rows * kinds[c].width);
        at += rows * kinds[c].width;
      }
      return out;
    }
  }
}
