package org.mmapsql.jdbc;

import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.schema.SchemaPlus;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A data context that answers as {@link #context()} does, except for the
 * variables its implementation changes in {@link #get}: the statement's
 * parameters as the plan cache binds them ({@link CachedPlan}, {@link IntegerParameters}).
 */
interface ForwardingContext extends DataContext {
  DataContext context();

  @Override default @Nullable SchemaPlus getRootSchema() {
    return context().getRootSchema();
  }

  @Override default JavaTypeFactory getTypeFactory() {
    return context().getTypeFactory();
  }

  @Override default QueryProvider getQueryProvider() {
    return context().getQueryProvider();
  }
}
