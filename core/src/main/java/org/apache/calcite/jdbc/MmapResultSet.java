package org.apache.calcite.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.TimeZone;

import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MetaImpl;
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
    execute2((Object) rows instanceof ScanRows scan ? new ScanCursor(scan) : MetaImpl.createCursor(signature.cursorFactory, rows),
        columnMetaDataList);
    return this;
  }
}
