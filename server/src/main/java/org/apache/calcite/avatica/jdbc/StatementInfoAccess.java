package org.apache.calcite.avatica.jdbc;

import java.sql.Statement;

/**
 * Reads the JDBC statement behind a {@link StatementInfo}, whose field Avatica
 * keeps package-private. mmapsql's server needs it to tell which connection a
 * statement belongs to and to cancel it on timeout.
 */
public final class StatementInfoAccess {
  private StatementInfoAccess() {
  }

  public static Statement statement(StatementInfo info) {
    return info.statement;
  }
}
