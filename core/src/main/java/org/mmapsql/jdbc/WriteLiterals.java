package org.mmapsql.jdbc;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlUpdate;
import org.mmapsql.MmapException;
import org.mmapsql.catalog.Binding;
import org.mmapsql.catalog.Database;
import org.mmapsql.storage.ElementType;
import org.mmapsql.storage.Layout;

/**
 * The literal values of {@code INSERT ... VALUES} and {@code UPDATE ... SET},
 * checked against their columns' dtypes before Calcite casts them to the
 * column type: such a cast would round 1.5 into an integer column, make 1e39
 * an infinite REAL, or cut a string that is too long. The check is the same
 * conversion every write goes through ({@link Layout#encode}), so the error
 * names the value and the type, and the statement writes nothing.
 */
final class WriteLiterals {
  private WriteLiterals() {
  }

  static void check(SqlNode sql, Database db) {
    if (sql instanceof SqlInsert insert && insert.getSource() instanceof SqlCall values
        && values.getKind() == SqlKind.VALUES) {
      Target t = Target.of(insert.getTargetTable(), insert.getTargetColumnList(), db);
      if (t == null) {
        return;
      }
      for (SqlNode row : values.getOperandList()) {
        if (row instanceof SqlCall r && r.getKind() == SqlKind.ROW) {
          for (int i = 0; i < r.operandCount() && i < t.columns.size(); i++) {
            t.check(t.columns.get(i), r.operand(i), "inserted");
          }
        }
      }
    } else if (sql instanceof SqlUpdate update) {
      Target t = Target.of(update.getTargetTable(), update.getTargetColumnList(), db);
      if (t == null) {
        return;
      }
      SqlNodeList sources = update.getSourceExpressionList();
      for (int i = 0; i < sources.size() && i < t.columns.size(); i++) {
        t.check(t.columns.get(i), sources.get(i), "updated");
      }
    }
  }

  /** The table written and the layout column (or -1 for idx and unknown names) of each value. */
  private record Target(String table, Layout layout, List<Integer> columns) {
    static Target of(SqlNode table, SqlNodeList columnList, Database db) {
      if (!(table instanceof SqlIdentifier id)) {
        return null;
      }
      Binding b = db.binding(id.names.get(id.names.size() - 1));
      if (b == null || id.names.size() > 2) {
        return null;
      }
      Layout layout;
      try {
        layout = b.layout();
      } catch (MmapException e) {
        return null; // unavailable: the statement reports why
      }
      List<Integer> columns = new ArrayList<>();
      if (columnList == null) {
        columns.add(-1); // idx
        for (int c = 0; c < layout.columns().size(); c++) {
          columns.add(c);
        }
      } else {
        for (SqlNode n : columnList) {
          String name = n.toString().toLowerCase(Locale.ROOT);
          String last = name.substring(name.lastIndexOf('.') + 1).replace("`", "").replace("\"", "");
          int found = -1;
          for (int c = 0; c < layout.columns().size(); c++) {
            if (layout.columns().get(c).name().equalsIgnoreCase(last)) {
              found = c;
            }
          }
          columns.add(found);
        }
      }
      return new Target(b.name(), layout, columns);
    }

    void check(int column, SqlNode value, String what) {
      if (column < 0) {
        return;
      }
      Layout.Column col = layout.columns().get(column);
      Object v = literal(value, col.dtype().type());
      if (v == null) {
        return;
      }
      try {
        layout.encode(column, v, ByteBuffer.allocate(layout.stride()), 0);
      } catch (MmapException e) {
        throw new MmapException(e.state(), "cannot write " + col.name() + " of " + table + ": " + e.getMessage()
            + "; nothing was " + what, e);
      }
    }
  }

  /** A numeric literal (maybe negated) for a numeric column, a string literal for a CHAR column, else null. */
  private static Object literal(SqlNode n, ElementType type) {
    boolean negate = false;
    if (n instanceof SqlBasicCall c && c.getKind() == SqlKind.MINUS_PREFIX && c.operandCount() == 1) {
      negate = true;
      n = c.operand(0);
    }
    if (n instanceof SqlNumericLiteral lit && type.numeric() != ElementType.Numeric.NONE
        || n instanceof SqlNumericLiteral && type == ElementType.LONG_DOUBLE) {
      SqlNumericLiteral lit = (SqlNumericLiteral) n;
      if (lit.isExact()) {
        BigDecimal d = lit.getValueAs(BigDecimal.class);
        return negate ? d.negate() : d;
      }
      double d = lit.getValueAs(BigDecimal.class).doubleValue();
      return negate ? -d : d;
    }
    if (n instanceof SqlCharStringLiteral s && type == ElementType.STRING && !negate) {
      return s.getValueAs(String.class);
    }
    return null;
  }
}
