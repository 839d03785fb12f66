package org.apache.calcite.jdbc;

import java.sql.SQLException;

import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.jdbc.CalcitePrepare.Context;
import org.apache.calcite.server.CalciteServerStatement;

import com.google.common.collect.ImmutableList;

/**
 * Calcite's meta, but a Statement's SQL goes to the prepare step as it is:
 * Calcite first offers it to its {@code Hook.STRING_TO_QUERY} (a hook of its
 * own tests, unused here) with a config that takes a snapshot of the whole
 * schema, which was a fifth of a cached {@code SELECT COUNT(*)}. The prepare
 * step takes a snapshot itself when it has to plan.
 */
public final class MmapMeta extends CalciteMetaImpl {
  private MmapMeta(CalciteConnectionImpl connection, CalciteConnectionConfig config) {
    super(connection, config.metaTableFactory(CalciteMetaTableFactory.class, CalciteMetaTableFactoryImpl.INSTANCE),
        config.metaColumnFactory(CalciteMetaColumnFactory.class, CalciteMetaColumnFactoryImpl.INSTANCE));
  }

  /** The meta of an embedded connection, as Calcite's driver makes it. */
  public static MmapMeta of(AvaticaConnection connection) {
    return new MmapMeta((CalciteConnectionImpl) connection, (CalciteConnectionConfig) connection.config());
  }

  /** As Calcite's, minus the hook. */
  @Override public ExecuteResult prepareAndExecute(StatementHandle h, String sql, long maxRowCount,
      int maxRowsInFirstFrame, PrepareCallback callback) throws NoSuchStatementException {
    final CalcitePrepare.CalciteSignature<Object> signature;
    try {
      final int updateCount;
      boolean direct;
      synchronized (callback.getMonitor()) {
        callback.clear();
        CalciteConnectionImpl connection = getConnection();
        CalciteServerStatement statement = connection.server.getStatement(h);
        Context context = statement.createPrepareContext();
        signature = connection.parseQuery(CalcitePrepare.Query.of(sql), context, maxRowCount);
        statement.setSignature(signature);
        updateCount = switch (signature.statementType) {
          case CREATE, DROP, ALTER, OTHER_DDL -> 0; // DDL produces no result set
          default -> -1; // SELECT and DML produce a result set
        };
        // An embedded Statement (its callback locks it) runs a direct plan itself, outside the lock, as
        // Avatica's result set would, so that cancel() is not kept waiting.
        direct = callback.getMonitor() instanceof MmapJdbcFactory.MmapStatement && DirectRun.planned(signature);
        if (!direct) {
          callback.assign(signature, null, updateCount);
        }
      }
      if (direct) {
        long count = ((MmapJdbcFactory.MmapStatement) callback.getMonitor()).runDirect(signature);
        if (count != MmapJdbcFactory.MmapStatement.NOT_RUN) {
          return new ExecuteResult(ImmutableList.of(
              Meta.MetaResultSet.create(h.connectionId, h.id, false, signature, null, count)));
        }
        synchronized (callback.getMonitor()) {
          callback.assign(signature, null, updateCount);
        }
      }
      callback.execute();
      return new ExecuteResult(ImmutableList.of(
          Meta.MetaResultSet.create(h.connectionId, h.id, false, signature, null, updateCount)));
    } catch (SQLException e) {
      throw new RuntimeException(e);
    }
  }
}
