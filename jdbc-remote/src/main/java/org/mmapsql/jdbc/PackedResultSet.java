package org.mmapsql.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.TimeZone;

import org.apache.calcite.avatica.AvaticaResultSet;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.QueryState;

/**
 * Avatica's result set over a result that comes in packed frames: the same
 * JDBC behaviour, read by a {@link PackedCursor} instead of Avatica's row
 * iterator. Later frames are fetched as Avatica's own iterator fetches them
 * (offsets in rows; a statement the server has lost is reset and its result
 * set re-created at the offset reached).
 */
final class PackedResultSet extends AvaticaResultSet {
  /** Attempts at one fetch before giving up, as a lost statement is recreated. */
  private static final int ATTEMPTS = 10;

  private final PackedBlock.Kind[] kinds;

  PackedResultSet(AvaticaStatement statement, QueryState state, Meta.Signature signature,
      ResultSetMetaData metaData, TimeZone timeZone, Meta.Frame firstFrame, PackedBlock.Kind[] kinds)
      throws SQLException {
    super(statement, state, signature, metaData, timeZone, firstFrame);
    this.kinds = kinds;
  }

  /** Whether {@code firstFrame} of a result of {@code signature} is packed: its kinds if so, else null. */
  static PackedBlock.Kind[] packed(Meta.Signature signature, Meta.Frame firstFrame) {
    if (signature == null || firstFrame == null) {
      return null;
    }
    PackedBlock.Kind[] kinds = PackedBlock.kinds(signature.columns);
    if (kinds == null) {
      return null;
    }
    java.util.Iterator<Object> rows = firstFrame.rows.iterator();
    return rows.hasNext() && PackedBlock.blockOf(rows.next()) != null ? kinds : null;
  }

  @Override protected AvaticaResultSet execute() throws SQLException {
    return execute2(new PackedCursor(kinds, firstFrame, this::fetch), columnMetaDataList);
  }

  private Meta.Frame fetch(long offset) throws SQLException {
    Resyncable s = (Resyncable) statement;
    Meta meta = ((RemoteConnection) statement.connection).meta();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        return meta.fetch(statement.handle, offset, statement.getFetchSize());
      } catch (NoSuchStatementException e) {
        s.resetStatement();
      } catch (MissingResultsException e) {
        try {
          if (!s.syncResults(state, offset)) {
            return Meta.Frame.EMPTY;
          }
        } catch (NoSuchStatementException e1) {
          s.resetStatement();
        }
      }
    }
    throw new SQLException("the server lost the statement's result set " + ATTEMPTS + " times in a row", "08S01");
  }

  /** What the fetch loop needs of a statement: Avatica's own recovery of a lost statement. */
  interface Resyncable {
    void resetStatement();

    boolean syncResults(QueryState state, long offset) throws NoSuchStatementException;
  }
}
