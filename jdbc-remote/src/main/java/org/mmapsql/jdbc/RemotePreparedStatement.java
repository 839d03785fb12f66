package org.mmapsql.jdbc;

import java.io.InputStream;
import java.io.Reader;
import java.sql.BatchUpdateException;
import java.sql.NClob;
import java.sql.ResultSet;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLXML;

import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaPreparedStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.QueryState;

/**
 * Avatica's remote prepared statement, with the generated keys of each
 * execution and batch when prepared with {@code RETURN_GENERATED_KEYS}, and a
 * failed batch reported as a {@link BatchUpdateException} that says what was
 * applied ({@link BatchErrors}), and a statement the server no longer has
 * reported as such ({@link MissingStatement}).
 */
final class RemotePreparedStatement extends AvaticaPreparedStatement implements PackedResultSet.Resyncable {
  private boolean returnKeys;
  private long[] keys = GeneratedKeys.NONE;

  RemotePreparedStatement(AvaticaConnection connection, Meta.StatementHandle h, Meta.Signature signature,
      int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    super(connection, h, signature, resultSetType, resultSetConcurrency, resultSetHoldability);
  }

  void returnKeys(boolean on) {
    returnKeys = on;
  }

  /** After a write: its keys, if this statement was prepared to return them. */
  private void wrote() throws SQLException {
    keys = returnKeys ? GeneratedKeys.fetch(connection, handle) : GeneratedKeys.NONE;
  }

  @Override public ResultSet getGeneratedKeys() throws SQLException {
    checkOpen();
    return GeneratedKeys.resultSet(keys);
  }

  @Override public ResultSet executeQuery() throws SQLException {
    try {
      return super.executeQuery();
    } catch (SQLException e) {
      throw MissingStatement.explain(e);
    }
  }

  @Override public long executeLargeUpdate() throws SQLException {
    keys = GeneratedKeys.NONE;
    long n;
    try {
      n = super.executeLargeUpdate();
    } catch (SQLException e) {
      throw MissingStatement.explain(e);
    }
    wrote();
    return n;
  }

  @Override public boolean execute() throws SQLException {
    keys = GeneratedKeys.NONE;
    boolean rows;
    try {
      rows = super.execute();
    } catch (SQLException e) {
      throw MissingStatement.explain(e);
    }
    if (!rows) {
      wrote();
    }
    return rows;
  }

  @Override public long[] executeLargeBatch() throws SQLException {
    keys = GeneratedKeys.NONE;
    int sets = getParameterValueBatch().size();
    long[] counts;
    try {
      counts = super.executeLargeBatch();
    } catch (BatchUpdateException e) {
      throw e;
    } catch (SQLException e) {
      throw BatchErrors.of(MissingStatement.explain(e), sets);
    } catch (RuntimeException e) {
      throw BatchErrors.of(e, sets);
    }
    if (MissingStatement.uncounted(sets, counts)) {
      throw BatchErrors.of(MissingStatement.error(null), sets);
    }
    wrote();
    return counts;
  }

  // JDBC 4 setters, as Avatica's own prepared statement has them

  @Override public void setRowId(int parameterIndex, RowId x) throws SQLException {
    getSite(parameterIndex).setRowId(x);
  }

  @Override public void setNString(int parameterIndex, String value) throws SQLException {
    getSite(parameterIndex).setNString(value);
  }

  @Override public void setNCharacterStream(int parameterIndex, Reader value, long length)
      throws SQLException {
    getSite(parameterIndex).setNCharacterStream(value, length);
  }

  @Override public void setNClob(int parameterIndex, NClob value) throws SQLException {
    getSite(parameterIndex).setNClob(value);
  }

  @Override public void setClob(int parameterIndex, Reader reader, long length) throws SQLException {
    getSite(parameterIndex).setClob(reader, length);
  }

  @Override public void setBlob(int parameterIndex, InputStream inputStream, long length)
      throws SQLException {
    getSite(parameterIndex).setBlob(inputStream, length);
  }

  @Override public void setNClob(int parameterIndex, Reader reader, long length) throws SQLException {
    getSite(parameterIndex).setNClob(reader, length);
  }

  @Override public void setSQLXML(int parameterIndex, SQLXML xmlObject) throws SQLException {
    getSite(parameterIndex).setSQLXML(xmlObject);
  }

  @Override public void setAsciiStream(int parameterIndex, InputStream x, long length) throws SQLException {
    getSite(parameterIndex).setAsciiStream(x, length);
  }

  @Override public void setBinaryStream(int parameterIndex, InputStream x, long length) throws SQLException {
    getSite(parameterIndex).setBinaryStream(x, length);
  }

  @Override public void setCharacterStream(int parameterIndex, Reader reader, long length)
      throws SQLException {
    getSite(parameterIndex).setCharacterStream(reader, length);
  }

  @Override public void setAsciiStream(int parameterIndex, InputStream x) throws SQLException {
    getSite(parameterIndex).setAsciiStream(x);
  }

  @Override public void setBinaryStream(int parameterIndex, InputStream x) throws SQLException {
    getSite(parameterIndex).setBinaryStream(x);
  }

  @Override public void setCharacterStream(int parameterIndex, Reader reader) throws SQLException {
    getSite(parameterIndex).setCharacterStream(reader);
  }

  @Override public void setNCharacterStream(int parameterIndex, Reader value) throws SQLException {
    getSite(parameterIndex).setNCharacterStream(value);
  }

  @Override public void setClob(int parameterIndex, Reader reader) throws SQLException {
    getSite(parameterIndex).setClob(reader);
  }

  @Override public void setBlob(int parameterIndex, InputStream inputStream) throws SQLException {
    getSite(parameterIndex).setBlob(inputStream);
  }

  @Override public void setNClob(int parameterIndex, Reader reader) throws SQLException {
    getSite(parameterIndex).setNClob(reader);
  }

  @Override public void resetStatement() {
    super.resetStatement();
  }

  @Override public boolean syncResults(QueryState state, long offset) throws NoSuchStatementException {
    return super.syncResults(state, offset);
  }
}
