package org.mmapsql.jdbc;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.calcite.avatica.AvaticaClientRuntimeException;

/**
 * A failed remote batch as JDBC reports one: a {@link BatchUpdateException}
 * with the server's SQLSTATE and message (as an embedded connection words it,
 * without Avatica's "Error 0 (STATE) : Remote driver error: "), and update
 * counts for the elements that were applied. The server says which those are
 * in its message, as an embedded connection does: "parameter set K of N: ...;
 * nothing of the batch was inserted" (none; an INSERT batch is whole or
 * nothing), or "...; the K-1 sets before it were applied", or for a
 * Statement's batch "statement K of N: ...; the K-1 statements before it were
 * applied" (each counted {@link Statement#SUCCESS_NO_INFO}, since their own
 * counts do not travel).
 */
final class BatchErrors {
  /** At the end of the message, where the server puts it: text the client sent may come before it. */
  private static final Pattern APPLIED =
      Pattern.compile("; the (\\d{1,9}) (?:sets|statements) before it were applied$");
  /** What Avatica's client puts before the server's message. */
  private static final Pattern AVATICA_PREFIX =
      Pattern.compile("^(?:Error -?\\d+ \\([^)]*\\) : )?(?:Remote driver error: )?");

  private BatchErrors() {
  }

  /** The error of a batch of {@code elements} statements or parameter sets, which bound the counts. */
  static BatchUpdateException of(SQLException e, int elements) {
    return of(e.getMessage(), e.getSQLState(), e.getErrorCode(), e, elements);
  }

  /** The error of a batch the client reported unchecked (Avatica's Statement does). */
  static BatchUpdateException of(RuntimeException e, int elements) {
    if (e instanceof AvaticaClientRuntimeException) {
      AvaticaClientRuntimeException a = (AvaticaClientRuntimeException) e;
      return of(a.getMessage(), a.getSqlState(), a.getErrorCode(), e, elements);
    }
    return of(String.valueOf(e.getMessage()), "HY000", 0, e, elements);
  }

  /** The server's message as an embedded connection words it, without what Avatica's client put before it. */
  static String serverMessage(String message) {
    return message == null ? "" : AVATICA_PREFIX.matcher(message).replaceFirst("");
  }

  private static BatchUpdateException of(String message, String state, int code, Exception cause,
      int elements) {
    String m = serverMessage(message);
    long[] counts = new long[0];
    Matcher applied = APPLIED.matcher(m);
    if (applied.find()) {
      counts = new long[Math.min(Integer.parseInt(applied.group(1)), Math.max(0, elements - 1))];
      Arrays.fill(counts, Statement.SUCCESS_NO_INFO);
    }
    return new BatchUpdateException(m, state == null ? "HY000" : state, code, counts, cause);
  }
}
