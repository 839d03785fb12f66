package org.mmapsql.jdbc;

import java.sql.SQLException;

import org.apache.calcite.avatica.util.Cursor;

/**
 * A column of exact numbers read as a long by a cursor of our own (a scan's
 * block, a packed frame), its other getters converted as Avatica's accessors
 * of exact numbers do; what else there is, the generic accessor does.
 */
abstract class ExactAccessor extends ForwardingAccessor {
  ExactAccessor(Cursor.Accessor inner) {
    super(inner);
  }

  /** The value, 0 for NULL; sets what {@link #wasNull()} says. */
  @Override public abstract long getLong() throws SQLException;

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

  @Override public double getDouble() throws SQLException {
    return getLong();
  }

  @Override public float getFloat() throws SQLException {
    return getLong();
  }
}
