package org.mmapsql.jdbc;

import java.sql.SQLException;

import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.apache.calcite.runtime.Bindable;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.validate.SqlValidatorException;
import org.mmapsql.MmapException;
import org.mmapsql.exec.ScanRows;
import org.mmapsql.SqlState;

/**
 * Turns what escapes Calcite's generated code into an {@link SQLException}.
 *
 * <p>Two gaps in Calcite's JDBC path need closing. An {@link Error} (an
 * {@code ExceptionInInitializerError} when a constant such as
 * {@code CAST('abc' AS DOUBLE)} fails in a generated static initializer, an
 * {@code AssertionError} from code generation, an {@code InternalError} from
 * a mapped page) is not caught by Avatica at all; here it becomes an
 * {@link MmapException}, which Avatica reports as an SQLException. And an
 * exception raised while a result set is read ({@code SELECT MMAP(...)}, a
 * table cut short under a running query) leaves {@code ResultSet.next()} as a
 * bare RuntimeException, since Avatica's cursor cannot throw checked
 * exceptions; here it leaves as the SQLException that {@code next()} declares.
 */
public final class Errors {
  private Errors() {
  }

  static SQLException toSql(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException e && e.getSQLState() != null) {
        return e;
      }
      if (c instanceof MmapException e) {
        return new SQLException(e.getMessage(), e.state().code(), t);
      }
    }
    return new SQLException(message(t), state(t), t);
  }

  /**
   * An SQLException with {@code message} and the SQLSTATE of {@code t}'s
   * causes: Avatica makes its SQLExceptions without one.
   */
  public static SQLException withState(String message, Throwable t) {
    if (t instanceof SQLException e && e.getSQLState() != null && e.getMessage().equals(message)) {
      return e;
    }
    SQLException e = new SQLException(message, state(t), t);
    e.setNextException(t instanceof SQLException s ? s.getNextException() : null);
    return e;
  }

  /** The SQLSTATE of an error: its own, or that of the first cause that tells one. */
  static String state(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException e && e.getSQLState() != null) {
        return e.getSQLState();
      }
      SqlState s = stateOf(c);
      if (s != null) {
        return s.code();
      }
    }
    return SqlState.GENERAL.code();
  }

  /** The class of error that {@code c} itself says, or null. */
  private static SqlState stateOf(Throwable c) {
    if (c instanceof MmapException e) {
      return e.state();
    }
    if (c instanceof SqlParseException) {
      return SqlState.SYNTAX_ERROR;
    }
    if (c instanceof SqlValidatorException v) {
      String m = String.valueOf(v.getMessage());
      return (m.startsWith("Object '") || m.startsWith("Table '")) && m.endsWith("' not found")
          ? SqlState.UNDEFINED_TABLE
          : m.startsWith("Column '") && m.contains("' not found")
          ? SqlState.UNDEFINED_COLUMN
          : SqlState.SYNTAX_ERROR;
    }
    if (c instanceof NumberFormatException) {
      return SqlState.INVALID_NUMBER;
    }
    if (c instanceof ArithmeticException a) {
      return String.valueOf(a.getMessage()).contains("by zero")
          ? SqlState.DIVISION_BY_ZERO : SqlState.NUMERIC_OUT_OF_RANGE;
    }
    return null;
  }

  /** {@link #stateOf} of the first cause that says one. */
  private static SqlState kind(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      SqlState s = stateOf(c);
      if (s != null) {
        return s;
      }
    }
    return SqlState.GENERAL;
  }

  /**
   * An exception fit for the user: the {@link MmapException} among the causes
   * if there is one (Calcite wraps those thrown by rules in its own message),
   * else one with the most telling message. Errors other than those of code
   * generation, class initialization and mapped memory are rethrown as they are.
   */
  static RuntimeException unchecked(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof MmapException e) {
        return e;
      }
    }
    if (t instanceof Error e && !(e instanceof AssertionError || e instanceof LinkageError
        || e instanceof InternalError)) {
      throw e;
    }
    if (t instanceof RuntimeException r && !(r instanceof NumberFormatException)) {
      return r;
    }
    return new MmapException(kind(t), message(t), t);
  }

  /** The most telling message of a chain of causes. */
  public static String message(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof MmapException || c instanceof SQLException && c.getCause() == null
          || c instanceof CalciteContextException) {
        return c.getMessage();
      }
      if (c instanceof NumberFormatException) {
        return "not a number: " + c.getMessage();
      }
      if (c instanceof ArithmeticException a && !String.valueOf(a.getMessage()).contains("by zero")) {
        // checked arithmetic says only "integer overflow" or "Overflow"
        return "numeric value out of range (" + a.getMessage() + ")";
      }
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : "internal error: " + root;
  }

  /** {@code bindable}, with everything it throws made fit for JDBC as described above. */
  static <T> Bindable<T> guard(Bindable<T> bindable) {
    return dataContext -> {
      Enumerable<T> enumerable;
      try {
        enumerable = bindable.bind(dataContext);
      } catch (Throwable t) {
        throw unchecked(t);
      }
      if (enumerable instanceof ScanRows) {
        return enumerable; // read by a ScanCursor, which reports errors itself
      }
      return new AbstractEnumerable<T>() {
        @Override public Enumerator<T> enumerator() {
          try {
            return new GuardedEnumerator<>(enumerable.enumerator());
          } catch (Throwable t) {
            throw unchecked(t); // still inside execute, where Avatica reports it
          }
        }
      };
    };
  }

  /** Rethrows {@code e} unchecked; {@code ResultSet.next()} declares it, the cursor below it cannot. */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneaky(Throwable e) throws E {
    throw (E) e;
  }

  private record GuardedEnumerator<T>(Enumerator<T> inner) implements Enumerator<T> {
    @Override public T current() {
      try {
        return inner.current();
      } catch (Throwable t) {
        throw sneaky(toSql(t));
      }
    }

    @Override public boolean moveNext() {
      try {
        return inner.moveNext();
      } catch (Throwable t) {
        throw sneaky(toSql(t));
      }
    }

    @Override public void reset() {
      inner.reset();
    }

    @Override public void close() {
      inner.close();
    }
  }
}
