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
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Struct;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Map;

import org.apache.calcite.avatica.util.Cursor;

/** An accessor that does what another does; subclasses take over the getters they can do faster. */
abstract class ForwardingAccessor implements Cursor.Accessor {
  protected final Cursor.Accessor inner;

  ForwardingAccessor(Cursor.Accessor inner) {
    this.inner = inner;
  }

  @Override public boolean wasNull() throws SQLException {
    return inner.wasNull();
  }

  @Override public String getString() throws SQLException {
    return inner.getString();
  }

  @Override public boolean getBoolean() throws SQLException {
    return inner.getBoolean();
  }

  @Override public byte getByte() throws SQLException {
    return inner.getByte();
  }

  @Override public org.joou.UByte getUByte() throws SQLException {
    return inner.getUByte();
  }

  @Override public short getShort() throws SQLException {
    return inner.getShort();
  }

  @Override public org.joou.UShort getUShort() throws SQLException {
    return inner.getUShort();
  }

  @Override public int getInt() throws SQLException {
    return inner.getInt();
  }

  @Override public org.joou.UInteger getUInt() throws SQLException {
    return inner.getUInt();
  }

  @Override public long getLong() throws SQLException {
    return inner.getLong();
  }

  @Override public org.joou.ULong getULong() throws SQLException {
    return inner.getULong();
  }

  @Override public float getFloat() throws SQLException {
    return inner.getFloat();
  }

  @Override public double getDouble() throws SQLException {
    return inner.getDouble();
  }

  @Override public BigDecimal getBigDecimal() throws SQLException {
    return inner.getBigDecimal();
  }

  @Override public BigDecimal getBigDecimal(int scale) throws SQLException {
    return inner.getBigDecimal(scale);
  }

  @Override public byte[] getBytes() throws SQLException {
    return inner.getBytes();
  }

  @Override public InputStream getAsciiStream() throws SQLException {
    return inner.getAsciiStream();
  }

  @Override public InputStream getUnicodeStream() throws SQLException {
    return inner.getUnicodeStream();
  }

  @Override public InputStream getBinaryStream() throws SQLException {
    return inner.getBinaryStream();
  }

  @Override public Object getObject() throws SQLException {
    return inner.getObject();
  }

  @Override public Reader getCharacterStream() throws SQLException {
    return inner.getCharacterStream();
  }

  @Override public Object getObject(Map<String, Class<?>> map) throws SQLException {
    return inner.getObject(map);
  }

  @Override public Ref getRef() throws SQLException {
    return inner.getRef();
  }

  @Override public Blob getBlob() throws SQLException {
    return inner.getBlob();
  }

  @Override public Clob getClob() throws SQLException {
    return inner.getClob();
  }

  @Override public Array getArray() throws SQLException {
    return inner.getArray();
  }

  @Override public Struct getStruct() throws SQLException {
    return inner.getStruct();
  }

  @Override public Date getDate(Calendar calendar) throws SQLException {
    return inner.getDate(calendar);
  }

  @Override public Time getTime(Calendar calendar) throws SQLException {
    return inner.getTime(calendar);
  }

  @Override public Timestamp getTimestamp(Calendar calendar) throws SQLException {
    return inner.getTimestamp(calendar);
  }

  @Override public URL getURL() throws SQLException {
    return inner.getURL();
  }

  @Override public NClob getNClob() throws SQLException {
    return inner.getNClob();
  }

  @Override public SQLXML getSQLXML() throws SQLException {
    return inner.getSQLXML();
  }

  @Override public String getNString() throws SQLException {
    return inner.getNString();
  }

  @Override public Reader getNCharacterStream() throws SQLException {
    return inner.getNCharacterStream();
  }

  @Override public <T> T getObject(Class<T> type) throws SQLException {
    return inner.getObject(type);
  }
}
