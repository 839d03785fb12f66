package org.mmapsql.trino;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import io.airlift.slice.Slice;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.AggregateFunction;
import io.trino.spi.connector.AggregationApplicationResult;
import io.trino.spi.connector.Assignment;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.connector.ConnectorInsertTableHandle;
import io.trino.spi.connector.ConnectorMetadata;
import io.trino.spi.connector.ConnectorOutputMetadata;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.ConnectorTableMetadata;
import io.trino.spi.connector.ConnectorTableVersion;
import io.trino.spi.connector.Constraint;
import io.trino.spi.connector.ConstraintApplicationResult;
import io.trino.spi.connector.LimitApplicationResult;
import io.trino.spi.connector.ProjectionApplicationResult;
import io.trino.spi.connector.RetryMode;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.expression.Call;
import io.trino.spi.expression.ConnectorExpression;
import io.trino.spi.expression.Constant;
import io.trino.spi.expression.StandardFunctions;
import io.trino.spi.expression.Variable;
import io.trino.spi.predicate.Domain;
import io.trino.spi.predicate.TupleDomain;
import io.trino.spi.statistics.ComputedStatistics;
import io.trino.spi.type.BigintType;
import io.trino.spi.type.DoubleType;
import io.trino.spi.type.Type;

/**
 * The arrays of the catalog as Trino tables in schema {@code mmap}, and the pushdown:
 * idx predicates become the handle's ranges, predicates on numeric values conditions the
 * shards apply, LIMIT its limit, and COUNT/SUM/MIN/MAX/AVG, over all rows or grouped by
 * {@code idx / k}, aggregates that each shard's server computes.
 */
final class MmapMetadata implements ConnectorMetadata {
  static final String SCHEMA = "mmap";
  private final CatalogConfig config;

  MmapMetadata(CatalogConfig config) {
    this.config = config;
  }

  @Override public List<String> listSchemaNames(ConnectorSession session) {
    return List.of(SCHEMA);
  }

  @Override public List<SchemaTableName> listTables(ConnectorSession session, Optional<String> schema) {
    if (schema.isPresent() && !schema.get().equals(SCHEMA)) {
      return List.of();
    }
    return config.arrays().keySet().stream().map(a -> new SchemaTableName(SCHEMA, a)).toList();
  }

  @Override public ConnectorTableHandle getTableHandle(ConnectorSession session, SchemaTableName name,
      Optional<ConnectorTableVersion> startVersion, Optional<ConnectorTableVersion> endVersion) {
    if (startVersion.isPresent() || endVersion.isPresent()) {
      throw new TrinoException(io.trino.spi.StandardErrorCode.NOT_SUPPORTED, "mmapsql tables have no versions");
    }
    if (!name.getSchemaName().equals(SCHEMA) || !config.arrays().containsKey(name.getTableName())) {
      return null;
    }
    return MmapTableHandle.of(name.getTableName(), columns(name.getTableName()));
  }

