package org.mmapsql.jdbc;

import java.lang.reflect.Type;
import java.util.List;
import java.util.function.UnaryOperator;

import static java.util.Objects.requireNonNull;

import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.jdbc.CalcitePrepare;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.runtime.Bindable;
import org.apache.calcite.runtime.Hook;
import org.apache.calcite.runtime.Typed;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.plan.RelOptCostFactory;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.prepare.CalcitePrepareImpl;
import org.apache.calcite.prepare.Prepare;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.sql.SqlMerge;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlUpdate;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.util.TryThreadLocal;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.plan.CheckedSums;
import org.mmapsql.plan.FloatExtremes;
import org.mmapsql.plan.DirectExecution;
import org.mmapsql.plan.MetadataHandlers;
import org.mmapsql.plan.MmapEager;
import org.mmapsql.plan.MmapRowLimit;
import org.mmapsql.plan.MmapRules;
import org.mmapsql.plan.MmapTableScan;
import org.mmapsql.plan.PlannedTables;
import org.mmapsql.schema.MmapFunctions;

/**
 * Calcite's prepare step with mmapsql's additions: its planner rules (also for
 * {@code INSERT ... VALUES}, which has no table scan to register them from),
 * its functions, and IN lists kept as predicates whatever their length, so
 * that they stay positional access instead of becoming a join with VALUES;
 * statements that call MMAP, UNMAP or VPOP run at execute, not at fetch; and
 * sorts and windows hold at most {@code maxSortRows} rows ({@link MmapRowLimit});
 * plans are cached ({@link PlanCache}); metadata is read without generated code
 * ({@link MetadataHandlers}), and a plan that runs directly compiles its
 * generated code only if an execution needs it ({@link GeneratedCode}). Written values reach the dtype's checks
 * uncast ({@link MmapSqlValidator}); arithmetic on exact numbers
 * ({@link CheckedSqlToRel}) and Calcite's SUM of BIGINT ({@link CheckedSums})
 * fail on overflow instead of wrapping around.
 */
final class MmapPrepare extends CalcitePrepareImpl {
  @Override protected RelOptPlanner createPlanner(CalcitePrepare.Context prepareContext,
      org.apache.calcite.plan.@Nullable Context externalContext, @Nullable RelOptCostFactory costFactory) {
    RelOptPlanner planner = super.createPlanner(prepareContext, externalContext, costFactory);
    MmapRules.ALL.forEach(planner::addRule);
    return planner;
  }

  /**
   * A statement's plan: from the {@link PlanCache} when one made earlier fits
   * (the same text but for numbers in WHERE clauses), else planned and cached.
   */
  @Override public <T> CalciteSignature<T> prepareSql(CalcitePrepare.Context context, Query<T> query,
      Type elementType, long maxRowCount) {
    PlanCache.Session session = query.sql == null ? null : PlanCache.session(context.getMutableRootSchema());
    if (session == null) {
      return guarded(plan(context, query, elementType, maxRowCount));
    }
    PlanCache cache = session.cache();
    long version = cache.catalogVersion();
    List<String> schemaPath = context.getDefaultSchemaPath();
    String rowClass = elementType.getTypeName();
    CachedPlan.Bound recent = session.recent(query.sql, schemaPath, rowClass, maxRowCount, version);
    if (recent != null) {
      return recent.on(context, query.sql);
    }
    SqlShape shape = SqlShape.of(query.sql);
    if (shape == null || shape.hasParameters) {
      return guarded(plan(context, query, elementType, maxRowCount));
    }
    PlanCache.Key key = new PlanCache.Key(session.settings(), schemaPath, rowClass, maxRowCount, shape.shape);
    CachedPlan.Bound hit = cache.find(key, shape, version);
    if (hit != null) {
      session.remember(query.sql, schemaPath, rowClass, maxRowCount, version, hit);
      return hit.on(context, query.sql);
    }
    boolean[] parameter = cacheable(context, shape);
    if (parameter == null) {
      return guarded(plan(context, query, elementType, maxRowCount));
    }
    boolean literalOnly = false;
    if (any(parameter) && !cache.literalOnly(key, version) && !cache.parameterized(key, version)) {
      CachedPlan p = null;
      try {
        p = CachedPlan.parameterized(plan(context, Query.of(withParameters(shape, parameter)),
            elementType, maxRowCount), shape, parameter);
      } catch (RuntimeException e) {
        // A ? where Calcite cannot infer its type, or must see a literal: plan the text as it is.
      }
      CachedPlan.Bound b = p == null ? null : p.bind(shape);
      if (p != null) {
        cache.put(key, p, version);
      }
      if (b != null) {
        return b.on(context, query.sql);
      }
      literalOnly = p == null;
    }
    CalciteSignature<T> s = plan(context, query, elementType, maxRowCount);
    CachedPlan p = CachedPlan.literal(s, shape, literalOnly);
    cache.put(key, p, version);
    return new CachedPlan.Bound(s, new Object[0]).on(context, query.sql);
  }

