package org.mmapsql.jdbc;

import java.lang.reflect.Type;
import java.util.function.UnaryOperator;

import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.jdbc.CalcitePrepare;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.plan.RelOptCostFactory;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.prepare.CalcitePrepareImpl;
import org.apache.calcite.prepare.CalciteSqlValidator;
import org.apache.calcite.prepare.Prepare;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.sql.SqlMerge;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.util.TryThreadLocal;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.plan.MmapEager;
import org.mmapsql.plan.MmapRules;
import org.mmapsql.schema.MmapFunctions;

/**
 * Calcite's prepare step with mmapsql's additions: its planner rules (also for
 * {@code INSERT ... VALUES}, which has no table scan to register them from),
 * its functions, and IN lists kept as predicates whatever their length, so
 * that they stay positional access instead of becoming a join with VALUES;
 * and statements that call MMAP, UNMAP or VPOP run at execute, not at fetch.
 */
final class MmapPrepare extends CalcitePrepareImpl {
  @Override protected RelOptPlanner createPlanner(CalcitePrepare.Context prepareContext,
      org.apache.calcite.plan.@Nullable Context externalContext, @Nullable RelOptCostFactory costFactory) {
    RelOptPlanner planner = super.createPlanner(prepareContext, externalContext, costFactory);
    MmapRules.ALL.forEach(planner::addRule);
    return planner;
  }

  @Override public <T> CalciteSignature<T> prepareSql(CalcitePrepare.Context context, Query<T> query,
      Type elementType, long maxRowCount) {
    CalciteSignature<T> s;
    try (TryThreadLocal.Memo ignored = Prepare.THREAD_INSUBQUERY_THRESHOLD.push(Integer.MAX_VALUE)) {
      s = super.prepareSql(context, query, elementType, maxRowCount);
    } catch (Throwable t) {
      throw Errors.unchecked(t);
    }
    // The same signature, with the errors of execution made fit for JDBC (see Errors).
    CalciteSignature<T> prepared = s;
    return new CalciteSignature<>(s.sql, s.parameters, s.internalParameters, s.rowType, s.columns,
        s.cursorFactory, s.rootSchema, s.getCollationList(), maxRowCount, null, s.statementType) {
      @Override public Enumerable<T> enumerable(DataContext dataContext) {
        return Errors.guard(prepared::enumerable).bind(dataContext);
      }
    };
  }

  @Override protected CalcitePreparingStmt getPreparingStmt(CalcitePrepare.Context context,
      Type elementType, CalciteCatalogReader catalogReader, RelOptPlanner planner) {
    var prefer = elementType == Object[].class
        ? org.apache.calcite.adapter.enumerable.EnumerableRel.Prefer.ARRAY
        : org.apache.calcite.adapter.enumerable.EnumerableRel.Prefer.CUSTOM;
    var convention = enableBindable ? org.apache.calcite.interpreter.BindableConvention.INSTANCE
        : org.apache.calcite.adapter.enumerable.EnumerableConvention.INSTANCE;
    return new CalcitePreparingStmt(this, context, catalogReader, context.getTypeFactory(),
        context.getRootSchema(), prefer,
        createCluster(planner, new org.apache.calcite.rex.RexBuilder(context.getTypeFactory())),
        convention, createConvertletTable()) {
      private boolean sideEffects;

      @Override public PreparedResult prepareSql(SqlNode sql, SqlNode original, Class<?> runtimeContextClass,
          SqlValidator validator, boolean needsValidation) {
        sideEffects = MmapFunctions.calledIn(sql);
        refuseIdxUpdate(sql);
        WriteLiterals.check(sql, org.mmapsql.schema.MmapSchema.of(context.getRootSchema().plus()).database());
        return super.prepareSql(sql, original, runtimeContextClass, validator, needsValidation);
      }

      @Override protected PreparedResult implement(RelRoot root) {
        return super.implement(sideEffects ? root.withRel(MmapEager.wrap(root.rel)) : root);
      }

      @Override protected SqlValidator createSqlValidator(Prepare.CatalogReader reader,
          UnaryOperator<SqlValidator.Config> configTransform) {
        return validator(context, (CalciteCatalogReader) reader, configTransform);
      }
    };
  }

  /** idx is the position of a value: it cannot be set. */
  private static void refuseIdxUpdate(SqlNode sql) {
    SqlNodeList columns = sql instanceof SqlUpdate u ? u.getTargetColumnList()
        : sql instanceof SqlMerge m && m.getUpdateCall() != null ? m.getUpdateCall().getTargetColumnList()
        : null;
    if (columns != null && columns.stream().anyMatch(c -> c.toString().equalsIgnoreCase("idx")
        || c.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".idx"))) {
      throw new MmapException("cannot set idx: it is the position of the value; set val instead");
    }
  }

  /** Calcite's validator, with mmapsql's functions before the catalog's. */
  private static SqlValidator validator(CalcitePrepare.Context context, CalciteCatalogReader reader,
      UnaryOperator<SqlValidator.Config> configTransform) {
    CalciteConnectionConfig config = context.config();
    SqlOperatorTable operators = SqlOperatorTables.chain(
        config.fun(SqlOperatorTable.class, SqlStdOperatorTable.instance()),
        MmapFunctions.OPERATORS, reader);
    JavaTypeFactory typeFactory = context.getTypeFactory();
    return new CalciteSqlValidator(operators, reader, typeFactory,
        configTransform.apply(SqlValidator.Config.DEFAULT
            .withLenientOperatorLookup(config.lenientOperatorLookup())
            .withConformance(config.conformance())
            .withDefaultNullCollation(config.defaultNullCollation())
            .withIdentifierExpansion(true)));
  }
}
