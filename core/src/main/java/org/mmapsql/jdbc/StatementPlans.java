package org.mmapsql.jdbc;

import java.util.List;

import org.apache.calcite.jdbc.CalcitePrepare;
import org.apache.calcite.jdbc.CalciteSchema;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.plan.DirectExecution;

/**
 * The plan a Statement's exact text was last answered with on its connection
 * ({@link PlanCache.Session#recent}), found before Calcite's prepare step is
 * entered at all: a statement repeated as it is (a {@code SELECT COUNT(*)},
 * the same point read) then costs one lookup by its text, the catalog version,
 * the schema path and the row limit, and nothing of Calcite's signature and
 * statement machinery. Only plans that run directly ({@link DirectExecution})
 * are served here; the others keep their usual way.
 */
public final class StatementPlans {
  /** A Statement's rows are {@code Object[]}, as Calcite's meta prepares them. */
  private static final String ROW_CLASS = Object[].class.getTypeName();

  private StatementPlans() {
  }

  /**
   * The direct plan of {@code sql} on the connection whose root schema is
   * {@code root}, as its prepare step would give it now (the same catalog
   * version, default schema and row limit), or null.
   */
  public static CalcitePrepare.@Nullable CalciteSignature<Object> direct(CalciteSchema root, String sql,
      List<String> schemaPath, long maxRowCount) {
    PlanCache.Session session = PlanCache.session(root);
    if (session == null) {
      return null;
    }
    CachedPlan.Bound plan = session.peek(sql, schemaPath, ROW_CLASS, maxRowCount, session.cache().catalogVersion());
    if (plan == null || !plan.signature().internalParameters.containsKey(DirectExecution.KEY)) {
      return null;
    }
    session.hit();
    return plan.on(root, sql);
  }
}
