package org.mmapsql.jdbc;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Calendar;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.calcite.avatica.AvaticaSite;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MetaImpl;
import org.apache.calcite.avatica.util.Cursor;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The result set of a statement that read its few rows directly
 * ({@link org.mmapsql.plan.DirectExecution}): the rows are already in a list,
 * and each getter converts them through Avatica's own accessors, as every other
 * result set of the driver does, so the answers are the same to the bit; only
 * Avatica's result set is not made (its calendar, its execution through the
 * connection's meta). Forward only, read only, like Avatica's.
 */
public final class FewRowsResultSet implements ResultSet {
  /** The statement a result set belongs to, told when it closes (JDBC's closeOnCompletion). */
  public interface Owner {
    Statement statement();

    void closed(FewRowsResultSet rs);
  }

  /** The metadata of a result set, made when asked for. */
  public interface MetaData {
    ResultSetMetaData get() throws SQLException;
  }

  private final Owner owner;
  private final List<ColumnMetaData> columns;
  private final MetaData metaData;
  private final TimeZone zone;
  private final AtomicBoolean cancelFlag;
  private final Cursor cursor;
  private final List<Cursor.Accessor> accessors;
  private final boolean temporal;
  private final int type;
  private final int concurrency;
  private final int holdability;
  private int fetchSize;
  private int fetchDirection;
  /** Made when a getter with a date or time first needs it (Avatica's makes one per result set). */
  private @Nullable Calendar calendar;
  private int row;
  private boolean beforeFirst = true;
  private boolean afterLast;
  private boolean closed;

  /**
   * {@code rows} (one object each, or an {@code Object[]} for several columns, as
   * {@code cursorFactory} says) under {@code columns}; {@code statement} gives
   * the type, concurrency, holdability, fetch size and direction.
   */
  public FewRowsResultSet(Owner owner, List<ColumnMetaData> columns, Meta.CursorFactory cursorFactory,
      List<Object> rows, MetaData metaData, TimeZone zone,
      AtomicBoolean cancelFlag) throws SQLException {
    this.owner = owner;
    this.columns = columns;
    this.metaData = metaData;
    this.zone = zone;
    this.cancelFlag = cancelFlag;
    Statement s = owner.statement();
    this.type = s.getResultSetType();
    this.concurrency = s.getResultSetConcurrency();
    this.holdability = s.getResultSetHoldability();
    this.fetchSize = s.getFetchSize();
    this.fetchDirection = s.getFetchDirection();
    this.cursor = MetaImpl.createCursor(cursorFactory, rows);
    // Only a date or time column's accessor reads the calendar; plain numbers need none.
    this.temporal = temporal(columns);
    this.accessors = cursor.createAccessors(columns, temporal ? calendar() : null, null);
  }

  private static boolean temporal(List<ColumnMetaData> columns) {
    for (ColumnMetaData c : columns) {
      int t = c.type.id;
      if (t == Types.DATE || t == Types.TIME || t == Types.TIMESTAMP || t == Types.TIME_WITH_TIMEZONE
          || t == Types.TIMESTAMP_WITH_TIMEZONE || t == Types.ARRAY || t == Types.STRUCT) {
        return true;
      }
    }
    return false;
  }

  private Calendar calendar() {
    if (calendar == null) {
      calendar = Calendar.getInstance(zone, Locale.ROOT);
    }
    return calendar;
  }

  private void checkOpen() throws SQLException {
    if (closed) {
      throw new SQLException("ResultSet closed");
    }
  }

  private Cursor.Accessor accessor(int columnIndex) throws SQLException {
    checkOpen();
    if (columnIndex < 1 || columnIndex > accessors.size()) {
      throw new SQLException("invalid column ordinal: " + columnIndex);
    }
    return accessors.get(columnIndex - 1);
  }

  private Cursor.Accessor accessor(String label) throws SQLException {
    checkOpen();
    return accessors.get(find(label));
  }

  /** The 0-based ordinal of the first column of that label, ignoring case (JDBC). */
  private int find(String label) throws SQLException {
    for (ColumnMetaData c : columns) {
      if (c.label.equalsIgnoreCase(label)) {
        return c.ordinal;
      }
    }
    throw new SQLException("column '" + label + "' not found");
  }