  /** The columns, as the first shard's server types them. */
  private List<MmapColumnHandle> columns(String array) {
    CatalogConfig.ShardRef ref = config.arrays().get(array).get(0);
    ShardServer server = config.server(ref);
    String what = "shard 1 of " + array + " (table " + ref.table() + " on server " + ref.server() + ")";
    try (Connection c = server.connect("reading the columns of " + what);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM mmap." + ShardSql.quote(ref.table()) + " WHERE idx < 0")) {
      ResultSetMetaData md = rs.getMetaData();
      List<MmapColumnHandle> out = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        String col = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
        out.add(new MmapColumnHandle(col, ColumnTypes.trinoType(md.getColumnType(i), md.getColumnTypeName(i),
            md.getPrecision(i), md.getScale(i), "column " + col + " of " + what)));
      }
      return out;
    } catch (SQLException e) {
      throw server.error("reading the columns of " + what, e);
    }
  }

  @Override public ConnectorTableMetadata getTableMetadata(ConnectorSession session, ConnectorTableHandle table) {
    MmapTableHandle h = (MmapTableHandle) table;
    return new ConnectorTableMetadata(new SchemaTableName(SCHEMA, h.array()),
        h.columns().stream().map(MmapColumnHandle::metadata).toList());
  }

  @Override public Map<String, ColumnHandle> getColumnHandles(ConnectorSession session, ConnectorTableHandle table) {
    Map<String, ColumnHandle> out = new LinkedHashMap<>();
    ((MmapTableHandle) table).columns().forEach(c -> out.put(c.name(), c));
    return out;
  }

  @Override public ColumnMetadata getColumnMetadata(ConnectorSession session, ConnectorTableHandle table,
      ColumnHandle column) {
    return column instanceof PushedAggregate a ? new ColumnMetadata(a.toString(), a.type())
        : ((MmapColumnHandle) column).metadata();
  }

  @Override public Optional<ConstraintApplicationResult<ConnectorTableHandle>> applyFilter(ConnectorSession session,
      ConnectorTableHandle table, Constraint constraint) {
    MmapTableHandle h = (MmapTableHandle) table;
    if (h.isAggregated() || h.limit() != MmapTableHandle.NO_LIMIT) {
      return Optional.empty();
    }
    Map<ColumnHandle, Domain> domains = constraint.getSummary().getDomains().orElseThrow();
    List<IdxRange> ranges = h.ranges();
    List<String> filters = new ArrayList<>(h.filters());
    List<ColumnHandle> pushed = new ArrayList<>();
    for (Map.Entry<ColumnHandle, Domain> e : domains.entrySet()) {
      if (!(e.getKey() instanceof MmapColumnHandle c) || c.isBucket()) {
        continue;
      }
      if (c.isIdx()) {
        ranges = IdxRange.intersect(ranges, IdxRange.of(e.getValue()));
        pushed.add(c);
      } else {
        Optional<String> condition = ValueFilter.sql(c, e.getValue());
        if (condition.isPresent()) {
          pushed.add(c);
          if (!filters.contains(condition.get())) {
            filters.add(condition.get());
          }
        }
      }
    }
    MmapTableHandle next = h.withRanges(ranges).withFilters(filters);
    if (next.equals(h)) {
      return Optional.empty();
    }
    // the ranges and filters admit exactly the rows the pushed domains do: Trino need not check them again
    TupleDomain<ColumnHandle> rest = constraint.getSummary().filter((c, d) -> !pushed.contains(c));
    return Optional.of(new ConstraintApplicationResult<>(next, rest, constraint.getExpression(), false));
  }

  /**
   * Gives {@code idx / k} (k a positive constant) a column of its own, computed by the
   * shards, so that a downsampling {@code GROUP BY idx / k} can be pushed to them.
   */
  @Override public Optional<ProjectionApplicationResult<ConnectorTableHandle>> applyProjection(
      ConnectorSession session, ConnectorTableHandle table, List<ConnectorExpression> projections,
      Map<String, ColumnHandle> assignments) {
    MmapTableHandle h = (MmapTableHandle) table;
    if (h.isAggregated()) {
      return Optional.empty();
    }
    List<ConnectorExpression> out = new ArrayList<>();
    Map<String, Assignment> added = new LinkedHashMap<>();
    for (ConnectorExpression e : projections) {
      OptionalLong k = bucketWidth(e, assignments);
      if (k.isEmpty()) {
        out.add(e);
        continue;
      }
      MmapColumnHandle bucket = MmapColumnHandle.bucket(k.getAsLong());
      String variable = "mmap_bucket_" + k.getAsLong();
      added.putIfAbsent(variable, new Assignment(variable, bucket, BigintType.BIGINT));
      out.add(new Variable(variable, BigintType.BIGINT));
    }
    if (added.isEmpty()) {
      return Optional.empty();
    }
    List<Assignment> all = new ArrayList<>(added.values());
    // the other expressions keep reading the columns they read
    for (ConnectorExpression e : out) {
      for (Variable v : variables(e)) {
        if (!added.containsKey(v.getName()) && assignments.get(v.getName()) != null
            && all.stream().noneMatch(a -> a.getVariable().equals(v.getName()))) {
          all.add(new Assignment(v.getName(), assignments.get(v.getName()), v.getType()));
        }
      }
    }
    return Optional.of(new ProjectionApplicationResult<>(h, out, all, false));
  }

  /** k if {@code e} is {@code idx / k} with a positive constant k. */
  private static OptionalLong bucketWidth(ConnectorExpression e, Map<String, ColumnHandle> assignments) {
    if (!(e instanceof Call call) || !call.getFunctionName().equals(StandardFunctions.DIVIDE_FUNCTION_NAME)
        || call.getArguments().size() != 2
        || !(call.getArguments().get(0) instanceof Variable v)
        || !(assignments.get(v.getName()) instanceof MmapColumnHandle c) || !c.isIdx()) {
      return OptionalLong.empty();
    }
    ConnectorExpression divisor = call.getArguments().get(1);
    if (divisor instanceof Call cast && cast.getFunctionName().equals(StandardFunctions.CAST_FUNCTION_NAME)
        && cast.getArguments().size() == 1) {
      divisor = cast.getArguments().get(0);
    }
    if (divisor instanceof Constant k && k.getValue() instanceof Long n && n > 0) {
      return OptionalLong.of(n);
    }
    return OptionalLong.empty();
  }

  private static List<Variable> variables(ConnectorExpression e) {
    if (e instanceof Variable v) {
      return List.of(v);
    }
    List<Variable> out = new ArrayList<>();
    e.getChildren().forEach(c -> out.addAll(variables(c)));
    return out;
  }

  @Override public Optional<LimitApplicationResult<ConnectorTableHandle>> applyLimit(ConnectorSession session,
      ConnectorTableHandle table, long limit) {
    MmapTableHandle h = (MmapTableHandle) table;
    if (h.isAggregated() || (h.limit() != MmapTableHandle.NO_LIMIT && h.limit() <= limit)) {
      return Optional.empty();
    }
    // each split sends its rows up to the limit; Trino applies the limit over all of them
    return Optional.of(new LimitApplicationResult<>(h.withLimit(limit), false, false));
  }

  @Override public Optional<AggregationApplicationResult<ConnectorTableHandle>> applyAggregation(
      ConnectorSession session, ConnectorTableHandle table, List<AggregateFunction> aggregates,
      Map<String, ColumnHandle> assignments, List<List<ColumnHandle>> groupingSets) {
    MmapTableHandle h = (MmapTableHandle) table;
    if (h.isAggregated() || h.limit() != MmapTableHandle.NO_LIMIT || groupingSets.size() != 1) {
      return Optional.empty();
    }
    // over every row, or per bucket idx / k (downsampling)
    List<ColumnHandle> keys = groupingSets.get(0);
    long k = 0;
    if (keys.size() == 1 && keys.get(0) instanceof MmapColumnHandle c && c.isBucket()) {
      k = c.bucket();
    } else if (!keys.isEmpty()) {
      return Optional.empty();
    }
    List<PushedAggregate> pushed = new ArrayList<>();
    List<ConnectorExpression> projections = new ArrayList<>();
    List<Assignment> outAssignments = new ArrayList<>();
    for (AggregateFunction f : aggregates) {
      Optional<PushedAggregate> p = pushable(f, assignments);
      if (p.isEmpty()) {
        return Optional.empty();
      }
      String variable = "mmap_agg_" + pushed.size();
      pushed.add(p.get());
      projections.add(new Variable(variable, f.getOutputType()));
      outAssignments.add(new Assignment(variable, p.get(), f.getOutputType()));
    }
    return Optional.of(new AggregationApplicationResult<>(h.withAggregates(pushed, k), projections, outAssignments,
        Map.of(), false));
  }

  /** The aggregate as one the shards can compute, or empty. */
  private static Optional<PushedAggregate> pushable(AggregateFunction f, Map<String, ColumnHandle> assignments) {
    if (f.isDistinct() || f.getFilter().isPresent() || !f.getSortItems().isEmpty()) {
      return Optional.empty();
    }
    String name = f.getFunctionName();
    if (name.equals("count") && f.getArguments().isEmpty()) {
      return Optional.of(new PushedAggregate(PushedAggregate.Function.COUNT_ALL, null, BigintType.BIGINT));
    }
    if (f.getArguments().size() != 1 || !(f.getArguments().get(0) instanceof Variable v)
        || !(assignments.get(v.getName()) instanceof MmapColumnHandle column)) {
      return Optional.empty();
    }
    Type in = column.type();
    boolean number = in == DoubleType.DOUBLE || in == BigintType.BIGINT;
    PushedAggregate.Function fn = switch (name) {
      case "count" -> PushedAggregate.Function.COUNT;
      case "sum" -> in == DoubleType.DOUBLE ? PushedAggregate.Function.SUM : null;
      case "avg" -> in == DoubleType.DOUBLE ? PushedAggregate.Function.AVG : null;
      case "min" -> number ? PushedAggregate.Function.MIN : null;
      case "max" -> number ? PushedAggregate.Function.MAX : null;
      default -> null;
    };
    return fn == null ? Optional.empty() : Optional.of(new PushedAggregate(fn, column.name(), f.getOutputType()));
  }

  @Override public ConnectorInsertTableHandle beginInsert(ConnectorSession session, ConnectorTableHandle table,
      List<ColumnHandle> columns, RetryMode retryMode) {
    MmapTableHandle h = (MmapTableHandle) table;
    if (retryMode != RetryMode.NO_RETRIES) {
      throw new TrinoException(MmapErrorCode.WRITE_REFUSED, "INSERT into " + h.array()
          + ": the mmapsql connector cannot retry writes (retry-policy must be NONE)");
    }
    List<Shard> shards = ShardLayout.read(config, h.array());
    return new MmapInsertHandle(shards.get(shards.size() - 1),
        columns.stream().map(MmapColumnHandle.class::cast).toList());
  }

  @Override public Optional<ConnectorOutputMetadata> finishInsert(ConnectorSession session,
      ConnectorInsertTableHandle insert, List<ConnectorTableHandle> sources, Collection<Slice> fragments,
      Collection<ComputedStatistics> statistics) {
    return Optional.empty();
  }
}
