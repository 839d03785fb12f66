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
import io.trino.spi.connector.RetryMode;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.expression.ConnectorExpression;
import io.trino.spi.expression.Variable;
import io.trino.spi.predicate.Domain;
import io.trino.spi.predicate.TupleDomain;
import io.trino.spi.statistics.ComputedStatistics;
import io.trino.spi.type.BigintType;
import io.trino.spi.type.DoubleType;
import io.trino.spi.type.Type;

/**
 * The arrays of the catalog as Trino tables in schema {@code mmap}, and the pushdown:
 * idx predicates become the handle's ranges, LIMIT its limit, and COUNT/SUM/MIN/MAX/AVG
 * without GROUP BY aggregates that each shard's server computes.
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
    Domain idx = null;
    for (Map.Entry<ColumnHandle, Domain> e : domains.entrySet()) {
      if (e.getKey() instanceof MmapColumnHandle c && c.isIdx()) {
        idx = e.getValue();
      }
    }
    if (idx == null) {
      return Optional.empty();
    }
    List<IdxRange> ranges = IdxRange.intersect(h.ranges(), IdxRange.of(idx));
    if (ranges.equals(h.ranges())) {
      return Optional.empty();
    }
    // the ranges are exactly the rows idx admits: Trino need not filter on idx again
    TupleDomain<ColumnHandle> rest = constraint.getSummary()
        .filter((c, d) -> !(c instanceof MmapColumnHandle m && m.isIdx()));
    return Optional.of(new ConstraintApplicationResult<>(h.withRanges(ranges), rest, constraint.getExpression(), false));
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
    if (h.isAggregated() || h.limit() != MmapTableHandle.NO_LIMIT
        || !groupingSets.equals(List.of(List.of()))) {
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
    return Optional.of(new AggregationApplicationResult<>(h.withAggregates(pushed), projections, outAssignments,
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
