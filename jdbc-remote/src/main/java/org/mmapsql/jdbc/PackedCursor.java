package org.mmapsql.jdbc;

import java.sql.SQLException;
import java.util.Calendar;
import java.util.Iterator;

import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.util.AbstractCursor;
import org.apache.calcite.avatica.util.ArrayImpl;

/**
 * The cursor of a result that comes in packed frames ({@link PackedBlock}):
 * it reads each block where it arrived, with no row object; the number getters
 * read primitives, so no value is boxed unless the client asks for an object.
 * Every getter converts as Avatica's own accessor of the column's type does:
 * the conversions that are not plain reads go to that accessor. It fetches the
 * next frame itself when a block runs out, with the offset counted in rows.
 */
final class PackedCursor extends AbstractCursor {
  /** Fetches the frame that starts at a row offset. */
  interface Frames {
    Meta.Frame fetch(long offset) throws SQLException;
  }

  private final PackedBlock.Kind[] kinds;
  private final Frames frames;
  private Meta.Frame frame;
  private Iterator<Object> blocks;
  private PackedBlock block;
  /** The current row's index in the block. */
  private int pos = -1;
  /** Rows before the current block. */
  private long offset;

  PackedCursor(PackedBlock.Kind[] kinds, Meta.Frame first, Frames frames) {
    this.kinds = kinds;
    this.frames = frames;
    this.frame = first;
    this.blocks = first.rows.iterator();
  }

  @Override public boolean next() {
    try {
      return advance();
    } catch (SQLException e) {
      throw PackedCursor.<RuntimeException>sneaky(e); // AbstractCursor.next declares none; the caller's does
    }
  }

  private boolean advance() throws SQLException {
    while (block == null || ++pos >= block.rows) {
      if (block != null) {
        offset += block.rows;
        block = null;
      }
      if (!blocks.hasNext()) {
        if (frame.done) {
          return false;
        }
        frame = frames.fetch(offset);
        blocks = frame.rows.iterator();
        continue;
      }
      byte[] bytes = PackedBlock.blockOf(blocks.next());
      if (bytes == null) {
        throw new SQLException("the server sent a frame of rows where a packed block was due", "08S01");
      }
      block = new PackedBlock(bytes, kinds);
      pos = -1;
    }
    return true;
  }

  @Override public void close() {
    block = null;
    blocks = null;
  }

  @Override protected Getter createGetter(int ordinal) {
    return new AbstractGetter() {
      @Override public Object getObject() {
        Object v = value(ordinal);
        wasNull[0] = v == null;
        return v;
      }
    };
  }

  /** Column {@code c} of the current row as the object an Avatica frame holds: Long, Integer, ..., Boolean, or null. */
  private Object value(int c) {
    if (block.isNull(c, pos)) {
      return null;
    }
    byte[] b = block.bytes;
    int at = block.values[c];
    switch (kinds[c]) {
      case BIGINT: return (long) PackedBlock.LONG.get(b, at + pos * 8);
      case INTEGER: return (int) PackedBlock.INT.get(b, at + pos * 4);
      case SMALLINT: return (short) PackedBlock.SHORT.get(b, at + pos * 2);
      case TINYINT: return b[at + pos];
      case DOUBLE: return (double) PackedBlock.DOUBLE.get(b, at + pos * 8);
      case REAL: return (float) PackedBlock.FLOAT.get(b, at + pos * 4);
      case BOOLEAN: return b[at + pos] != 0;
      default: throw new AssertionError(kinds[c]);
    }
  }

  /** Column {@code c} of the current row as a long (0 if NULL), setting wasNull. */
  private long longValue(int c) {
    if (block.isNull(c, pos)) {
      wasNull[0] = true;
      return 0;
    }
    wasNull[0] = false;
    byte[] b = block.bytes;
    int at = block.values[c];
    switch (kinds[c]) {
      case BIGINT: return (long) PackedBlock.LONG.get(b, at + pos * 8);
      case INTEGER: return (int) PackedBlock.INT.get(b, at + pos * 4);
      case SMALLINT: return (short) PackedBlock.SHORT.get(b, at + pos * 2);
      default: return b[at + pos]; // TINYINT, BOOLEAN (0 or 1)
    }
  }

  /** Column {@code c} of the current row as a double (0 if NULL), setting wasNull. */
  private double doubleValue(int c) {
    if (block.isNull(c, pos)) {
      wasNull[0] = true;
      return 0;
    }
    wasNull[0] = false;
    int at = block.values[c];
    return kinds[c] == PackedBlock.Kind.DOUBLE
        ? (double) PackedBlock.DOUBLE.get(block.bytes, at + pos * 8)
        : (float) PackedBlock.FLOAT.get(block.bytes, at + pos * 4);
  }

