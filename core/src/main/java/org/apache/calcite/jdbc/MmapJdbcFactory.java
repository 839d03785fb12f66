package org.apache.calcite.jdbc;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Savepoint;
import java.util.List;
import java.util.Properties;
import java.util.TimeZone;

import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaDatabaseMetaData;
import org.apache.calcite.avatica.AvaticaFactory;
import org.apache.calcite.avatica.AvaticaResultSet;
import org.apache.calcite.avatica.AvaticaPreparedStatement;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.UnregisteredDriver;
import org.apache.calcite.avatica.remote.TypedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.exec.AppendBatch;
import org.mmapsql.jdbc.Errors;

/**
 * Calcite's JDBC objects with mmapsql's connection, {@link MmapConnection}.
 * In Calcite's package because Calcite's connection class is package-private;
 * {@link org.mmapsql.jdbc.Driver} names it as its factory.
 */
public final class MmapJdbcFactory extends CalciteFactory {
  /** Calcite's own factory, for everything but the connection. */
  private final CalciteJdbc41Factory calcite = new CalciteJdbc41Factory();

  public MmapJdbcFactory() {
    super(4, 1);
  }

  @Override public AvaticaDatabaseMetaData newDatabaseMetaData(AvaticaConnection connection) {
    return calcite.newDatabaseMetaData(connection);
  }

  @Override public AvaticaStatement newStatement(AvaticaConnection connection,
      Meta.@Nullable StatementHandle h, int type, int concurrency, int holdability) {
    return calcite.newStatement(connection, h, type, concurrency, holdability);
  }

  @Override public AvaticaPreparedStatement newPreparedStatement(AvaticaConnection connection,
      Meta.@Nullable StatementHandle h, Meta.Signature signature, int type, int concurrency,
      int holdability) throws SQLException {
    return new MmapPreparedStatement((CalciteConnectionImpl) connection, h,
        (CalcitePrepare.CalciteSignature<?>) signature, type, concurrency, holdability);
  }

  /** Calcite's prepared statement, with its batch open to {@link MmapConnection}. */
  static final class MmapPreparedStatement extends CalcitePreparedStatement {
    MmapPreparedStatement(CalciteConnectionImpl connection, Meta.@Nullable StatementHandle h,
        CalcitePrepare.CalciteSignature<?> signature, int type, int concurrency, int holdability)
        throws SQLException {
      super(connection, h, signature, type, concurrency, holdability);
    }

    List<List<TypedValue>> batch() {
      return getParameterValueBatch();
    }

    /** An INSERT (Calcite's signature says only "DML"). */
    boolean isInsert() {
      Meta.Signature s = getSignature();
      return s != null && s.sql != null && s.sql.stripLeading().regionMatches(true, 0, "INSERT", 0, 6);
    }
  }

  @Override public AvaticaResultSet newResultSet(AvaticaStatement statement, QueryState state,
      Meta.Signature signature, TimeZone timeZone, Meta.Frame firstFrame) throws SQLException {
    return calcite.newResultSet(statement, state, signature, timeZone, firstFrame);
  }

  @Override public ResultSetMetaData newResultSetMetaData(AvaticaStatement statement,
      Meta.Signature signature) throws SQLException {
    return calcite.newResultSetMetaData(statement, signature);
  }

  @Override public AvaticaConnection newConnection(UnregisteredDriver driver, AvaticaFactory factory,
      String url, Properties info, @Nullable CalciteSchema rootSchema, @Nullable JavaTypeFactory typeFactory) {
    return new MmapConnection((Driver) driver, factory, url, info, rootSchema, typeFactory);
  }

  /**
   * An embedded connection as JDBC expects it: every error with its SQLSTATE
   * (Avatica makes SQLExceptions without one), and transactions as mmapsql has
   * them. Every statement is atomic and durable when it returns, so there is
   * nothing to commit: {@code commit()} succeeds, auto-commit can be switched
   * off (the loader idiom), and {@code rollback()} succeeds only if nothing was
   * written since the last commit, since it cannot undo what is already
   * committed. Isolation is {@link Connection#TRANSACTION_NONE}; no savepoints.
   */
  static final class MmapConnection extends CalciteConnectionImpl {
    private boolean autoCommit = true;
    /** The idx of the rows appended by the last batch. */
    private long[] lastKeys = new long[0];
    /** Rows written with auto-commit off since the last commit or rollback. */
    private long uncommittedRows;

    MmapConnection(Driver driver, AvaticaFactory factory, String url, Properties info,
        @Nullable CalciteSchema rootSchema, @Nullable JavaTypeFactory typeFactory) {
      super(driver, factory, url, info, rootSchema, typeFactory);
    }

    @Override public CalcitePreparedStatement prepareStatement(String sql, int resultSetType,
        int resultSetConcurrency, int resultSetHoldability) throws SQLException {
      try {
        return super.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability);
      } catch (SQLException e) {
        throw Errors.withState("cannot prepare \"" + sql + "\": " + Errors.message(e), e);
      }
    }

    @Override protected Meta.ExecuteResult prepareAndExecuteInternal(AvaticaStatement statement,
        String sql, long maxRowCount) throws SQLException, NoSuchStatementException {
      Meta.ExecuteResult result;
      try {
        result = super.prepareAndExecuteInternal(statement, sql, maxRowCount);
      } catch (RuntimeException e) {
        throw Errors.withState("Error while executing SQL \"" + sql + "\": " + Errors.message(e), e);
      }
      wrote(statement.getLargeUpdateCount());
      return result;
    }

