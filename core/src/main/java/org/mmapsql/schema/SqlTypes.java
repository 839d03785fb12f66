package org.mmapsql.schema;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;
import org.mmapsql.storage.Dtype;

/** The SQL type of a dtype's values (see {@link org.mmapsql.storage.ElementType}). */
public final class SqlTypes {
  /** long double: 19 digits of scale hold any value of its 64-bit mantissa near 1; values read are exact. */
  static final int LONG_DOUBLE_SCALE = 19;

  private SqlTypes() {
  }

  public static RelDataType of(RelDataTypeFactory f, Dtype d) {
    return switch (d.type()) {
      case UINT64 -> f.createSqlType(SqlTypeName.DECIMAL, 20, 0);
      case LONG_DOUBLE -> f.createSqlType(SqlTypeName.DECIMAL, 38, LONG_DOUBLE_SCALE);
      case STRING -> f.createSqlType(SqlTypeName.CHAR, d.width());
      case DATETIME64 -> f.createSqlType(SqlTypeName.TIMESTAMP, 3);
      default -> f.createSqlType(d.type().sqlType());
    };
  }
}
