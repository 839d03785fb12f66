package org.apache.calcite.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.calcite.DataContext;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MetaImpl;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.remote.TypedValue;
import org.apache.calcite.linq4j.Enumerable;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.jdbc.Errors;
import org.mmapsql.jdbc.FewRowsResultSet;
import org.mmapsql.plan.DirectExecution;

/**
 * One execution of a statement whose plan {@link DirectExecution} answers
 * (a point or IN read, a point update, an aggregate without a value filter),
 * run by the statement itself for its rows alone: no pass through the
 * connection's meta, no result set of Avatica's. The data context is the one
 * Calcite's execution would make, with a {@link DirectExecution.Outcome} that
 * keeps the generated code from running: an execution that cannot run
 * directly after all returns null, and the statement takes the usual way.
 */
final class DirectRun {
  private DirectRun() {
  }

  /** Whether {@code signature}'s plan has a direct execution. */
  static boolean planned(Meta.@Nullable Signature signature) {
    return signature instanceof CalcitePrepare.CalciteSignature<?> s
        && s.internalParameters.containsKey(DirectExecution.KEY);
  }

  /**
   * The rows of one execution of {@code signature} by {@code statement} with
   * {@code parameters} (for an UPDATE, its count), or null if it must run the
   * usual way (a parameter unbound, too many rows, a value to convert first).
   * Errors as the usual way reports them, with the statement's SQL.
   */
  static @Nullable List<Object> rows(MmapJdbcFactory.MmapConnection connection, AvaticaStatement statement,
      CalcitePrepare.CalciteSignature<?> signature, List<TypedValue> parameters) throws SQLException {
    if (MetaImpl.checkParameterValueHasNull(parameters)) {
      return null; // the usual way says which
    }
    // Sized for all it takes (parameters, cancel flag, timeout, outcome): no rehash per execution. The plan's
    // internal parameters are looked up below it, not copied: Calcite's map has them under these, as here.
    Map<String, Object> map = HashMap.newHashMap(parameters.size() + 3);
    for (int i = 0; i < parameters.size(); i++) {
      map.put("?" + i, parameters.get(i).toLocal());
    }
    try {
      map.put(DataContext.Variable.CANCEL_FLAG.camelName, connection.getCancelFlag(statement.handle));
    } catch (NoSuchStatementException e) {
      return null;
    }
    int timeout = statement.getQueryTimeout();
    if (timeout > 0 && timeout < Integer.MAX_VALUE / 1000) { // as Calcite's: no overflow
      map.put(DataContext.Variable.TIMEOUT.camelName, timeout * 1000L);
    }
    DirectExecution.Outcome outcome = new DirectExecution.Outcome();
    map.put(DirectExecution.KEY, outcome);
    try {
      Enumerable<?> rows = signature.enumerable(new MmapDataContext(connection, map, signature.internalParameters,
          signature.rootSchema));
      if (outcome.rows() == null) {
        return null;
      }
      // Through the signature's own enumerable, which applies the statement's row limit.
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) rows.toList();
      // A PreparedStatement's plan has the row limit of its prepare; JDBC's is the one set now.
      long max = statement.getLargeMaxRows();
      return max > 0 && list.size() > max ? list.subList(0, (int) max) : list;
    } catch (RuntimeException e) {
      throw Errors.withState("Error while executing SQL \"" + signature.sql + "\": " + Errors.message(e), e);
    }
  }

  /** A result set of {@code rows} for {@code statement}'s execution of {@code signature}. */
  static FewRowsResultSet resultSet(Results results, MmapJdbcFactory.MmapConnection connection,
      AvaticaStatement statement, AtomicBoolean cancelFlag, Meta.Signature signature, List<Object> rows)
      throws SQLException {
    return new FewRowsResultSet(results, signature.columns, signature.cursorFactory, rows,
        () -> connection.getFactory().newResultSetMetaData(statement, signature), connection.zone(), cancelFlag);
  }

  /**
   * A statement's current result set of its own, when its last execution ran
   * directly: closed at the next execution and with the statement; its
   * closing closes the statement if the statement is to close on completion.
   */
  static final class Results implements FewRowsResultSet.Owner {
    private final Statement statement;
    private final Runnable onCompletion;
    private @Nullable FewRowsResultSet current;

    Results(Statement statement, Runnable onCompletion) {
      this.statement = statement;
      this.onCompletion = onCompletion;
    }

    /** The current result set (closed or not, as JDBC's getResultSet), or null. */
    @Nullable ResultSet current() {
      return current;
    }

    boolean open() {
      return current != null && !current.isClosed();
    }

    ResultSet set(FewRowsResultSet rs) {
      current = rs;
      return rs;
    }

    /** Closes the current result set, if any, and forgets it. */
    void close() {
      FewRowsResultSet rs = current;
      current = null;
      if (rs != null) {
        rs.close();
      }
    }

    @Override public Statement statement() {
      return statement;
    }

    @Override public void closed(FewRowsResultSet rs) {
      onCompletion.run();
    }
  }
}
