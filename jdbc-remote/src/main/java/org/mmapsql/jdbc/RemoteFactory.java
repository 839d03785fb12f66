package org.mmapsql.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Properties;
import java.util.TimeZone;

import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaFactory;
import org.apache.calcite.avatica.AvaticaPreparedStatement;
import org.apache.calcite.avatica.AvaticaResultSet;
import org.apache.calcite.avatica.AvaticaSpecificDatabaseMetaData;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.UnregisteredDriver;

/**
 * Avatica's JDBC objects with mmapsql's connection and statements, which
 * return generated keys and report a failed batch as a
 * {@link java.sql.BatchUpdateException}; a result that comes in packed frames
 * is read by a {@link PackedResultSet}; other result sets and metadata are Avatica's.
 */
final class RemoteFactory implements AvaticaFactory {
  /** Avatica's own factory, for what mmapsql does not change. */
  private final AvaticaFactory avatica;

  RemoteFactory(AvaticaFactory avatica) {
    this.avatica = avatica;
  }

  @Override public int getJdbcMajorVersion() {
    return avatica.getJdbcMajorVersion();
  }

  @Override public int getJdbcMinorVersion() {
    return avatica.getJdbcMinorVersion();
  }

  @Override public AvaticaConnection newConnection(UnregisteredDriver driver, AvaticaFactory factory,
      String url, Properties info) {
    return new RemoteConnection(driver, factory, url, info);
  }

  @Override public AvaticaStatement newStatement(AvaticaConnection connection, Meta.StatementHandle h,
      int resultSetType, int resultSetConcurrency, int resultSetHoldability) {
    return new RemoteStatement(connection, h, resultSetType, resultSetConcurrency, resultSetHoldability);
  }

  @Override public AvaticaPreparedStatement newPreparedStatement(AvaticaConnection connection,
      Meta.StatementHandle h, Meta.Signature signature, int resultSetType, int resultSetConcurrency,
      int resultSetHoldability) throws SQLException {
    return new RemotePreparedStatement(connection, h, signature, resultSetType, resultSetConcurrency,
        resultSetHoldability);
  }

  @Override public AvaticaResultSet newResultSet(AvaticaStatement statement, QueryState state,
      Meta.Signature signature, TimeZone timeZone, Meta.Frame firstFrame) throws SQLException {
    PackedBlock.Kind[] kinds = PackedResultSet.packed(signature, firstFrame);
    if (kinds != null && statement instanceof PackedResultSet.Resyncable) {
      return new PackedResultSet(statement, state, signature, newResultSetMetaData(statement, signature),
          timeZone, firstFrame, kinds);
    }
    return avatica.newResultSet(statement, state, signature, timeZone, firstFrame);
  }

  @Override public AvaticaSpecificDatabaseMetaData newDatabaseMetaData(AvaticaConnection connection) {
    return avatica.newDatabaseMetaData(connection);
  }

  @Override public ResultSetMetaData newResultSetMetaData(AvaticaStatement statement,
      Meta.Signature signature) throws SQLException {
    return avatica.newResultSetMetaData(statement, signature);
  }
}