  private static SQLFeatureNotSupportedException unsupported() {
    return new SQLFeatureNotSupportedException();
  }

  // ------------------------------------------------ moving

  @Override public boolean next() throws SQLException {
    checkOpen();
    if (cancelFlag.get()) {
      throw new SQLException("Statement canceled");
    }
    if (cursor.next()) {
      row++;
      beforeFirst = false;
      return true;
    }
    row = 0;
    afterLast = true;
    return false;
  }

  @Override public void close() {
    if (!closed) {
      closed = true;
      cursor.close();
      owner.closed(this);
    }
  }

  @Override public boolean isClosed() {
    return closed;
  }

  @Override public boolean wasNull() throws SQLException {
    checkOpen();
    return cursor.wasNull();
  }

  @Override public int findColumn(String columnLabel) throws SQLException {
    checkOpen();
    return find(columnLabel) + 1;
  }

  @Override public boolean isBeforeFirst() throws SQLException {
    checkOpen();
    return beforeFirst;
  }

  @Override public boolean isAfterLast() throws SQLException {
    checkOpen();
    return afterLast;
  }

  @Override public boolean isFirst() throws SQLException {
    checkOpen();
    return row == 1;
  }

  @Override public int getRow() throws SQLException {
    checkOpen();
    return row;
  }

  @Override public boolean isLast() throws SQLException {
    throw unsupported();
  }

  @Override public void beforeFirst() throws SQLException {
    throw unsupported();
  }

  @Override public void afterLast() throws SQLException {
    throw unsupported();
  }

  @Override public boolean first() throws SQLException {
    throw unsupported();
  }

  @Override public boolean last() throws SQLException {
    throw unsupported();
  }

  @Override public boolean absolute(int row) throws SQLException {
    throw unsupported();
  }

  @Override public boolean relative(int rows) throws SQLException {
    throw unsupported();
  }

  @Override public boolean previous() throws SQLException {
    throw unsupported();
  }

  // ------------------------------------------------ what the result set is

  @Override public ResultSetMetaData getMetaData() throws SQLException {
    checkOpen();
    return metaData.get();
  }

  @Override public Statement getStatement() throws SQLException {
    checkOpen();
    return owner.statement();
  }

  @Override public SQLWarning getWarnings() throws SQLException {
    checkOpen();
    return null;
  }

  @Override public void clearWarnings() throws SQLException {
    checkOpen();
  }

  @Override public String getCursorName() throws SQLException {
    throw unsupported();
  }

  @Override public void setFetchDirection(int direction) throws SQLException {
    checkOpen();
    fetchDirection = direction;
  }

  @Override public int getFetchDirection() throws SQLException {
    checkOpen();
    return fetchDirection;
  }

  @Override public void setFetchSize(int rows) throws SQLException {
    checkOpen();
    fetchSize = rows;
  }

  @Override public int getFetchSize() throws SQLException {
    checkOpen();
    return fetchSize;
  }

  @Override public int getType() throws SQLException {
    checkOpen();
    return type;
  }

  @Override public int getConcurrency() throws SQLException {
    checkOpen();
    return concurrency;
  }

  @Override public int getHoldability() throws SQLException {
    checkOpen();
    return holdability;
  }

  @Override public boolean rowUpdated() throws SQLException {
    checkOpen();
    return false;
  }

  @Override public boolean rowInserted() throws SQLException {
    checkOpen();
    return false;
  }

  @Override public boolean rowDeleted() throws SQLException {
    checkOpen();
    return false;
  }

