package org.mmapsql.server;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MetaImpl;
import org.mmapsql.jdbc.GeneratedKeys;

/**
 * The server's answer to {@link GeneratedKeys#SQL}: the idx of the rows that
 * the statement it is sent on appended in its last execution, as one frame.
 * Avatica's protocol has no field for generated keys; the statement belongs
 * to the client's own connection, so no client reads another's keys.
 */
final class KeysResult {
  private KeysResult() {
  }

  static Meta.ExecuteResult of(Meta.StatementHandle h, Statement statement) throws SQLException {
    List<Object> rows = new ArrayList<>();
    if (statement != null) {
      try (ResultSet keys = statement.getGeneratedKeys()) {
        while (keys.next()) {
          rows.add(Collections.singletonList(keys.getLong(1)));
        }
      }
    }
    ColumnMetaData idx = MetaImpl.columnMetaData("idx", 0, Long.class, false);
    Meta.Signature signature = Meta.Signature.create(List.of(idx), GeneratedKeys.SQL, List.of(),
        Meta.CursorFactory.LIST, Meta.StatementType.SELECT);
    return new Meta.ExecuteResult(List.of(Meta.MetaResultSet.create(h.connectionId, h.id, false, signature,
        Meta.Frame.create(0, true, rows))));
  }
}
