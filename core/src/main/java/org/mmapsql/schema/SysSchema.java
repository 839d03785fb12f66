package org.mmapsql.schema;

import java.util.Map;

import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.ScannableTable;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.mmapsql.catalog.Binding;
import org.mmapsql.catalog.Database;
import org.mmapsql.storage.Layout;
import org.mmapsql.storage.MappedArray;

/** The {@code sys} schema: {@code sys.mappings} lists the bindings. */
public final class SysSchema extends AbstractSchema {
  public static final String NAME = "sys";

  private final Database database;

  public SysSchema(Database database) {
    this.database = database;
  }

  @Override protected Map<String, Table> getTableMap() {
    return Map.of("mappings", new Mappings());
  }

  /**
   * One row per binding: {@code name, path, type} (numpy's code, {@code <f4}),
   * {@code sql_type, element_size} (bytes of one element), {@code shape}
   * (numpy style, {@code (1000, 768)}), {@code data_offset} (the .npy header's
   * length, else 0), {@code read_only}, {@code base} (the idx of
   * the first row: MMAP option base), {@code exclusive} (MMAP option exclusive:
   * counts and point reads do not look at the file), {@code row_count, file_bytes, status}.
   */
  private final class Mappings extends AbstractTable implements ScannableTable {
    @Override public RelDataType getRowType(RelDataTypeFactory f) {
      return f.builder()
          .add("name", SqlTypeName.VARCHAR).add("path", SqlTypeName.VARCHAR)
          .add("type", SqlTypeName.VARCHAR)
          .add("sql_type", SqlTypeName.VARCHAR)
          .add("element_size", SqlTypeName.INTEGER).nullable(true)
          .add("shape", SqlTypeName.VARCHAR).nullable(true)
          .add("data_offset", SqlTypeName.BIGINT).nullable(true)
          .add("read_only", SqlTypeName.BOOLEAN)
          .add("base", SqlTypeName.BIGINT)
          .add("exclusive", SqlTypeName.BOOLEAN)
          .add("row_count", SqlTypeName.BIGINT).nullable(true)
          .add("file_bytes", SqlTypeName.BIGINT).nullable(true)
          .add("status", SqlTypeName.VARCHAR)
          .build();
    }

    @Override public Enumerable<Object[]> scan(DataContext root) {
      return Linq4j.asEnumerable(database.bindings().stream().map(b -> {
        String status = b.status();
        MappedArray a = status.equals("missing") || status.startsWith("error") ? null : b.array();
        Layout l = a == null ? null : a.layout();
        return new Object[] {b.name(), b.storedPath(), b.type(),
            l == null ? null : l.sqlTypeText(),
            l == null ? null : l.elementSize(),
            l == null ? null : l.shapeText(a.length()),
            l == null ? null : l.dataOffset(),
            b.options().readOnly(), b.options().base(), b.options().exclusive(),
            a == null ? null : a.length(), a == null ? null : a.fileBytes(), status};
      }).toList());
    }
  }
}
