package org.mmapsql;

/**
 * An error meant for the user: bad input, a missing file, a refused path.
 *
 * <p>Unchecked so that it can cross Calcite's generated code; the JDBC layer
 * turns it into an {@link java.sql.SQLException} carrying the same message.
 */
public class MmapException extends RuntimeException {
  public MmapException(String message) {
    super(message);
  }

  public MmapException(String message, Throwable cause) {
    super(message, cause);
  }
}
