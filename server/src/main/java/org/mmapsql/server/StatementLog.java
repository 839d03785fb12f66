package org.mmapsql.server;

import java.time.Duration;

import org.apache.calcite.avatica.Meta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The statement log, off by default: a line for each statement that ran at
 * least the minimum duration (zero: every statement), with its user, duration,
 * rows and SQL text, like PostgreSQL's {@code log_min_duration_statement}.
 */
final class StatementLog {
  static final String LOGGER = "org.mmapsql.statements";
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private final Duration min;

  /** A log of the statements that run at least {@code min}; null: none. */
  StatementLog(Duration min) {
    this.min = min;
  }

  boolean on() {
    return min != null;
  }

  /** Logs a statement that ran {@code nanos}: its rows written, or those of its first frame. */
  void ran(String user, long nanos, String sql, Object result) {
    if (min == null || nanos < min.toNanos()) {
      return;
    }
    LOG.info("user={} duration={}ms rows={} sql={}", user, nanos / 1_000_000, rows(result), oneLine(sql));
  }

  /** Logs a statement that failed after {@code nanos}. */
  void failed(String user, long nanos, String sql, RuntimeException e) {
    if (min == null || nanos < min.toNanos()) {
      return;
    }
    LOG.info("user={} duration={}ms failed={} sql={}", user, nanos / 1_000_000,
        String.valueOf(e.getMessage()).lines().findFirst().orElse(""), oneLine(sql));
  }

  private static String rows(Object result) {
    if (result instanceof Meta.ExecuteResult r && r.resultSets.size() == 1) {
      Meta.MetaResultSet rs = r.resultSets.get(0);
      if (rs.updateCount >= 0) {
        return Long.toString(rs.updateCount);
      }
      if (rs.firstFrame != null) {
        long n = 0;
        for (Object ignored : rs.firstFrame.rows) {
          n++;
        }
        return n + (rs.firstFrame.done ? "" : "+");
      }
    }
    if (result instanceof Meta.ExecuteBatchResult b) {
      long n = 0;
      for (long c : b.updateCounts) {
        n += Math.max(c, 0);
      }
      return Long.toString(n);
    }
    return "?";
  }

  private static String oneLine(String sql) {
    return sql == null ? "?" : sql.replaceAll("\\s+", " ").strip();
  }
}
