package org.mmapsql.trino;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Calendar;
import java.util.TimeZone;

import io.airlift.slice.Slices;
import io.trino.spi.TrinoException;
import io.trino.spi.block.BlockBuilder;
import io.trino.spi.type.BigintType;
import io.trino.spi.type.BooleanType;
import io.trino.spi.type.DecimalType;
import io.trino.spi.type.DoubleType;
import io.trino.spi.type.Int128;
import io.trino.spi.type.IntegerType;
import io.trino.spi.type.RealType;
import io.trino.spi.type.SmallintType;
import io.trino.spi.type.TimestampType;
import io.trino.spi.type.TinyintType;
import io.trino.spi.type.Type;
import io.trino.spi.type.VarcharType;

/** The one place that maps mmapsql's SQL column types to Trino's, and reads a value of each. */
final class ColumnTypes {
  private ColumnTypes() {
  }

  /** Reads column {@code column} of the current row into {@code out}; chosen once per column. */
  @FunctionalInterface
  interface Reader {
    void read(ResultSet rs, int column, BlockBuilder out) throws SQLException;
  }

  static Type trinoType(int jdbcType, String typeName, int precision, int scale, String what) {
    return switch (jdbcType) {
      case Types.BIGINT -> BigintType.BIGINT;
      case Types.INTEGER -> IntegerType.INTEGER;
      case Types.SMALLINT -> SmallintType.SMALLINT;
      case Types.TINYINT -> TinyintType.TINYINT;
      case Types.DOUBLE, Types.FLOAT -> DoubleType.DOUBLE;
      case Types.REAL -> RealType.REAL;
      case Types.BOOLEAN -> BooleanType.BOOLEAN;
      case Types.DECIMAL, Types.NUMERIC -> DecimalType.createDecimalType(precision, scale);
      case Types.CHAR, Types.VARCHAR -> VarcharType.createUnboundedVarcharType();
      // datetime64: mmapsql's TIMESTAMP is a wall-clock time without zone, as Trino's TIMESTAMP
      case Types.TIMESTAMP -> TimestampType.createTimestampType(Math.min(Math.max(precision, 0), 3));
      default -> throw new TrinoException(MmapErrorCode.SHARD_LAYOUT,
          what + " has the SQL type " + typeName + ", which the Trino connector does not map");
    };
  }

  static Reader reader(Type type) {
    if (type == BigintType.BIGINT) {
      return (rs, c, out) -> {
        long v = rs.getLong(c);
        if (rs.wasNull()) {
          out.appendNull();
        } else {
          BigintType.BIGINT.writeLong(out, v);
        }
      };
    }
    if (type == DoubleType.DOUBLE) {
      return (rs, c, out) -> {
        double v = rs.getDouble(c);
        if (rs.wasNull()) {
          out.appendNull();
        } else {
          DoubleType.DOUBLE.writeDouble(out, v);
        }
      };
    }
    if (type == RealType.REAL) {
      return (rs, c, out) -> {
        float v = rs.getFloat(c);
        if (rs.wasNull()) {
          out.appendNull();
        } else {
          RealType.REAL.writeLong(out, Float.floatToRawIntBits(v));
        }
      };
    }
    if (type instanceof DecimalType d) {
      return (rs, c, out) -> {
        BigDecimal v = rs.getBigDecimal(c);
        if (v == null) {
          out.appendNull();
        } else if (d.isShort()) {
          d.writeLong(out, v.setScale(d.getScale(), RoundingMode.UNNECESSARY).unscaledValue().longValueExact());
        } else {
          d.writeObject(out, Int128.valueOf(v.setScale(d.getScale(), RoundingMode.UNNECESSARY).unscaledValue()));
        }
      };
    }
    if (type instanceof VarcharType) {
      return (rs, c, out) -> {
        String v = rs.getString(c);
        if (v == null) {
          out.appendNull();
        } else {
          VarcharType.VARCHAR.writeSlice(out, Slices.utf8Slice(v));
        }
      };
    }
    if (type instanceof TimestampType) {
      return (rs, c, out) -> {
        // mmapsql sends the wall-clock time as milliseconds read as UTC: a UTC calendar takes them as they are
        java.sql.Timestamp v = rs.getTimestamp(c, Calendar.getInstance(TimeZone.getTimeZone("UTC")));
        if (v == null) {
          out.appendNull();
        } else {
          type.writeLong(out, Math.multiplyExact(v.getTime(), 1000L));
        }
      };
    }
    if (type == BooleanType.BOOLEAN) {
      return (rs, c, out) -> {
        boolean v = rs.getBoolean(c);
        if (rs.wasNull()) {
          out.appendNull();
        } else {
          BooleanType.BOOLEAN.writeBoolean(out, v);
        }
      };
    }
    // INTEGER, SMALLINT, TINYINT: Trino keeps them as longs
    return (rs, c, out) -> {
      long v = rs.getLong(c);
      if (rs.wasNull()) {
        out.appendNull();
      } else {
        type.writeLong(out, v);
      }
    };
  }
}
