package org.mmapsql;

/**
 * An error meant for the user: bad input, a missing file, a refused path.
 *
 * <p>Unchecked so that it can cross Calcite's generated code; the JDBC layer
 * turns it into an {@link java.sql.SQLException} carrying the same message
 * and the SQLSTATE of its {@link SqlState}.
 */
public class MmapException extends RuntimeException {
  private final SqlState state;

  public MmapException(String message) {
    this(SqlState.GENERAL, message, null);
  }

  /** An error caused by {@code cause}: an I/O error if that is one. */
  public MmapException(String message, Throwable cause) {
    this(cause instanceof java.io.IOException ? SqlState.IO_ERROR : SqlState.GENERAL, message, cause);
  }

  public MmapException(SqlState state, String message) {
    this(state, message, null);
  }

  public MmapException(SqlState state, String message, Throwable cause) {
    super(message, cause);
    this.state = state;
  }

  /** The class of this error, as an SQLSTATE. */
  public SqlState state() {
    return state;
  }
}
