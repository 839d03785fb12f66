package org.apache.calcite.jdbc;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Savepoint;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;

import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.avatica.AvaticaConnection;
import static org.apache.calcite.avatica.AvaticaConnection.HELPER;
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
import org.apache.calcite.rel.type.TimeFrameSet;
import org.apache.calcite.rel.type.TimeFrames;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.util.Util;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.exec.AppendBatch;
import org.mmapsql.jdbc.BatchInsert;
import org.mmapsql.plan.DeferrableInsert;
import org.mmapsql.jdbc.Errors;
import org.mmapsql.jdbc.StatementPlans;

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
    return new MmapStatement((CalciteConnectionImpl) connection, h, type, concurrency, holdability);
  }

  /** A statement that knows where its appended rows landed. */
  interface Keys {
    /** The rows of the last write, as {@code {first idx, count}} ranges ({@link AppendBatch#ranges}). */
    void keys(List<long[]> ranges);
  }

  /** The idx of appended rows as a result set of one column {@code idx}. */
  static java.sql.ResultSet keysResultSet(List<long[]> ranges) throws SQLException {
    javax.sql.rowset.CachedRowSet rs = javax.sql.rowset.RowSetProvider.newFactory().createCachedRowSet();
    javax.sql.rowset.RowSetMetaDataImpl md = new javax.sql.rowset.RowSetMetaDataImpl();
    md.setColumnCount(1);
    md.setColumnName(1, "idx");
    md.setColumnLabel(1, "idx");
    md.setColumnType(1, java.sql.Types.BIGINT);
    md.setColumnTypeName(1, "BIGINT");
    rs.setMetaData(md);
    for (long[] range : ranges) {
      for (long k = range[0]; k < range[0] + range[1]; k++) {
        rs.moveToInsertRow();
        rs.updateLong(1, k);
        rs.insertRow();
      }
    }
    rs.moveToCurrentRow();
    rs.beforeFirst();
    return rs;
  }

  /**
   * Calcite's statement, with {@code getGeneratedKeys()}: the idx of the rows its last INSERT appended;
   * a statement whose plan runs directly answers with a result set of its own ({@link DirectRun}).
   */
  static final class MmapStatement extends CalciteStatement implements Keys {
    /** What an execution method takes from {@link #runRecent}. */
    private enum Wanted { ANY, QUERY, UPDATE }

    /** What {@link #runDirect} returns when the statement must run the usual way. */
    static final long NOT_RUN = Long.MIN_VALUE;
    private List<long[]> keys = List.of();
    private final DirectRun.Results results = new DirectRun.Results(this, this::completed);
    /** The connection's schema {@link #schemaPath} was made for, and that path. */
    private @Nullable String pathSchema;
    private @Nullable List<String> schemaPath;

    MmapStatement(CalciteConnectionImpl connection, Meta.@Nullable StatementHandle h, int type,
        int concurrency, int holdability) {
      super(connection, h, type, concurrency, holdability);
    }

    private void completed() {
      if (closeOnCompletion) {
        close_();
      }
    }

    /**
     * Runs {@code signature}, just planned for this statement, directly: its
     * update count, -1 if it made a result set, or {@link #NOT_RUN}.
     */
    long runDirect(CalcitePrepare.CalciteSignature<?> signature) throws SQLException {
      setSignature(signature);
      MmapConnection c = (MmapConnection) connection;
      List<Object> rows = DirectRun.rows(c, this, signature, List.of());
      if (rows == null) {
        return NOT_RUN;
      }
      if (signature.statementType.canUpdate()) {
        updateCount = ((Number) rows.get(0)).longValue();
        return updateCount;
      }
      results.set(DirectRun.resultSet(results, c, this, cancelFlag, signature, rows));
      return -1;
    }

    @Override protected void executeInternal(String sql) throws SQLException {
      results.close(); // JDBC: each execution closes the statement's current result set
      super.executeInternal(sql);
    }

    /**
     * Runs {@code sql} directly if this connection last answered exactly this
     * text with a direct plan that is still valid ({@link StatementPlans}), as
     * the meta would after preparing it, without the meta, the prepare step or
     * a signature made per statement: its update count, -1 if it made a
     * result set, or {@link #NOT_RUN} (nothing done) if it must take the usual way.
     * Only a statement of the kind {@code wanted} runs here: executeQuery
     * refuses an UPDATE after running it, executeUpdate a query.
     */
    private long runRecent(String sql, Wanted wanted) throws SQLException {
      CalciteConnectionImpl c = (CalciteConnectionImpl) connection;
      CalcitePrepare.CalciteSignature<Object> signature = StatementPlans.direct(c.rootSchema, sql,
          schemaPath(c.getSchema()), maxRowCount <= 0 ? -1 : maxRowCount);
      if (signature == null || wanted != Wanted.ANY
          && (wanted == Wanted.UPDATE) != signature.statementType.canUpdate()) {
        return NOT_RUN;
      }
      synchronized (this) { // as the meta's prepare step: the previous results go, under the statement's lock
        results.close();
        if (openResultSet != null) {
          AvaticaResultSet rs = openResultSet;
          openResultSet = null;
          rs.close();
        }
        updateCount = -1;
        try {
          c.server.getStatement(handle).setSignature(signature);
        } catch (NoSuchStatementException e) {
          return NOT_RUN; // the usual way makes the statement again
        }
      }
      long count = runDirect(signature);
      if (count != NOT_RUN) {
        keys(List.of()); // a direct plan appends nothing
        if (count >= 0) {
          ((MmapConnection) connection).changed(count);
        }
      }
      return count;
    }

    /** The default schema as a path, made again only when the connection's schema changes. */
    private List<String> schemaPath(@Nullable String schema) {
      if (!java.util.Objects.equals(schema, pathSchema) || schemaPath == null) {
        pathSchema = schema;
        schemaPath = schema == null ? List.of() : List.of(schema);
      }
      return schemaPath;
    }

    @Override public java.sql.ResultSet executeQuery(String sql) throws SQLException {
      checkOpen();
      if (runRecent(sql, Wanted.QUERY) == -1) {
        return results.current();
      }
      try {
        executeInternal(sql);
      } catch (RuntimeException e) {
        throw HELPER.createException("Error while executing SQL \"" + sql + "\": " + e.getMessage(), e);
      }
      java.sql.ResultSet rs = results.current() != null ? results.current() : openResultSet;
      if (rs == null) {
        throw HELPER.createException("Statement did not return a result set");
      }
      return rs;
    }

    @Override public boolean execute(String sql) throws SQLException {
      checkOpen();
      long count = runRecent(sql, Wanted.ANY);
      if (count != NOT_RUN) {
        return count == -1;
      }
      return super.execute(sql) || results.open();
    }

    @Override public long executeLargeUpdate(String sql) throws SQLException {
      checkOpen();
      long count = runRecent(sql, Wanted.UPDATE);
      return count != NOT_RUN ? count : super.executeLargeUpdate(sql);
    }

    @Override public java.sql.ResultSet getResultSet() throws SQLException {
      checkOpen();
      return results.current() != null ? results.current() : super.getResultSet();
    }

    @Override public boolean getMoreResults(int current) throws SQLException {
      boolean more = super.getMoreResults(current);
      results.close();
      return more;
    }

    @Override protected void close_() {
      results.close();
      super.close_();
    }

    /**
     * Avatica's, but the batch of a statement another thread closed meanwhile
     * is not cleared: Avatica clears it in a finally, whose "statement closed"
     * replaced the batch's own outcome, its counts or its BatchUpdateException.
     * A closed statement refuses further use anyway.
     */
    @Override public long[] executeLargeBatch() throws SQLException {
      checkOpen();
      try {
        return executeBatchInternal();
      } finally {
        try {
          clearBatch();
        } catch (SQLException e) {
          if (!isClosed()) {
            throw e;
          }
        }
      }
    }

    @Override public void keys(List<long[]> ranges) {
      keys = ranges;
    }

    @Override public java.sql.ResultSet getGeneratedKeys() throws SQLException {
      return keysResultSet(keys);
    }

    @Override public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
      return execute(sql);
    }

    @Override public boolean execute(String sql, int[] columnIndexes) throws SQLException {
      return execute(sql);
    }

    @Override public boolean execute(String sql, String[] columnNames) throws SQLException {
      return execute(sql);
    }

    @Override public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
      return executeUpdate(sql);
    }

    @Override public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
      return executeUpdate(sql);
    }

    @Override public int executeUpdate(String sql, String[] columnNames) throws SQLException {
      return executeUpdate(sql);
    }

    @Override public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
      return executeLargeUpdate(sql);
    }

    @Override public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
      return executeLargeUpdate(sql);
    }

    @Override public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
      return executeLargeUpdate(sql);
    }
  }

  @Override public AvaticaPreparedStatement newPreparedStatement(AvaticaConnection connection,
      Meta.@Nullable StatementHandle h, Meta.Signature signature, int type, int concurrency,
      int holdability) throws SQLException {
    return new MmapPreparedStatement((CalciteConnectionImpl) connection, h,
        (CalcitePrepare.CalciteSignature<?>) signature, type, concurrency, holdability);
  }

  /** Calcite's prepared statement, with its batch open to {@link MmapConnection}. */
  static final class MmapPreparedStatement extends CalcitePreparedStatement implements Keys {
    private List<long[]> keys = List.of();

    @Override public void keys(List<long[]> ranges) {
      keys = ranges;
    }

    @Override public java.sql.ResultSet getGeneratedKeys() throws SQLException {
      return keysResultSet(keys);
    }

    MmapPreparedStatement(CalciteConnectionImpl connection, Meta.@Nullable StatementHandle h,
        CalcitePrepare.CalciteSignature<?> signature, int type, int concurrency, int holdability)
        throws SQLException {
      super(connection, h, signature, type, concurrency, holdability);
    }

    private static final int NOT_RUN = 0;
    private static final int QUERY = 1;
    private static final int UPDATE = 2;
    private final DirectRun.Results results = new DirectRun.Results(this, this::completed);

    private void completed() {
      if (closeOnCompletion) {
        close_();
      }
    }

    /**
     * Runs this statement directly if its plan has a direct execution (and,
     * with {@code updateOnly}, it is an UPDATE): {@link #QUERY} if it made a
     * result set, {@link #UPDATE} if it wrote, {@link #NOT_RUN} if it must run the usual way.
     */
    private int runDirect(boolean updateOnly) throws SQLException {
      Meta.Signature signature = getSignature();
      boolean update = signature != null && signature.statementType.canUpdate();
      if (!DirectRun.planned(signature) || updateOnly && !update) {
        return NOT_RUN;
      }
      // JDBC: each execution closes the statement's current result set
      results.close();
      if (openResultSet != null) {
        AvaticaResultSet rs = openResultSet;
        openResultSet = null;
        rs.close();
      }
      updateCount = -1;
      MmapConnection c = (MmapConnection) connection;
      List<Object> rows = DirectRun.rows(c, this, (CalcitePrepare.CalciteSignature<?>) signature, getParameterValues());
      if (rows == null) {
        return NOT_RUN;
      }
      if (update) {
        updateCount = ((Number) rows.get(0)).longValue();
        keys(List.of());
        c.changed(updateCount);
        return UPDATE;
      }
      results.set(DirectRun.resultSet(results, c, this, cancelFlag, signature, rows));
      return QUERY;
    }

    @Override public java.sql.ResultSet executeQuery() throws SQLException {
      checkOpen();
      return runDirect(false) == QUERY ? results.current() : super.executeQuery();
    }

    @Override public boolean execute() throws SQLException {
      checkOpen();
      return switch (runDirect(false)) {
        case QUERY -> true;
        case UPDATE -> false;
        default -> super.execute();
      };
    }

    @Override public long executeLargeUpdate() throws SQLException {
      checkOpen();
      return runDirect(true) == UPDATE ? updateCount : super.executeLargeUpdate();
    }

    @Override public java.sql.ResultSet getResultSet() throws SQLException {
      checkOpen();
      return results.current() != null ? results.current() : super.getResultSet();
    }

    @Override public boolean getMoreResults(int current) throws SQLException {
      boolean more = super.getMoreResults(current);
      results.close();
      return more;
    }

    @Override protected void close_() {
      results.close();
      super.close_();
    }

    List<List<TypedValue>> batch() {
      return getParameterValueBatch();
    }

    Meta.Signature signature() {
      return getSignature();
    }

    /** An INSERT whose rows read no table ({@link DeferrableInsert}), as its plan says. */
    boolean defersAppends() {
      return getSignature() instanceof CalcitePrepare.CalciteSignature<?> s
          && s.internalParameters.containsValue(DeferrableInsert.INSTANCE);
    }
  }

  @Override public AvaticaResultSet newResultSet(AvaticaStatement statement, QueryState state,
      Meta.Signature signature, TimeZone timeZone, Meta.Frame firstFrame) throws SQLException {
    // As Calcite's own factory makes it, but reading a plain scan through a ScanCursor.
    ResultSetMetaData metaData = newResultSetMetaData(statement, signature);
    return new MmapResultSet(statement, (CalcitePrepare.CalciteSignature<?>) signature, metaData, timeZone,
        firstFrame);
  }

  @Override public ResultSetMetaData newResultSetMetaData(AvaticaStatement statement,
      Meta.Signature signature) throws SQLException {
    return calcite.newResultSetMetaData(statement, signature);
  }

  @Override public AvaticaConnection newConnection(UnregisteredDriver driver, AvaticaFactory factory,
      String url, Properties info, @Nullable CalciteSchema rootSchema, @Nullable JavaTypeFactory typeFactory) {
    return new MmapConnection((Driver) driver, factory, url, info, rootSchema, typeFactory);
  }

  /** Calcite's prepare context, made when something beyond the connection's own settings is asked. */
  private static final class LazyContext implements CalcitePrepare.Context {
    private final CalciteConnectionImpl connection;
    private CalciteConnectionImpl.@Nullable ContextImpl context;

    LazyContext(CalciteConnectionImpl connection) {
      this.connection = connection;
    }

    private CalcitePrepare.Context context() {
      if (context == null) {
        context = new CalciteConnectionImpl.ContextImpl(connection);
      }
      return context;
    }

    @Override public JavaTypeFactory getTypeFactory() {
      return connection.typeFactory;
    }

    @Override public CalciteSchema getRootSchema() {
      return context().getRootSchema();
    }

    @Override public CalciteSchema getMutableRootSchema() {
      return connection.rootSchema;
    }

    @Override public List<String> getDefaultSchemaPath() {
      String schema;
      try {
        schema = connection.getSchema();
      } catch (SQLException e) {
        throw new RuntimeException(e);
      }
      return schema == null ? List.of() : List.of(schema);
    }

    @Override public @Nullable List<String> getObjectPath() {
      return null;
    }

    @Override public org.apache.calcite.config.CalciteConnectionConfig config() {
      return connection.config();
    }

    @Override public DataContext getDataContext() {
      return context().getDataContext();
    }

    @Override public org.apache.calcite.tools.RelRunner getRelRunner() {
      return context().getRelRunner();
    }

    @Override public CalcitePrepare.SparkHandler spark() {
      return context().spark();
    }
  }

  /** Calcite's config of a connection, with the one setting read at every execution parsed once. */
  private static final class ParsedConfig extends org.apache.calcite.config.CalciteConnectionConfigImpl {
    private final boolean autoTemp;

    ParsedConfig(Properties info) {
      super(info);
      this.autoTemp = super.autoTemp();
    }

    @Override public boolean autoTemp() {
      return autoTemp;
    }
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
  static final class MmapConnection extends CalciteConnectionImpl implements org.mmapsql.jdbc.ChangeCounter {
    private boolean autoCommit = true;
    /** Changes (rows written or popped, bindings made or removed) with auto-commit off since the last commit or rollback. */
    private long uncommittedRows;

    MmapConnection(Driver driver, AvaticaFactory factory, String url, Properties info,
        @Nullable CalciteSchema rootSchema, @Nullable JavaTypeFactory typeFactory) {
      super(driver, factory, url, info, rootSchema, typeFactory);
    }

    // What each execution's data context needs, read from the properties once.
    private @Nullable ParsedConfig config;
    private @Nullable TimeZone timeZone;
    private @Nullable Locale locale;
    private @Nullable TimeFrameSet timeFrames;
    private volatile @Nullable Plus plus;

    /**
     * The connection's settings, parsed once: Calcite makes a new config at each
     * call, and its result set asks it at every execution (autoTemp), which costs
     * a scan of all the properties. The properties do not change after connecting.
     */
    @Override public CalciteConnectionConfig config() {
      if (config == null) {
        config = new ParsedConfig(info);
      }
      return config;
    }

    @Override public TimeZone getTimeZone() {
      return (TimeZone) zone().clone(); // callers may change it
    }

    TimeZone zone() {
      if (timeZone == null) {
        timeZone = super.getTimeZone();
      }
      return timeZone;
    }

    Locale locale() {
      if (locale == null) {
        String name = config().locale();
        locale = name != null ? Util.parseLocale(name) : Locale.ROOT;
      }
      return locale;
    }

    /**
     * {@code schema} (the connection's root, or the snapshot a statement was
     * planned on) as generated code sees it, the same view at each execution
     * of a statement: Calcite makes a new one at each call.
     */
    SchemaPlus plus(CalciteSchema schema) {
      Plus p = plus;
      if (p == null || p.schema != schema) {
        p = new Plus(schema, schema.plus());
        plus = p;
      }
      return p.plus;
    }

    /** A schema and its view. */
    private record Plus(CalciteSchema schema, SchemaPlus plus) {
    }

    TimeFrameSet timeFrames() {
      if (timeFrames == null) {
        timeFrames = typeFactory.getTypeSystem().deriveTimeFrameSet(TimeFrames.CORE);
      }
      return timeFrames;
    }

    /** The rows of a result set as Avatica's own result set binds them. */
    Iterable<Object> rows(AvaticaStatement statement, @Nullable QueryState state, Meta.Signature signature,
        Meta.@Nullable Frame firstFrame) {
      return meta.createIterable(statement.handle, state, signature, List.of(), firstFrame);
    }

    /**
     * Calcite's prepare context, but the snapshot of the schema it plans
     * against is taken only when planning asks for it: a statement answered
     * from the {@link org.mmapsql.jdbc.PlanCache} plans nothing, and the
     * snapshot was an eighth of a cached {@code SELECT COUNT(*)}.
     */
    @Override public CalcitePrepare.Context createPrepareContext() {
      return new LazyContext(this);
    }

    @Override public DataContext createDataContext(Map<String, Object> parameterValues,
        @Nullable CalciteSchema rootSchema) {
      return new MmapDataContext(this, parameterValues, rootSchema);
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
      try (AppendBatch appends = AppendBatch.recordKeys()) {
        result = super.prepareAndExecuteInternal(statement, sql, maxRowCount);
        keys(statement, appends);
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
      // Only a write appends rows; a query leaves no keys, and pays for no recording.
      boolean query = !isUpdate && signature.statementType == Meta.StatementType.SELECT;
      try (AppendBatch appends = query ? null : AppendBatch.recordKeys()) {
        rs = super.executeQueryInternal(statement, signature, firstFrame, state, isUpdate);
        keys(statement, appends);
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
      boolean inserts = ps.defersAppends();
      long[] appended = inserts ? batchInsert(ps, sets) : null;
      if (appended != null) {
        return appended;
      }
      long[] counts = new long[sets.size()];
      try (AppendBatch batch = inserts ? AppendBatch.defer() : AppendBatch.recordKeys()) {
        for (int i = 0; i < sets.size(); i++) {
          try {
            Meta.ExecuteResult r = meta.execute(statement.handle, sets.get(i), -1);
            counts[i] = r.resultSets.size() == 1 ? r.resultSets.get(0).updateCount : -1;
          } catch (RuntimeException | NoSuchStatementException e) {
            if (!inserts) {
              for (int j = 0; j < i; j++) {
                wrote(counts[j]); // applied, so that rollback() does not claim to undo them
              }
            }
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
        keys(statement, batch);
      }
      for (long c : counts) {
        wrote(c);
      }
      return counts;
    }

    /**
     * A batch of an INSERT of parameters ({@link BatchInsert}): no execution
     * per set, one write. Null if the batch must run set by set.
     */
    private long @Nullable [] batchInsert(MmapPreparedStatement statement, List<List<TypedValue>> sets)
        throws SQLException {
      BatchInsert batch;
      try {
        batch = BatchInsert.start(statement.signature(), sets.size(), getCancelFlag(statement.handle));
      } catch (NoSuchStatementException e) {
        return null;
      }
      if (batch == null) {
        return null;
      }
      try (AppendBatch appends = AppendBatch.recordKeys()) {
        for (int i = 0; i < sets.size(); i++) {
          try {
            if (!batch.add(sets.get(i))) {
              return null;
            }
          } catch (RuntimeException e) {
            throw batchError("parameter set " + (i + 1) + " of " + sets.size() + ": " + Errors.message(e)
                + "; nothing of the batch was inserted", e, new long[0]);
          }
        }
        try {
          batch.append();
        } catch (RuntimeException e) {
          throw batchError(Errors.message(e) + "; nothing of the batch of " + sets.size() + " was inserted", e,
              new long[0]);
        }
        keys(statement, appends);
      }
      long[] counts = new long[sets.size()];
      java.util.Arrays.fill(counts, 1);
      wrote(sets.size());
      return counts;
    }

    private static BatchUpdateException batchError(String message, Throwable cause, long[] applied) {
      return new BatchUpdateException(message, Errors.withState(message, cause).getSQLState(), 0,
          applied, cause);
    }

    /**
     * A Statement's batch, statement by statement: it stops at the first that
     * fails, and the error says which and how many ran before it, with their
     * counts, as a {@link BatchUpdateException} (the statements before it stay:
     * each committed when it completed).
     */
    @Override protected Meta.ExecuteBatchResult prepareAndUpdateBatch(AvaticaStatement statement,
        List<String> queries) throws NoSuchStatementException, SQLException {
      long[] counts = new long[queries.size()];
      for (int i = 0; i < queries.size(); i++) {
        try {
          counts[i] = super.prepareAndUpdateBatch(statement, List.of(queries.get(i))).updateCounts[0];
          if (counts[i] < 0) { // a query: prepared, its rows never read, so it ran nothing (VPOP, MMAP)
            throw new MmapException(SqlState.FEATURE_NOT_SUPPORTED, "a batch holds statements that write "
                + "(INSERT, UPDATE, DELETE), not a query, which returns rows and was not run");
          }
        } catch (RuntimeException | SQLException e) {
          throw batchError("statement " + (i + 1) + " of " + queries.size() + ": " + Errors.message(e)
              + "; the " + i + " statements before it were applied", e,
              java.util.Arrays.copyOf(counts, i));
        }
        wrote(counts[i]);
      }
      return new Meta.ExecuteBatchResult(counts);
    }

    private static void keys(AvaticaStatement statement, @Nullable AppendBatch appends) {
      if (statement instanceof Keys k) {
        k.keys(appends == null ? List.of() : appends.ranges());
      }
    }

    @Override public java.sql.PreparedStatement prepareStatement(String sql, int autoGeneratedKeys)
        throws SQLException {
      return prepareStatement(sql); // every INSERT's statement knows its keys
    }

    @Override public java.sql.PreparedStatement prepareStatement(String sql, int[] columnIndexes)
        throws SQLException {
      return prepareStatement(sql);
    }

    @Override public java.sql.PreparedStatement prepareStatement(String sql, String[] columnNames)
        throws SQLException {
      return prepareStatement(sql);
    }

    @Override public void changed(long count) {
      wrote(count);
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
            + (rows == 1 ? " change" : " changes") + " made since the last commit (rows written or popped,"
            + " bindings made or removed): mmapsql commits every statement when it"
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
