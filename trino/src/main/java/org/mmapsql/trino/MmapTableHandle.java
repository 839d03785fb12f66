package org.mmapsql.trino;

import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.trino.spi.connector.ConnectorTableHandle;

/**
 * A sharded array and what a query pushed into it: the idx ranges it reads, conditions
 * on values, a LIMIT, and the aggregates the shards compute (over all rows, or per
 * bucket {@code idx / groupBy}). Its text is what Trino's EXPLAIN shows.
 */
public record MmapTableHandle(@JsonProperty("array") String array,
    @JsonProperty("columns") List<MmapColumnHandle> columns,
    @JsonProperty("ranges") List<IdxRange> ranges,
    @JsonProperty("filters") List<String> filters,
    @JsonProperty("limit") long limit,
    @JsonProperty("aggregates") List<PushedAggregate> aggregates,
    @JsonProperty("groupBy") long groupBy) implements ConnectorTableHandle {
  public static final long NO_LIMIT = -1;

  @JsonCreator public MmapTableHandle {
    columns = List.copyOf(columns);
    ranges = List.copyOf(ranges);
    filters = List.copyOf(filters);
    aggregates = List.copyOf(aggregates);
  }

  static MmapTableHandle of(String array, List<MmapColumnHandle> columns) {
    return new MmapTableHandle(array, columns, IdxRange.ALL, List.of(), NO_LIMIT, List.of(), 0);
  }

  boolean isAggregated() {
    return !aggregates.isEmpty();
  }

  MmapTableHandle withRanges(List<IdxRange> r) {
    return new MmapTableHandle(array, columns, r, filters, limit, aggregates, groupBy);
  }

  MmapTableHandle withFilters(List<String> f) {
    return new MmapTableHandle(array, columns, ranges, f, limit, aggregates, groupBy);
  }

  MmapTableHandle withLimit(long l) {
    return new MmapTableHandle(array, columns, ranges, filters, l, aggregates, groupBy);
  }

  /** Aggregates over every row ({@code k == 0}) or per bucket {@code idx / k}. */
  MmapTableHandle withAggregates(List<PushedAggregate> a, long k) {
    return new MmapTableHandle(array, columns, ranges, filters, limit, a, k);
  }

  @Override public String toString() {
    StringBuilder b = new StringBuilder("mmapsql:").append(array);
    b.append(ranges.equals(IdxRange.ALL) ? " idx=all"
        : " idx=" + ranges.stream().map(IdxRange::toString).collect(Collectors.joining(", ", "[", "]")));
    if (!filters.isEmpty()) {
      b.append(" filter=").append(String.join(" AND ", filters));
    }
    if (limit != NO_LIMIT) {
      b.append(" limit=").append(limit);
    }
    if (isAggregated()) {
      b.append(" aggregates=").append(aggregates);
      if (groupBy > 0) {
        b.append(" group by idx/").append(groupBy);
      }
      b.append(" per shard");
    }
    return b.toString();
  }
}