  @Override public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("does not implement '" + iface + "'");
  }

  @Override public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  // ------------------------------------------------ getters, by index

  @Override public String getString(int i) throws SQLException {
    return accessor(i).getString();
  }

  @Override public boolean getBoolean(int i) throws SQLException {
    return accessor(i).getBoolean();
  }

  @Override public byte getByte(int i) throws SQLException {
    return accessor(i).getByte();
  }

  @Override public short getShort(int i) throws SQLException {
    return accessor(i).getShort();
  }

  @Override public int getInt(int i) throws SQLException {
    return accessor(i).getInt();
  }

  @Override public long getLong(int i) throws SQLException {
    return accessor(i).getLong();
  }

  @Override public float getFloat(int i) throws SQLException {
    return accessor(i).getFloat();
  }

  @Override public double getDouble(int i) throws SQLException {
    return accessor(i).getDouble();
  }

  @SuppressWarnings("deprecation")
  @Override public BigDecimal getBigDecimal(int i, int scale) throws SQLException {
    return accessor(i).getBigDecimal(scale);
  }

  @Override public BigDecimal getBigDecimal(int i) throws SQLException {
    return accessor(i).getBigDecimal();
  }

  @Override public byte[] getBytes(int i) throws SQLException {
    return accessor(i).getBytes();
  }

  @Override public Date getDate(int i) throws SQLException {
    return accessor(i).getDate(calendar());
  }

  @Override public Time getTime(int i) throws SQLException {
    return accessor(i).getTime(calendar());
  }

  @Override public Timestamp getTimestamp(int i) throws SQLException {
    return accessor(i).getTimestamp(calendar());
  }

  @Override public Date getDate(int i, Calendar cal) throws SQLException {
    return accessor(i).getDate(cal);
  }

  @Override public Time getTime(int i, Calendar cal) throws SQLException {
    return accessor(i).getTime(cal);
  }

  @Override public Timestamp getTimestamp(int i, Calendar cal) throws SQLException {
    return accessor(i).getTimestamp(cal);
  }

  @Override public InputStream getAsciiStream(int i) throws SQLException {
    return accessor(i).getAsciiStream();
  }

  @SuppressWarnings("deprecation")
  @Override public InputStream getUnicodeStream(int i) throws SQLException {
    return accessor(i).getUnicodeStream();
  }

  @Override public InputStream getBinaryStream(int i) throws SQLException {
    return accessor(i).getBinaryStream();
  }

  @Override public Reader getCharacterStream(int i) throws SQLException {
    return accessor(i).getCharacterStream();
  }

  @Override public Reader getNCharacterStream(int i) throws SQLException {
    return accessor(i).getNCharacterStream();
  }

  @Override public String getNString(int i) throws SQLException {
    return accessor(i).getNString();
  }

  /** As Avatica's: by the column's SQL type, so a TINYINT is a Byte and a REAL a Float. */
  @Override public Object getObject(int i) throws SQLException {
    Cursor.Accessor a = accessor(i);
    ColumnMetaData c = columns.get(i - 1);
    return AvaticaSite.get(a, c.type.id, c.signed, temporal ? calendar() : null);
  }

  @Override public Object getObject(int i, Map<String, Class<?>> map) throws SQLException {
    return accessor(i).getObject(map);
  }

  @Override public <T> T getObject(int i, Class<T> type) throws SQLException {
    return accessor(i).getObject(type);
  }

  @Override public Ref getRef(int i) throws SQLException {
    return accessor(i).getRef();
  }

  @Override public Blob getBlob(int i) throws SQLException {
    return accessor(i).getBlob();
  }

  @Override public Clob getClob(int i) throws SQLException {
    return accessor(i).getClob();
  }

  @Override public NClob getNClob(int i) throws SQLException {
    return accessor(i).getNClob();
  }

  @Override public Array getArray(int i) throws SQLException {
    return accessor(i).getArray();
  }

  @Override public URL getURL(int i) throws SQLException {
    return accessor(i).getURL();
  }

  @Override public SQLXML getSQLXML(int i) throws SQLException {
    return accessor(i).getSQLXML();
  }

  @Override public RowId getRowId(int i) throws SQLException {
    throw unsupported();
  }

  // ------------------------------------------------ getters, by label

  @Override public String getString(String l) throws SQLException {
    return accessor(l).getString();
  }

  @Override public boolean getBoolean(String l) throws SQLException {
    return accessor(l).getBoolean();
  }

  @Override public byte getByte(String l) throws SQLException {
    return accessor(l).getByte();
  }

  @Override public short getShort(String l) throws SQLException {
    return accessor(l).getShort();
  }

  @Override public int getInt(String l) throws SQLException {
    return accessor(l).getInt();
  }

  @Override public long getLong(String l) throws SQLException {
    return accessor(l).getLong();
  }

  @Override public float getFloat(String l) throws SQLException {
    return accessor(l).getFloat();
  }

  @Override public double getDouble(String l) throws SQLException {
    return accessor(l).getDouble();
  }

  @SuppressWarnings("deprecation")
  @Override public BigDecimal getBigDecimal(String l, int scale) throws SQLException {
    return accessor(l).getBigDecimal(scale);
  }

  @Override public BigDecimal getBigDecimal(String l) throws SQLException {
    return accessor(l).getBigDecimal();
  }

  @Override public byte[] getBytes(String l) throws SQLException {
    return accessor(l).getBytes();
  }

  @Override public Date getDate(String l) throws SQLException {
    return accessor(l).getDate(calendar());
  }

  @Override public Time getTime(String l) throws SQLException {
    return accessor(l).getTime(calendar());
  }

  @Override public Timestamp getTimestamp(String l) throws SQLException {
    return accessor(l).getTimestamp(calendar());
  }

  @Override public Date getDate(String l, Calendar cal) throws SQLException {
    return accessor(l).getDate(cal);
  }

  @Override public Time getTime(String l, Calendar cal) throws SQLException {
    return accessor(l).getTime(cal);
  }

  @Override public Timestamp getTimestamp(String l, Calendar cal) throws SQLException {
    return accessor(l).getTimestamp(cal);
  }

  @Override public InputStream getAsciiStream(String l) throws SQLException {
    return accessor(l).getAsciiStream();
  }

  @SuppressWarnings("deprecation")
  @Override public InputStream getUnicodeStream(String l) throws SQLException {
    return accessor(l).getUnicodeStream();
  }

  @Override public InputStream getBinaryStream(String l) throws SQLException {
    return accessor(l).getBinaryStream();
  }

  @Override public Reader getCharacterStream(String l) throws SQLException {
    return accessor(l).getCharacterStream();
  }

  @Override public Reader getNCharacterStream(String l) throws SQLException {
    return accessor(l).getNCharacterStream();
  }

  @Override public String getNString(String l) throws SQLException {
    return accessor(l).getNString();
  }

  /** As Avatica's: by label, the accessor's own object (not converted by the SQL type). */
  @Override public Object getObject(String l) throws SQLException {
    return accessor(l).getObject();
  }

  @Override public Object getObject(String l, Map<String, Class<?>> map) throws SQLException {
    return accessor(l).getObject(map);
  }

  @Override public <T> T getObject(String l, Class<T> type) throws SQLException {
    return accessor(l).getObject(type);
  }

  @Override public Ref getRef(String l) throws SQLException {
    return accessor(l).getRef();
  }

  @Override public Blob getBlob(String l) throws SQLException {
    return accessor(l).getBlob();
  }

  @Override public Clob getClob(String l) throws SQLException {
    return accessor(l).getClob();
  }

  @Override public NClob getNClob(String l) throws SQLException {
    return accessor(l).getNClob();
  }

  @Override public Array getArray(String l) throws SQLException {
    return accessor(l).getArray();
  }

  @Override public URL getURL(String l) throws SQLException {
    return accessor(l).getURL();
  }

  @Override public SQLXML getSQLXML(String l) throws SQLException {
    return accessor(l).getSQLXML();
  }

  @Override public RowId getRowId(String l) throws SQLException {
    throw unsupported();
  }

  // ------------------------------------------------ updates: read only

  @Override public void updateNull(int i) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBoolean(int i, boolean x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateByte(int i, byte x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateShort(int i, short x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateInt(int i, int x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateLong(int i, long x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateFloat(int i, float x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateDouble(int i, double x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBigDecimal(int i, BigDecimal x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateString(int i, String x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBytes(int i, byte[] x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateDate(int i, Date x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateTime(int i, Time x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateTimestamp(int i, Timestamp x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateAsciiStream(int i, InputStream x, int length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBinaryStream(int i, InputStream x, int length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateCharacterStream(int i, Reader x, int length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateObject(int i, Object x, int scaleOrLength) throws SQLException {
    throw unsupported();
  }

  @Override public void updateObject(int i, Object x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNull(String l) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBoolean(String l, boolean x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateByte(String l, byte x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateShort(String l, short x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateInt(String l, int x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateLong(String l, long x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateFloat(String l, float x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateDouble(String l, double x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBigDecimal(String l, BigDecimal x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateString(String l, String x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBytes(String l, byte[] x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateDate(String l, Date x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateTime(String l, Time x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateTimestamp(String l, Timestamp x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateAsciiStream(String l, InputStream x, int length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBinaryStream(String l, InputStream x, int length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateCharacterStream(String l, Reader reader, int length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateObject(String l, Object x, int scaleOrLength) throws SQLException {
    throw unsupported();
  }

  @Override public void updateObject(String l, Object x) throws SQLException {
    throw unsupported();
  }

  @Override public void insertRow() throws SQLException {
    throw unsupported();
  }

  @Override public void updateRow() throws SQLException {
    throw unsupported();
  }

  @Override public void deleteRow() throws SQLException {
    throw unsupported();
  }

  @Override public void refreshRow() throws SQLException {
    throw unsupported();
  }

  @Override public void cancelRowUpdates() throws SQLException {
    throw unsupported();
  }

  @Override public void moveToInsertRow() throws SQLException {
    throw unsupported();
  }

  @Override public void moveToCurrentRow() throws SQLException {
    throw unsupported();
  }

  @Override public void updateRef(int i, Ref x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateRef(String l, Ref x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBlob(int i, Blob x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBlob(String l, Blob x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateClob(int i, Clob x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateClob(String l, Clob x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateArray(int i, Array x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateArray(String l, Array x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateRowId(int i, RowId x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateRowId(String l, RowId x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNString(int i, String nString) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNString(String l, String nString) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNClob(int i, NClob nClob) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNClob(String l, NClob nClob) throws SQLException {
    throw unsupported();
  }

  @Override public void updateSQLXML(int i, SQLXML xmlObject) throws SQLException {
    throw unsupported();
  }

  @Override public void updateSQLXML(String l, SQLXML xmlObject) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNCharacterStream(int i, Reader x, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNCharacterStream(String l, Reader reader, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateAsciiStream(int i, InputStream x, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBinaryStream(int i, InputStream x, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateCharacterStream(int i, Reader x, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateAsciiStream(String l, InputStream x, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBinaryStream(String l, InputStream x, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateCharacterStream(String l, Reader reader, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBlob(int i, InputStream inputStream, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBlob(String l, InputStream inputStream, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateClob(int i, Reader reader, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateClob(String l, Reader reader, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNClob(int i, Reader reader, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNClob(String l, Reader reader, long length) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNCharacterStream(int i, Reader x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNCharacterStream(String l, Reader reader) throws SQLException {
    throw unsupported();
  }

  @Override public void updateAsciiStream(int i, InputStream x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBinaryStream(int i, InputStream x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateCharacterStream(int i, Reader x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateAsciiStream(String l, InputStream x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBinaryStream(String l, InputStream x) throws SQLException {
    throw unsupported();
  }

  @Override public void updateCharacterStream(String l, Reader reader) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBlob(int i, InputStream inputStream) throws SQLException {
    throw unsupported();
  }

  @Override public void updateBlob(String l, InputStream inputStream) throws SQLException {
    throw unsupported();
  }

  @Override public void updateClob(int i, Reader reader) throws SQLException {
    throw unsupported();
  }

  @Override public void updateClob(String l, Reader reader) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNClob(int i, Reader reader) throws SQLException {
    throw unsupported();
  }

  @Override public void updateNClob(String l, Reader reader) throws SQLException {
    throw unsupported();
  }
}
