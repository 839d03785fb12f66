package org.mmapsql.jdbc;

import java.sql.SQLException;

import org.apache.calcite.avatica.util.Cursor;

/**
 * A DOUBLE or REAL column read as a double by a cursor of our own (a scan's
 * block, a packed frame), its other getters converted as Avatica's accessors
 * of approximate numbers do; what else there is, the generic accessor does.
 */
abstract class ApproximateAccessor extends ForwardingAccessor {
  ApproximateAccessor(Cursor.Accessor inner) {
    super(inner);
  }

  /** The value, 0 for NULL; sets what {@link #wasNull()} says. */
  @Override public abstract double getDouble() throws SQLException;

  @Override public float getFloat() throws SQLException {
    return (float) getDouble();
  }

  @Override public long getLong() throws SQLException {
    return (long) getDouble();
  }

  @Override public int getInt() throws SQLException {
    return (int) getLong();
  }

  @Override public short getShort() throws SQLException {
    return (short) getLong();
  }

  @Override public byte getByte() throws SQLException {
    return (byte) getLong();
  }

  @Override public boolean getBoolean() throws SQLException {
    return getLong() != 0L;
  }
}
