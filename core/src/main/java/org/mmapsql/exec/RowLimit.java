package org.mmapsql.exec;

import java.util.Properties;

import org.apache.calcite.DataContext;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * The most rows one sort or window of a statement may hold: the connection
 * property {@code maxSortRows} (0 or absent: no limit; the server sets it for
 * its clients with {@code --max-sort-rows}).
 */
public final class RowLimit {
  public static final String PROPERTY = "maxSortRows";

  private RowLimit() {
  }

  /** {@code rows}, failing at the first row past the limit of the statement's connection. */
  public static <T> Enumerable<T> apply(DataContext root, Enumerable<T> rows, String operator) {
    long max = limit(root);
    if (max <= 0) {
      return rows;
    }
    return new AbstractEnumerable<>() {
      @Override public Enumerator<T> enumerator() {
        Enumerator<T> in = rows.enumerator();
        return new Enumerator<>() {
          private long count;

          @Override public T current() {
            return in.current();
          }

          @Override public boolean moveNext() {
            if (!in.moveNext()) {
              return false;
            }
            if (++count > max) {
              throw new MmapException(SqlState.LIMIT_EXCEEDED, operator + " would hold more than "
                  + max + " rows in memory (limit maxSortRows); narrow the WHERE, add a LIMIT,"
                  + " or ask for a higher limit; the statement was stopped");
            }
            return true;
          }

          @Override public void reset() {
            in.reset();
            count = 0;
          }

          @Override public void close() {
            in.close();
          }
        };
      }
    };
  }

  private static long limit(DataContext root) {
    if (!(root.getQueryProvider() instanceof CalciteConnection c)) {
      return 0;
    }
    Properties p = c.getProperties();
    String v = p.getProperty(PROPERTY);
    try {
      return v == null || v.isBlank() ? 0 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new MmapException(SqlState.DATA_EXCEPTION, "maxSortRows must be a number of rows, not '" + v + "'");
    }
  }
}