  /** Calcite's plan of {@code query}, IN lists kept as predicates. */
  private <T> CalciteSignature<T> plan(CalcitePrepare.Context context, Query<T> query, Type elementType,
      long maxRowCount) {
    try (TryThreadLocal.Memo ignored = Prepare.THREAD_INSUBQUERY_THRESHOLD.push(Integer.MAX_VALUE)) {
      return super.prepareSql(context, query, elementType, maxRowCount);
    } catch (Throwable t) {
      throw Errors.unchecked(t);
    }
  }

  /** The same signature, with the errors of execution made fit for JDBC (see Errors). */
  private static <T> CalciteSignature<T> guarded(CalciteSignature<T> s) {
    return new CachedPlan.Bound(s, new Object[0]).on(s.rootSchema, s.sql);
  }

  /** For each number of the statement, whether it may be a parameter; null if the statement is not cached. */
  private static boolean @Nullable [] cacheable(CalcitePrepare.Context context, SqlShape shape) {
    CalciteConnectionConfig config = context.config();
    SqlParser.Config parserConfig = SqlParser.config()
        .withQuotedCasing(config.quotedCasing())
        .withUnquotedCasing(config.unquotedCasing())
        .withQuoting(config.quoting())
        .withConformance(config.conformance())
        .withCaseSensitive(config.caseSensitive());
    try {
      return WhereNumbers.of(SqlParser.create(shape.sql, parserConfig).parseStmt(), shape);
    } catch (SqlParseException e) {
      return null; // planning reports it
    }
  }

  private static boolean any(boolean[] flags) {
    for (boolean f : flags) {
      if (f) {
        return true;
      }
    }
    return false;
  }

  /** The statement's text with the marked numbers written as {@code ?}. */
  private static String withParameters(SqlShape shape, boolean[] parameter) {
    StringBuilder b = new StringBuilder(shape.sql.length());
    int at = 0;
    for (int i = 0; i < parameter.length; i++) {
      SqlShape.Slot slot = shape.slots.get(i);
      b.append(shape.sql, at, slot.start()).append(parameter[i] ? "?" : shape.text(i));
      at = slot.end();
    }
    return b.append(shape.sql, at, shape.sql.length()).toString();
  }

  @Override protected CalcitePreparingStmt getPreparingStmt(CalcitePrepare.Context context,
      Type elementType, CalciteCatalogReader catalogReader, RelOptPlanner planner) {
    var prefer = elementType == Object[].class
        ? org.apache.calcite.adapter.enumerable.EnumerableRel.Prefer.ARRAY
        : org.apache.calcite.adapter.enumerable.EnumerableRel.Prefer.CUSTOM;
    var convention = enableBindable ? org.apache.calcite.interpreter.BindableConvention.INSTANCE
        : org.apache.calcite.adapter.enumerable.EnumerableConvention.INSTANCE;
    var cluster = createCluster(planner, new org.apache.calcite.rex.RexBuilder(context.getTypeFactory()));
    cluster.setMetadataQuerySupplier(MetadataHandlers.DEFAULT::query);
    var convertlets = createConvertletTable();
    return new CalcitePreparingStmt(this, context, catalogReader, context.getTypeFactory(),
        context.getRootSchema(), prefer, cluster, convention, convertlets) {
      private boolean sideEffects;

      @Override public PreparedResult prepareSql(SqlNode sql, SqlNode original, Class<?> runtimeContextClass,
          SqlValidator validator, boolean needsValidation) {
        sideEffects = MmapFunctions.calledIn(sql);
        refuseIdxUpdate(sql);
        return super.prepareSql(sql, original, runtimeContextClass, validator, needsValidation);
      }

      @Override protected PreparedResult implement(RelRoot root) {
        RelNode rel = MmapRowLimit.guard(FloatExtremes.apply(CheckedSums.apply(MmapTableScan.bare(root.rel))));
        DirectExecution direct = sideEffects || !root.isRefTrivial() ? null : DirectExecution.of(rel);
        PreparedResult result = direct != null ? compiledWhenRun(root.withRel(rel)) : null;
        if (result == null) {
          result = super.implement(root.withRel(sideEffects ? MmapEager.wrap(rel) : rel));
        }
        PlannedTables tables = PlannedTables.of(rel);
        if (direct != null) {
          internalParameters(this).put(DirectExecution.KEY, direct);
        }
        return (direct != null || tables != null) && result instanceof Prepare.PreparedResultImpl r
            ? checked(r, root, direct, tables) : result;
      }

      /**
       * As Calcite's {@code implement} for an enumerable plan whose fields are its root's, but the
       * generated code is compiled when an execution first runs it ({@link GeneratedCode}); null
       * where that is not so (Spark, another convention, a row class that is not a plain class).
       */
      private @Nullable PreparedResult compiledWhenRun(RelRoot root) {
        if (resultConvention != org.apache.calcite.adapter.enumerable.EnumerableConvention.INSTANCE
            || context.spark().enabled() || !(root.rel instanceof EnumerableRel enumerable)) {
          return null;
        }
        Hook.PLAN_BEFORE_IMPLEMENTATION.run(root);
        internalParameters(this).put("_conformance", context.config().conformance());
        GeneratedCode code = GeneratedCode.of(enumerable, prefer, internalParameters(this), catalogReader);
        Class<?> elementType = code.elementType();
        Bindable<Object> bindable = elementType == null ? code.compiled() : code.bindable();
        Type rowClass = elementType == null ? ((Typed) bindable).getElementType() : elementType;
        boolean dml = root.kind.belongsTo(SqlKind.DML);
        return new Prepare.PreparedResultImpl(root.rel.getRowType(), requireNonNull(parameterRowType),
            requireNonNull(fieldOrigins), root.collation.getFieldCollations().isEmpty() ? List.of()
            : List.of(root.collation), root.rel, mapTableModOp(dml, root.kind), dml) {
          @Override public String getCode() {
            throw new UnsupportedOperationException();
          }

          @Override public Bindable<Object> getBindable(Meta.CursorFactory cursorFactory) {
            return bindable;
          }

          @Override public Type getElementType() {
            return rowClass;
          }
        };
      }

      @Override protected SqlToRelConverter getSqlToRelConverter(SqlValidator validator,
          Prepare.CatalogReader reader, SqlToRelConverter.Config config) {
        return new CheckedSqlToRel(this, validator, reader, cluster, convertlets,
            config.withTopDownGeneralDecorrelationEnabled(context.config().topDownGeneralDecorrelationEnabled()));
      }

      @Override protected SqlValidator createSqlValidator(Prepare.CatalogReader reader,
          UnaryOperator<SqlValidator.Config> configTransform) {
        return validator(context, (CalciteCatalogReader) reader, configTransform);
      }
    };
  }

