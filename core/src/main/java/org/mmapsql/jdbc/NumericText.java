package org.mmapsql.jdbc;

import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * Refuses a text literal compared with or computed on as a number
 * ({@code idx BETWEEN '1e500000000' AND …}) whose exponent no numeric type
 * comes near: Calcite would convert it while planning, building a number of
 * half a billion digits, minutes of CPU that no timeout stops. Parameters are
 * checked where they are read ({@code IdxRanges}, {@code ValBounds}).
 */
final class NumericText extends SqlBasicVisitor<Void> {
  /** Far beyond DOUBLE (10^308) and DECIMAL (38 digits), and still cheap to compute with. */
  private static final long MAX_EXPONENT = 10_000;
  private static final Pattern NUMBER = Pattern.compile("\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)[eE]([+-]?\\d+)\\s*");
  private static final Set<SqlKind> NUMERIC_CONTEXT = EnumSet.of(SqlKind.EQUALS, SqlKind.NOT_EQUALS,
      SqlKind.LESS_THAN, SqlKind.LESS_THAN_OR_EQUAL, SqlKind.GREATER_THAN, SqlKind.GREATER_THAN_OR_EQUAL,
      SqlKind.BETWEEN, SqlKind.IN, SqlKind.NOT_IN, SqlKind.PLUS, SqlKind.MINUS, SqlKind.TIMES, SqlKind.DIVIDE,
      SqlKind.MOD, SqlKind.CAST, SqlKind.IS_DISTINCT_FROM, SqlKind.IS_NOT_DISTINCT_FROM);

  private NumericText() {
  }

  static void check(SqlNode statement) {
    statement.accept(new NumericText());
  }

  @Override public Void visit(SqlCall call) {
    if (NUMERIC_CONTEXT.contains(call.getKind())) {
      for (SqlNode operand : call.getOperandList()) {
        if (operand instanceof SqlNodeList list) {
          list.forEach(NumericText::checkLiteral);
        } else {
          checkLiteral(operand);
        }
      }
    }
    return super.visit(call);
  }

  private static void checkLiteral(SqlNode node) {
    if (!(node instanceof SqlCharStringLiteral literal)) {
      return;
    }
    String text = literal.getValueAs(String.class);
    Matcher m = NUMBER.matcher(text);
    if (!m.matches()) {
      return;
    }
    String exponent = m.group(2).replaceFirst("^[+-]", "");
    if (exponent.length() > 9 || Long.parseLong(exponent) > MAX_EXPONENT) {
      throw new MmapException(SqlState.NUMERIC_OUT_OF_RANGE, "numeric value out of range: '"
          + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "' is a number no numeric type holds"
          + " (an exponent beyond ±" + MAX_EXPONENT + ")");
    }
  }
}
