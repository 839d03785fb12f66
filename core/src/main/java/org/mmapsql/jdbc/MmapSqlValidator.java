package org.mmapsql.jdbc;

import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.prepare.CalciteSqlValidator;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.SqlUtil;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeUtil;
import org.apache.calcite.sql.validate.SqlValidatorScope;
import org.apache.calcite.sql.validate.SqlValidatorTable;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.schema.MmapTable;
import org.mmapsql.schema.SqlTypes;
import org.mmapsql.storage.Layout;

/**
 * Calcite's validator, except that a value written into an array is not cast
 * to its column's type. Such a cast would wrap 300 into a TINYINT, round 1.5
 * into an integer, make 1e39 an infinite REAL or cut a string that is too
 * long; instead the value reaches the dtype's checked encoder
 * ({@link Layout#encode}) as it was computed, which refuses what does not fit
 * and names the value and the type.
 *
 * <p>The target of a written column is typed ANY, Calcite's type whose cast
 * changes nothing: a {@code ?} in its place takes the client's value as it
 * is, and a number, a string, a timestamp into a TIMESTAMP or a boolean into
 * a BOOLEAN go uncast. Other values are cast as before: to the column's type
 * (a DATE into a TIMESTAMP), or to VARCHAR for a CHAR column, whose length
 * the encoder checks.
 */
final class MmapSqlValidator extends CalciteSqlValidator {
  MmapSqlValidator(SqlOperatorTable operators, CalciteCatalogReader reader, JavaTypeFactory typeFactory,
      Config config) {
    super(operators, reader, typeFactory, config);
  }

  @Override public SqlNode validate(SqlNode topNode) {
    NumericText.check(topNode);
    return super.validate(topNode);
  }

  @Override protected RelDataType createTargetRowType(SqlValidatorTable table, @Nullable SqlNodeList columns,
      boolean append, @Nullable SqlIdentifier alias) {
    RelDataType target = super.createTargetRowType(table, columns, append, alias);
    Layout layout = layout(table);
    if (layout == null) {
      return target;
    }
    var b = typeFactory.builder();
    for (RelDataTypeField f : target.getFieldList()) {
      // UPDATE's row starts with the table's own fields under generated names: only the SET columns match.
      b.add(f.getName(), column(layout, f.getName()) == null ? f.getType()
          : typeFactory.createTypeWithNullability(typeFactory.createSqlType(SqlTypeName.ANY), true));
    }
    return b.build();
  }

  /** A NULL written keeps the NULL type, so that it joins the type of the other rows of its VALUES. */
  @Override protected void inferUnknownTypes(RelDataType inferredType, SqlValidatorScope scope, SqlNode node) {
    boolean nullIntoAny = inferredType.getSqlTypeName() == SqlTypeName.ANY && SqlUtil.isNullLiteral(node, false);
    super.inferUnknownTypes(nullIntoAny ? unknownType : inferredType, scope, node);
  }

  /**
   * The INSERT's row type, which SqlToRelConverter gives to the rows of its
   * VALUES: each uncast column as its source computes it, not ANY.
   */
  @Override public void validateInsert(SqlInsert insert) {
    super.validateInsert(insert);
    RelDataType target = getValidatedNodeType(insert);
    RelDataType source = getValidatedNodeType(insert.getSource());
    if (target.getFieldCount() != source.getFieldCount()) {
      return;
    }
    var b = typeFactory.builder();
    for (int i = 0; i < target.getFieldCount(); i++) {
      RelDataTypeField f = target.getFieldList().get(i);
      b.add(f.getName(), f.getType().getSqlTypeName() != SqlTypeName.ANY ? f.getType()
          : typeFactory.createTypeWithNullability(source.getFieldList().get(i).getType(), true));
    }
    setValidatedNodeType(insert, b.build());
  }

  @Override protected void checkTypeAssignment(@Nullable SqlValidatorScope scope, SqlValidatorTable table,
      RelDataType source, RelDataType target, SqlNode query) {
    Layout layout = layout(table);
    if (layout == null) {
      super.checkTypeAssignment(scope, table, source, target, query);
      return;
    }
    var b = typeFactory.builder();
    for (int i = 0; i < target.getFieldCount(); i++) {
      RelDataTypeField f = target.getFieldList().get(i);
      Layout.Column c = f.getType().getSqlTypeName() == SqlTypeName.ANY ? column(layout, f.getName()) : null;
      b.add(f.getName(), c == null || i >= source.getFieldCount() ? f.getType()
          : assigned(source.getFieldList().get(i).getType(), SqlTypes.of(typeFactory, c.dtype())));
    }
    super.checkTypeAssignment(scope, table, source, b.build(), query);
  }

  /** What a value of type {@code from} is cast to before it is written into a column of type {@code to}. */
  private RelDataType assigned(RelDataType from, RelDataType to) {
    SqlTypeName f = from.getSqlTypeName();
    boolean uncast = SqlTypeUtil.isCharacter(from) // every encoder parses text
        || SqlTypeUtil.isNumeric(to) && SqlTypeUtil.isNumeric(from)
        || to.getSqlTypeName() == f // TIMESTAMP(p), BOOLEAN
        || f == SqlTypeName.ANY || f == SqlTypeName.NULL;
    if (uncast) {
      return typeFactory.createSqlType(SqlTypeName.ANY);
    }
    return SqlTypeUtil.isCharacter(to) ? typeFactory.createSqlType(SqlTypeName.VARCHAR) : to;
  }

  private static @Nullable Layout layout(SqlValidatorTable table) {
    MmapTable t = table.unwrap(MmapTable.class);
    try {
      return t == null ? null : t.layout();
    } catch (MmapException e) {
      return null; // not mapped any more: the statement reports it
    }
  }

  private static Layout.@Nullable Column column(Layout layout, String name) {
    for (Layout.Column c : layout.columns()) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }
}
