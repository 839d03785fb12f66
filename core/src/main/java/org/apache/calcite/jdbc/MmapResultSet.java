package org.apache.calcite.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MetaImpl;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.util.ArrayImpl;
import org.apache.calcite.avatica.util.Cursor;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.exec.ScanRows;
import org.mmapsql.jdbc.ScanCursor;

/**
 * Calcite's result set, but a statement that is a table scan and nothing else
 * is read through a {@link ScanCursor} (in place, no row objects) instead of
 * Avatica's cursor over {@code Object[]} rows. A scan's {@code next()} within
 * a block, and its {@code getLong}/{@code getDouble} of a column the block
 * holds as the getter reads it, do not go through Avatica's result set and
 * accessor chain (about half of a scan's cost per row): the same checks
 * (closed, canceled), the same answers.
 */
final class MmapResultSet extends CalciteResultSet {
  /** The scan's cursor, when this is a scan's result set (under the row limit's cursor, if any). */
  private @Nullable ScanCursor scan;
  /** The scan's cursor when no row limit is over it: {@link #next()} may then move it itself. */
  private @Nullable ScanCursor unlimited;
  /** The statement's cancel flag, which Avatica's {@code next()} reads (a field this package cannot see). */
  private @Nullable AtomicBoolean cancel;
  /** Rows {@link #next()} moved to itself since Avatica's last counted one: {@link #getRow()} adds them. */
  private int movedHere;

  MmapResultSet(AvaticaStatement statement, CalcitePrepare.CalciteSignature<?> signature,
      ResultSetMetaData metaData, TimeZone timeZone, Meta.Frame firstFrame) throws SQLException {
    super(statement, signature, metaData, timeZone, firstFrame);
  }

  /** As Calcite's (and Avatica's) execute, but with the rows of a scan bound once and read by our cursor. */
  @Override protected CalciteResultSet execute() throws SQLException {
    getCalciteConnection().getDriver().handler.onStatementExecute(statement, null);
    Iterable<Object> rows = ((MmapJdbcFactory.MmapConnection) statement.connection).rows(statement, state,
        signature, firstFrame);
    scan = (Object) rows instanceof ScanRows r ? new ScanCursor(r) : null;
    Cursor cursor = scan != null ? scan : MetaImpl.createCursor(signature.cursorFactory, rows);
    // A Statement's row limit is in its plan; a PreparedStatement's plan has the one of its prepare.
    long max = statement.getLargeMaxRows();
    unlimited = max > 0 ? null : scan;
    if (unlimited != null) {
      try {
        cancel = statement.connection.getCancelFlag(statement.handle);
      } catch (NoSuchStatementException e) {
        unlimited = null; // Avatica's next() alone then
      }
    }
    movedHere = 0;
    execute2(max > 0 ? new Limited(cursor, max) : cursor, columnMetaDataList);
    return this;
  }

  /**
   * Avatica's {@code next()}: checks that the result set is open and the
   * statement not canceled, moves the cursor, counts the row. Within a block
   * the scan's cursor moves here, with the same checks first; Avatica's moves
   * it onto each block's first row and past the end.
   */
  @Override public boolean next() throws SQLException {
    ScanCursor s = unlimited;
    if (s != null && !isClosed() && !cancel.get() && s.nextInBlock()) {
      movedHere++;
      return true;
    }
    boolean more = super.next(); // it throws if closed or canceled
    if (!more) {
      movedHere = 0; // Avatica's row is 0 after the end
    }
    return more;
  }

  @Override public int getRow() throws SQLException {
    return super.getRow() + movedHere;
  }

  @Override public boolean isFirst() throws SQLException {
    return getRow() == 1;
  }

  @Override public long getLong(int column) throws SQLException {
    ScanCursor s = scan;
    if (s != null && s.readsLong(column)) {
      checkOpen();
      return s.getLong(column);
    }
    return super.getLong(column);
  }

  @Override public double getDouble(int column) throws SQLException {
    ScanCursor s = scan;
    if (s != null && s.readsDouble(column)) {
      checkOpen();
      return s.getDouble(column);
    }
    return super.getDouble(column);
  }

  /** At most {@code max} rows of a cursor. */
  private static final class Limited implements Cursor {
    private final Cursor cursor;
    private long left;

    Limited(Cursor cursor, long max) {
      this.cursor = cursor;
      this.left = max;
    }

    @Override public List<Accessor> createAccessors(List<ColumnMetaData> types, Calendar localCalendar,
        ArrayImpl.Factory factory) {
      return cursor.createAccessors(types, localCalendar, factory);
    }

    @Override public boolean next() throws SQLException {
      return left-- > 0 && cursor.next();
    }

    @Override public boolean wasNull() throws SQLException {
      return cursor.wasNull();
    }

    @Override public void close() {
      cursor.close();
    }
  }
}