  /**
   * Avatica's accessor of the column, with the plain reads taken over where
   * that accessor is one whose conversions are known: Avatica's accessor of any
   * number (what a remote signature's numbers get), or of the column's own type
   * (signed numbers, DOUBLE, REAL, BOOLEAN); any other (unsigned) is used as it is.
   * {@code wasNull()} stays Avatica's: its getter answers from this cursor's
   * {@code wasNull[0]}, which our reads set.
   */
  @Override protected Accessor createAccessor(ColumnMetaData column, int ordinal, Calendar calendar,
      ArrayImpl.Factory factory) {
    Accessor generic = super.createAccessor(column, ordinal, calendar, factory);
    String avatica = generic.getClass().getSimpleName();
    if (avatica.equals("NumberAccessor")) { // the numbers of a remote signature (representation NUMBER)
      return kinds[ordinal].exact() ? new ExactColumn(generic, ordinal)
          : kinds[ordinal] == PackedBlock.Kind.BOOLEAN ? generic : new ApproximateNumberColumn(generic, ordinal);
    }
    switch (kinds[ordinal]) {
      case BIGINT:
      case INTEGER:
      case SMALLINT:
      case TINYINT:
        return avatica.equals(exactAccessor(kinds[ordinal])) ? new ExactColumn(generic, ordinal) : generic;
      case DOUBLE:
      case REAL:
        return avatica.equals(kinds[ordinal] == PackedBlock.Kind.DOUBLE ? "DoubleAccessor" : "FloatAccessor")
            ? new ApproximateColumn(generic, ordinal) : generic;
      case BOOLEAN:
        return avatica.equals("BooleanAccessor") ? new BooleanColumn(generic, ordinal) : generic;
      default:
        return generic;
    }
  }

  private static String exactAccessor(PackedBlock.Kind k) {
    switch (k) {
      case BIGINT: return "LongAccessor";
      case INTEGER: return "IntAccessor";
      case SMALLINT: return "ShortAccessor";
      default: return "ByteAccessor";
    }
  }

  /** A DOUBLE or REAL column, converted as Avatica's accessor of any number converts a Double or Float. */
  private final class ApproximateNumberColumn extends ForwardingAccessor {
    private final int c;

    ApproximateNumberColumn(Accessor inner, int c) {
      super(inner);
      this.c = c;
    }

    @Override public double getDouble() {
      return doubleValue(c);
    }

    @Override public float getFloat() {
      return (float) doubleValue(c);
    }

    @Override public long getLong() {
      return (long) doubleValue(c);
    }

    @Override public int getInt() {
      return (int) doubleValue(c);
    }

    @Override public short getShort() {
      return (short) (int) doubleValue(c);
    }

    @Override public byte getByte() {
      return (byte) (int) doubleValue(c);
    }

    @Override public boolean getBoolean() {
      return doubleValue(c) != 0;
    }
  }

  /**
   * An exact number column (Avatica's accessor of any number converts a Long,
   * Integer, Short or Byte as its accessors of exact numbers do).
   */
  private final class ExactColumn extends ExactAccessor {
    private final int c;

    ExactColumn(Accessor inner, int c) {
      super(inner);
      this.c = c;
    }

    @Override public long getLong() {
      return longValue(c);
    }
  }

  /** A DOUBLE or REAL column, converted as Avatica's accessors of approximate numbers do. */
  private final class ApproximateColumn extends ApproximateAccessor {
    private final int c;

    ApproximateColumn(Accessor inner, int c) {
      super(inner);
      this.c = c;
    }

    @Override public double getDouble() {
      return doubleValue(c);
    }
  }

  /** A BOOLEAN column, converted as Avatica's accessor of booleans does. */
  private final class BooleanColumn extends ForwardingAccessor {
    private final int c;

    BooleanColumn(Accessor inner, int c) {
      super(inner);
      this.c = c;
    }

    @Override public boolean getBoolean() {
      return longValue(c) != 0;
    }

    @Override public long getLong() {
      return getBoolean() ? 1 : 0;
    }

    @Override public int getInt() {
      return (int) getLong();
    }

    @Override public short getShort() {
      return (short) getLong();
    }

    @Override public byte getByte() {
      return (byte) getLong();
    }

    @Override public double getDouble() {
      return getLong();
    }

    @Override public float getFloat() {
      return getLong();
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E sneaky(Throwable e) throws E {
    throw (E) e;
  }
}
