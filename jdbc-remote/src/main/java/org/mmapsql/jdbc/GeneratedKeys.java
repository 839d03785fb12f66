package org.mmapsql.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Locale;

import javax.sql.rowset.CachedRowSet;
import javax.sql.rowset.RowSetMetaDataImpl;
import javax.sql.rowset.RowSetProvider;

import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.Service;

/**
 * Generated keys over Avatica's protocol, which has no field for them: after
 * a write, the client sends {@link #SQL} on the statement that wrote, and the
 * server answers it itself with the idx of the rows that statement appended
 * (its last execution). A statement belongs to one connection of one user, so
 * no client ever sees the keys of another's writes.
 */
public final class GeneratedKeys {
  /** The statement the server answers with a statement's keys (any client may send it on a Statement). */
  public static final String SQL = "SELECT idx FROM sys.generated_keys";
  static final long[] NONE = new long[0];

  private GeneratedKeys() {
  }

  /** Whether {@code sql} is {@link #SQL} (case and spacing aside). */
  public static boolean isQuery(String sql) {
    return sql != null && sql.length() < 2 * SQL.length() && sql.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT)
        .equals(SQL.toLowerCase(Locale.ROOT));
  }

  /** Asks the server for the keys of the statement {@code h}'s last execution. */
  static long[] fetch(AvaticaConnection connection, Meta.StatementHandle h) throws SQLException {
    Service.ResultSetResponse r;
    try {
      Service.ExecuteResponse response = connection.getService()
          .apply(new Service.PrepareAndExecuteRequest(h.connectionId, h.id, SQL, -1, -1));
      r = response.results.get(0);
    } catch (AvaticaClientRuntimeException e) {
      throw new SQLException("the write succeeded, but its generated keys could not be read: "
          + e.getMessage(), e.getSqlState(), e.getErrorCode(), e);
    } catch (RuntimeException e) {
      throw new SQLException("the write succeeded, but its generated keys could not be read: "
          + e.getMessage(), "08006", e);
    }
    if (r.firstFrame == null) {
      return NONE;
    }
    long[] keys = new long[countOf(r.firstFrame.rows)];
    int i = 0;
    for (Object row : r.firstFrame.rows) {
      Object v = row instanceof Object[] ? ((Object[]) row)[0] : ((List<?>) row).get(0);
      keys[i++] = ((Number) v).longValue();
    }
    return keys;
  }

  private static int countOf(Iterable<Object> rows) {
    int n = 0;
    for (Object ignored : rows) {
      n++;
    }
    return n;
  }

  /** The idx of appended rows as a result set of one column {@code idx}. */
  static ResultSet resultSet(long[] keys) throws SQLException {
    CachedRowSet rs = RowSetProvider.newFactory().createCachedRowSet();
    RowSetMetaDataImpl md = new RowSetMetaDataImpl();
    md.setColumnCount(1);
    md.setColumnName(1, "idx");
    md.setColumnLabel(1, "idx");
    md.setColumnType(1, Types.BIGINT);
    md.setColumnTypeName(1, "BIGINT");
    rs.setMetaData(md);
    for (long k : keys) {
      rs.moveToInsertRow();
      rs.updateLong(1, k);
      rs.insertRow();
    }
    rs.moveToCurrentRow();
    rs.beforeFirst();
    return rs;
  }
}
