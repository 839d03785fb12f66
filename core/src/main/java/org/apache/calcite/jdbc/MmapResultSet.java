package org.apache.calcite.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;

import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MetaImpl;
import org.apache.calcite.avatica.util.ArrayImpl;
import org.apache.calcite.avatica.util.Cursor;
import org.mmapsql.exec.ScanRows;
import org.mmapsql.jdbc.ScanCursor;

/**
 * Calcite's result set, but a statement that is a table scan and nothing else
 * is read through a {@link ScanCursor} (in place, no row objects) instead of
 * Avatica's cursor over {@code Object[]} rows.
 */
final class MmapResultSet extends CalciteResultSet {
  MmapResultSet(AvaticaStatement statement, CalcitePrepare.CalciteSignature<?> signature,
      ResultSetMetaData metaData, TimeZone timeZone, Meta.Frame firstFrame) throws SQLException {
    super(statement, signature, metaData, timeZone, firstFrame);
  }

  /** As Calcite's (and Avatica's) execute, but with the rows of a scan bound once and read by our cursor. */
  @Override protected CalciteResultSet execute() throws SQLException {
    getCalciteConnection().getDriver().handler.onStatementExecute(statement, null);
    Iterable<Object> rows = ((MmapJdbcFactory.MmapConnection) statement.connection).rows(statement, state,
        signature, firstFrame);
    Cursor cursor = (Object) rows instanceof ScanRows scan ? new ScanCursor(scan)
        : MetaImpl.createCursor(signature.cursorFactory, rows);
    // A Statement's row limit is in its plan; a PreparedStatement's plan has the one of its prepare.
    long max = statement.getLargeMaxRows();
    execute2(max > 0 ? new Limited(cursor, max) : cursor, columnMetaDataList);
    return this;
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