    @Override protected java.sql.ResultSet executeQueryInternal(AvaticaStatement statement,
        Meta.Signature signature, Meta.@Nullable Frame firstFrame, @Nullable QueryState state,
        boolean isUpdate) throws SQLException {
      java.sql.ResultSet rs;
      try {
        rs = super.executeQueryInternal(statement, signature, firstFrame, state, isUpdate);
      } catch (SQLException e) {
        throw Errors.withState(e.getMessage(), e);
      }
      if (isUpdate) {
        wrote(statement.getLargeUpdateCount());
      }
      return rs;
    }

    /**
     * A PreparedStatement's batch, whole or not at all: each parameter set is
     * run with its appends deferred (its rows checked and computed, nothing
     * written), then the rows are appended with one write and one force. An
     * UPDATE or DELETE batch runs set by set; its error says how many sets were
     * applied.
     */
    @Override protected long[] executeBatchUpdateInternal(AvaticaPreparedStatement statement)
        throws SQLException {
      MmapPreparedStatement ps = (MmapPreparedStatement) statement;
      List<List<TypedValue>> sets = ps.batch();
      boolean inserts = ps.isInsert();
      long[] counts = new long[sets.size()];
      try (AppendBatch batch = inserts ? AppendBatch.defer() : AppendBatch.recordKeys()) {
        for (int i = 0; i < sets.size(); i++) {
          try {
            Meta.ExecuteResult r = meta.execute(statement.handle, sets.get(i), -1);
            counts[i] = r.resultSets.size() == 1 ? r.resultSets.get(0).updateCount : -1;
          } catch (RuntimeException | NoSuchStatementException e) {
            throw batchError("parameter set " + (i + 1) + " of " + sets.size() + ": " + Errors.message(e)
                + (inserts ? "; nothing of the batch was inserted"
                    : "; the " + i + " sets before it were applied"), e,
                inserts ? new long[0] : java.util.Arrays.copyOf(counts, i));
          }
        }
        if (inserts) {
          try {
            batch.apply();
          } catch (RuntimeException e) {
            throw batchError(Errors.message(e) + "; nothing of the batch of " + sets.size()
                + " was inserted", e, new long[0]);
          }
        }
        lastKeys = batch.keys();
      }
      for (long c : counts) {
        wrote(c);
      }
      return counts;
    }

    private static BatchUpdateException batchError(String message, Throwable cause, long[] applied) {
      return new BatchUpdateException(message, Errors.withState(message, cause).getSQLState(), 0,
          applied, cause);
    }

    @Override protected Meta.ExecuteBatchResult prepareAndUpdateBatch(AvaticaStatement statement,
        List<String> queries) throws NoSuchStatementException, SQLException {
      Meta.ExecuteBatchResult result;
      try {
        result = super.prepareAndUpdateBatch(statement, queries);
      } catch (RuntimeException e) {
        throw Errors.withState(Errors.message(e), e);
      }
      for (long c : result.updateCounts) {
        wrote(c);
      }
      return result;
    }

    private void wrote(long rows) {
      if (!autoCommit && rows > 0) {
        uncommittedRows += rows;
      }
    }

    // ------------------------------------------------ transactions

    @Override public void setAutoCommit(boolean autoCommit) throws SQLException {
      checkOpen();
      if (autoCommit && !this.autoCommit) {
        uncommittedRows = 0; // JDBC: switching auto-commit on commits
      }
      this.autoCommit = autoCommit;
    }

    @Override public boolean getAutoCommit() throws SQLException {
      checkOpen();
      return autoCommit;
    }

    @Override public void commit() throws SQLException {
      checkOpen();
      uncommittedRows = 0; // already durable: each statement committed when it returned
    }

    @Override public void rollback() throws SQLException {
      checkOpen();
      if (uncommittedRows > 0) {
        long rows = uncommittedRows;
        uncommittedRows = 0;
        throw new SQLFeatureNotSupportedException("rollback cannot undo the " + rows
            + " rows written since the last commit: mmapsql commits every statement when it"
            + " completes, also with auto-commit off, so they stay", "0A000");
      }
    }

    /**
     * Accepted and ignored, as JDBC allows: the level stays
     * {@link Connection#TRANSACTION_NONE}, as {@link #getTransactionIsolation}
     * says. Refusing it would break remote clients, which send it later with
     * an unrelated call.
     */
    @Override public void setTransactionIsolation(int level) throws SQLException {
      checkOpen();
    }

    @Override public int getTransactionIsolation() throws SQLException {
      checkOpen();
      return Connection.TRANSACTION_NONE;
    }

    @Override public Savepoint setSavepoint() throws SQLException {
      throw noSavepoints();
    }

    @Override public Savepoint setSavepoint(String name) throws SQLException {
      throw noSavepoints();
    }

    @Override public void rollback(Savepoint savepoint) throws SQLException {
      throw noSavepoints();
    }

    @Override public void releaseSavepoint(Savepoint savepoint) throws SQLException {
      throw noSavepoints();
    }

    private static SQLException noSavepoints() {
      return new SQLFeatureNotSupportedException("mmapsql has no savepoints: every statement is"
          + " committed when it completes", "0A000");
    }
  }
}
