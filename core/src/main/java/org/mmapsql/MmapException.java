package org.mmapsql;

import java.util.List;

import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.AvaticaSeverity;

/**
 * An error meant for the user: bad input, a missing file, a refused path.
 *
 * <p>Unchecked so that it can cross Calcite's generated code; the JDBC layer
 * turns it into an {@link java.sql.SQLException} carrying the same message
 * and the SQLSTATE of its {@link SqlState}.
 */
public class MmapException extends AvaticaClientRuntimeException {
  private final SqlState state;

  public MmapException(String message) {
    this(SqlState.GENERAL, message, null);
  }

  public MmapException(String message, Throwable cause) {
    this(SqlState.GENERAL, message, cause);
  }

  public MmapException(SqlState state, String message) {
    this(state, message, null);
  }

  public MmapException(SqlState state, String message, Throwable cause) {
    // As Avatica's client error, so that the SQLException Avatica makes of it
    // (Statement.execute, prepare) carries the SQLSTATE too.
    super(message, 0, state.code(), AvaticaSeverity.ERROR, List.of(), null);
    if (cause != null) {
      initCause(cause);
    }
    this.state = state;
  }

  /** The class of this error, as an SQLSTATE. */
  public SqlState state() {
    return state;
  }

  @Override public String toString() {
    return getClass().getName() + ": " + getMessage();
  }
}
