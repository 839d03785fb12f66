package org.mmapsql.jdbc;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDelete;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.schema.MmapFunctions;

/**
 * Which numbers of a parsed statement may become parameters of a cached plan:
 * the numeric literals of WHERE clauses (of the query, of an UPDATE or DELETE,
 * and of the queries nested in them, such as the SELECT of an
 * {@code INSERT ... SELECT}). Elsewhere a literal's type can shape the result
 * (a select item's type, GROUP BY and ORDER BY ordinals and expressions, LIMIT
 * and OFFSET, window frames) or is a value written (SET, VALUES), whose own
 * type the dtype's checks see, so those stay fixed. Queries, INSERT, UPDATE
 * and DELETE are cached; not DDL, MERGE or EXPLAIN, and never a statement that
 * calls MMAP, UNMAP or VPOP.
 */
final class WhereNumbers extends SqlBasicVisitor<Void> {
  /** The statements whose plans are cached: queries, and the writes an array takes. */
  private static final Set<SqlKind> CACHED = cached();
  private final SqlShape shape;
  private final int[] lineStarts;
  private final boolean[] parameter;
  private boolean inWhere;

  private WhereNumbers(SqlShape shape) {
    this.shape = shape;
    this.lineStarts = lineStarts(shape.sql);
    this.parameter = new boolean[shape.slots.size()];
  }

  /**
   * For each slot of {@code shape}, whether it may be a parameter; null if the
   * statement is not to be cached at all.
   */
  static boolean @Nullable [] of(SqlNode statement, SqlShape shape) {
    if (!statement.getKind().belongsTo(CACHED)) {
      return null;
    }
    try {
      if (MmapFunctions.calledIn(statement)) {
        return null;
      }
    } catch (RuntimeException e) {
      return null; // refused; planning it says why
    }
    WhereNumbers w = new WhereNumbers(shape);
    statement.accept(w);
    return w.parameter;
  }

  private static Set<SqlKind> cached() {
    Set<SqlKind> kinds = EnumSet.copyOf(SqlKind.QUERY);
    kinds.addAll(EnumSet.of(SqlKind.INSERT, SqlKind.UPDATE, SqlKind.DELETE));
    return kinds;
  }

  @Override public Void visit(SqlLiteral literal) {
    if (inWhere && literal instanceof SqlNumericLiteral) {
      int slot = slotAt(literal.getParserPosition());
      if (slot >= 0) {
        parameter[slot] = true;
      }
    }
    return null;
  }

  @Override public Void visit(SqlCall call) {
    if (inWhere && call.getKind() == SqlKind.MINUS_PREFIX && call.operand(0) instanceof SqlNumericLiteral) {
      int slot = slotAt(call.getParserPosition()); // -5: one slot, sign included (see SqlShape)
      if (slot >= 0) {
        parameter[slot] = true;
        return null;
      }
    }
    if (call instanceof SqlSelect select) {
      boolean outer = inWhere;
      inWhere = false;
      visitAll(select.getSelectList(), select.getFrom(), select.getGroup(), select.getHaving(),
          select.getWindowList(), select.getQualify(), select.getOrderList(), select.getOffset(),
          select.getFetch());
      inWhere = true;
      visitAll(select.getWhere());
      inWhere = outer;
      return null;
    }
    if (call instanceof SqlUpdate update) {
      // SET's values stay fixed: a value written keeps the type the dtype's checks see (MmapSqlValidator).
      visitAll(update.getSourceExpressionList());
      inWhere = true;
      visitAll(update.getCondition());
      inWhere = false;
      return null;
    }
    if (call instanceof SqlDelete delete) {
      inWhere = true;
      visitAll(delete.getCondition());
      inWhere = false;
      return null;
    }
    if (call instanceof SqlOrderBy orderBy) {
      visitAll(orderBy.query);
      boolean outer = inWhere;
      inWhere = false;
      visitAll(orderBy.orderList, orderBy.offset, orderBy.fetch);
      inWhere = outer;
      return null;
    }
    return super.visit(call);
  }

  private void visitAll(@Nullable SqlNode... nodes) {
    for (SqlNode n : nodes) {
      if (n != null) {
        n.accept(this);
      }
    }
  }

  /** The slot that spans exactly the text at {@code pos}, or -1. */
  private int slotAt(SqlParserPos pos) {
    int start = offset(pos.getLineNum(), pos.getColumnNum());
    int end = offset(pos.getEndLineNum(), pos.getEndColumnNum()) + 1;
    List<SqlShape.Slot> slots = shape.slots;
    for (int i = 0; i < slots.size(); i++) {
      if (slots.get(i).start() == start && slots.get(i).end() == end) {
        return i;
      }
    }
    return -1;
  }

  private int offset(int line, int column) {
    return line < 1 || line > lineStarts.length ? -2 : lineStarts[line - 1] + column - 1;
  }

  private static int[] lineStarts(String sql) {
    int lines = 1;
    for (int i = 0; i < sql.length(); i++) {
      if (sql.charAt(i) == '\n') {
        lines++;
      }
    }
    int[] starts = new int[lines];
    int l = 1;
    for (int i = 0; i < sql.length(); i++) {
      if (sql.charAt(i) == '\n') {
        starts[l++] = i + 1;
      }
    }
    return starts;
  }
}
