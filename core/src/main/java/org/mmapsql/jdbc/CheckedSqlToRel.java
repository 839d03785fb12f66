package org.mmapsql.jdbc;

import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.prepare.Prepare;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql2rel.ConvertToChecked;
import org.apache.calcite.sql2rel.SqlRexConvertletTable;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.mmapsql.plan.CheckedSums;
import org.mmapsql.plan.FloatExtremes;

/**
 * Calcite's SQL-to-relational converter with checked arithmetic, as
 * PostgreSQL and the SQL standard have it: {@code +}, {@code -}, {@code *},
 * {@code /} and unary minus on exact numbers fail with NUMERIC_OUT_OF_RANGE
 * instead of wrapping around ({@code val + 1} on INTEGER 2147483647). Calcite
 * does this only for conformances that ask for it, and no conformance that
 * does is otherwise mmapsql's.
 */
final class CheckedSqlToRel extends SqlToRelConverter {
  CheckedSqlToRel(RelOptTable.ViewExpander viewExpander, SqlValidator validator, Prepare.CatalogReader reader,
      RelOptCluster cluster, SqlRexConvertletTable convertlets, Config config) {
    super(viewExpander, validator, reader, cluster, convertlets, config);
  }

  @Override public RelRoot convertQuery(SqlNode query, boolean needsValidation, boolean top) {
    RelRoot root = super.convertQuery(query, needsValidation, top);
    return root.withRel(FloatExtremes.inWindows(
        CheckedSums.inWindows(new ConvertToChecked(rexBuilder, true).visit(root.rel))));
  }
}
