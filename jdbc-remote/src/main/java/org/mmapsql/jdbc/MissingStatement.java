package org.mmapsql.jdbc;

import java.sql.SQLException;

import org.apache.calcite.avatica.NoSuchStatementException;

/**
 * A prepared statement the server no longer has (it restarted, or closed the
 * statement after it was idle for {@code --statement-expiry}): Avatica's
 * client reports it as an SQLException with neither SQLSTATE nor message, and
 * a batch on it as run with no counts. The server ran nothing of it; this says
 * so and what to do, with SQLSTATE 26000 (invalid SQL statement name).
 */
final class MissingStatement {
  static final String STATE = "26000";

  private MissingStatement() {
  }

  /** {@code e} itself, or, when it is Avatica's missing statement, the error that says so. */
  static SQLException explain(SQLException e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof NoSuchStatementException) {
        return error(e);
      }
    }
    return e;
  }

  /** Whether a batch of {@code sets} came back without its counts: Avatica's client reads a missing statement so. */
  static boolean uncounted(int sets, long[] counts) {
    return sets > 0 && (counts == null || counts.length == 0);
  }

  /** The error of a prepared statement the server no longer has. */
  static SQLException error(Exception cause) {
    return new SQLException("the prepared statement no longer exists on the server (the server restarted,"
        + " or closed it after it was idle too long); it did not run: prepare it again", STATE, cause);
  }
}
