package org.mmapsql.schema;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeUtil;

/**
 * mmapsql's SQL types: DECIMAL up to 38 digits (uint64 needs 20), and
 * aggregates that stay exact where their argument is: SUM of TINYINT,
 * SMALLINT or INTEGER is a BIGINT and SUM of DECIMAL a DECIMAL(38), so they
 * cannot wrap around; SUM of BIGINT stays BIGINT (Calcite 1.42's own SUM
 * cannot accumulate a BIGINT into a DECIMAL, and the planner makes such SUMs
 * itself, for AVG) and fails with NUMERIC_OUT_OF_RANGE rather than wrap:
 * mmapsql's aggregate sums exactly, Calcite's is made to sum in DECIMAL by
 * {@link org.mmapsql.plan.CheckedSums}. SUM of
 * REAL is a DOUBLE; AVG of any integer or REAL is a DOUBLE, never truncated.
 */
public final class MmapTypeSystem extends RelDataTypeSystemImpl {
  public static final MmapTypeSystem INSTANCE = new MmapTypeSystem();
  private static final int MAX_DECIMAL = 38;

  @Override public int getMaxPrecision(SqlTypeName typeName) {
    return typeName == SqlTypeName.DECIMAL ? MAX_DECIMAL : super.getMaxPrecision(typeName);
  }

  @Override public RelDataType deriveSumType(RelDataTypeFactory f, RelDataType arg) {
    RelDataType t = switch (arg.getSqlTypeName()) {
      case TINYINT, SMALLINT, INTEGER -> f.createSqlType(SqlTypeName.BIGINT);
      case DECIMAL -> f.createSqlType(SqlTypeName.DECIMAL, MAX_DECIMAL, arg.getScale());
      case REAL, FLOAT -> f.createSqlType(SqlTypeName.DOUBLE);
      default -> super.deriveSumType(f, arg);
    };
    return f.createTypeWithNullability(t, arg.isNullable());
  }

  @Override public RelDataType deriveAvgAggType(RelDataTypeFactory f, RelDataType arg) {
    if (SqlTypeUtil.isExactNumeric(arg) && arg.getScale() == 0 || arg.getSqlTypeName() == SqlTypeName.REAL
        || arg.getSqlTypeName() == SqlTypeName.FLOAT) {
      return f.createTypeWithNullability(f.createSqlType(SqlTypeName.DOUBLE), arg.isNullable());
    }
    return super.deriveAvgAggType(f, arg);
  }
}
