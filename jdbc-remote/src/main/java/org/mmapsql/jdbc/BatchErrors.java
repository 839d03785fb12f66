package org.mmapsql.jdbc;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A failed remote batch as JDBC reports one: a {@link BatchUpdateException}
 * with the server's SQLSTATE and message, and update counts for the parameter
 * sets that were applied. The server says which those are in its message, as
 * an embedded connection does: "parameter set K of N: ...; nothing of the
 * batch was inserted" (none; an INSERT batch is whole or nothing) or "...; the
 * K-1 sets before it were applied" (each counted {@link Statement#SUCCESS_NO_INFO},
 * since their own counts do not travel).
 */
final class BatchErrors {
  private static final Pattern APPLIED = Pattern.compile("; the (\\d+) sets before it were applied");

  private BatchErrors() {
  }

  static BatchUpdateException of(SQLException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    long[] counts = new long[0];
    Matcher applied = APPLIED.matcher(m);
    if (applied.find()) {
      counts = new long[Integer.parseInt(applied.group(1))];
      Arrays.fill(counts, Statement.SUCCESS_NO_INFO);
    }
    return new BatchUpdateException(m, e.getSQLState(), e.getErrorCode(), counts, e);
  }
}
