package org.mmapsql.jdbc;

import java.sql.SQLException;

import org.mmapsql.MmapException;

/** Turns what escapes Calcite's generated code into an {@link SQLException}. */
final class Errors {
  private Errors() {
  }

  static SQLException toSql(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException e) {
        return e;
      }
      if (c instanceof MmapException e) {
        return new SQLException(e.getMessage(), "HY000", t);
      }
    }
    return new SQLException(t.getMessage() != null ? t.getMessage() : t.toString(), t);
  }
}