  /**
   * The parameters a statement's plan stashes for its executions, which become
   * its signature's: Calcite keeps them private, and a direct plan must say so
   * to the statement that runs it ({@link DirectExecution#KEY}).
   */
  @SuppressWarnings("unchecked")
  private static java.util.Map<String, Object> internalParameters(CalcitePreparingStmt statement) {
    return (java.util.Map<String, Object>) INTERNAL_PARAMETERS.get(statement);
  }

  private static final java.lang.invoke.VarHandle INTERNAL_PARAMETERS;

  static {
    try {
      INTERNAL_PARAMETERS = java.lang.invoke.MethodHandles
          .privateLookupIn(CalcitePreparingStmt.class, java.lang.invoke.MethodHandles.lookup())
          .findVarHandle(CalcitePreparingStmt.class, "internalParameters", java.util.Map.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * {@code r}, whose executions first check that its tables are bound as planned
   * ({@code tables}), then run {@code direct} instead of its generated code where they can.
   */
  private static Prepare.PreparedResult checked(Prepare.PreparedResultImpl r, RelRoot root,
      @Nullable DirectExecution direct, @Nullable PlannedTables tables) {
    return new Prepare.PreparedResultImpl(r.getPhysicalRowType(), r.getParameterRowType(), r.getFieldOrigins(),
        root.collation.getFieldCollations().isEmpty() ? List.of() : List.of(root.collation), r.getRootRel(),
        r.getTableModOp(), r.isDml()) {
      @Override public String getCode() {
        return r.getCode();
      }

      @SuppressWarnings("unchecked")
      @Override public Bindable<Object> getBindable(Meta.CursorFactory cursorFactory) {
        Bindable<Object> generated = (Bindable<Object>) r.getBindable(cursorFactory);
        Bindable<Object> run = direct == null ? generated : direct.bindable(generated, cursorFactory);
        if (tables == null) {
          return run;
        }
        return dataContext -> {
          tables.check(dataContext);
          return run.bind(dataContext);
        };
      }

      @Override public Type getElementType() {
        return r.getElementType();
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
      throw new MmapException(SqlState.SYNTAX_ERROR, "cannot set idx: it is the position of the value; set val instead");
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
    return new MmapSqlValidator(operators, reader, typeFactory,
        configTransform.apply(SqlValidator.Config.DEFAULT
            .withLenientOperatorLookup(config.lenientOperatorLookup())
            .withConformance(config.conformance())
            .withDefaultNullCollation(config.defaultNullCollation())
            .withIdentifierExpansion(true)));
  }
}
